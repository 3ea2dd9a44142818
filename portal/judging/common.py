"""What every part of judging shares: who may do what, which entries a round holds, its rubric.

The parts: `setup` (rubric, round settings, the competition's judges), `assignment` (manual and
automatic assignment, the solver), `scoring` (the judges' sheets), `results` (aggregation, ranking, export,
advancing, making results final) and `imports` (paper sheets from a CSV file).
"""

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol

from portal.auth.models import Role, User
from portal.competitions.models import Competition, CompetitionStatus, Round
from portal.competitions.services import may_manage_competition
from portal.core import audit
from portal.core.i18n import DEFAULT_LOCALE, current_locale
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
    SheetStatus,
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
                sa.func.lower(CompetitionJudge.email) == (user.email or "").lower(),
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
    if SheetStatus.SUBMITTED in (status_before, sheet.status):
        ranking_changed(round_id=sheet.round_id)  # drafts are never ranked
    audit.record(
        action,
        actor_id=actor.id,
        object_type="score_sheet",
        object_id=sheet.id,
        before={"status": status_before, "points": before},
        after={"status": sheet.status.value, "points": after},
    )


def ranking_changed(*, round_id: int | None = None, competition_id: int | None = None) -> None:
    """Something the ranking of this round (or of every round of this competition) is computed
    from changed: raise `Round.ranking_version` in the caller's transaction, so that the ranking
    stored for the old value is computed again on its next view. The caller commits.

    Raised once per transaction and round: a file of a thousand paper sheets is one change. The
    UPDATE also holds the round's row until the commit, so a ranking being computed under that
    lock (results.ranking) never misses a change committed meanwhile.
    """
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    known = session.info.get("rankings_changed")
    if known is None or known[0] is not transaction:
        known = session.info["rankings_changed"] = (transaction, set())
    key = ("round", round_id) if round_id is not None else ("competition", competition_id)
    if key in known[1] or ("competition", competition_id) in known[1]:
        return
    known[1].add(key)
    which = Round.id == round_id if round_id is not None else Round.competition_id == competition_id
    session.execute(
        sa.update(Round).where(which).values(ranking_version=Round.ranking_version + 1),
        execution_options={"synchronize_session": False},
    )
    # The rounds this session holds read the new value when next asked.
    if round_id is not None:
        held = [session.identity_map.get(session.identity_key(Round, round_id))]
    else:
        held = [o for o in session.identity_map.values() if isinstance(o, Round)]
    for round_ in held:
        if round_ is not None and (round_id is not None or round_.competition_id == competition_id):
            session.expire(round_, ["ranking_version"])


def sheet_status_before(sheet: ScoreSheet) -> str | None:
    """The status the sheet had when it was loaded, or None for a new sheet (before a flush)."""
    history = sa.inspect(sheet).attrs.status.history
    if history.deleted:
        return history.deleted[0].value
    return sheet.status.value if sheet.id is not None else None


@lru_cache(maxsize=8)
def _score_symbols(locale: Locale) -> dict[int, str]:
    """How her language writes a score: its decimal mark and its thousands separator."""
    return {ord("."): get_decimal_symbol(locale), ord(","): get_group_symbol(locale)}


def format_score(value: float | None) -> str:
    """A score with two decimals, written the way the reader's language writes numbers.

    The same text as Babel's `format_decimal(round(value, 2), "#,##0.00")` (a property test
    holds them equal), written by Python's own formatting: a results page shows about 2,000
    numbers, and Babel took 50 µs for each.
    """
    return score_writer()(value)


def score_writer() -> Callable[[float | None], str]:
    """`format_score` for the language of the moment, looked up once: for a page's template."""
    symbols = _score_symbols(current_locale() or DEFAULT_LOCALE)

    def write(value: float | None) -> str:
        return "—" if value is None else f"{round(value, 2):,.2f}".translate(symbols)

    return write
