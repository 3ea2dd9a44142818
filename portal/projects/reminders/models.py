"""The reminders already queued: one row per reminder, so that each goes out once."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db


class SentReminder(db.Model):
    """`key` names the reminder ("report:12:due", "digest:5:2026-W49", "ocop:3:30"); it is
    unique, so two runs of `flask reminders send` at once cannot both queue it."""

    __tablename__ = "sent_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
