"""Judging: rubrics, the judges of a competition, assignments, score sheets and round results.

A round's settings (judges per entry, blind or open, ranking score, tie-breaks, disagreement
threshold) live on `portal.competitions.models.Round`; they and the rubric are fixed once the
first score of the round is saved (`Round.scoring_started_at`).
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.competitions.models import Competition, Round
from portal.core.enums import enum_column
from portal.core.time import UTCDateTime, utcnow
from portal.entries.models import Entry
from portal.extensions import db


class RankBy(enum.StrEnum):
    NORMALISED = "normalised"
    RAW = "raw"

    @property
    def label(self) -> str:
        return str(RANK_BY_LABELS[self])


RANK_BY_LABELS = {
    RankBy.NORMALISED: _l("Normalised score (corrects for lenient and harsh judges)"),
    RankBy.RAW: _l("Raw score (the plain mean of the judges' totals)"),
}

# The rubric of the national women's start-up competition, offered to every new round:
# code → (label, description, maximum points, weight).
DEFAULT_RUBRIC = {
    "creativity": (
        _l("Creativity and novelty"),
        _l("How new the idea is, in its place and its market; what sets it apart."),
        20,
        1.0,
    ),
    "feasibility": (
        _l("Feasibility and market"),
        _l("Customers who will pay, a realistic plan, costs and revenue that add up."),
        20,
        1.0,
    ),
    "technology": (
        _l("Use of science and technology"),
        _l("Techniques, tools or digital means that raise quality or productivity."),
        15,
        1.0,
    ),
    "team": (
        _l("Team capacity"),
        _l("Skills and experience of the woman and her team to carry the project."),
        15,
        1.0,
    ),
    "social_impact": (
        _l("Social impact"),
        _l("Jobs for women, benefit to the community, use of local identity and resources."),
        20,
        1.0,
    ),
    "sustainability": (
        _l("Sustainability and green practice"),
        _l("Whether it can last, and how it treats the land, water and environment."),
        10,
        1.0,
    ),
}

DEFAULT_DISAGREEMENT_THRESHOLD = 20.0
DEFAULT_JUDGES_PER_ENTRY = 3


class RubricCriterion(db.Model):
    """One criterion of a round's rubric."""

    __tablename__ = "rubric_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_round.id"), index=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    code: Mapped[str] = mapped_column(sa.String(32))
    label: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    max_points: Mapped[int] = mapped_column(sa.SmallInteger)
    weight: Mapped[float] = mapped_column(sa.Float, default=1.0)

    round: Mapped[Round] = relationship()

    # A default criterion keeps an empty label and description until an organiser rewrites them,
    # so that each person reads them in her own language.
    @property
    def display_label(self) -> str:
        if not self.label and self.code in DEFAULT_RUBRIC:
            return str(DEFAULT_RUBRIC[self.code][0])
        return self.label

    @property
    def display_description(self) -> str:
        if not self.description and self.code in DEFAULT_RUBRIC:
            return str(DEFAULT_RUBRIC[self.code][1])
        return self.description

    __table_args__ = (
        sa.UniqueConstraint("round_id", "code", name="uq_rubric_criterion_code"),
        sa.CheckConstraint("max_points > 0", name="criterion_max_points_positive"),
        sa.CheckConstraint("weight > 0", name="criterion_weight_positive"),
    )


class CompetitionJudge(db.Model):
    """A judge invited to a competition, with the expertise and conflicts she declared.

    Invited by e-mail: `user_id` is empty until the invitee has an account.
    """

    __tablename__ = "competition_judge"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competition.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    invited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Category ids of the competition she knows well.
    expertise: Mapped[list] = mapped_column(sa.JSON, default=list)
    # People she must not judge: names or e-mail addresses, one per line.
    conflict_people: Mapped[str] = mapped_column(sa.Text, default="")
    conflict_commune_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Organisations (cooperatives, businesses, associations), one per line.
    conflict_organisations: Mapped[str] = mapped_column(sa.Text, default="")
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    competition: Mapped[Competition] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    __table_args__ = (
        sa.UniqueConstraint("competition_id", "email", name="uq_competition_judge_email"),
    )

    @property
    def name(self) -> str:
        return self.user.full_name if self.user else self.email


class AssignmentSource(enum.StrEnum):
    AUTOMATIC = "automatic"
    MANUAL = "manual"


class Assignment(db.Model):
    """A judge asked to score an entry in a round. A recused assignment stays, for the record."""

    __tablename__ = "judge_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_round.id"))
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"), index=True)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    source: Mapped[AssignmentSource] = mapped_column(enum_column(AssignmentSource))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recusal_reason: Mapped[str | None] = mapped_column(sa.Text)

    round: Mapped[Round] = relationship()
    entry: Mapped[Entry] = relationship()
    judge: Mapped[User] = relationship(foreign_keys=[judge_id])
    sheet: Mapped["ScoreSheet | None"] = relationship(back_populates="assignment", uselist=False)

    __table_args__ = (
        sa.UniqueConstraint("round_id", "entry_id", "judge_id", name="uq_assignment"),
        sa.Index("ix_assignment_round_judge", "round_id", "judge_id"),
    )

    @property
    def active(self) -> bool:
        return self.recused_at is None


class SheetStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        return str(SHEET_STATUS_LABELS[self])


SHEET_STATUS_LABELS = {SheetStatus.DRAFT: _l("Draft"), SheetStatus.SUBMITTED: _l("Submitted")}


class ScoreSheet(db.Model):
    """One judge's scores for one entry in one round: at most one per assignment."""

    __tablename__ = "score_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("judge_assignment.id"), unique=True)
    # Copied from the assignment, so that a round's sheets are read without a join.
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_round.id"), index=True)
    status: Mapped[SheetStatus] = mapped_column(enum_column(SheetStatus), default=SheetStatus.DRAFT)
    comment: Mapped[str] = mapped_column(sa.Text, default="")  # for the organisers
    feedback: Mapped[str] = mapped_column(sa.Text, default="")  # for the applicant
    imported: Mapped[bool] = mapped_column(default=False)  # from a paper sheet (CSV import)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by every change of its scores (services.record_scores) and checked in the UPDATE
    # itself: a judge's older tab, or a save at the same moment, is refused, never merged.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    assignment: Mapped[Assignment] = relationship(back_populates="sheet")
    scores: Mapped[list["Score"]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    def points_by_criterion(self) -> dict[int, float | None]:
        return {s.criterion_id: s.points for s in self.scores}


class Score(db.Model):
    """The points one sheet gives on one criterion (empty while a draft)."""

    __tablename__ = "score"

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("score_sheet.id"))
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("rubric_criterion.id"))
    points: Mapped[float | None] = mapped_column(sa.Float)

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")

    __table_args__ = (sa.UniqueConstraint("sheet_id", "criterion_id", name="uq_score"),)


class RoundEntry(db.Model):
    """An entry carried into a later round. The first round's entries are the eligible ones."""

    __tablename__ = "round_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_round.id"))
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"), index=True)
    carried_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    carried_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))

    entry: Mapped[Entry] = relationship()

    __table_args__ = (sa.UniqueConstraint("round_id", "entry_id", name="uq_round_entry"),)


class RoundResult(db.Model):
    """An entry's result in a round, written when the organisers make the results final."""

    __tablename__ = "round_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_round.id"))
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"), index=True)
    rank: Mapped[int | None] = mapped_column(sa.Integer)
    raw_score: Mapped[float | None] = mapped_column(sa.Float)
    normalised_score: Mapped[float | None] = mapped_column(sa.Float)
    sheets: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    flags: Mapped[list] = mapped_column(sa.JSON, default=list)
    advanced: Mapped[bool] = mapped_column(default=False)

    entry: Mapped[Entry] = relationship()

    __table_args__ = (sa.UniqueConstraint("round_id", "entry_id", name="uq_round_result"),)


class RoundRanking(db.Model):
    """A round's ranking as `results.services.compute` gave it, kept so that a page reads it.

    Valid while `version` equals the round's `ranking_version`, which every change that would
    change the ranking raises; a view that finds them different computes it again, once, under a
    lock on the round (`results.ranking`). Only the numbers are kept: an entry's reference, title
    and category and a judge's name are read from their rows as the page shows them.
    """

    __tablename__ = "round_ranking"

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("competition_round.id"), primary_key=True)
    version: Mapped[int] = mapped_column()
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    entries: Mapped[int] = mapped_column()  # its rows
    missing: Mapped[int] = mapped_column()  # entries with fewer sheets than the round asks
    round_mean: Mapped[float | None] = mapped_column(sa.Float)  # M, over every total T
    round_spread: Mapped[float | None] = mapped_column(sa.Float)  # S


class RoundRankingRow(db.Model):
    """One entry's line of a stored ranking, at its place (`position`: 1 for the first; entries
    without a score last, by id), with every number the page, the exports and the explanation
    show."""

    __tablename__ = "round_ranking_row"

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round_ranking.round_id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"))
    # The entry's category, for the filter (an entry in a round keeps its category).
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("competition_category.id"))
    rank: Mapped[int | None] = mapped_column()
    raw_score: Mapped[float | None] = mapped_column(sa.Float)
    normalised_score: Mapped[float | None] = mapped_column(sa.Float)
    sheets: Mapped[int] = mapped_column(sa.SmallInteger)
    # The flags, each a column so that the page filters by one in SQL.
    disagreement: Mapped[bool] = mapped_column()
    missing: Mapped[bool] = mapped_column()
    recused: Mapped[bool] = mapped_column()
    criterion_means: Mapped[dict] = mapped_column(sa.JSON)  # criterion code → mean points
    # [judge id, her total T, its normalised N] for each sheet, by judge id.
    judges: Mapped[list] = mapped_column(sa.JSON)
    # fold(reference + title) when computed: the page's search (an entry in a round keeps both).
    search_key: Mapped[str] = mapped_column(sa.Text)

    __table_args__ = (
        sa.UniqueConstraint("round_id", "entry_id", name="uq_round_ranking_row_entry"),
    )


class RoundRankingJudge(db.Model):
    """A judge's totals in a stored ranking: how many, their mean m and spread s."""

    __tablename__ = "round_ranking_judge"

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round_ranking.round_id"), primary_key=True)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), primary_key=True)
    sheets: Mapped[int] = mapped_column()
    mean: Mapped[float] = mapped_column(sa.Float)
    spread: Mapped[float] = mapped_column(sa.Float)
