"""The stored ranking: the same numbers as compute(), stale after every change that would change
them (and only then), computed once under the round's lock, made final as it was shown."""

import csv
import io
import math
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.competitions.models import CompetitionStatus
from portal.core.audit import AuditLog
from portal.core.errors import DomainError
from portal.core.time import utcnow
from portal.entries import services as entries
from portal.extensions import db
from portal.judging import common
from portal.judging.assignment import services as assigning
from portal.judging.imports import services as imports
from portal.judging.models import (
    RoundEntry,
    RoundRanking,
    RoundRankingRow,
    RoundResult,
    RubricCriterion,
    SheetStatus,
)
from portal.judging.results import advancing, ranking
from portal.judging.results import services as results
from portal.judging.scoring import services as scoring
from portal.judging.scoring.services import SheetInput
from portal.judging.setup import services as setup
from tests.factories import assign, make_judging, score
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

NO_FILTER = results.ResultFilters()


def make_world(units):
    """Six entries, four judges, ranked by the normalised score with a tie-break: judges 0 to 2
    have three or more sheets (normalised), judge 3 one (N = T); e1 is flagged for disagreement,
    e2 misses a sheet and has a recusal, e4 has only a draft, e5 nothing."""
    w = make_judging(units, entries=6, judges=4)
    e, j = w.entries, w.judges
    w.round.judges_per_entry = 3
    w.round.disagreement_threshold = 20
    w.round.tie_break = ["feasibility"]
    w.round.scoring_closes_at = utcnow() + timedelta(days=5)
    score(w, e[0], j[0], 0.9)
    score(w, e[0], j[1], 0.8)
    score(w, e[0], j[2], 0.85)
    score(w, e[1], j[0], 0.9)
    score(w, e[1], j[1], 0.6)
    score(w, e[1], j[2], 0.78)
    score(w, e[2], j[1], 0.7)
    score(w, e[2], j[2], {"creativity": 15, "feasibility": 17, "technology": 12, "team": 11,
                          "social_impact": 16, "sustainability": 8})  # fmt: skip
    assign(w, e[2], j[3], recused=True)
    score(w, e[3], j[0], 0.76)
    score(w, e[3], j[1], 0.76)
    score(w, e[3], j[3], 0.73)
    score(w, e[4], j[0], 0.5, status=SheetStatus.DRAFT)
    db.session.commit()
    return w


@pytest.fixture
def world(units):
    return cached(make_world, units)


def header(round_) -> RoundRanking | None:
    return db.session.scalars(
        sa.select(RoundRanking)
        .where(RoundRanking.round_id == round_.id)
        .execution_options(populate_existing=True)
    ).first()


def current_version(round_) -> int:
    db.session.expire(round_, ["ranking_version"])
    return round_.ranking_version


def stale(round_) -> bool:
    kept = header(round_)
    return kept is None or kept.version != current_version(round_)


def every_row(round_, filters=NO_FILTER, per_page=2) -> list:
    """Every page of the stored ranking, one after the other."""
    shown = ranking.page_of(round_, filters, 1, per_page)
    rows = list(shown.page.items)
    for number in range(2, shown.page.pages + 1):
        rows += ranking.page_of(round_, filters, number, per_page).page.items
    return rows


def same(stored, computed) -> None:
    """The same results, number for number (floats compared exactly)."""
    assert [r.entry_id for r in stored] == [r.entry_id for r in computed]
    for mine, theirs in zip(stored, computed, strict=True):
        assert mine.rank == theirs.rank
        assert mine.raw_score == theirs.raw_score
        assert mine.normalised_score == theirs.normalised_score
        assert mine.flags == theirs.flags
        assert mine.criterion_means == theirs.criterion_means
        assert mine.totals == theirs.totals
        assert mine.normalised == theirs.normalised
        assert mine.sheets == theirs.sheets


def test_the_stored_pages_hold_exactly_what_compute_gives(world):
    world.entries[1].title = "Dệt thổ cẩm Điện Biên 100%"
    db.session.commit()
    assert header(world.round) is None
    computed = results.compute(world.round)
    category = world.entries[0].category_id
    for filters in [
        NO_FILTER,
        results.ResultFilters(flag="disagreement"),
        results.ResultFilters(flag="missing"),
        results.ResultFilters(flag="recused"),
        results.ResultFilters(flag="nonsense"),
        results.ResultFilters(category_id=category),
        results.ResultFilters(search="dien bien"),
        results.ResultFilters(search="100%"),
        results.ResultFilters(search="_"),
        results.ResultFilters(search=world.entries[3].reference.lower()),
        results.ResultFilters(flag="missing", category_id=category, search="y tuong"),
    ]:
        same(every_row(world.round, filters), results.filtered(computed, filters))
    shown = ranking.page_of(world.round, NO_FILTER, 1, 50)
    assert shown.missing == 3 and shown.page.total == 6
    assert shown.version == world.round.ranking_version
    assert shown.ranking.round_mean == computed.round_mean
    assert shown.ranking.round_spread == computed.round_spread
    assert shown.ranking.judge_stats == computed.judge_stats
    assert shown.ranking.judges == computed.judges
    assert shown.ranking.entries == computed.entries
    whole = ranking.whole(world.round)
    same(whole.results, computed.results)
    assert whole.judges_in_order() == computed.judges_in_order()
    assert results.export_csv(whole) == results.export_csv(computed)


def test_a_page_past_the_last_shows_the_last(world):
    shown = ranking.page_of(world.round, NO_FILTER, 99, 4)
    assert shown.page.page == 2 and len(shown.page.items) == 2
    assert ranking.page_of(world.round, NO_FILTER, -3, 4).page.page == 1
    nothing = ranking.page_of(world.round, results.ResultFilters(search="khong co"), 1, 4)
    assert nothing.page.items == [] and nothing.page.total == 0 and nothing.page.pages == 1


def test_a_current_ranking_is_read_without_computing_or_reading_a_sheet(world, monkeypatch):
    ranking.page_of(world.round, NO_FILTER, 1, 50)
    kept = header(world.round)
    statements = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    monkeypatch.setattr(ranking, "compute", lambda *a, **k: pytest.fail("computed again"))
    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        ranking.page_of(world.round, results.ResultFilters(flag="missing"), 1, 50)
        ranking.whole(world.round)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    sheets = ("FROM score", "JOIN score", "judge_assignment")
    assert not any(table in s for s in statements for table in sheets), statements
    assert not any(
        s.split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE") for s in statements
    )
    assert header(world.round).computed_at == kept.computed_at


def _submit_a_new_sheet(w):
    """A judge submits her scores for e4, whose sheet was a draft."""
    assignment = _assignment(w, w.entries[4], w.judges[0])
    points = SheetInput({c.id: 10.0 for c in w.criteria})
    scoring.save_sheet(w.judges[0], assignment, points, submit=True, now=utcnow())


def _change_a_submitted_sheet(w):
    assignment = _assignment(w, w.entries[0], w.judges[0])
    points = SheetInput({c.id: 5.0 for c in w.criteria})
    scoring.save_sheet(w.judges[0], assignment, points, submit=True, now=utcnow())


def _import_paper_sheets(w):
    assign(w, w.entries[5], w.judges[3])
    db.session.commit()
    lines = ["reference,judge_email,criterion,points,comment"]
    lines += [f"{w.entries[5].reference},{w.judges[3].email},{c.code},9," for c in w.criteria]
    data = ("\n".join(lines) + "\n").encode()
    imports.import_file(w.organiser, w.round, filename="phieu.csv", data=data, now=utcnow())


def _recuse(w):
    assignment = _assignment(w, w.entries[0], w.judges[2])
    scoring.recuse(w.judges[2], assignment, "Người nhà", utcnow())


def _change_settings(w):
    r = w.round
    setup.save_round_settings(
        w.organiser,
        r,
        setup.RoundSettingsData(
            judges_per_entry=2,
            blind=r.blind,
            rank_by=r.rank_by,
            tie_break=list(r.tie_break),
            disagreement_threshold=r.disagreement_threshold,
            scoring_closes_at=r.scoring_closes_at,
        ),
    )


def _change_the_rubric(w):
    criteria = [
        setup.CriterionData(c.code, c.label, c.description, c.max_points, 2.0 if n == 0 else 1.0)
        for n, c in enumerate(common.criteria_of(w.round))
    ]
    setup.save_rubric(w.organiser, w.round, criteria)


def _withdraw(w):
    entries.withdraw(w.applicants[1], w.entries[1])


def _screen_out(w):
    entries.screen(w.organiser, w.entries[5], eligible=False, reason="Không ở tỉnh")


def _assignment(w, entry, judge):
    from portal.judging.models import Assignment

    return db.session.scalar(
        sa.select(Assignment).where(
            Assignment.round_id == w.round.id,
            Assignment.entry_id == entry.id,
            Assignment.judge_id == judge.id,
        )
    )


CHANGES = [
    _submit_a_new_sheet,
    _change_a_submitted_sheet,
    _import_paper_sheets,
    _recuse,
    _change_settings,
    _change_the_rubric,
    _withdraw,
    _screen_out,
]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_every_change_that_changes_the_ranking_makes_the_stored_one_stale(world, change):
    before = ranking.whole(world.round)
    assert not stale(world.round)
    change(world)
    db.session.expire_all()
    assert stale(world.round)
    computed = results.compute(world.round)
    # The change did change the ranking: the stored one would have been wrong.
    assert [(r.entry_id, r.rank, r.raw_score, r.flags, r.sheets) for r in computed.results] != [
        (r.entry_id, r.rank, r.raw_score, r.flags, r.sheets) for r in before.results
    ] or computed.round_mean != before.round_mean
    same(every_row(world.round, per_page=4), computed.results)
    assert not stale(world.round)


def _save_a_draft(w):
    assign(w, w.entries[5], w.judges[0])
    db.session.commit()
    assignment = _assignment(w, w.entries[5], w.judges[0])
    points = SheetInput({w.criteria[0].id: 10.0})
    scoring.save_sheet(w.judges[0], assignment, points, submit=False, now=utcnow())


def _submit_the_same_scores_again(w):
    assignment = _assignment(w, w.entries[0], w.judges[0])
    sheet = scoring.own_sheet(assignment)
    points = SheetInput(sheet.points_by_criterion(), sheet.comment, sheet.feedback)
    scoring.save_sheet(w.judges[0], assignment, points, submit=True, now=utcnow())


def _add_an_assignment(w):
    assigning.add_assignment(w.organiser, w.round, w.entries[5].id, w.judges[1].id)


def _change_a_category(w):
    """Not a change of the ranking: the page reads an entry's category as it is now."""
    w.entries[0].category_id = w.competition.categories[2].id
    db.session.commit()


NOT_CHANGES = [_save_a_draft, _submit_the_same_scores_again, _add_an_assignment, _change_a_category]


@pytest.mark.parametrize("change", NOT_CHANGES, ids=[c.__name__.strip("_") for c in NOT_CHANGES])
def test_what_does_not_change_the_ranking_keeps_it(world, change, monkeypatch):
    ranking.whole(world.round)
    change(world)
    db.session.expire_all()
    assert not stale(world.round)
    monkeypatch.setattr(ranking, "compute", lambda *a, **k: pytest.fail("computed again"))
    stored = ranking.whole(world.round)
    monkeypatch.undo()
    same(stored.results, results.compute(world.round).results)
    assert stored.entries == results.compute(world.round).entries


def test_advancing_and_taking_back_make_the_next_rounds_ranking_stale(world):
    ranking.finalise(
        world.organiser,
        world.round,
        accept_missing=True,
        seen_version=world.round.ranking_version,
        now=utcnow(),
    )
    final = world.final
    assert ranking.whole(final).results == []
    advancing.advance(world.organiser, world.round, top=2, now=utcnow())
    db.session.expire_all()
    assert stale(final) and not stale(world.round)  # this round's ranking does not move
    carried = set(db.session.scalars(sa.select(RoundEntry.entry_id)))
    assert len(carried) == 2
    assert {r.entry_id for r in ranking.whole(final).results} == carried
    advancing.advance(world.organiser, world.round, top=2, now=utcnow())  # the same again
    db.session.expire_all()
    assert not stale(final)
    results.reopen(world.organiser, world.round, reason="Nhập nhầm", now=utcnow())
    db.session.expire_all()
    assert stale(final)
    assert ranking.whole(final).results == []


def test_moving_a_round_to_first_place_makes_its_ranking_stale(world):
    from portal.competitions import services as competitions

    competition = world.competition
    competition.status = CompetitionStatus.OPEN
    db.session.commit()
    ranking.whole(world.final)
    first, final = world.round, world.final
    data = competitions.CompetitionData(
        title=competition.title,
        year=competition.year,
        level=competition.level,
        unit_id=competition.unit_id,
        reference_prefix=competition.reference_prefix,
        category_codes=[c.code for c in competition.categories if c.code],
        rounds=[
            competitions.RoundData(final.name, first.opens_at, first.closes_at, final.id),
            competitions.RoundData(first.name, final.opens_at, final.closes_at, first.id),
        ],
    )
    competitions.update_competition(world.organiser, competition, data)
    db.session.expire_all()
    assert world.final.position == 0
    assert stale(world.final)
    same(ranking.whole(world.final).results, results.compute(world.final).results)


def test_a_request_that_waited_for_the_lock_reads_what_the_other_one_stored(world, monkeypatch):
    """Two views of a stale ranking: the second waits on the round's lock while the first
    computes; once it has the lock it finds the ranking stored and reads it."""
    computed = []
    real_compute, real_lock = ranking.compute, ranking._lock

    def counting(round_, **kwargs):
        computed.append(round_.id)
        return real_compute(round_, **kwargs)

    def lock_after_the_other_request(round_):
        # What the first request did while this one waited: it computed, stored and committed.
        other = ranking._write(round_, counting(round_), header(round_), utcnow())
        db.session.commit()
        assert other.version == round_.ranking_version
        real_lock(round_)

    monkeypatch.setattr(ranking, "compute", counting)
    monkeypatch.setattr(ranking, "_lock", lock_after_the_other_request)
    shown = ranking.page_of(world.round, NO_FILTER, 1, 50)
    assert computed == [world.round.id]  # once, by the other request
    same(shown.page.items, real_compute(world.round).results)


def test_a_round_without_a_rubric_is_ranked_on_the_spot_and_never_stored(world):
    final = world.final
    db.session.execute(sa.delete(RubricCriterion).where(RubricCriterion.round_id == final.id))
    for entry in world.entries[:3]:
        db.session.add(
            RoundEntry(round_id=final.id, entry_id=entry.id, carried_by_id=world.organiser.id)
        )
    db.session.commit()
    shown = ranking.page_of(final, results.ResultFilters(flag="missing"), 1, 50)
    assert [r.entry_id for r in shown.page.items] == [e.id for e in world.entries[:3]]
    assert shown.missing == 3 and all(r.rank is None for r in shown.page.items)
    assert len(ranking.whole(final).results) == 3
    assert header(final) is None  # nothing stored: the round can still be removed
    assert (
        ranking.finalise(
            world.organiser,
            final,
            accept_missing=True,
            seen_version=final.ranking_version,
            now=utcnow(),
        )
        == 3
    )


# --- Making it final ------------------------------------------------------------------------------


def test_finalising_writes_the_ranking_that_was_shown(world):
    shown = ranking.page_of(world.round, NO_FILTER, 1, 50)
    stored = {
        row.entry_id: row
        for row in db.session.scalars(
            sa.select(RoundRankingRow).where(RoundRankingRow.round_id == world.round.id)
        )
    }
    assert (
        ranking.finalise(
            world.organiser,
            world.round,
            accept_missing=True,
            seen_version=shown.version,
            now=utcnow(),
        )
        == 6
    )
    for result in db.session.scalars(sa.select(RoundResult)):
        row = stored[result.entry_id]
        assert (result.rank, result.raw_score, result.normalised_score, result.sheets) == (
            row.rank,
            row.raw_score,
            row.normalised_score,
            row.sheets,
        )
        assert result.flags == [f for f in results.FLAGS if getattr(row, f)]
    [audit] = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "results.finalised")
    ).all()
    assert audit.after["ranking_version"] == shown.version


def test_a_ranking_that_changed_after_it_was_shown_is_not_made_final(world):
    shown = ranking.page_of(world.round, NO_FILTER, 1, 50)
    _submit_a_new_sheet(world)  # a judge, while the organiser reads the page
    with pytest.raises(ranking.StaleRanking) as refused:
        ranking.finalise(
            world.organiser,
            world.round,
            accept_missing=True,
            seen_version=shown.version,
            now=utcnow(),
        )
    assert refused.value.status == 409
    with force_locale("vi"):
        assert "đã thay đổi" in str(refused.value.message)
    with force_locale("en"):
        assert "changed after this page was shown" in str(refused.value.message)
    db.session.expire_all()
    assert world.round.results_final_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoundResult)) == 0
    with pytest.raises(ranking.StaleRanking):  # a form without its version is no better
        ranking.finalise(
            world.organiser, world.round, accept_missing=True, seen_version=None, now=utcnow()
        )
    newer = ranking.page_of(world.round, NO_FILTER, 1, 50)
    assert newer.version != shown.version
    ranking.finalise(
        world.organiser,
        world.round,
        accept_missing=True,
        seen_version=newer.version,
        now=utcnow(),
    )
    assert world.round.results_final_at is not None


def test_finalising_a_ranking_never_viewed_computes_it_first(world):
    assert header(world.round) is None
    with pytest.raises(DomainError) as refused:
        ranking.finalise(
            world.organiser,
            world.round,
            accept_missing=False,
            seen_version=world.round.ranking_version,
            now=utcnow(),
        )
    assert refused.value.field == "accept_missing"
    ranking.finalise(
        world.organiser,
        world.round,
        accept_missing=True,
        seen_version=world.round.ranking_version,
        now=utcnow(),
    )
    computed = results.compute(world.round)
    final = {r.entry_id: r for r in db.session.scalars(sa.select(RoundResult))}
    assert [
        (final[r.entry_id].rank, final[r.entry_id].normalised_score) for r in computed.results
    ] == [(r.rank, r.normalised_score) for r in computed.results]
    assert not stale(world.round)


# --- An independent recomputation -----------------------------------------------------------------


def _recompute_apart(round_) -> dict[int, dict]:
    """The rules of docs (aggregation.py's docstring) worked out again from the database's rows
    with SQL and arithmetic written here, without the portal's aggregation."""
    criteria = db.session.execute(
        sa.text(
            "SELECT id, code, max_points, weight FROM rubric_criterion WHERE round_id = :r "
            "ORDER BY position"
        ),
        {"r": round_.id},
    ).all()
    points = db.session.execute(
        sa.text(
            "SELECT a.entry_id, a.judge_id, s.criterion_id, s.points FROM score s "
            "JOIN score_sheet h ON h.id = s.sheet_id JOIN judge_assignment a "
            "ON a.id = h.assignment_id WHERE h.round_id = :r AND h.status = 'submitted' "
            "AND a.recused_at IS NULL"
        ),
        {"r": round_.id},
    ).all()
    recused = set(
        db.session.scalars(
            sa.text(
                "SELECT entry_id FROM judge_assignment WHERE round_id = :r "
                "AND recused_at IS NOT NULL"
            ),
            {"r": round_.id},
        )
    )
    entries = dict(
        db.session.execute(
            sa.text(
                "SELECT id, submitted_at FROM entry WHERE competition_id = :c AND status IN "
                "('eligible', 'in_judging', 'advanced', 'not_advanced', 'awarded')"
            ),
            {"c": round_.competition_id},
        ).all()
    )
    by_sheet: dict[tuple[int, int], dict[int, float]] = {}
    for entry_id, judge_id, criterion_id, value in points:
        by_sheet.setdefault((entry_id, judge_id), {})[criterion_id] = value
    out = math.fsum(w * m for _, _, m, w in criteria)
    totals = {
        key: 100.0 * math.fsum(w * got[cid] for cid, _, _, w in criteria) / out
        for key, got in by_sheet.items()
    }

    def mean_spread(values):
        mean = math.fsum(values) / len(values)
        return mean, math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))

    big_m, big_s = mean_spread(list(totals.values()))
    judge_stats = {}
    for judge in {j for _, j in totals}:
        values = [t for (_, j), t in totals.items() if j == judge]
        judge_stats[judge] = (len(values), *mean_spread(values))
    out_rows = {}
    for entry_id in entries:
        mine = {j: t for (e, j), t in totals.items() if e == entry_id}
        normal = {}
        for judge, value in mine.items():
            count, m, s = judge_stats[judge]
            normal[judge] = big_m + big_s * (value - m) / s if count >= 3 and s > 0 else value
        sheets = [by_sheet[(entry_id, j)] for j in mine]
        out_rows[entry_id] = {
            "raw": math.fsum(mine.values()) / len(mine) if mine else None,
            "normalised": math.fsum(normal.values()) / len(normal) if normal else None,
            "means": {
                code: math.fsum(s[cid] for s in sheets) / len(sheets)
                for cid, code, _, _ in criteria
            }
            if sheets
            else {},
            "totals": mine,
            "normal": normal,
            "flags": (
                ["disagreement"]
                if mine and max(mine.values()) - min(mine.values()) > round_.disagreement_threshold
                else []
            )  # fmt: skip
            + (["missing"] if len(mine) < round_.judges_per_entry else [])
            + (["recused"] if entry_id in recused else []),
            "submitted_at": entries[entry_id],
        }
    score_of = "raw" if round_.rank_by == "raw" else "normalised"
    scored = sorted(
        (e for e in out_rows if out_rows[e][score_of] is not None),
        key=lambda e: (
            -round(out_rows[e][score_of], 9),
            *[-round(out_rows[e]["means"][c], 9) for c in round_.tie_break],
            str(out_rows[e]["submitted_at"]),
            e,
        ),
    )
    previous, rank = None, None
    for place, entry_id in enumerate(scored, start=1):
        row = out_rows[entry_id]
        key = (round(row[score_of], 9), *[round(row["means"][c], 9) for c in round_.tie_break])
        key += (str(row["submitted_at"]),)
        rank = place if key != previous else rank
        row["rank"], previous = rank, key
    for entry_id in out_rows:
        out_rows[entry_id].setdefault("rank", None)
    return out_rows


def test_an_independent_recomputation_agrees_exactly_with_the_stored_ranking_and_its_export(
    world,
):
    ranking.page_of(world.round, NO_FILTER, 1, 50)
    apart = _recompute_apart(world.round)
    rows = db.session.scalars(
        sa.select(RoundRankingRow)
        .where(RoundRankingRow.round_id == world.round.id)
        .order_by(RoundRankingRow.position)
    ).all()
    assert {row.entry_id for row in rows} == set(apart)
    for row in rows:
        mine = apart[row.entry_id]
        assert row.rank == mine["rank"]
        assert row.raw_score == mine["raw"]
        assert row.normalised_score == mine["normalised"]
        assert row.criterion_means == mine["means"]
        assert {j: t for j, t, _ in row.judges} == mine["totals"]
        assert {j: n for j, _, n in row.judges} == mine["normal"]
        assert [f for f in results.FLAGS if getattr(row, f)] == mine["flags"]
    # The export carries the same numbers, two decimals, in the stored order.
    with force_locale("en"):
        lines = list(csv.reader(io.StringIO(results.export_csv(ranking.whole(world.round))[1:])))
    references = {e.reference: e.id for e in world.entries}

    def two(value):
        return "" if value is None else f"{round(value, 2):.2f}"

    assert [references[line[1]] for line in lines[1:]] == [row.entry_id for row in rows]
    for line in lines[1:]:
        mine = apart[references[line[1]]]
        assert line[0] == ("" if mine["rank"] is None else str(mine["rank"]))
        assert line[3:5] == [two(mine["raw"]), two(mine["normalised"])]
    # From the export alone, each raw score is the mean of the judges' totals it lists.
    judges = len(lines[0]) - 13
    for line in lines[1:]:
        given = [float(v) for v in line[13 : 13 + judges] if v]
        if given:
            assert abs(sum(given) / len(given) - float(line[3])) <= 0.01
