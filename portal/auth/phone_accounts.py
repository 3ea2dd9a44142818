"""Accounts by mobile number (issue 17): registering with a number, proving it with a code sent by
text message, and choosing a new password with a code.

No account is made for a number before its code is proved: the registration waits in the code it
sent (PhoneCode.registration), and the code typed back makes the account. So no one can hold a
number she does not have, nor change an account by registering its number again; the latest code
of a number is the only one that counts, and only its registration is made.

As with e-mail (auth/services.py), no answer tells whether a number has an account: every path
asks for a code in the same way (so that the same limits answer, auth/codes.py), and only the
phone, which its owner holds, learns the difference: a code, a message saying that the number is
registered already, or nothing at all for a number without an account.
"""

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import generate_password_hash

from portal.auth import services
from portal.auth.codes import issue_code, one_at_a_time, proved_code
from portal.auth.models import CodePurpose, PhoneCode, Role, RoleGrant, User
from portal.auth.phones import written_mobile
from portal.auth.signals import account_created
from portal.core import audit, idempotency
from portal.core.errors import DomainError
from portal.core.outbox import queue_sms
from portal.core.urls import external_url
from portal.extensions import db

WRONG_CODE = _l("This code is not right, or it is no longer valid. Ask for a new one.")


class WrongCode(DomainError):
    pass


def _send_code(
    phone: str,
    purpose: CodePurpose,
    language: str,
    *,
    ip: str | None,
    now: datetime,
    registration: dict | None = None,
) -> int:
    """Issue a code and queue its text message; the code row's id."""
    code = issue_code(phone, purpose, ip=ip, now=now, registration=registration)
    queue_sms(
        phone,
        "phone_code" if purpose is CodePurpose.CONFIRM else "reset_code",
        language,
        secret=True,
        code=code,
        minutes=current_app.config["PHONE_CODE_MINUTES"],
    )
    db.session.commit()
    return _latest_code_id(phone, purpose)


def _latest_code_id(phone: str, purpose: CodePurpose) -> int:
    return db.session.scalar(
        db.select(db.func.max(PhoneCode.id)).where(
            PhoneCode.phone == phone, PhoneCode.purpose == purpose
        )
    )


def _tell_already_registered(user: User, *, ip: str | None, now: datetime) -> None:
    # Asked like a code (a code no one is sent, for no registration), so that the limits answer
    # as they would for a new number.
    issue_code(user.login_phone, CodePurpose.CONFIRM, ip=ip, now=now)
    queue_sms(
        user.login_phone,
        "phone_already_registered",
        user.language,
        login_url=external_url("auth.login"),
    )
    db.session.commit()


def register_by_phone(
    *,
    phone: str,
    email: str | None,
    password: str,
    full_name: str,
    language: str,
    ip: str | None,
    now: datetime,
    form_key: str | None = None,
) -> int | None:
    """Send a code to prove `phone`, holding the registration until it is proved
    (confirm_registration); the code row's id, for the session that registers. A number that
    has an account gets a text message saying so instead, and None is returned.

    An e-mail address already registered is told so by mail, and the account will be made
    without it. Raises CodeRefused past a limit. The same form sent twice is one registration
    (idempotency.AlreadySent).
    """
    one_at_a_time()
    claimed = idempotency.claim(form_key, kind="registration", actor_id=None)
    password_hash = generate_password_hash(
        password, method=current_app.config["PASSWORD_HASH_METHOD"]
    )
    if email:
        owner = services.find_user(email)
        if owner is not None:
            services.tell_already_registered(owner)
            email = None
    existing = services.find_by_phone(phone)
    if existing is not None:
        _tell_already_registered(existing, ip=ip, now=now)
        return None
    registration = {
        "full_name": full_name.strip(),
        "language": language,
        "password_hash": password_hash,
        "email": email,
    }
    code_id = _send_code(
        phone, CodePurpose.CONFIRM, language, ip=ip, now=now, registration=registration
    )
    idempotency.made(claimed, db.session.get(PhoneCode, code_id))
    db.session.commit()
    return code_id


def registration_sent(phone: str) -> int | None:
    """The latest code of a registration of `phone`: what a form sent twice registered."""
    return _latest_code_id(phone, CodePurpose.CONFIRM)


def send_new_code(
    phone: str, language: str, *, registration_id: int | None, ip: str | None, now: datetime
) -> int | None:
    """Another code for the registration this session made (`registration_id`, its latest code);
    for a number with an account, the message that it is registered; for any other number,
    nothing (but counted the same). `language` is the page's. The new code row's id, if one was
    sent for a registration."""
    user = services.find_by_phone(phone)
    if user is not None:
        _tell_already_registered(user, ip=ip, now=now)
        return None
    earlier = db.session.get(PhoneCode, registration_id) if registration_id else None
    if earlier is None or earlier.phone != phone or not earlier.registration:
        issue_code(phone, CodePurpose.CONFIRM, ip=ip, now=now)
        return None
    return _send_code(
        phone,
        CodePurpose.CONFIRM,
        earlier.registration["language"],
        ip=ip,
        now=now,
        registration=earlier.registration,
    )


def confirm_registration(
    phone: str, typed: str, *, now: datetime, ip: str | None
) -> tuple[User, int]:
    """Make the account that the latest code of `phone` holds, if `typed` is that code: an
    applicant whose number is proved (and whose e-mail address, if she gave one free, waits for
    its link). The account and the code row's id; WrongCode otherwise, and when the number got
    an account meanwhile."""
    row = proved_code(phone, CodePurpose.CONFIRM, typed, now=now)
    if row is None or not row.registration:
        raise WrongCode(WRONG_CODE, field="code")
    one_at_a_time()
    if services.find_by_phone(phone) is not None:
        raise WrongCode(WRONG_CODE, field="code")
    held = row.registration
    email = held.get("email")
    if email and services.find_user(email) is not None:
        email = None  # registered by someone meanwhile: her account is made without it
    user = User(
        login_phone=phone,
        phone_confirmed_at=now,
        email=email,
        phone=written_mobile(phone),
        full_name=held["full_name"],
        language=held["language"],
        password_hash=held["password_hash"],
    )
    user.roles.append(RoleGrant(role=Role.APPLICANT))
    db.session.add(user)
    db.session.flush()
    account_created.send(user)
    audit.record("user.registered", actor_id=user.id, object_type="user", object_id=user.id, ip=ip)
    audit.record(
        "user.phone_confirmed", actor_id=user.id, object_type="user", object_id=user.id, ip=ip
    )
    if email:
        services.queue_confirmation(user)
    db.session.commit()
    return user, row.id


def request_reset_code(phone: str, *, ip: str | None, now: datetime) -> None:
    """A code to choose a new password, sent when the number has an account that can log in;
    for any other number one is made and counted but not sent (a text message is paid for, and
    a stranger's phone must not be troubled)."""
    user = services.find_by_phone(phone)
    if user is None or not user.active:
        issue_code(phone, CodePurpose.RESET, ip=ip, now=now)
    else:
        _send_code(phone, CodePurpose.RESET, user.language, ip=ip, now=now)


def reset_password_by_code(
    phone: str, typed: str, new_password: str, *, ip: str | None, now: datetime
) -> User:
    """Set a new password with the code of a reset."""
    user = services.find_by_phone(phone)
    proved = proved_code(phone, CodePurpose.RESET, typed, now=now) is not None
    if not proved or user is None or not user.active:
        raise WrongCode(WRONG_CODE, field="code")
    user.set_password(new_password)
    audit.record("password.reset", actor_id=user.id, object_type="user", object_id=user.id, ip=ip)
    db.session.commit()
    return user
