"""Competitions, their categories and rounds."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.core.enums import enum_column
from portal.core.text import fold
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db
from portal.units.models import Region, Unit


class CompetitionLevel(enum.StrEnum):
    COMMUNE = "commune"
    PROVINCIAL = "provincial"
    REGIONAL = "regional"
    NATIONAL = "national"

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self])


# From the lowest level to the highest: a competition nominates only to a higher one.
LEVEL_ORDER = [
    CompetitionLevel.COMMUNE,
    CompetitionLevel.PROVINCIAL,
    CompetitionLevel.REGIONAL,
    CompetitionLevel.NATIONAL,
]
# The levels the Central Women's Union runs.
NATION_LEVELS = frozenset({CompetitionLevel.REGIONAL, CompetitionLevel.NATIONAL})

LEVEL_LABELS = {
    CompetitionLevel.COMMUNE: _l("Commune"),
    CompetitionLevel.PROVINCIAL: _l("Provincial"),
    CompetitionLevel.REGIONAL: _l("Regional"),
    CompetitionLevel.NATIONAL: _l("National"),
}


class CompetitionStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    JUDGING = "judging"
    RESULTS_FINAL = "results_final"
    RESULTS_PUBLISHED = "results_published"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    CompetitionStatus.DRAFT: _l("Draft"),
    CompetitionStatus.OPEN: _l("Open"),
    CompetitionStatus.CLOSED: _l("Closed"),
    CompetitionStatus.JUDGING: _l("Judging"),
    CompetitionStatus.RESULTS_FINAL: _l("Results final"),
    CompetitionStatus.RESULTS_PUBLISHED: _l("Results published"),
    CompetitionStatus.ARCHIVED: _l("Archived"),
}

# The categories of the national women's start-up competition, offered to every new competition.
DEFAULT_CATEGORIES = {
    "agriculture": _l("Agriculture and livestock"),
    "food_processing": _l("Food processing"),
    "handicrafts": _l("Handicrafts"),
    "medicinal_plants": _l("Medicinal plants"),
    "community_tourism": _l("Community tourism"),
    "services": _l("Services"),
    "digital_economy": _l("Digital economy"),
    "green_economy": _l("Green and circular economy"),
}


class Competition(db.Model):
    __tablename__ = "competition"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    title_folded: Mapped[str] = mapped_column(sa.String(200), default="")
    year: Mapped[int] = mapped_column(sa.Integer, index=True)
    level: Mapped[CompetitionLevel] = mapped_column(enum_column(CompetitionLevel))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    # A regional competition's provinces (its unit is the national one).
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"))
    # A final that takes its entries only from the competitions below it (portal.nominations):
    # no one applies to it directly.
    by_nomination_only: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Until when the competitions below may nominate (None: it takes no nominations).
    nominations_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[CompetitionStatus] = mapped_column(
        enum_column(CompetitionStatus), default=CompetitionStatus.DRAFT, index=True
    )
    description: Mapped[str] = mapped_column(sa.Text, default="")
    rules: Mapped[str] = mapped_column(sa.Text, default="")
    # Entries are numbered PREFIX-YEAR-NNNN, for example DB-2026-0042.
    reference_prefix: Mapped[str] = mapped_column(sa.String(6))
    last_entry_number: Mapped[int] = mapped_column(default=0)

    # Eligibility.
    women_only: Mapped[bool] = mapped_column(default=True)
    residents_only: Mapped[bool] = mapped_column(default=False)
    min_age: Mapped[int | None] = mapped_column(sa.SmallInteger)
    max_age: Mapped[int | None] = mapped_column(sa.SmallInteger)
    max_entries_per_applicant: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    # Attachments.
    business_plan_required: Mapped[bool] = mapped_column(default=True)
    photos_required: Mapped[int] = mapped_column(sa.SmallInteger, default=0)

    # When an organiser closed entries (None while they close at the entry round's deadline).
    # Entries really stopped at the earlier of the two: see entries_closed_at().
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    copied_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("competition.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")
    region: Mapped[Region | None] = relationship()
    categories: Mapped[list["Category"]] = relationship(
        back_populates="competition",
        cascade="all, delete-orphan",
        order_by="Category.position",
        lazy="selectin",
    )
    rounds: Mapped[list["Round"]] = relationship(
        back_populates="competition",
        cascade="all, delete-orphan",
        order_by="Round.position",
        lazy="selectin",
    )

    @validates("title")
    def _fold_title(self, key: str, value: str) -> str:
        self.title_folded = fold(value)
        return value

    @property
    def entry_round(self) -> "Round":
        """Entries are submitted to the first round; its closing time is the deadline."""
        return self.rounds[0]

    @property
    def opens_at(self) -> datetime:
        return self.entry_round.opens_at

    @property
    def closes_at(self) -> datetime:
        return self.entry_round.closes_at

    def phase(self, now: datetime) -> str:
        """What a visitor sees: upcoming, open (accepting entries), or past."""
        if self.status is CompetitionStatus.OPEN:
            if now < self.opens_at:
                return "upcoming"
            if now < self.closes_at:
                return "open"
        return "past"

    def entries_closed_at(self, now: datetime, deadline: datetime | None = None) -> datetime | None:
        """The moment entries really stopped: the deadline (`deadline`: a personal extension),
        or earlier when an organiser closed them; None while they are still to come or open, or
        when a closed competition has no record of the moment."""
        deadline = deadline or self.closes_at
        if self.status is CompetitionStatus.DRAFT:
            return None
        if self.status is CompetitionStatus.OPEN:
            return deadline if deadline <= now else None
        if self.closed_at is not None and self.closed_at < deadline:
            return self.closed_at
        return deadline if deadline <= now else None

    def accepts_entries(self, now: datetime) -> bool:
        return self.phase(now) == "open" and not self.by_nomination_only

    def __str__(self) -> str:
        return self.title


class Category(db.Model):
    """A category of a competition: a default one (by code) or one the organisers named."""

    __tablename__ = "competition_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competition.id"), index=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    code: Mapped[str | None] = mapped_column(sa.String(32))
    custom_name: Mapped[str | None] = mapped_column(sa.String(120))

    competition: Mapped[Competition] = relationship(back_populates="categories")

    @property
    def name(self) -> str:
        return category_name(self.code, self.custom_name)


def category_name(code: str | None, custom_name: str | None) -> str:
    """A default category in her language, or the name the organisers gave theirs."""
    if code in DEFAULT_CATEGORIES:
        return str(DEFAULT_CATEGORIES[code])
    return custom_name or ""


class Round(db.Model):
    """A stage of a competition: usually a preliminary round, then a final."""

    __tablename__ = "competition_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competition.id"), index=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    name: Mapped[str] = mapped_column(sa.String(120))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # Judging settings (portal.judging), fixed once the first score of the round is saved.
    judges_per_entry: Mapped[int] = mapped_column(sa.SmallInteger, default=3)
    blind: Mapped[bool] = mapped_column(default=True)
    rank_by: Mapped[str] = mapped_column(sa.String(12), default="normalised")
    tie_break: Mapped[list] = mapped_column(sa.JSON, default=list)  # criterion codes, in order
    disagreement_threshold: Mapped[float] = mapped_column(sa.Float, default=20.0)
    # The judges' deadline; scores are refused after it. None: open until results are final.
    scoring_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scoring_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    results_final_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by every change to the round's assignments: a proposal confirmed against an older
    # value is refused, so two organisers confirming at once cannot both write a plan.
    assignment_version: Mapped[int] = mapped_column(default=0)
    # Raised, in the same transaction, by every change that would change the round's ranking
    # (portal.judging: a submitted sheet, a recusal, the rubric or settings, an entry joining or
    # leaving the round); a ranking stored for another value is computed again.
    ranking_version: Mapped[int] = mapped_column(default=0, server_default="0")

    competition: Mapped[Competition] = relationship(back_populates="rounds")

    @property
    def settings_locked(self) -> bool:
        return self.scoring_started_at is not None

    @property
    def is_first(self) -> bool:
        return self.position == 0

    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="round_closes_after_it_opens"),
    )
