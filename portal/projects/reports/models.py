"""Progress reports: a supported project's schedule of reports and each report, from the draft
the winner keeps on the server to the organiser's acceptance."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.applicants.models import HouseholdStatus
from portal.auth.models import User
from portal.core.enums import enum_column
from portal.core.storage import STORED_FILE
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db
from portal.projects.models import SupportedProject


class ReportSchedule(db.Model):
    """How often a project reports: a plan (reports/schedule.py) counted from a first day."""

    __tablename__ = "report_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("supported_project.id"), unique=True)
    plan: Mapped[str] = mapped_column(sa.String(32))
    starts_on: Mapped[date]
    set_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ReportStatus(enum.StrEnum):
    """What was done with a report. Whether an open report is upcoming, due or late follows from
    its dates and today (`ReportState`), so no clock has to move it."""

    OPEN = "open"  # not sent yet (a draft may be saved)
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"  # sent back with a comment: due again
    SKIPPED = "skipped"  # the organiser waived it, with a reason


class ReportState(enum.StrEnum):
    """A report as people see it: the status, and for an open one where its dates stand."""

    UPCOMING = "upcoming"
    DUE = "due"
    LATE = "late"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    SKIPPED = "skipped"

    @property
    def label(self) -> str:
        return str(REPORT_STATE_LABELS[self])


REPORT_STATE_LABELS = {
    ReportState.UPCOMING: _l("Upcoming"),
    ReportState.DUE: _l("Due"),
    ReportState.LATE: _l("Late"),
    ReportState.SUBMITTED: _l("Submitted, waiting for review"),
    ReportState.ACCEPTED: _l("Accepted"),
    ReportState.RETURNED: _l("Returned for changes"),
    ReportState.SKIPPED: _l("Skipped"),
}


class SupportNeed(enum.StrEnum):
    CAPITAL = "capital"
    TRAINING = "training"
    MARKET = "market"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(SUPPORT_NEED_LABELS[self])


SUPPORT_NEED_LABELS = {
    SupportNeed.CAPITAL: _l("Capital"),
    SupportNeed.TRAINING: _l("Training"),
    SupportNeed.MARKET: _l("Access to markets"),
    SupportNeed.OTHER: _l("Other support"),
}


class ProgressReport(db.Model):
    __tablename__ = "progress_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("supported_project.id"), index=True)
    number: Mapped[int] = mapped_column(sa.SmallInteger)  # 1, 2, … in the project's schedule
    period_start: Mapped[date]
    period_end: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)  # a day in Vietnam
    status: Mapped[ReportStatus] = mapped_column(
        enum_column(ReportStatus), default=ReportStatus.OPEN, index=True
    )

    # The answers: kept as a draft until sent, then as sent.
    revenue: Mapped[int | None] = mapped_column(sa.BigInteger)  # đồng, over the period
    costs: Mapped[int | None] = mapped_column(sa.BigInteger)
    products_sold: Mapped[str] = mapped_column(sa.Text, default="")
    jobs_total: Mapped[int | None]
    jobs_women: Mapped[int | None]
    jobs_ethnic_women: Mapped[int | None]
    members: Mapped[int | None]  # of a cooperative or a group
    household_status: Mapped[HouseholdStatus | None] = mapped_column(enum_column(HouseholdStatus))
    needs: Mapped[list] = mapped_column(sa.JSON, default=list)  # SupportNeed values
    needs_other: Mapped[str] = mapped_column(sa.Text, default="")
    went_well: Mapped[str] = mapped_column(sa.Text, default="")
    was_hard: Mapped[str] = mapped_column(sa.Text, default="")
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    comment: Mapped[str] = mapped_column(sa.Text, default="")  # the organiser's, when returned
    skip_reason: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[SupportedProject] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    photos: Mapped[list["ReportPhoto"]] = relationship(
        order_by="ReportPhoto.id", cascade="all, delete-orphan"
    )

    # A save names the version its form was opened at (checked in the UPDATE itself); a move of
    # the status raises it too (reports/status.py).
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        sa.UniqueConstraint("project_id", "number", name="uq_progress_report_number"),
    )


class ReportPhoto(db.Model):
    __tablename__ = "report_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("progress_report.id"), index=True)
    stored_name: Mapped[str] = mapped_column(sa.String(64), info=STORED_FILE)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
