"""A round's results: the ranking computed from the database, its explanation, export, and
reopening final results. (Storing the ranking, reading it a page at a time and making it final
are in `ranking.py`; advancing entries to the next round in `advancing.py`.)

The ranking is computed by `portal.judging.results.aggregation.aggregate` from plain rows read with a
few column-only queries (no ORM objects): the entries of the round, every score of its submitted
sheets of active assignments in one flat query, the recusals, the judges' names. It takes about a
second for 10,000 entries × 5 judges, so the pages never call `compute` themselves: they read the
ranking stored for the round's current `ranking_version` (ranking.py), which `compute` fills.
"""

import csv
import gc
import io
import math
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook

from portal.auth.models import User
from portal.competitions.models import Round
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.pages import Page, shown_page
from portal.core.spreadsheets import inert
from portal.core.text import fold
from portal.entries.models import Entry, EntryStatus
from portal.entries.status import change_entry_status
from portal.extensions import db
from portal.judging import common
from portal.judging.models import (
    Assignment,
    RoundEntry,
    RoundResult,
    RubricCriterion,
    Score,
    ScoreSheet,
    SheetStatus,
)
from portal.judging.results.aggregation import Criterion, EntryInfo, EntryResult, Sheet, aggregate
from portal.judging.signals import results_reopening

FLAGS = ("disagreement", "missing", "recused")
FLAG_LABELS = {
    "disagreement": _l("Judges disagree"),
    "missing": _l("Sheets missing"),
    "recused": _l("A judge recused herself"),
}
# The export's heads and cells are words in the exporter's language, like the page's.
EXPORT_COLUMNS = [
    _l("Rank"),
    _l("Reference"),
    _l("Title of the idea"),
    _l("Raw score"),
    _l("Normalised score"),
    _l("Sheets"),
    _l("Flags"),
]


@dataclass(frozen=True)
class EntryRow:
    """What the results show of an entry besides its scores."""

    id: int
    reference: str
    title: str
    category_id: int | None
    submitted_at: datetime


@dataclass(frozen=True)
class JudgeInfo:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class JudgeStats:
    """A judge's totals in the round: how many, their mean m_j and spread s_j."""

    sheets: int
    mean: float
    spread: float


@dataclass
class Ranking:
    round: Round
    criteria: list[RubricCriterion]
    results: list[EntryResult]  # best first, unscored last
    entries: dict[int, EntryRow]
    judges: dict[int, JudgeInfo]
    judge_stats: dict[int, JudgeStats] = field(default_factory=dict)
    round_mean: float | None = None  # M: mean of every total of the round
    round_spread: float | None = None  # S: their spread

    def score_of(self, result: EntryResult) -> float | None:
        return result.raw_score if self.round.rank_by == "raw" else result.normalised_score

    def judges_in_order(self) -> list[JudgeInfo]:
        """The judges with a sheet in the round, by e-mail (the export's columns)."""
        return sorted(self.judges.values(), key=lambda j: (j.email.lower(), j.id))


# --- Loading and computing ----------------------------------------------------------------------


def load_entries(round_: Round) -> dict[int, EntryRow]:
    query = common.round_entries_query(round_).with_only_columns(
        Entry.id, Entry.reference, Entry.title, Entry.category_id, Entry.submitted_at
    )
    # Core execution: plain rows, without the ORM's per-row work.
    return {
        row[0]: EntryRow(row[0], row[1] or "", row[2], row[3], row[4])
        for row in db.session.connection().execute(query).all()
    }


def sheets_query(round_: Round, criteria: list[RubricCriterion]) -> sa.Select:
    """One flat query, one row per submitted sheet of an active assignment: the sheet, its judge,
    its entry, then its points on each criterion (in the rubric's order).

    The scores are turned into columns in SQL (MAX of a CASE per criterion, grouped by sheet in
    the order of the score table's (sheet, criterion) index), so that a round of 50,000 sheets
    returns 50,000 short rows rather than 300,000, without a hash aggregate spilling to disk.
    Every bound value is a plain number or string, so the rows can be fetched without the ORM.
    """
    in_round = sa.select(ScoreSheet.id).where(ScoreSheet.round_id == round_.id).subquery()
    points = (
        sa.select(
            Score.sheet_id.label("sheet_id"),
            *[
                sa.func.max(sa.case((Score.criterion_id == c.id, Score.points))).label(f"c{n}")
                for n, c in enumerate(criteria)
            ],
        )
        .join(in_round, in_round.c.id == Score.sheet_id)
        .group_by(Score.sheet_id)
        .subquery()
    )
    submitted = sa.bindparam("submitted", SheetStatus.SUBMITTED.value, type_=sa.String)
    return (
        sa.select(
            Assignment.judge_id,
            Assignment.entry_id,
            *[points.c[f"c{n}"] for n in range(len(criteria))],
        )
        .select_from(points)
        .join(ScoreSheet, ScoreSheet.id == points.c.sheet_id)
        .join(Assignment, Assignment.id == ScoreSheet.assignment_id)
        .where(
            sa.cast(ScoreSheet.status, sa.String) == submitted,
            Assignment.recused_at.is_(None),
        )
    )


def _number_rows(query: sa.Select) -> list[tuple]:
    """The rows of a query whose columns are all numbers, as plain tuples.

    On PostgreSQL (psycopg) they are fetched in the binary format straight from the driver's
    cursor, which halves the time of a large result; elsewhere through SQLAlchemy Core.
    """
    connection = db.session.connection()
    if connection.dialect.driver != "psycopg":
        return connection.execute(query).all()
    compiled = query.compile(dialect=connection.dialect)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled), compiled.params, binary=True)
        return cursor.fetchall()
    finally:
        cursor.close()


def load_sheets(round_: Round, criteria: list[RubricCriterion]) -> list[Sheet]:
    """The round's submitted sheets of active assignments, as the aggregation reads them.

    A sheet missing a criterion's points (which the forms never let through) is left out.
    """
    if not criteria:
        return []
    codes = [c.code for c in criteria]
    return [
        Sheet(row[0], row[1], dict(zip(codes, row[2:])))  # noqa: B905 (as many as the codes)
        for row in _number_rows(sheets_query(round_, criteria))
        if None not in row
    ]


def recused_entry_ids(round_: Round) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Assignment.entry_id)
            .where(Assignment.round_id == round_.id, Assignment.recused_at.is_not(None))
            .distinct()
        )
    )


def load_judges(judge_ids: set[int]) -> dict[int, JudgeInfo]:
    if not judge_ids:
        return {}
    rows = db.session.execute(
        sa.select(User.id, User.full_name, User.email).where(User.id.in_(sorted(judge_ids)))
    )
    return {row.id: JudgeInfo(row.id, row.full_name or row.email, row.email) for row in rows}


def as_criteria(criteria: list[RubricCriterion]) -> list[Criterion]:
    return [Criterion(c.code, float(c.max_points), float(c.weight)) for c in criteria]


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large round's rows become objects.

    Building 50,000 sheets and 10,000 results makes Python run its collector over and over for
    nothing (these objects hold no cycles): about 15 % of the time. Reference counting still
    frees memory as usual; the collector resumes at the end, as it was.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compute(round_: Round, *, explain: bool = True) -> Ranking:
    """The round's ranking from its submitted sheets, as the aggregation rules state.

    `explain` adds the judges (names, e-mails) and their means and spreads, for the page and
    the export; making results final needs neither.
    """
    criteria = common.criteria_of(round_)
    with _without_cyclic_gc():
        entries = load_entries(round_)
        sheets = load_sheets(round_, criteria)
        recused = recused_entry_ids(round_)
        infos = [EntryInfo(e.id, e.submitted_at, e.id in recused) for e in entries.values()]
        codes = {c.code for c in criteria}
        results = aggregate(
            as_criteria(criteria),
            sheets,
            infos,
            judges_per_entry=round_.judges_per_entry,
            disagreement_threshold=round_.disagreement_threshold,
            rank_by=round_.rank_by,
            tie_break=[code for code in round_.tie_break or [] if code in codes],
        )
    ranking = Ranking(round_, criteria, results, entries, {})
    if explain:
        _explain(ranking)
        ranking.judges = load_judges({s.judge_id for s in sheets if s.entry_id in entries})
    return ranking


def _explain(ranking: Ranking) -> None:
    """Each judge's mean and spread, and the round's: what an organiser needs to defend N(j,e)."""
    by_judge: dict[int, list[float]] = defaultdict(list)
    for result in ranking.results:
        for judge, value in sorted(result.totals.items()):
            by_judge[judge].append(value)
    all_totals = [v for judge in sorted(by_judge) for v in by_judge[judge]]
    if all_totals:
        ranking.round_mean, ranking.round_spread = _mean_and_spread(all_totals)
    for judge, values in by_judge.items():
        mean, spread = _mean_and_spread(values)
        ranking.judge_stats[judge] = JudgeStats(len(values), mean, spread)


def _mean_and_spread(values: list[float]) -> tuple[float, float]:
    mean = math.fsum(values) / len(values)
    return mean, math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))


# --- Filters and pages --------------------------------------------------------------------------


@dataclass
class ResultFilters:
    flag: str | None = None
    category_id: int | None = None
    search: str | None = None


def filtered(ranking: Ranking, filters: ResultFilters) -> list[EntryResult]:
    key = fold(filters.search)
    rows = []
    for result in ranking.results:
        entry = ranking.entries[result.entry_id]
        if filters.flag in FLAGS and filters.flag not in result.flags:
            continue
        if filters.category_id and entry.category_id != filters.category_id:
            continue
        if key and key not in fold(f"{entry.reference} {entry.title}"):
            continue
        rows.append(result)
    return rows


def paginate(items: list, page: int, per_page: int = 50) -> Page:
    page = shown_page(page, len(items), per_page)
    start = (page - 1) * per_page
    return Page(items[start : start + per_page], page, per_page, len(items))


# --- Export -------------------------------------------------------------------------------------


def export_header(ranking: Ranking) -> list[str]:
    return (
        [str(column) for column in EXPORT_COLUMNS]
        + [c.display_label for c in ranking.criteria]
        + [judge.email for judge in ranking.judges_in_order()]
    )


def export_rows(ranking: Ranking) -> list[list]:
    """The whole ranking, one row per entry; numbers as floats rounded to two decimals."""
    judges = ranking.judges_in_order()
    rows = []

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    for result in ranking.results:
        entry = ranking.entries[result.entry_id]
        rows.append(
            [
                result.rank,
                inert(entry.reference),
                inert(entry.title),
                rounded(result.raw_score),
                rounded(result.normalised_score),
                result.sheets,
                "; ".join(str(FLAG_LABELS[flag]) for flag in result.flags),
            ]
            + [rounded(result.criterion_means.get(c.code)) for c in ranking.criteria]
            + [rounded(result.totals.get(judge.id)) for judge in judges]
        )
    return rows


def export_csv(ranking: Ranking) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so that Excel opens the Vietnamese text as UTF-8
    writer = csv.writer(buffer)
    writer.writerow([inert(h) for h in export_header(ranking)])
    for row in export_rows(ranking):
        writer.writerow(
            ["" if v is None else (f"{v:.2f}" if isinstance(v, float) else v) for v in row]
        )
    return buffer.getvalue()


def export_xlsx(ranking: Ranking) -> bytes:
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_l("Results")))
    sheet.append([inert(h) for h in export_header(ranking)])
    for row in export_rows(ranking):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, float):
                cell.number_format = "0.00"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Final results, reopening -------------------------------------------------------------------


def next_round(round_: Round) -> Round | None:
    return db.session.scalar(
        sa.select(Round).where(
            Round.competition_id == round_.competition_id, Round.position == round_.position + 1
        )
    )


def require_manager(actor: User, round_: Round) -> None:
    if not common.may_manage_round(actor, round_):
        raise DomainError(_l("Only the organisers of this competition may do this."))


def reopen(actor: User, round_: Round, *, reason: str, now: datetime) -> None:
    """Take the results back out of final, with a written reason.

    Refused once entries went on to a next round whose scoring started. Otherwise the entries
    carried by this round are taken back out of the next round and return to judging.
    """
    require_manager(actor, round_)
    if round_.results_final_at is None:
        raise DomainError(_l("The results of this round are not final."))
    results_reopening.send(round_)  # a later feature (the awards decision) may refuse
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Write why the results are reopened."), field="reason")
    advanced = list(
        db.session.scalars(
            sa.select(RoundResult.entry_id).where(
                RoundResult.round_id == round_.id, RoundResult.advanced.is_(True)
            )
        )
    )
    following = next_round(round_)
    if advanced and following is not None and following.scoring_started_at is not None:
        raise DomainError(
            _l(
                "Entries of this round went on to the next round and its scoring has started: "
                "the results can no longer be reopened."
            )
        )
    undone = 0
    if following is not None:
        undone = _take_back(actor, round_, following)
    before = round_.results_final_at
    round_.results_final_at = None
    audit.record(
        "results.reopened",
        actor_id=actor.id,
        object_type="round",
        object_id=round_.id,
        before={"results_final_at": before.isoformat()},
        after={"results_final_at": None, "reason": reason, "advancing_undone": undone},
    )
    db.session.commit()


def _take_back(actor: User, round_: Round, following: Round) -> int:
    """Undo an advancing: the next round loses this round's entries, which return to judging."""
    entry_ids = set(load_entries(round_))
    carried = db.session.execute(
        sa.select(RoundEntry.id, RoundEntry.entry_id).where(RoundEntry.round_id == following.id)
    ).all()
    remove = [row.id for row in carried if row.entry_id in entry_ids]
    if remove:
        db.session.execute(sa.delete(RoundEntry).where(RoundEntry.id.in_(remove)))
    decided = db.session.scalars(
        sa.select(Entry).where(
            Entry.id.in_(entry_ids),
            Entry.status.in_([EntryStatus.ADVANCED, EntryStatus.NOT_ADVANCED]),
        )
    ).all()
    change_entry_status(actor.id, decided, EntryStatus.IN_JUDGING, after={"round_id": round_.id})
    db.session.execute(
        sa.update(RoundResult).where(RoundResult.round_id == round_.id).values(advanced=False)
    )
    if remove:
        common.ranking_changed(round_id=following.id)  # it holds fewer entries
    return len(remove)
