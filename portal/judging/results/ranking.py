"""A round's ranking, stored: computed once for each version of what it is computed from, then
read a page at a time; making the results final from the ranking the organiser saw.

`services.compute` works over every sheet of the round (about a second for 10,000 entries × 5
judges). Its result is kept in `round_ranking` (the round's numbers), `round_ranking_row` (one
line per entry, in ranking order) and `round_ranking_judge` (each judge's count, mean and
spread), with the value of `Round.ranking_version` it was computed for. Every change that would
change the ranking raises that value in its own transaction (`common.ranking_changed`: a sheet
submitted or changed, a recusal, the rubric or the settings, an entry joining or leaving the
round), so a stored ranking is either the one compute() would give now or visibly stale.

A view that finds it stale computes it once: it locks the round's row (SELECT … FOR UPDATE on
PostgreSQL; SQLite writes one at a time), looks again — a request that waited on the lock finds
the ranking another one just stored and reads it — and writes it in a transaction of its own.
That write is a cache of the sheets, the one write a GET makes on purpose (see
tests/get_never_writes.py). The lock is the row every writer raises `ranking_version` on, so no
change can be committed between the version read and the ranking computed.

A page then reads only its rows, filtered, counted and cut in SQL, with the entries' reference,
title and category and the judges' names as they are now.

A round without a rubric has nothing that can be scored: its ranking (every entry without a
score) is computed on the spot, as cheap as listing the entries, and never stored — a stored
ranking would count as judging set up and keep the round from being removed.
"""

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.competitions.models import Round
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.pages import Page, shown_page
from portal.core.text import contains_key, fold
from portal.core.time import utcnow
from portal.entries.models import Entry
from portal.extensions import db
from portal.judging import common
from portal.judging.models import (
    RoundRanking,
    RoundRankingJudge,
    RoundRankingRow,
    RoundResult,
    RubricCriterion,
)
from portal.judging.results.aggregation import EntryResult
from portal.judging.results.services import (
    FLAGS,
    EntryRow,
    JudgeInfo,
    JudgeStats,
    Ranking,
    ResultFilters,
    compute,
    filtered,
    paginate,
    require_manager,
)


class StaleRanking(DomainError):
    """The ranking changed after the page that asks to make it final was shown."""

    status = 409


STALE_RANKING = _l(
    "The scores or settings of this round changed after this page was shown, so the ranking "
    "below is a new one. Check it, then make the results final again."
)


@dataclass
class ShownPage:
    """What the results page shows: a page of the ranking and the round's summary."""

    ranking: Ranking  # the page's results, their entries and judges; the round's M and S
    page: Page  # of EntryResult
    missing: int  # entries of the whole round with fewer sheets than asked
    version: int  # the ranking_version these numbers are for (the finalise form carries it)


# --- Keeping it current -------------------------------------------------------------------------


def _header(round_id: int) -> RoundRanking | None:
    return db.session.scalars(
        sa.select(RoundRanking)
        .where(RoundRanking.round_id == round_id)
        .execution_options(populate_existing=True)
    ).first()


def _lock(round_: Round) -> None:
    """Hold the round's row until the commit, and read its settings and version as committed."""
    db.session.refresh(round_, with_for_update=True)


def _stored(round_: Round, *, locked: bool = False) -> tuple[RoundRanking, bool]:
    """The round's stored ranking, computed and written now when it is not for the round's
    current version; does not commit. The flag says whether the caller must commit (it wrote,
    or holds the round's lock)."""
    header = _header(round_.id)
    if header is not None and header.version == round_.ranking_version:
        return header, locked
    if not locked:
        _lock(round_)
        header = _header(round_.id)
        if header is not None and header.version == round_.ranking_version:
            return header, True  # stored by a request this one waited for
    return _write(round_, compute(round_), header, utcnow()), True


def _write(
    round_: Round, ranking: Ranking, header: RoundRanking | None, now: datetime
) -> RoundRanking:
    # An entry's search key is kept from the ranking it replaces: its reference and title do
    # not change once it is judged, and folding 10,000 titles took half a second.
    kept = sa.select(RoundRankingRow.entry_id, RoundRankingRow.search_key).where(
        RoundRankingRow.round_id == round_.id
    )
    keys = dict(db.session.execute(kept).all())  # a list: dict() of a Result reads its keys()
    db.session.execute(sa.delete(RoundRankingRow).where(RoundRankingRow.round_id == round_.id))
    db.session.execute(sa.delete(RoundRankingJudge).where(RoundRankingJudge.round_id == round_.id))
    header = header or RoundRanking(round_id=round_.id)
    header.version = round_.ranking_version
    header.computed_at = now
    header.entries = len(ranking.results)
    header.missing = sum(1 for r in ranking.results if "missing" in r.flags)
    header.round_mean = ranking.round_mean
    header.round_spread = ranking.round_spread
    db.session.add(header)
    db.session.flush()
    rows = []
    for position, result in enumerate(ranking.results, start=1):
        entry = ranking.entries[result.entry_id]
        key = keys.get(entry.id)
        if key is None:
            key = fold(f"{entry.reference} {entry.title}")
        totals, normalised = result.totals, result.normalised
        rows.append(
            (
                round_.id,
                position,
                entry.id,
                entry.category_id,
                result.rank,
                result.raw_score,
                result.normalised_score,
                len(totals),
                *[flag in result.flags for flag in FLAGS],
                result.criterion_means,
                [[judge, totals[judge], normalised[judge]] for judge in sorted(totals)],
                key,
            )
        )
    _insert(RoundRankingRow, ROW_FIELDS, rows)
    _insert(
        RoundRankingJudge,
        ("round_id", "judge_id", "sheets", "mean", "spread"),
        [
            (round_.id, judge, stats.sheets, stats.mean, stats.spread)
            for judge, stats in sorted(ranking.judge_stats.items())
        ],
    )
    return header


ROW_FIELDS = (
    "round_id",
    "position",
    "entry_id",
    "category_id",
    "rank",
    "raw_score",
    "normalised_score",
    "sheets",
    *FLAGS,
    "criterion_means",
    "judges",
    "search_key",
)
JSON_FIELDS = {"criterion_means", "judges"}


def _insert(model: type[db.Model], fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Write many rows at once. On PostgreSQL (psycopg) with COPY, which takes 10,000 lines in
    a tenth of the time of as many INSERTs; elsewhere with one executemany INSERT."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.driver != "psycopg":
        db.session.execute(sa.insert(model), [dict(zip(fields, row, strict=True)) for row in rows])
        return
    json_at = [n for n, name in enumerate(fields) if name in JSON_FIELDS]
    table = model.__table__.name
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {table} ({', '.join(fields)}) FROM STDIN") as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for n in json_at:
                        row[n] = json.dumps(row[n])
                copy.write_row(row)
    finally:
        cursor.close()


# --- Reading it ---------------------------------------------------------------------------------


RANKED = (
    RoundRankingRow.position,
    RoundRankingRow.entry_id,
    RoundRankingRow.rank,
    RoundRankingRow.raw_score,
    RoundRankingRow.normalised_score,
    *[getattr(RoundRankingRow, flag) for flag in FLAGS],
    RoundRankingRow.criterion_means,
    RoundRankingRow.judges,
)
# What the page shows of an entry, read as it is now.
SHOWN = (Entry.reference, Entry.title, Entry.category_id, Entry.submitted_at)


def _filtered(query: sa.Select, filters: ResultFilters) -> sa.Select:
    """The rows the filters keep, as `services.filtered` keeps them, in SQL over the stored
    rows alone (their category and search key are kept with them)."""
    if filters.flag in FLAGS:
        query = query.where(getattr(RoundRankingRow, filters.flag).is_(True))
    if filters.category_id:
        query = query.where(RoundRankingRow.category_id == filters.category_id)
    key = fold(filters.search)
    if key:
        query = query.where(contains_key(RoundRankingRow.search_key, key))
    return query


def _page_query(round_id: int, filters: ResultFilters, limit: int, offset: int) -> sa.Select:
    """The page's rows: chosen, counted off and cut among the stored rows, then joined to their
    entries (50 of them, not the 10,000 the OFFSET passes over)."""
    chosen = (
        _filtered(sa.select(*RANKED).where(RoundRankingRow.round_id == round_id), filters)
        .order_by(RoundRankingRow.position)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    return (
        sa.select(chosen, *SHOWN)
        .join(Entry, Entry.id == chosen.c.entry_id)
        .order_by(chosen.c.position)
    )


def _rows_query(round_id: int) -> sa.Select:
    return (
        sa.select(*RANKED, *SHOWN)
        .join(Entry, Entry.id == RoundRankingRow.entry_id)
        .where(RoundRankingRow.round_id == round_id)
        .order_by(RoundRankingRow.position)
    )


def _result(row) -> tuple[EntryResult, EntryRow]:
    result = EntryResult(
        row.entry_id,
        totals={judge: total for judge, total, _ in row.judges},
        normalised={judge: normal for judge, _, normal in row.judges},
        criterion_means=row.criterion_means,
        raw_score=row.raw_score,
        normalised_score=row.normalised_score,
        flags=[flag for flag in FLAGS if getattr(row, flag)],
        rank=row.rank,
    )
    entry = EntryRow(
        row.entry_id, row.reference or "", row.title, row.category_id, row.submitted_at
    )
    return result, entry


def _judges(round_id: int, judge_ids: set[int] | None) -> tuple[dict, dict]:
    """The judges' names and their stats in the stored ranking: those named, or all."""
    query = (
        sa.select(
            RoundRankingJudge.judge_id,
            RoundRankingJudge.sheets,
            RoundRankingJudge.mean,
            RoundRankingJudge.spread,
            User.full_name,
            User.email,
        )
        .join(User, User.id == RoundRankingJudge.judge_id)
        .where(RoundRankingJudge.round_id == round_id)
    )
    if judge_ids is not None:
        # Asked even for no judge at all, so that a page runs the same queries whatever it shows.
        query = query.where(RoundRankingJudge.judge_id.in_(sorted(judge_ids)))
    judges, stats = {}, {}
    for judge_id, sheets, mean, spread, name, email in db.session.execute(query):
        judges[judge_id] = JudgeInfo(judge_id, name or email, email)
        stats[judge_id] = JudgeStats(sheets, mean, spread)
    return judges, stats


def _from_rows(
    round_: Round, criteria: list[RubricCriterion], header: RoundRanking, rows, *, every_judge: bool
) -> Ranking:
    results, entries = [], {}
    for row in rows:
        result, entry = _result(row)
        results.append(result)
        entries[entry.id] = entry
    named = None if every_judge else {judge for result in results for judge in result.totals}
    judges, stats = _judges(round_.id, named)
    return Ranking(
        round_, criteria, results, entries, judges, stats, header.round_mean, header.round_spread
    )


def page_of(round_: Round, filters: ResultFilters, page: int, per_page: int) -> ShownPage:
    """One page of the round's ranking, filtered, with the round's summary: a fixed number of
    queries whatever the round's size, once the ranking is stored. Commits when it had to
    compute the ranking (a cache write, see above)."""
    criteria = common.criteria_of(round_)
    if not criteria:
        ranking = compute(round_)
        shown = paginate(filtered(ranking, filters), page, per_page)
        missing = sum(1 for r in ranking.results if "missing" in r.flags)
        return ShownPage(ranking, shown, missing, round_.ranking_version)
    header, commit = _stored(round_)
    if commit:
        db.session.commit()
    if filters.flag in FLAGS or filters.category_id or fold(filters.search):
        counted = sa.select(sa.func.count()).where(RoundRankingRow.round_id == round_.id)
        total = db.session.scalar(_filtered(counted, filters))
    else:
        total = header.entries
    page = shown_page(page, total, per_page)
    rows = db.session.execute(
        _page_query(round_.id, filters, per_page, (page - 1) * per_page)
    ).all()
    ranking = _from_rows(round_, criteria, header, rows, every_judge=False)
    return ShownPage(
        ranking, Page(ranking.results, page, per_page, total), header.missing, header.version
    )


def explained(round_: Round, entry_id: int) -> ShownPage | None:
    """The entry's line of the round's ranking with every judge's numbers, for the page that
    explains its score; None when it is not in the round or no sheet scores it. Commits when it
    had to compute the ranking."""
    criteria = common.criteria_of(round_)
    if not criteria:
        return None  # nothing can be scored yet
    header, commit = _stored(round_)
    if commit:
        db.session.commit()
    rows = db.session.execute(
        _rows_query(round_.id).where(RoundRankingRow.entry_id == entry_id)
    ).all()
    if not rows or not rows[0].judges:
        return None
    ranking = _from_rows(round_, criteria, header, rows, every_judge=False)
    return ShownPage(ranking, Page(ranking.results, 1, 1, 1), header.missing, header.version)


def whole(round_: Round) -> Ranking:
    """The round's whole ranking as stored, for the exports: the same numbers as the page.
    Commits when it had to compute it."""
    criteria = common.criteria_of(round_)
    if not criteria:
        return compute(round_)
    header, commit = _stored(round_)
    if commit:
        db.session.commit()
    rows = db.session.connection().execute(_rows_query(round_.id)).all()
    return _from_rows(round_, criteria, header, rows, every_judge=True)


# --- Making it final ----------------------------------------------------------------------------


def finalise(
    actor: User, round_: Round, *, accept_missing: bool, seen_version: int | None, now: datetime
) -> int:
    """Make the round's results final: scores lock, and the ranking the organiser was shown is
    written as the round's results. Returns the number of entries.

    `seen_version` is the ranking version of the page she pressed the button on: when the
    sheets or settings changed since (a judge submitted meanwhile), nothing is written and
    StaleRanking (409) says so; the page then shows the new ranking. Commits.
    """
    require_manager(actor, round_)
    _lock(round_)  # no sheet can change, nor another organiser finalise, until this commits
    if round_.results_final_at is not None:
        db.session.rollback()
        raise DomainError(_l("The results of this round are already final."))
    if seen_version != round_.ranking_version:
        db.session.rollback()
        raise StaleRanking(STALE_RANKING)
    if common.criteria_of(round_):
        header, _ = _stored(round_, locked=True)
        rows = db.session.execute(
            sa.select(
                RoundRankingRow.entry_id,
                RoundRankingRow.rank,
                RoundRankingRow.raw_score,
                RoundRankingRow.normalised_score,
                RoundRankingRow.sheets,
                *[getattr(RoundRankingRow, flag) for flag in FLAGS],
            )
            .where(RoundRankingRow.round_id == round_.id)
            .order_by(RoundRankingRow.position)
        ).all()
        lines = [(*row[:5], [flag for flag in FLAGS if getattr(row, flag)]) for row in rows]
        missing = header.missing
    else:
        results = compute(round_, explain=False).results
        lines = [
            (r.entry_id, r.rank, r.raw_score, r.normalised_score, r.sheets, list(r.flags))
            for r in results
        ]
        missing = sum(1 for r in results if "missing" in r.flags)
    if missing and not accept_missing:
        db.session.rollback()
        raise DomainError(
            _l(
                "Some entries have fewer score sheets than the round asks for. Tick the box to "
                "make the results final all the same."
            ),
            field="accept_missing",
        )
    db.session.execute(sa.delete(RoundResult).where(RoundResult.round_id == round_.id))
    if lines:
        db.session.execute(
            sa.insert(RoundResult),
            [
                {
                    "round_id": round_.id,
                    "entry_id": entry_id,
                    "rank": rank,
                    "raw_score": raw,
                    "normalised_score": normalised,
                    "sheets": sheets,
                    "flags": flags,
                    "advanced": False,
                }
                for entry_id, rank, raw, normalised, sheets, flags in lines
            ],
        )
    round_.results_final_at = now
    audit.record(
        "results.finalised",
        actor_id=actor.id,
        object_type="round",
        object_id=round_.id,
        after={
            "results_final_at": now.isoformat(),
            "entries": len(lines),
            "ranked": sum(1 for line in lines if line[1] is not None),
            "missing": missing,
            "ranking_version": round_.ranking_version,
        },
    )
    db.session.commit()
    return len(lines)
