"""A supported project's milestones: what it reached (registered, first sales, a certified
product…), recorded by the winner or an organiser and verified by an organiser of its unit."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.core.enums import enum_column
from portal.core.storage import STORED_FILE
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db
from portal.projects.models import LegalForm, SupportedProject


class MilestoneKind(db.Model):
    """A kind of milestone: data, so that an admin can add one without a release."""

    __tablename__ = "milestone_kind"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    label_vi: Mapped[str] = mapped_column(sa.String(120))
    label_en: Mapped[str] = mapped_column(sa.String(120))
    # A registration asks for the registration number and the legal form, and verifying it
    # sets the project's legal form.
    is_registration: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    active: Mapped[bool] = mapped_column(default=True)  # retired kinds stay on old milestones

    @property
    def label(self) -> str:
        return getattr(self, self.label_column().key)

    @classmethod
    def label_column(cls) -> sa.orm.InstrumentedAttribute[str]:
        """The column of `label` in the request's language, for a query that reads rows."""
        return cls.label_en if str(get_locale() or "vi") == "en" else cls.label_vi


class MilestoneStatus(enum.StrEnum):
    RECORDED = "recorded"  # waiting for an organiser to check it
    VERIFIED = "verified"
    RETURNED = "returned"  # sent back with a reason; corrected, it is recorded again

    @property
    def label(self) -> str:
        return str(MILESTONE_STATUS_LABELS[self])


MILESTONE_STATUS_LABELS = {
    MilestoneStatus.RECORDED: _l("Waiting for verification"),
    MilestoneStatus.VERIFIED: _l("Verified"),
    MilestoneStatus.RETURNED: _l("Returned for changes"),
}


class Milestone(db.Model):
    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("supported_project.id"), index=True)
    kind_id: Mapped[int] = mapped_column(sa.ForeignKey("milestone_kind.id"))
    reached_on: Mapped[date]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_link: Mapped[str] = mapped_column(sa.String(500), default="")
    registration_number: Mapped[str | None] = mapped_column(sa.String(64))
    legal_form: Mapped[LegalForm | None] = mapped_column(enum_column(LegalForm))
    status: Mapped[MilestoneStatus] = mapped_column(
        enum_column(MilestoneStatus), default=MilestoneStatus.RECORDED
    )
    return_reason: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[SupportedProject] = relationship()
    kind: Mapped[MilestoneKind] = relationship(lazy="joined")
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    files: Mapped[list["MilestoneFile"]] = relationship(
        order_by="MilestoneFile.id", cascade="all, delete-orphan"
    )

    # The follow-up list reads those waiting, oldest first, 50 at a time, in this order and
    # stops (without it PostgreSQL joined every waiting milestone to its owner, then sorted).
    __table_args__ = (sa.Index("ix_milestone_status_recorded", "status", "recorded_at", "id"),)


class MilestoneFile(db.Model):
    """A photo or a PDF that shows the milestone (a registration certificate, a shop's page)."""

    __tablename__ = "milestone_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(sa.ForeignKey("milestone.id"), index=True)
    stored_name: Mapped[str] = mapped_column(sa.String(64), info=STORED_FILE)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
