"""Accounts by mobile number (issue 17): registering with a number, proving it with a code sent by
text message, and choosing a new password with a code.

No account is made for a number before its code is proved: the registration waits in the code it
sent (PhoneCode.registration), and the code typed back makes the account, in the session that
registered (a token kept in it, whose hash the registration holds). So no one can hold a number
she does not have, nor make an account of hers from a code sent to her phone; the latest code of
a number is the only one that counts. An e-mail address given with the number is added only when
she confirms it from its mail, logged in (auth/services.confirm_email).

As with e-mail (auth/services.py), no answer tells whether a number has an account: every path
asks for a code in the same way (so that the same limits answer, auth/codes.py), and only the
phone, which its owner holds, learns the difference: a code, a message saying that the number is
registered already, or nothing at all for a number without an account.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import generate_password_hash

from portal.auth import services
from portal.auth.codes import CodeRefused, issue_code, one_at_a_time, proved_code
from portal.auth.models import CodePurpose, PhoneCode, Role, RoleGrant, User
from portal.auth.phones import written_mobile
from portal.auth.signals import account_created
from portal.core import audit, idempotency
from portal.core.errors import DomainError
from portal.core.outbox import queue_sms
from portal.core.urls import external_url
from portal.extensions import db

WRONG_CODE = _l("This code is not right, or it is no longer valid. Ask for a new one.")
# The same whether the code is wrong or was typed elsewhere: the page tells nothing of anyone's
# registration of the number.
WRONG_REGISTRATION_CODE = _l(
    "This code is not right, or it is no longer valid. Type it in the browser where you "
    "registered, or ask for a new one; if you closed that page, register again."
)


class WrongCode(DomainError):
    pass


def registration_token(form_key: str | None) -> str:
    """The token a registration keeps in her session: the same for the same form sent twice (a
    double click answers twice, and the last answer's cookie is the one kept)."""
    if not form_key:
        return secrets.token_urlsafe(24)
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"registration:{form_key}".encode(), hashlib.sha256).hexdigest()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _key_with(form_key: str | None, phone: str) -> str | None:
    key = idempotency.clean_key(form_key)
    return (
        hashlib.md5(f"{key}:{phone}".encode(), usedforsecurity=False).hexdigest() if key else None
    )


def _send_code(
    phone: str,
    purpose: CodePurpose,
    language: str,
    *,
    ip: str | None,
    now: datetime,
    registration: dict | None = None,
) -> None:
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


def _tell_already_registered(user: User, *, ip: str | None, now: datetime) -> None:
    # Asked like a code (a code no one is sent, for no registration), so that the limits answer
    # as they would for a new number.
    issue_code(user.login_phone, CodePurpose.UNSENT, ip=ip, now=now)
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
    token: str,
    ip: str | None,
    now: datetime,
    form_key: str | None = None,
) -> None:
    """Send a code to prove `phone`, holding the registration until it is proved in the session
    that keeps `token` (confirm_registration). A number that has an account gets a text message
    saying so instead; an e-mail address already registered is told so by mail and left out.

    Raises CodeRefused past a limit, and the form may be sent again later. The same form sent
    twice is one registration (idempotency.AlreadySent).
    """
    one_at_a_time()
    _forget_abandoned(now)
    # The form's key with the number: the same form sent again with the number corrected (the
    # Back button keeps its key) is a registration of that number.
    idempotency.claim(_key_with(form_key, phone), kind="registration", actor_id=None)
    password_hash = generate_password_hash(
        password, method=current_app.config["PASSWORD_HASH_METHOD"]
    )
    owner = services.find_user(email) if email else None
    try:
        existing = services.find_by_phone(phone)
        if existing is not None:
            _tell_already_registered(existing, ip=ip, now=now)
        else:
            registration = {
                "full_name": full_name.strip(),
                "language": language,
                "password_hash": password_hash,
                "email": None if owner is not None else email,
                "token_hash": _token_hash(token),
            }
            _send_code(
                phone, CodePurpose.CONFIRM, language, ip=ip, now=now, registration=registration
            )
    except CodeRefused:
        # Refused before anything was sent: this form is not spent, she may send it again.
        idempotency.release(_key_with(form_key, phone))
        db.session.commit()
        raise
    if owner is not None:  # told once the number's answer is sent, not on a refusal
        services.tell_already_registered(owner)
        db.session.commit()


def _held_by(row: PhoneCode | None, token: str | None) -> dict | None:
    """The registration `row` holds, if this session (its `token`) made it."""
    held = row.registration if row is not None else None
    if not held or not token or held.get("token_hash") != _token_hash(token):
        return None
    return held


def _latest(phone: str) -> PhoneCode | None:
    return db.session.scalars(
        sa.select(PhoneCode)
        .where(PhoneCode.phone == phone, PhoneCode.purpose == CodePurpose.CONFIRM)
        .order_by(PhoneCode.id.desc())
        .limit(1)
    ).first()


ABANDONED_AFTER = timedelta(days=1)


def _forget_abandoned(now: datetime) -> None:
    """Registrations never proved keep nobody's password's hash past a day (a code is asked
    again within the day, _registration_made_here)."""
    db.session.execute(
        sa.update(PhoneCode)
        .where(PhoneCode.created_at < now - ABANDONED_AFTER, PhoneCode.registration.is_not(None))
        .values(registration=None)
        .execution_options(synchronize_session=False)
    )


def _registration_made_here(token: str | None, now: datetime) -> dict | None:
    """The latest registration this session made, for whatever number (she may have corrected
    it on the code's page), within the day."""
    if not token:
        return None
    recent = db.session.scalars(
        sa.select(PhoneCode)
        .where(
            PhoneCode.purpose == CodePurpose.CONFIRM,
            PhoneCode.created_at > now - ABANDONED_AFTER,
            PhoneCode.registration.is_not(None),
        )
        .order_by(PhoneCode.id.desc())
        .limit(500)
    )
    found = (held for row in recent if (held := _held_by(row, token)))
    return next((held for held in found if "made" not in held), None)


def send_new_code(
    phone: str, language: str, *, token: str | None, ip: str | None, now: datetime
) -> None:
    """Another code for the registration this session made (`token`), to `phone` (the number she
    registered, or the one she corrected it to); for a number with an account, the message that
    it is registered; for anything else, nothing (but counted the same). `language` is the
    page's."""
    user = services.find_by_phone(phone)
    if user is not None:
        _tell_already_registered(user, ip=ip, now=now)
        return
    held = _registration_made_here(token, now)
    if held is None:
        issue_code(phone, CodePurpose.UNSENT, ip=ip, now=now)
        return
    _send_code(phone, CodePurpose.CONFIRM, held["language"], ip=ip, now=now, registration=held)


def confirm_registration(
    phone: str, typed: str, *, token: str | None, now: datetime, ip: str | None
) -> User:
    """Make the account that the latest code of `phone` holds, if this session made that
    registration (`token`) and `typed` is its code: an applicant whose number is proved. An
    e-mail address she gave is mailed a link to add it. WrongCode otherwise, and when the number
    got an account meanwhile. A code typed in another browser is not even tried: it is not used
    up by someone who saw her phone."""
    latest_row = _latest(phone)
    latest = _held_by(latest_row, token)
    if latest is None:
        raise WrongCode(WRONG_REGISTRATION_CODE, field="code")
    if "made" in latest:
        # Her code sent twice (a double tap): the first made the account, the second finds it,
        # while the code would have held.
        if latest_row.expires_at <= now:
            raise WrongCode(WRONG_REGISTRATION_CODE, field="code")
        return db.session.get(User, latest["made"])
    # Used up in the transaction that makes the account: the same code sent at the same moment
    # waits for it, then finds the account made.
    row = proved_code(phone, CodePurpose.CONFIRM, typed, now=now, then_commit=False)
    held = _held_by(row, token)
    if held is None:
        made = _held_by(_latest(phone), token)
        if made is not None and "made" in made:
            return db.session.get(User, made["made"])
        raise WrongCode(WRONG_REGISTRATION_CODE, field="code")
    one_at_a_time()
    if services.find_by_phone(phone) is not None:
        raise WrongCode(WRONG_REGISTRATION_CODE, field="code")
    user = User(
        login_phone=phone,
        phone_confirmed_at=now,
        phone=written_mobile(phone),
        full_name=held["full_name"],
        language=held["language"],
        password_hash=held["password_hash"],
    )
    user.roles.append(RoleGrant(role=Role.APPLICANT))
    db.session.add(user)
    # Made: the password's hash is kept nowhere else but the account, not in any code of it.
    db.session.execute(
        sa.update(PhoneCode)
        .where(PhoneCode.phone == phone, PhoneCode.registration.is_not(None))
        .values(registration=None)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    # What a second sending of the same code (a double tap) finds: the account, nothing of hers.
    row.registration = {"made": user.id, "token_hash": held["token_hash"]}
    account_created.send(user)
    audit.record("user.registered", actor_id=user.id, object_type="user", object_id=user.id, ip=ip)
    audit.record(
        "user.phone_confirmed", actor_id=user.id, object_type="user", object_id=user.id, ip=ip
    )
    if held.get("email") and services.find_user(held["email"]) is None:
        services.queue_confirmation(user, address=held["email"])
    db.session.commit()
    return user


def request_reset_code(phone: str, *, ip: str | None, now: datetime) -> None:
    """A code to choose a new password, sent when the number has an account that can log in;
    for any other number one is made and counted but not sent (a text message is paid for, and
    a stranger's phone must not be troubled)."""
    user = services.find_by_phone(phone)
    if user is None or not user.active:
        issue_code(phone, CodePurpose.UNSENT, ip=ip, now=now)
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
