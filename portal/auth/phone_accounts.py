"""Accounts by mobile number (issue 17): registering with a number, proving it with a code sent by
text message, and choosing a new password with a code.

As with e-mail (auth/services.py), no answer tells whether a number has an account: every path
asks for a code in the same way (so the same limits answer, auth/codes.py), and only the phone,
which its owner holds, learns the difference: a code, or a message saying that the number is
registered already, or nothing at all for a number without an account.
"""

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import generate_password_hash

from portal.auth import services
from portal.auth.codes import check_code, issue_code, one_at_a_time
from portal.auth.models import CodePurpose, Role, RoleGrant, User
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


def _send_code(phone: str, purpose: CodePurpose, language: str, *, ip: str | None, now: datetime):
    code = issue_code(phone, purpose, ip=ip, now=now)
    queue_sms(
        phone,
        "phone_code" if purpose is CodePurpose.CONFIRM else "reset_code",
        language,
        code=code,
        minutes=current_app.config["PHONE_CODE_MINUTES"],
    )
    db.session.commit()


def _tell_already_registered(user: User, *, ip: str | None, now: datetime) -> None:
    # Asked like a code, so that the limits answer as they would for a new number.
    issue_code(user.login_phone, CodePurpose.CONFIRM, ip=ip, now=now)
    queue_sms(
        user.login_phone,
        "phone_already_registered",
        user.language,
        login_url=external_url("auth.login"),
    )
    db.session.commit()


def _unproved(user: User) -> bool:
    """An account nobody has proved a way into, by its number alone: whoever proves the number
    may take it over (someone may have typed her number by mistake, or on purpose)."""
    return not user.is_confirmed and not user.email


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
) -> User | None:
    """Create an applicant who logs in with `phone` (and `email`, if given), and send a code to
    prove the number; the e-mail address, if any, gets its link as well (auth.services).

    A number already registered gets a text message saying so, and nothing is created; an
    account never proved, by its number alone, is given to this registration instead. Raises
    CodeRefused past a limit (the account is kept: she can ask for a code again). The same form
    sent twice is one registration (idempotency.AlreadySent); two forms for one number at the
    same moment are taken one after the other.
    """
    one_at_a_time()
    claimed = idempotency.claim(form_key, kind="registration", actor_id=None)
    existing = services.find_by_phone(phone)
    same_email = services.find_user(email) if email else None
    if existing is not None and _unproved(existing) and same_email is None:
        existing.full_name = full_name.strip()
        existing.language = language
        existing.email = email
        existing.set_password(password)
        audit.record(
            "user.registered_again",
            actor_id=existing.id,
            object_type="user",
            object_id=existing.id,
            ip=ip,
        )
        db.session.commit()
        if email:
            services.queue_confirmation(existing)
        _send_code(phone, CodePurpose.CONFIRM, language, ip=ip, now=now)
        return existing
    if existing is not None or same_email is not None:
        generate_password_hash(password)  # take as long as a real registration would
        if same_email is not None:
            services.tell_already_registered(same_email)
        if existing is not None:
            _tell_already_registered(existing, ip=ip, now=now)
        else:
            db.session.commit()
        return None
    user = User(
        login_phone=phone,
        email=email,
        phone=written_mobile(phone),
        full_name=full_name.strip(),
        language=language,
    )
    user.set_password(password)
    user.roles.append(RoleGrant(role=Role.APPLICANT))
    db.session.add(user)
    db.session.flush()
    idempotency.made(claimed, user)
    account_created.send(user)
    audit.record("user.registered", actor_id=user.id, object_type="user", object_id=user.id, ip=ip)
    if email:
        services.queue_confirmation(user)
    db.session.commit()
    _send_code(phone, CodePurpose.CONFIRM, language, ip=ip, now=now)
    return user


def send_new_code(phone: str, language: str, *, ip: str | None, now: datetime) -> None:
    """Another code for a number waiting to be proved; for a number proved already, the message
    that it is registered; for a number without an account, nothing (but counted the same).
    `language` is the page's, for a number without an account."""
    user = services.find_by_phone(phone)
    if user is None or not user.active:
        issue_code(phone, CodePurpose.CONFIRM, ip=ip, now=now)
    elif user.phone_confirmed_at is None:
        _send_code(phone, CodePurpose.CONFIRM, user.language, ip=ip, now=now)
    else:
        _tell_already_registered(user, ip=ip, now=now)


def confirm_phone(phone: str, typed: str, *, now: datetime, ip: str | None) -> User:
    """Mark the number proved, if `typed` is its latest code. WrongCode otherwise."""
    user = services.find_by_phone(phone)
    if not check_code(phone, CodePurpose.CONFIRM, typed, now=now) or user is None:
        raise WrongCode(WRONG_CODE, field="code")
    if user.phone_confirmed_at is None:
        user.phone_confirmed_at = now
        audit.record(
            "user.phone_confirmed", actor_id=user.id, object_type="user", object_id=user.id, ip=ip
        )
        db.session.commit()
    return user


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
    """Set a new password with the code of a reset; the code proves the number too."""
    user = services.find_by_phone(phone)
    right = check_code(phone, CodePurpose.RESET, typed, now=now)
    if not right or user is None or not user.active:
        raise WrongCode(WRONG_CODE, field="code")
    user.set_password(new_password)
    if user.phone_confirmed_at is None:
        user.phone_confirmed_at = now
    audit.record("password.reset", actor_id=user.id, object_type="user", object_id=user.id, ip=ip)
    db.session.commit()
    return user
