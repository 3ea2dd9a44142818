"""Six-digit codes sent by text message to prove that a phone number is hers (issue 17).

A code holds ten minutes, takes five tries, and is kept only as a keyed hash: a copy of the
database gives no code away. Only the latest code of a number and purpose counts. Before a code is
made, three limits: three an hour to a number (a stranger cannot flood her phone), twenty an hour
from an address (nor walk through numbers), and a daily budget of text messages for the whole
installation (each one is paid for); when the budget is spent, the admins are told, once a day.

Both steps commit what they decide, whatever the answer: a code, so that it counts against the
limits; a try, right or wrong, so that five wrong ones close the code; the admins' warning. The
caller sends the code it is given (the outbox) in a step of its own.
"""

import hashlib
import hmac
import ipaddress
import secrets
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.auth.models import CodePurpose, PhoneCode, Role, RoleGrant, User
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.outbox import queue_mail
from portal.core.time import from_vietnam, vietnam_date
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


# Two keys of an advisory lock on PostgreSQL: this module's own, and the lock's.
LOCK_NAMESPACE, LOCK_ISSUING = 1702, 1


def _hash(phone: str, purpose: CodePurpose, code: str) -> str:
    """Keyed with a key of its own, derived from the installation's secret."""
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"phone-code", hashlib.sha256)
    message = f"{purpose.value}:{phone}:{code}".encode()
    return hmac.new(key.digest(), message, hashlib.sha256).hexdigest()


def asker(ip: str | None) -> str | None:
    """Who asks, as the limit counts her: the address, or for IPv6 its /64 network (one
    connection holds a whole /64 and could step through its addresses)."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:45]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _count(*where: sa.ColumnElement[bool]) -> int:
    return db.session.scalar(sa.select(sa.func.count(PhoneCode.id)).where(*where)) or 0


def _start_of_day(now: datetime) -> datetime:
    """Midnight of Vietnam's day at `now`, in UTC: the budget is a day as the union counts it."""
    return from_vietnam(datetime.combine(vietnam_date(now), time()))


def one_at_a_time() -> None:
    """Wait, until the end of the transaction, for any other that issues a code or registers a
    number (PostgreSQL's advisory lock; SQLite writes one transaction at a time anyway)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_NAMESPACE, LOCK_ISSUING)))


def issue_code(
    phone: str,
    purpose: CodePurpose,
    *,
    ip: str | None,
    now: datetime,
    registration: dict | None = None,
) -> str:
    """A new code for `phone` (its kept form) and `purpose`, stored and committed, for the caller
    to send; the earlier codes of the same number and purpose stop counting. `registration`: the
    account the code will make when it is proved (auth/phone_accounts.py). CodeRefused past a
    limit (committed too: the admins' warning when the day's budget is spent)."""
    config = current_app.config
    # Codes are asked for a few times a minute at most: one at a time, so that no limit (a
    # number's, an address's, the day's) is passed by asks counted at the same moment, and the
    # admins are warned once.
    one_at_a_time()
    sent_from = asker(ip)
    recent = PhoneCode.created_at > now - timedelta(hours=1)
    try:
        if _count(PhoneCode.phone == phone, recent) >= config["PHONE_CODES_PER_NUMBER_HOUR"]:
            raise CodeRefused(TOO_MANY_FOR_NUMBER)
        if sent_from and (
            _count(PhoneCode.sent_from == sent_from, recent)
            >= config["PHONE_CODES_PER_ADDRESS_HOUR"]
        ):
            raise CodeRefused(TOO_MANY_FROM_HERE)
        if _count(PhoneCode.created_at >= _start_of_day(now)) >= config["SMS_DAILY_BUDGET"]:
            _tell_admins_budget_spent(now)
            raise CodeRefused(BUDGET_SPENT)
    except CodeRefused:
        db.session.commit()
        raise
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = PhoneCode(
        phone=phone,
        purpose=purpose,
        code_hash=_hash(phone, purpose, code),
        sent_from=sent_from,
        created_at=now,
        expires_at=now + timedelta(minutes=config["PHONE_CODE_MINUTES"]),
        registration=registration,
    )
    db.session.add(row)
    db.session.commit()
    return code


def check_code(phone: str, purpose: CodePurpose, typed: str, *, now: datetime) -> bool:
    """Whether `typed` is the latest code sent to `phone` for `purpose` (proved_code)."""
    return proved_code(phone, purpose, typed, now=now) is not None


def proved_code(
    phone: str, purpose: CodePurpose, typed: str, *, now: datetime, then_commit: bool = True
) -> PhoneCode | None:
    """The code row `typed` proves: the latest sent to `phone` for `purpose`, unexpired, unused
    and tried fewer than five times; None otherwise. Every try is counted and committed, a right
    code used up: each by one conditional UPDATE, so two tries at the same moment cannot both
    pass. With `then_commit=False` a right code is used up in a transaction left open, for the
    caller to commit with what the code makes (a try at the same moment waits for it)."""
    latest = db.session.scalars(
        sa.select(PhoneCode)
        .where(PhoneCode.phone == phone, PhoneCode.purpose == purpose)
        .order_by(PhoneCode.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.used_at is not None or latest.expires_at <= now:
        return None
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
    right = counted == 1 and hmac.compare_digest(latest.code_hash, _hash(phone, purpose, typed))
    if right:
        db.session.execute(
            sa.update(PhoneCode)
            .where(PhoneCode.id == latest.id)
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
    if then_commit or not right:
        db.session.commit()
    return latest if right else None


BUDGET_SPENT_ACTION = "sms.budget_spent"


def _tell_admins_budget_spent(now: datetime) -> None:
    """Once a Vietnamese day (under the lock of issue_code on PostgreSQL): an audit row, dated
    `now`, and a mail to every active admin."""
    told = db.session.scalar(
        sa.select(sa.func.count(audit.AuditLog.id)).where(
            audit.AuditLog.action == BUDGET_SPENT_ACTION,
            audit.AuditLog.at >= _start_of_day(now),
        )
    )
    if told:
        return
    audit.record(BUDGET_SPENT_ACTION, actor_id=None, object_type="installation").at = now
    admins = db.session.scalars(
        sa.select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.ADMIN, User.active.is_(True), User.email.is_not(None))
        .distinct()
    ).all()
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
