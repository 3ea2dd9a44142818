"""Administration queries: people, the audit log and the outbox."""

from datetime import datetime

import sqlalchemy as sa

from portal.auth.models import Role, RoleGrant, User
from portal.core import outbox
from portal.core.audit import AuditLog
from portal.core.outbox import OutboxMessage, OutboxStatus
from portal.core.text import fold
from portal.extensions import db


def _digits_after_trunk(search: str) -> str:
    """The digits of a number as typed without its leading 0 (or 84); "" for fewer than three."""
    digits = "".join(ch for ch in search if ch.isdigit())
    if digits.startswith("84") and len(digits) > 9:
        digits = digits[2:]
    digits = digits.removeprefix("0")
    return digits if len(digits) >= 3 else ""


def user_query(search: str | None, role: str | None) -> sa.Select:
    """People matching a search that ignores case and diacritics, optionally holding a role."""
    query = sa.select(User).order_by(User.full_name, User.id)
    key = fold(search)
    if key:
        matches = [
            User.email.contains(key, autoescape=True),
            User.full_name_folded.contains(key, autoescape=True),
        ]
        digits = _digits_after_trunk(key)
        if digits:
            # A number as typed (0912 345 678) is found in its kept form (+84912345678).
            matches.append(User.login_phone.contains(digits, autoescape=True))
        query = query.where(sa.or_(*matches))
    if role in {r.value for r in Role}:
        query = query.where(User.roles.any(RoleGrant.role == Role(role)))
    return query


def audit_query(action: str | None = None, object_type: str | None = None) -> sa.Select:
    query = sa.select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if action:
        query = query.where(AuditLog.action == action)
    if object_type:
        query = query.where(AuditLog.object_type == object_type)
    return query


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditLog.action).distinct().order_by(AuditLog.action)))


def actors_by_id(rows: list[AuditLog]) -> dict[int, User]:
    """The people named in a page of the log, in one query."""
    ids = {r.actor_id for r in rows if r.actor_id}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


def outbox_query(status: str | None) -> sa.Select:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in {s.value for s in OutboxStatus}:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    return query


def slow_sends(now: datetime) -> int:
    """Messages a worker claimed more than a minute ago and has not finished: it may have
    stopped. After outbox.STALE_CLAIM they are marked failed, to be sent again from the page."""
    return db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at < now - outbox.SLOW_CLAIM,
        )
    )


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    )
    return {status.value: count for status, count in rows}


def retry_message(message: OutboxMessage) -> bool:
    """Send a failed message again (an admin's decision, after fixing the cause); False, and
    nothing changed, when it had not failed. Commits."""
    if message.status is not OutboxStatus.FAILED:
        return False
    outbox.requeue(message)
    db.session.commit()
    return True
