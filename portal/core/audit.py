"""The audit log: who did what to which object, before → after. Rows are only ever added."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # No foreign key: the log outlives what it describes and must never block a delete elsewhere.
    actor_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[int | None] = mapped_column(sa.Integer)
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    ip: Mapped[str | None] = mapped_column(sa.String(45))

    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)


def record(
    action: str,
    *,
    actor_id: int | None,
    object_type: str,
    object_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditLog:
    """Add an audit row to the current transaction; the caller commits it with the change itself."""
    row = AuditLog(
        action=action,
        actor_id=actor_id,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        ip=ip,
    )
    db.session.add(row)
    return row
