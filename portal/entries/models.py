"""Entries: a woman's idea sent to a competition, its team, attachments and submitted versions."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.competitions.models import Category, Competition
from portal.core.enums import enum_column
from portal.core.storage import STORED_FILE
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db
from portal.units.models import Unit


class EntryStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    IN_JUDGING = "in_judging"
    ADVANCED = "advanced"
    NOT_ADVANCED = "not_advanced"
    AWARDED = "awarded"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    EntryStatus.DRAFT: _l("Draft"),
    EntryStatus.SUBMITTED: _l("Submitted"),
    EntryStatus.ELIGIBLE: _l("Eligible"),
    EntryStatus.INELIGIBLE: _l("Not eligible"),
    EntryStatus.IN_JUDGING: _l("In judging"),
    EntryStatus.ADVANCED: _l("Advanced"),
    EntryStatus.NOT_ADVANCED: _l("Not advanced"),
    EntryStatus.AWARDED: _l("Awarded"),
    EntryStatus.WITHDRAWN: _l("Withdrawn"),
}


class AttachmentKind(enum.StrEnum):
    BUSINESS_PLAN = "business_plan"
    PHOTO = "photo"


class Entry(db.Model):
    __tablename__ = "entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competition.id"))
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("competition_category.id"))
    status: Mapped[EntryStatus] = mapped_column(enum_column(EntryStatus), default=EntryStatus.DRAFT)
    # Given at the first submission: PREFIX-YEAR-NNNN.
    reference: Mapped[str | None] = mapped_column(sa.String(24), unique=True)

    title: Mapped[str] = mapped_column(sa.String(200), default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    problem: Mapped[str] = mapped_column(sa.Text, default="")
    solution: Mapped[str] = mapped_column(sa.Text, default="")
    customers: Mapped[str] = mapped_column(sa.Text, default="")
    local_resources: Mapped[str] = mapped_column(sa.Text, default="")
    # Her business, cooperative or group, if any: judges declare conflicts with organisations.
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    capital_needed: Mapped[int | None] = mapped_column(sa.BigInteger)  # đồng
    jobs_for_women: Mapped[int | None] = mapped_column(sa.Integer)
    consent_publish: Mapped[bool] = mapped_column(default=False)

    # Optimistic locking: a save names the version it started from; a stale one is refused.
    version: Mapped[int] = mapped_column(default=1)
    has_unsubmitted_changes: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An organiser's personal extension of the deadline for this entry.
    extension_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    screening_reason: Mapped[str | None] = mapped_column(sa.Text)
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    screened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    # Copied from the applicant's profile at submission, for the organisers' filters.
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    household_status: Mapped[str | None] = mapped_column(sa.String(24))
    ethnic_minority: Mapped[bool | None] = mapped_column()
    business_stage: Mapped[str | None] = mapped_column(sa.String(24))
    # Folded title, reference and applicant's name: search ignores diacritics and case.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    competition: Mapped[Competition] = relationship()
    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    category: Mapped[Category | None] = relationship()
    commune: Mapped[Unit | None] = relationship(foreign_keys=[commune_id])
    team_members: Mapped[list["TeamMember"]] = relationship(
        back_populates="entry",
        cascade="all, delete-orphan",
        order_by="TeamMember.position",
        lazy="selectin",
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="entry",
        cascade="all, delete-orphan",
        order_by="Attachment.id",
        lazy="selectin",
    )
    versions: Mapped[list["EntryVersion"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryVersion.number"
    )

    __table_args__ = (
        sa.Index("ix_entry_competition_status", "competition_id", "status"),
        sa.Index("ix_entry_competition_submitted", "competition_id", "submitted_at"),
        sa.Index("ix_entry_competition_category", "competition_id", "category_id"),
    )
    # The version is checked in the UPDATE itself (WHERE version = the one loaded): of two saves
    # or submissions sent at the same moment, the second finds the row changed and is refused
    # (StaleDataError), instead of both passing a check made in Python. The services raise it.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def business_plan(self) -> "Attachment | None":
        return next((a for a in self.attachments if a.kind is AttachmentKind.BUSINESS_PLAN), None)

    @property
    def photos(self) -> list["Attachment"]:
        return [a for a in self.attachments if a.kind is AttachmentKind.PHOTO]


class TeamMember(db.Model):
    __tablename__ = "entry_team_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"), index=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(120), default="")
    # What the applicant typed, lower case: an address to invite, never a link by itself.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str] = mapped_column(sa.String(32), default="")
    # Her account, only once she accepted the invitation sent to `email` (TeamInvitation).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    entry: Mapped[Entry] = relationship(back_populates="team_members")
    user: Mapped[User | None] = relationship()


class TeamInvitation(db.Model):
    """An invitation to join an entry's team, mailed once per address and entry (again only when
    its link expired unanswered: `sent_at` is then the last send).

    The row stays when the member is removed from the team, so that the same address is never
    mailed twice for the entry; its times count against the hourly limit.
    """

    __tablename__ = "entry_team_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"))
    email: Mapped[str] = mapped_column(sa.String(254))
    invited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entry: Mapped[Entry] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("entry_id", "email", name="uq_entry_team_invitation_email"),
        sa.Index("ix_entry_team_invitation_sender", "invited_by_id", "sent_at"),
    )


class Attachment(db.Model):
    """A file of an entry, stored outside static/ under a random name."""

    __tablename__ = "entry_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(enum_column(AttachmentKind))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True, info=STORED_FILE)
    # The copy without the metadata that may name her (EXIF artist and GPS, a document's
    # author), served to judges; none for files stored before copies were made.
    public_stored_name: Mapped[str | None] = mapped_column(
        sa.String(64), unique=True, info=STORED_FILE
    )
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="attachments")


class EntryVersion(db.Model):
    """What was submitted, each time: organisers see what changed between submissions."""

    __tablename__ = "entry_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"), index=True)
    number: Mapped[int] = mapped_column(sa.SmallInteger)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict] = mapped_column(sa.JSON)

    entry: Mapped[Entry] = relationship(back_populates="versions")

    __table_args__ = (sa.UniqueConstraint("entry_id", "number", name="uq_entry_version_number"),)
