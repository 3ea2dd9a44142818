"""What every part of judging shares: who may do what, which entries a round holds, its rubric.

The parts: `setup` (rubric, round settings, the competition's judges), `assignment` (manual and
automatic assignment, the solver), `scoring` (the judges' sheets), `results` (aggregation, ranking, export,
advancing, making results final) and `imports` (paper sheets from a CSV file).
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_decimal

from portal.auth.models import Role, User
from portal.competitions.models import Competition, CompetitionStatus, Round
from portal.competitions.services import may_manage_competition
from portal.core import audit
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.judging.models import (
    DEFAULT_RUBRIC,
    Assignment,
    CompetitionJudge,
    RoundEntry,
    RubricCriterion,
    Score,
    ScoreSheet,
)

# Entry states that take part in judging; the first round holds every such entry.
JUDGED_STATES = {
    EntryStatus.ELIGIBLE,
    EntryStatus.IN_JUDGING,
    EntryStatus.ADVANCED,
    EntryStatus.NOT_ADVANCED,
    EntryStatus.AWARDED,
}


def may_manage_round(user: User, round_: Round) -> bool:
    """The organisers of the competition's unit (and of its province), and admins."""
    return may_manage_competition(user, round_.competition)


def round_entries_query(round_: Round) -> sa.Select:
    """The entries judged in a round: the eligible ones in the first, the carried ones later."""
    query = sa.select(Entry).where(Entry.competition_id == round_.competition_id)
    if round_.is_first:
        return query.where(Entry.status.in_(JUDGED_STATES))
    carried = sa.select(RoundEntry.entry_id).where(RoundEntry.round_id == round_.id)
    return query.where(Entry.id.in_(carried), Entry.status != EntryStatus.WITHDRAWN)


def criteria_of(round_: Round) -> list[RubricCriterion]:
    return list(
        db.session.scalars(
            sa.select(RubricCriterion)
            .where(RubricCriterion.round_id == round_.id)
            .order_by(RubricCriterion.position)
        )
    )


def rubric_of(round_: Round) -> list[RubricCriterion]:
    """The round's rubric, or the default it will get, unsaved (for the pages that show it)."""
    return criteria_of(round_) or _default_rubric(round_)


def _default_rubric(round_: Round) -> list[RubricCriterion]:
    return [
        RubricCriterion(
            round_id=round_.id,
            position=position,
            code=code,
            max_points=max_points,
            weight=weight,
        )
        for position, (code, (_label, _description, max_points, weight)) in enumerate(
            DEFAULT_RUBRIC.items()
        )
    ]


def ensure_rubric(round_: Round) -> list[RubricCriterion]:
    """The round's rubric; a round without one gets the national competition's default.

    The caller commits.
    """
    existing = criteria_of(round_)
    if existing:
        return existing
    created = _default_rubric(round_)
    db.session.add_all(created)
    db.session.flush()
    return created


def judge_record(user: User, competition: Competition) -> CompetitionJudge | None:
    """Her place among the competition's judges, if she was invited (by account or e-mail)."""
    if not user.is_authenticated or not user.has_role(Role.JUDGE):
        return None
    return db.session.scalar(
        sa.select(CompetitionJudge).where(
            CompetitionJudge.competition_id == competition.id,
            sa.or_(
                CompetitionJudge.user_id == user.id,
                sa.func.lower(CompetitionJudge.email) == user.email.lower(),
            ),
        )
    )


def active_assignment(user: User, round_id: int, entry_id: int) -> Assignment | None:
    """Her assignment to score this entry in this round, unless she recused herself."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Assignment).where(
            Assignment.round_id == round_id,
            Assignment.entry_id == entry_id,
            Assignment.judge_id == user.id,
            Assignment.recused_at.is_(None),
        )
    )


def scoring_open(round_: Round, now: datetime) -> bool:
    """Judges may save and submit while the competition is in judging, until the round's deadline,
    and never once the round's results are final."""
    if round_.results_final_at is not None:
        return False
    if round_.competition.status is not CompetitionStatus.JUDGING:
        return False
    return round_.scoring_closes_at is None or now < round_.scoring_closes_at


def record_scores(
    sheet: ScoreSheet,
    points: dict[int, float | None],
    *,
    actor: User,
    action: str,
    now: datetime,
) -> None:
    """Write a sheet's points (criterion id → points, None for empty) and audit the change.

    Every path that changes scores (a judge's form, a CSV import, an organiser's correction) goes
    through here: the round's settings and rubric are fixed from the first score on, and the
    audit log holds each change, before → after. The caller checks the rules and commits.
    """
    status_before = sheet_status_before(sheet)
    current = {score.criterion_id: score for score in sheet.scores}
    before = {str(cid): score.points for cid, score in sorted(current.items())}
    for criterion_id, value in points.items():
        if criterion_id in current:
            current[criterion_id].points = value
        else:
            sheet.scores.append(Score(criterion_id=criterion_id, points=value))
    after = {
        str(s.criterion_id): s.points for s in sorted(sheet.scores, key=lambda s: s.criterion_id)
    }
    sheet.updated_at = now
    sheet.version = (sheet.version or 0) + 1  # a new sheet is written as version 1
    round_ = db.session.get(Round, sheet.round_id)
    if round_.scoring_started_at is None and any(v is not None for v in points.values()):
        round_.scoring_started_at = now
    db.session.flush()
    audit.record(
        action,
        actor_id=actor.id,
        object_type="score_sheet",
        object_id=sheet.id,
        before={"status": status_before, "points": before},
        after={"status": sheet.status.value, "points": after},
    )


def sheet_status_before(sheet: ScoreSheet) -> str | None:
    """The status the sheet had when it was loaded, or None for a new sheet (before a flush)."""
    history = sa.inspect(sheet).attrs.status.history
    if history.deleted:
        return history.deleted[0].value
    return sheet.status.value if sheet.id is not None else None


def format_score(value: float | None) -> str:
    """A score with two decimals, written the way the reader's language writes numbers."""
    return "—" if value is None else format_decimal(round(value, 2), format="#,##0.00")
