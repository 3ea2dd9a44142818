"""Supported projects: a winner's project, followed for years after the competition.

The follow-on capital (support agreements, ledger postings) and progress reports hang off this
record, so it is a model of its own rather than a flag on the entry.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.competitions.models import CompetitionLevel, category_name
from portal.core.enums import enum_column
from portal.core.storage import STORED_FILE
from portal.core.time import UTCDateTime, utcnow
from portal.entries.models import Entry
from portal.extensions import db
from portal.units.models import Unit


class LegalForm(enum.StrEnum):
    """What the project is registered as; it grows from one to the next."""

    HOUSEHOLD_BUSINESS = "household_business"
    COOPERATIVE_GROUP = "cooperative_group"
    COOPERATIVE = "cooperative"
    ENTERPRISE = "enterprise"

    @property
    def label(self) -> str:
        return str(LEGAL_FORM_LABELS[self])


LEGAL_FORM_LABELS = {
    LegalForm.HOUSEHOLD_BUSINESS: _l("Household business"),
    LegalForm.COOPERATIVE_GROUP: _l("Cooperative group"),
    LegalForm.COOPERATIVE: _l("Cooperative"),
    LegalForm.ENTERPRISE: _l("Enterprise"),
}


class SupportedProject(db.Model):
    __tablename__ = "supported_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The entry it came from: its team, answers and the awards it won.
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"), unique=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    # The organising unit that follows the project (the competition's unit).
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    # Copied from the entry: categories belong to one competition, the project outlives it.
    # A national category keeps its code (shown in the reader's language), another its name.
    category_code: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    category_name: Mapped[str] = mapped_column(sa.String(120), default="")
    year: Mapped[int] = mapped_column(sa.SmallInteger, index=True)  # of the competition
    # Folded title, entry reference and owner's name: search ignores diacritics and case.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    # What it is registered as today: set when an organiser verifies a registration milestone.
    legal_form: Mapped[LegalForm | None] = mapped_column(enum_column(LegalForm))
    registration_number: Mapped[str | None] = mapped_column(sa.String(64))
    # Her public story: published only by her, and withdrawn by her at any time. Figures such as
    # revenue and the household's status are never part of it.
    story_published: Mapped[bool] = mapped_column(default=False)
    story_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    story_text: Mapped[str] = mapped_column(sa.Text, default="")
    story_photo_stored_name: Mapped[str | None] = mapped_column(sa.String(64), info=STORED_FILE)
    story_photo_filename: Mapped[str | None] = mapped_column(sa.String(200))
    story_photo_content_type: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship()
    owner: Mapped[User] = relationship()
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    commune: Mapped[Unit | None] = relationship(foreign_keys=[commune_id])

    @property
    def category_label(self) -> str:
        return category_name(self.category_code, self.category_name)


class ExternalAward(db.Model):
    """A prize an entry won at a round run by another body (regional or national)."""

    __tablename__ = "external_award"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"), index=True)
    level: Mapped[CompetitionLevel] = mapped_column(enum_column(CompetitionLevel))
    body: Mapped[str] = mapped_column(sa.String(200))  # who ran the round
    prize: Mapped[str] = mapped_column(sa.String(200))
    year: Mapped[int] = mapped_column(sa.SmallInteger)
    cash_value: Mapped[int | None] = mapped_column(sa.BigInteger)
    evidence_note: Mapped[str] = mapped_column(sa.Text, default="")
    evidence_stored_name: Mapped[str | None] = mapped_column(sa.String(64), info=STORED_FILE)
    evidence_filename: Mapped[str | None] = mapped_column(sa.String(200))
    evidence_content_type: Mapped[str | None] = mapped_column(sa.String(100))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A prize of a higher competition run in the portal, carried down when its results were
    # published (None: recorded by hand, for a round run outside the portal).
    award_id: Mapped[int | None] = mapped_column(sa.ForeignKey("award.id"), index=True)

    entry: Mapped[Entry] = relationship()
    recorded_by: Mapped[User] = relationship()

    __table_args__ = (
        # A prize carried down is recorded once on each entry below the one that won it.
        sa.UniqueConstraint("award_id", "entry_id", name="uq_external_award_carried"),
    )

    @property
    def carried(self) -> bool:
        """Carried down from a competition in the portal: it follows that award, not a hand."""
        return self.award_id is not None
