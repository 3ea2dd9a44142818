"""The household's poverty status as a history: each record has its date and its source, and
none is ever overwritten."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.applicants.models import HouseholdStatus
from portal.auth.models import User
from portal.core.enums import enum_column
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db


class StatusSource(enum.StrEnum):
    APPLICATION = "application"  # her profile when the entry won
    COMMUNE_REVIEW = "commune_review"  # the commune's annual poverty review
    PROGRESS_REPORT = "progress_report"
    ORGANISER = "organiser"

    @property
    def label(self) -> str:
        return str(SOURCE_LABELS[self])


SOURCE_LABELS = {
    StatusSource.APPLICATION: _l("Her application"),
    StatusSource.COMMUNE_REVIEW: _l("The commune's annual poverty review"),
    StatusSource.PROGRESS_REPORT: _l("A progress report"),
    StatusSource.ORGANISER: _l("Recorded by an organiser"),
}


class HouseholdStatusRecord(db.Model):
    __tablename__ = "household_status_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("supported_project.id"), index=True)
    status: Mapped[HouseholdStatus] = mapped_column(enum_column(HouseholdStatus))
    as_of: Mapped[date]
    source: Mapped[StatusSource] = mapped_column(enum_column(StatusSource))
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("progress_report.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship()
