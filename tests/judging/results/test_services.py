"""Results from the database: loading, ranking, explanation, export, final results, advancing."""

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import load_workbook

from portal.core.audit import AuditLog
from portal.core.errors import DomainError
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.judging.models import RoundEntry, RoundResult, SheetStatus
from portal.judging.results import advancing, ranking
from portal.judging.results import services as results
from portal.judging.results.aggregation import Criterion, EntryInfo, Sheet, aggregate
from tests.factories import assign, make_judging, score
from tests.snapshots import cached

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")


def finalise(actor, round_, **kwargs) -> int:
    """Make the results final as the page would: with the ranking version it shows."""
    return ranking.finalise(actor, round_, seen_version=round_.ranking_version, **kwargs)


def audits(action: str) -> list[AuditLog]:
    return list(
        db.session.scalars(
            sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        )
    )


def make_world(units):
    """Six entries, four judges; a hand-made set of sheets (totals out of 100 shown below)."""
    w = make_judging(units, entries=6, judges=4)
    e, j = w.entries, w.judges
    w.round.rank_by = "raw"
    w.round.judges_per_entry = 3
    w.round.disagreement_threshold = 20
    score(w, e[0], j[0], 0.9)  # e0: 90, 80, 85 → 85
    score(w, e[0], j[1], 0.8)
    score(w, e[0], j[2], 0.85)
    score(w, e[1], j[0], 0.9)  # e1: 90, 60, 78 → 76, disagreement (30 > 20)
    score(w, e[1], j[1], 0.6)
    score(w, e[1], j[2], 0.78)
    score(w, e[2], j[1], 0.7)  # e2: 70, 80 → 75, missing (2 < 3), recused (j3 withdrew)
    score(w, e[2], j[2], 0.8)
    assign(w, e[2], j[3], recused=True)
    score(w, e[3], j[0], 0.76)  # e3: 76, 76, 76 → 76: ties e1 on the raw score
    score(w, e[3], j[1], 0.76)
    score(w, e[3], j[3], 0.76)
    score(w, e[4], j[0], 0.5, status=SheetStatus.DRAFT)  # e4: only a draft → no score
    # e5: no sheet at all
    db.session.commit()
    return w


@pytest.fixture
def world(units):
    return cached(make_world, units)


def test_the_ranking_is_computed_from_submitted_sheets_of_active_assignments(world):
    ranking = results.compute(world.round)
    by_entry = {r.entry_id: r for r in ranking.results}
    e = world.entries
    assert by_entry[e[0].id].raw_score == pytest.approx(85)
    assert by_entry[e[1].id].raw_score == pytest.approx(76)
    assert by_entry[e[2].id].raw_score == pytest.approx(75)
    assert by_entry[e[3].id].raw_score == pytest.approx(76)
    assert by_entry[e[4].id].raw_score is None and by_entry[e[4].id].rank is None
    assert by_entry[e[5].id].raw_score is None and by_entry[e[5].id].rank is None
    assert by_entry[e[1].id].flags == ["disagreement"]
    assert by_entry[e[2].id].flags == ["missing", "recused"]
    assert by_entry[e[4].id].flags == ["missing"]
    assert by_entry[e[0].id].flags == []
    # e1 and e3 tie at 76: the earlier submission first (entry n was submitted n minutes earlier).
    assert [ranking.entries[r.entry_id].reference for r in ranking.results[:4]] == [
        e[0].reference,
        e[3].reference,
        e[1].reference,
        e[2].reference,
    ]
    assert [r.rank for r in ranking.results] == [1, 2, 3, 4, None, None]
    assert by_entry[e[0].id].criterion_means["creativity"] == pytest.approx((18 + 16 + 17) / 3)
    assert ranking.judges[world.judges[0].id].email == world.judges[0].email


def test_a_tie_break_criterion_orders_entries_of_equal_score(units):
    w = make_judging(units, entries=2, judges=1)
    w.round.rank_by = "raw"
    w.round.judges_per_entry = 1
    base = {"feasibility": 10, "technology": 10, "team": 10, "sustainability": 5}
    # Equal totals (55); the later entry (0) is stronger on social impact.
    score(w, w.entries[0], w.judges[0], {**base, "creativity": 5, "social_impact": 15})
    score(w, w.entries[1], w.judges[0], {**base, "creativity": 15, "social_impact": 5})
    db.session.commit()
    ranking = results.compute(w.round)
    assert [r.entry_id for r in ranking.results] == [w.entries[1].id, w.entries[0].id]
    w.round.tie_break = ["social_impact"]
    db.session.commit()
    ranking = results.compute(w.round)
    assert [r.entry_id for r in ranking.results] == [w.entries[0].id, w.entries[1].id]
    assert [r.rank for r in ranking.results] == [1, 2]


def test_the_database_ranking_equals_the_pure_aggregation_of_the_same_sheets(world):
    """Recompute by hand, from the numbers the test wrote, with the normalised score."""
    world.round.rank_by = "normalised"
    world.round.tie_break = ["feasibility"]
    db.session.commit()
    e, j = world.entries, world.judges
    criteria = [Criterion(c.code, c.max_points, c.weight) for c in world.criteria]

    def sheet(entry, judge, share):
        return Sheet(judge.id, entry.id, {c.code: round(share * c.max_points, 2) for c in criteria})

    sheets = [
        sheet(e[0], j[0], 0.9),
        sheet(e[0], j[1], 0.8),
        sheet(e[0], j[2], 0.85),
        sheet(e[1], j[0], 0.9),
        sheet(e[1], j[1], 0.6),
        sheet(e[1], j[2], 0.78),
        sheet(e[2], j[1], 0.7),
        sheet(e[2], j[2], 0.8),
        sheet(e[3], j[0], 0.76),
        sheet(e[3], j[1], 0.76),
        sheet(e[3], j[3], 0.76),
    ]
    infos = [EntryInfo(x.id, x.submitted_at, x is e[2]) for x in e]
    expected = aggregate(
        criteria,
        sheets,
        infos,
        judges_per_entry=3,
        disagreement_threshold=20,
        rank_by="normalised",
        tie_break=["feasibility"],
    )
    got = results.compute(world.round).results
    assert [(r.entry_id, r.rank, r.flags) for r in got] == [
        (r.entry_id, r.rank, r.flags) for r in expected
    ]
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.normalised_score == theirs.normalised_score
        assert mine.normalised == theirs.normalised
    ranking = results.compute(world.round)
    assert ranking.judge_stats[j[0].id].sheets == 3
    assert ranking.judge_stats[j[0].id].mean == pytest.approx((90 + 90 + 76) / 3)


def test_a_withdrawn_entry_and_another_rounds_sheets_are_left_out(world):
    world.entries[5].status = EntryStatus.WITHDRAWN
    score(world, world.entries[0], world.judges[3], 0.1, round_=world.final)
    db.session.commit()
    ranking = results.compute(world.round)
    assert world.entries[5].id not in ranking.entries
    first = next(r for r in ranking.results if r.entry_id == world.entries[0].id)
    assert first.sheets == 3


def test_filters_by_flag_category_and_search_without_diacritics(world):
    world.entries[1].title = "Dệt thổ cẩm Điện Biên"
    db.session.commit()
    ranking = results.compute(world.round)
    flagged = results.filtered(ranking, results.ResultFilters(flag="disagreement"))
    assert [r.entry_id for r in flagged] == [world.entries[1].id]
    found = results.filtered(ranking, results.ResultFilters(search="dien bien"))
    assert [r.entry_id for r in found] == [world.entries[1].id]
    by_reference = results.filtered(
        ranking, results.ResultFilters(search=world.entries[3].reference.lower())
    )
    assert [r.entry_id for r in by_reference] == [world.entries[3].id]
    category = world.entries[0].category_id
    in_category = results.filtered(ranking, results.ResultFilters(category_id=category))
    assert {r.entry_id for r in in_category} == {
        x.id for x in world.entries if x.category_id == category
    }
    page = results.paginate(list(range(120)), 3, 50)
    assert page.items == list(range(100, 120)) and page.pages == 3
    assert results.paginate([], 7, 50).page == 1


def test_the_csv_export_has_every_column_and_the_whole_ranking(world):
    world.entries[0].title = '=HYPERLINK("http://x")'
    db.session.commit()
    ranking = results.compute(world.round)
    with force_locale("en"):
        exported = results.export_csv(ranking)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    judges = sorted(world.judges, key=lambda u: u.email.lower())
    heads = ["Rank", "Reference", "Title of the idea", "Raw score", "Normalised score", "Sheets"]
    assert rows[0][:9] == [*heads, "Flags", "Creativity and novelty", "Feasibility and market"]
    assert len(rows[0]) == 13 + len(judges) and rows[0][13:] == [u.email for u in judges]
    assert len(rows) == 1 + 6
    top = rows[1]
    assert top[:7] == [
        "1",
        world.entries[0].reference,
        '\'=HYPERLINK("http://x")',
        "85.00",
        top[4],
        "3",
        "",
    ]
    assert top[7] == "17.00"
    column = {u.id: 13 + i for i, u in enumerate(judges)}
    assert top[column[world.judges[0].id]] == "90.00"
    assert top[column[world.judges[3].id]] == ""  # she did not score it
    second_tie = next(r for r in rows if r[1] == world.entries[2].reference)
    assert second_tie[6] == "Sheets missing; A judge recused herself"
    unscored = next(r for r in rows if r[1] == world.entries[5].reference)
    assert unscored[0] == "" and unscored[3] == "" and unscored[6] == "Sheets missing"


def test_the_xlsx_export_holds_numbers_with_two_decimals(world):
    ranking = results.compute(world.round)
    book = load_workbook(io.BytesIO(results.export_xlsx(ranking)))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[:7] == results.EXPORT_COLUMNS
    assert sheet.cell(row=2, column=4).value == 85.0
    assert sheet.cell(row=2, column=4).number_format == "0.00"
    assert sheet.max_row == 7


def test_finalising_writes_the_snapshot_and_locks_scores(world):
    now = utcnow()
    with pytest.raises(DomainError) as refused:
        finalise(world.organiser, world.round, accept_missing=False, now=now)
    assert refused.value.field == "accept_missing"
    assert world.round.results_final_at is None
    assert finalise(world.organiser, world.round, accept_missing=True, now=now) == 6
    assert world.round.results_final_at == now
    stored = {r.entry_id: r for r in db.session.scalars(sa.select(RoundResult))}
    assert stored[world.entries[0].id].rank == 1
    assert stored[world.entries[0].id].raw_score == pytest.approx(85)
    assert stored[world.entries[2].id].flags == ["missing", "recused"]
    assert stored[world.entries[2].id].sheets == 2
    [row] = audits("results.finalised")
    assert row.after["entries"] == 6 and row.after["missing"] == 3
    from portal.judging import common

    assert not common.scoring_open(world.round, now)
    with pytest.raises(DomainError):
        finalise(world.organiser, world.round, accept_missing=True, now=now)


def test_someone_from_elsewhere_cannot_finalise(world, units):
    from portal.auth.models import Role
    from tests.factories import UserFactory

    other = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    with pytest.raises(DomainError):
        finalise(other, world.round, accept_missing=True, now=utcnow())


def test_reopening_needs_a_reason_and_is_audited(world):
    now = utcnow()
    finalise(world.organiser, world.round, accept_missing=True, now=now)
    with pytest.raises(DomainError):
        results.reopen(world.organiser, world.round, reason="  ", now=now)
    results.reopen(world.organiser, world.round, reason="Giám khảo nhập nhầm điểm", now=now)
    assert world.round.results_final_at is None
    [row] = audits("results.reopened")
    assert row.after["reason"] == "Giám khảo nhập nhầm điểm"
    # Finalising again rewrites the snapshot rather than adding to it.
    finalise(world.organiser, world.round, accept_missing=True, now=now)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoundResult)) == 6
    with pytest.raises(DomainError):
        results.reopen(world.organiser, world.round, reason="", now=now)


def _final(world):
    finalise(world.organiser, world.round, accept_missing=True, now=utcnow())


def _status(entry) -> EntryStatus:
    return db.session.scalar(sa.select(Entry.status).where(Entry.id == entry.id))


def test_advancing_needs_final_results(world):
    with pytest.raises(DomainError):
        advancing.plan_advance(world.round, top=2)


def test_the_top_n_advance_with_every_entry_sharing_the_rank_at_the_cut(world):
    world.round.tie_break = []
    db.session.commit()
    _final(world)
    # Make e1 and e3 share rank 2 in the snapshot (equal on everything).
    for result in db.session.scalars(sa.select(RoundResult)):
        if result.entry_id in (world.entries[1].id, world.entries[3].id):
            result.rank = 2
    db.session.commit()
    plan = advancing.plan_advance(world.round, top=2)
    assert {r.entry_id for r in plan.advancing} == {
        world.entries[0].id,
        world.entries[1].id,
        world.entries[3].id,
    }
    assert plan.tied_at_cut == 1
    assert len(plan.staying) == 3
    done = advancing.advance(world.organiser, world.round, top=2, now=utcnow())
    assert done.next_round.id == world.final.id
    carried = set(db.session.scalars(sa.select(RoundEntry.entry_id)))
    assert carried == {world.entries[0].id, world.entries[1].id, world.entries[3].id}
    assert _status(world.entries[0]) is EntryStatus.ADVANCED
    assert _status(world.entries[2]) is EntryStatus.NOT_ADVANCED
    assert _status(world.entries[5]) is EntryStatus.NOT_ADVANCED
    advanced = set(
        db.session.scalars(sa.select(RoundResult.entry_id).where(RoundResult.advanced.is_(True)))
    )
    assert advanced == carried
    assert len(audits("results.advanced")) == 1
    assert len(audits("entry.status")) == 6
    # Idempotent: again, nothing doubles and no status changes again.
    advancing.advance(world.organiser, world.round, top=2, now=utcnow())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoundEntry)) == 3
    assert len(audits("entry.status")) == 6


def test_advancing_by_score_and_changing_the_choice(world):
    _final(world)
    advancing.advance(world.organiser, world.round, at_least=80, now=utcnow())
    assert set(db.session.scalars(sa.select(RoundEntry.entry_id))) == {world.entries[0].id}
    advancing.advance(world.organiser, world.round, at_least=76, now=utcnow())
    assert set(db.session.scalars(sa.select(RoundEntry.entry_id))) == {
        world.entries[0].id,
        world.entries[1].id,
        world.entries[3].id,
    }
    advancing.advance(world.organiser, world.round, top=1, now=utcnow())
    assert set(db.session.scalars(sa.select(RoundEntry.entry_id))) == {world.entries[0].id}
    assert _status(world.entries[1]) is EntryStatus.NOT_ADVANCED


def test_the_last_round_has_nowhere_to_advance(world):
    world.final.results_final_at = utcnow()
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        advancing.plan_advance(world.final, top=1)
    assert "last round" in refused.value.message or refused.value.message


def test_reopening_takes_advanced_entries_back_until_the_next_round_scores(world):
    _final(world)
    advancing.advance(world.organiser, world.round, top=1, now=utcnow())
    results.reopen(world.organiser, world.round, reason="Sai sót", now=utcnow())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoundEntry)) == 0
    assert _status(world.entries[0]) is EntryStatus.IN_JUDGING
    _final(world)
    advancing.advance(world.organiser, world.round, top=1, now=utcnow())
    world.final.scoring_started_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(DomainError):
        results.reopen(world.organiser, world.round, reason="Sai sót", now=utcnow())
    with pytest.raises(DomainError):
        advancing.advance(world.organiser, world.round, top=3, now=utcnow())
    assert world.round.results_final_at is not None
