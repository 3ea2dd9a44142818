"""Support activities and their attendance: each woman linked to her account or project where
she has one, otherwise written as a name with her commune and ethnic group, so that "824 women
entrepreneurs trained" is a count of people, not a typed number."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.core.enums import enum_column
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db
from portal.projects.models import SupportedProject
from portal.units.models import Unit


class ActivityKind(enum.StrEnum):
    TRAINING = "training"
    WORKSHOP = "workshop"
    FORUM = "forum"
    TRADE_FAIR = "trade_fair"
    MENTORING = "mentoring"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(ACTIVITY_KIND_LABELS[self])


ACTIVITY_KIND_LABELS = {
    ActivityKind.TRAINING: _l("Training"),
    ActivityKind.WORKSHOP: _l("Workshop"),
    ActivityKind.FORUM: _l("Forum"),
    ActivityKind.TRADE_FAIR: _l("Trade fair"),
    ActivityKind.MENTORING: _l("Mentoring"),
    ActivityKind.OTHER: _l("Other activity"),
}


class SupportActivity(db.Model):
    __tablename__ = "support_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)  # who organised it
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind))
    held_on: Mapped[date] = mapped_column(index=True)
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))  # where
    topic: Mapped[str] = mapped_column(sa.String(300))
    partner: Mapped[str] = mapped_column(sa.String(200), default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    commune: Mapped[Unit | None] = relationship(foreign_keys=[commune_id])
    attendees: Mapped[list["Attendee"]] = relationship(
        back_populates="activity", order_by="Attendee.id", cascade="all, delete-orphan"
    )


class Attendee(db.Model):
    __tablename__ = "activity_attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("support_activity.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("supported_project.id"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    ethnicity: Mapped[str | None] = mapped_column(sa.String(2))
    phone: Mapped[str] = mapped_column(sa.String(32), default="")
    # Who she is across activities: her account, else her folded name and commune.
    person_key: Mapped[str] = mapped_column(sa.String(240), index=True)

    activity: Mapped[SupportActivity] = relationship(back_populates="attendees")
    user: Mapped[User | None] = relationship()
    project: Mapped[SupportedProject | None] = relationship()
    commune: Mapped[Unit | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("activity_id", "person_key", name="uq_activity_attendee_person"),
    )
