"""Six-digit codes sent by text message to prove that a phone number is hers (issue 17).

A code holds ten minutes, takes five tries, and is kept only as a keyed hash: a copy of the
database gives no code away. Only the latest code of a number and purpose counts. Before a code is
made, three limits: three an hour to a number (a stranger cannot flood her phone), twenty an hour
from an address (nor walk through numbers), and a daily budget of text messages for the whole
installation (each one is paid for); when the budget is spent, the admins are told, once a day.

Both steps work in the caller's transaction, and the caller commits whatever the answer: the code
with the message that sends it, a wrong try so that it is counted, the admins' warning.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.auth.models import CodePurpose, PhoneCode, Role, RoleGrant, User
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.outbox import queue_mail
from portal.core.time import VIETNAM, as_utc, vietnam_date
from portal.extensions import db

CODE_DIGITS = 6

TOO_MANY_FOR_NUMBER = _l(
    "Too many codes were sent to this number in the last hour. Wait a little before asking again."
)
TOO_MANY_FROM_HERE = _l("Too many codes were asked from this connection. Try again in an hour.")
BUDGET_SPENT = _l(
    "The portal cannot send more text messages today. Try again tomorrow, or ask your union's office."
)


class CodeRefused(DomainError):
    """No code is sent: too many asked, or the day's messages spent. `message` says which."""

    status = 429


def _hash(phone: str, purpose: CodePurpose, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose.value}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _count(*where: sa.ColumnElement[bool]) -> int:
    return db.session.scalar(sa.select(sa.func.count(PhoneCode.id)).where(*where)) or 0


def _start_of_day(now: datetime) -> datetime:
    """Midnight of Vietnam's day at `now`, in UTC: the budget is a day as the union counts it."""
    day = vietnam_date(now)
    return as_utc(datetime(day.year, day.month, day.day, tzinfo=VIETNAM))


def issue_code(phone: str, purpose: CodePurpose, *, ip: str | None, now: datetime) -> str:
    """A new code for `phone` (its kept form) and `purpose`, to be sent by the caller; the
    earlier codes of the same number and purpose stop counting. CodeRefused past a limit."""
    config = current_app.config
    if db.session.get_bind().dialect.name == "postgresql":
        # Two asks for the same number at the same moment are counted one after the other.
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(phone))))
    recent = PhoneCode.created_at > now - timedelta(hours=1)
    if _count(PhoneCode.phone == phone, recent) >= config["PHONE_CODES_PER_NUMBER_HOUR"]:
        raise CodeRefused(TOO_MANY_FOR_NUMBER)
    if ip and _count(PhoneCode.sent_from == ip, recent) >= config["PHONE_CODES_PER_ADDRESS_HOUR"]:
        raise CodeRefused(TOO_MANY_FROM_HERE)
    if _count(PhoneCode.created_at > _start_of_day(now)) >= config["SMS_DAILY_BUDGET"]:
        _tell_admins_budget_spent(now)
        raise CodeRefused(BUDGET_SPENT)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    db.session.add(
        PhoneCode(
            phone=phone,
            purpose=purpose,
            code_hash=_hash(phone, purpose, code),
            sent_from=ip,
            created_at=now,
            expires_at=now + timedelta(minutes=config["PHONE_CODE_MINUTES"]),
        )
    )
    db.session.flush()
    return code


def check_code(phone: str, purpose: CodePurpose, typed: str, *, now: datetime) -> bool:
    """Whether `typed` is the latest code sent to `phone` for `purpose`, unexpired, unused and
    tried fewer than five times. Every try is counted, a right code is used up: each by one
    conditional UPDATE, so two tries at the same moment cannot both pass."""
    latest = db.session.scalars(
        sa.select(PhoneCode)
        .where(PhoneCode.phone == phone, PhoneCode.purpose == purpose)
        .order_by(PhoneCode.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.used_at is not None or as_utc(latest.expires_at) <= now:
        return False
    counted = db.session.execute(
        sa.update(PhoneCode)
        .where(
            PhoneCode.id == latest.id,
            PhoneCode.used_at.is_(None),
            PhoneCode.tries < current_app.config["PHONE_CODE_TRIES"],
        )
        .values(tries=PhoneCode.tries + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    typed = "".join(ch for ch in (typed or "") if not ch.isspace())
    if counted != 1 or not hmac.compare_digest(latest.code_hash, _hash(phone, purpose, typed)):
        return False
    used = db.session.execute(
        sa.update(PhoneCode)
        .where(PhoneCode.id == latest.id, PhoneCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    return used == 1


def _tell_admins_budget_spent(now: datetime) -> None:
    """Once a day: an audit row, and a mail to every active admin."""
    told = db.session.scalar(
        sa.select(sa.func.count(audit.AuditLog.id)).where(
            audit.AuditLog.action == "sms.budget_spent",
            audit.AuditLog.at > _start_of_day(now),
        )
    )
    if told:
        return
    audit.record("sms.budget_spent", actor_id=None, object_type="installation")
    admins = db.session.scalars(
        sa.select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.ADMIN, User.active.is_(True), User.email.is_not(None))
        .distinct()
    )
    for admin in admins:
        queue_mail(
            admin.email,
            "sms_budget_spent",
            admin.language,
            _l("Today's text messages are used up"),
            user=admin,
            budget=current_app.config["SMS_DAILY_BUDGET"],
            day=vietnam_date(now),
        )
