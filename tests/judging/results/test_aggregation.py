"""The aggregation rules against hand-computed examples, and their invariants (hypothesis)."""

import math
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.judging.results.aggregation import Criterion, EntryInfo, Sheet, aggregate, total

T0 = datetime(2026, 3, 8, 1, 0, tzinfo=UTC)
ONE = [Criterion("score", 100)]  # one criterion out of 100: the points are the total


def entries(*ids, recused=()):
    return [EntryInfo(i, T0 + timedelta(minutes=i), recused=i in recused) for i in ids]


def sheet(judge, entry, **points):
    return Sheet(judge, entry, points)


def by_id(results):
    return {r.entry_id: r for r in results}


def test_the_total_weights_each_criterion():
    criteria = [Criterion("A", 10, 1), Criterion("B", 20, 2)]
    assert total(criteria, {"A": 5, "B": 10}) == 50.0  # 100 × (5 + 20) / (10 + 40)
    assert total(criteria, {"A": 10, "B": 20}) == 100.0
    assert total(criteria, {"A": 0, "B": 20}) == 80.0


def test_a_hand_computed_round_with_normalisation():
    # Judge 1 spreads her totals (40, 60, 80); judge 2 gives everyone 70 (no spread: N = T).
    sheets = [
        sheet(1, 1, score=40),
        sheet(1, 2, score=60),
        sheet(1, 3, score=80),
        sheet(2, 1, score=70),
        sheet(2, 2, score=70),
        sheet(2, 3, score=70),
    ]
    results = by_id(
        aggregate(ONE, sheets, entries(1, 2, 3), judges_per_entry=2, disagreement_threshold=20)
    )
    # All totals: mean M = 65, population deviation S = sqrt(950 / 6); judge 1: m = 60, s = sqrt(800 / 3).
    big_s, small_s = math.sqrt(950 / 6), math.sqrt(800 / 3)
    n_low = 65 + big_s * (40 - 60) / small_s
    assert results[1].normalised == pytest.approx({1: n_low, 2: 70})
    assert results[1].raw_score == 55
    assert results[1].normalised_score == pytest.approx((n_low + 70) / 2)  # 59.79…
    assert results[2].normalised_score == pytest.approx(67.5)
    assert results[3].normalised_score == pytest.approx((65 + big_s * 20 / small_s + 70) / 2)
    assert [round(results[i].normalised_score, 2) for i in (1, 2, 3)] == [59.79, 67.5, 75.21]
    assert [results[i].rank for i in (3, 2, 1)] == [1, 2, 3]
    assert results[1].flags == ["disagreement"]  # 40 and 70 differ by 30 > 20
    assert results[3].flags == []  # 80 and 70 differ by 10


def test_judges_with_fewer_than_three_sheets_are_not_normalised():
    sheets = [sheet(1, 1, score=90), sheet(1, 2, score=30), sheet(2, 3, score=55)]
    results = by_id(
        aggregate(ONE, sheets, entries(1, 2, 3), judges_per_entry=1, disagreement_threshold=20)
    )
    assert results[1].normalised == {1: 90} and results[3].normalised == {2: 55}
    assert results[1].normalised_score == results[1].raw_score == 90


def test_single_judge_entries_and_missing_sheets_are_flagged():
    sheets = [sheet(1, 1, score=80)]
    results = by_id(
        aggregate(
            ONE, sheets, entries(1, 2, recused={1}), judges_per_entry=3, disagreement_threshold=20
        )
    )
    assert results[1].flags == ["missing", "recused"]
    assert results[1].rank == 1
    assert (
        results[2].raw_score is None and results[2].rank is None and results[2].flags == ["missing"]
    )


def test_ties_break_on_the_criteria_in_order_then_on_the_earlier_submission():
    criteria = [Criterion("creativity", 10), Criterion("market", 10)]
    sheets = [
        sheet(1, 1, creativity=6, market=4),  # total 50, creativity 6
        sheet(1, 2, creativity=4, market=6),  # total 50, creativity 4
        sheet(1, 3, creativity=6, market=4),  # same as entry 1, submitted later
        sheet(1, 4, creativity=9, market=9),
    ]
    ranked = aggregate(
        criteria,
        sheets,
        entries(1, 2, 3, 4),
        judges_per_entry=1,
        disagreement_threshold=20,
        rank_by="raw",
        tie_break=["creativity"],
    )
    assert [(r.entry_id, r.rank) for r in ranked] == [(4, 1), (1, 2), (3, 3), (2, 4)]


def test_entries_equal_on_everything_share_a_rank():
    same_time = [EntryInfo(1, T0), EntryInfo(2, T0), EntryInfo(3, T0)]
    sheets = [sheet(1, 1, score=70), sheet(1, 2, score=70), sheet(1, 3, score=60)]
    ranked = aggregate(
        ONE, sheets, same_time, judges_per_entry=1, disagreement_threshold=20, rank_by="raw"
    )
    assert [(r.entry_id, r.rank) for r in ranked] == [(1, 1), (2, 1), (3, 3)]


def test_criterion_means_explain_the_score():
    criteria = [Criterion("A", 10), Criterion("B", 10)]
    sheets = [sheet(1, 1, A=8, B=6), sheet(2, 1, A=6, B=5)]
    [result] = aggregate(
        criteria, sheets, entries(1), judges_per_entry=2, disagreement_threshold=20
    )
    assert result.criterion_means == {"A": 7, "B": 5.5}
    assert result.totals == {1: 70, 2: 55}


# --- Invariants ------------------------------------------------------------------------------------

score_sets = st.lists(
    st.tuples(st.integers(1, 6), st.integers(1, 15), st.integers(0, 10), st.integers(0, 20)),
    min_size=1,
    max_size=60,
    unique_by=lambda t: (t[0], t[1]),
)
CRITERIA = [Criterion("A", 10, 2), Criterion("B", 20, 1)]


def run(rows, rank_by="normalised"):
    sheets = [Sheet(j, e, {"A": a, "B": b}) for j, e, a, b in rows]
    ids = sorted({e for _, e, _, _ in rows})
    return aggregate(
        CRITERIA,
        sheets,
        entries(*ids),
        judges_per_entry=3,
        disagreement_threshold=20,
        rank_by=rank_by,
        tie_break=["A"],
    )


@settings(max_examples=150, deadline=None)
@given(score_sets, st.sampled_from(["raw", "normalised"]))
def test_ranks_follow_the_scores(rows, rank_by):
    results = run(rows, rank_by)
    scores = [r.raw_score if rank_by == "raw" else r.normalised_score for r in results]
    assert all(round(a, 9) >= round(b, 9) for a, b in zip(scores, scores[1:], strict=False))
    assert results[0].rank == 1
    for earlier, later in zip(results, results[1:], strict=False):
        assert later.rank in (earlier.rank, results.index(later) + 1)


@settings(max_examples=100, deadline=None)
@given(score_sets, st.randoms(use_true_random=False))
def test_the_order_of_the_sheets_changes_nothing(rows, rng: random.Random):
    shuffled = rows[:]
    rng.shuffle(shuffled)
    first, second = run(rows), run(shuffled)
    assert [(r.entry_id, r.rank, r.raw_score, r.normalised_score, r.flags) for r in first] == [
        (r.entry_id, r.rank, r.raw_score, r.normalised_score, r.flags) for r in second
    ]


@settings(max_examples=100, deadline=None)
@given(score_sets)
def test_a_normalised_judge_keeps_the_rounds_mean_and_spread(rows):
    results = run(rows)
    all_totals = [t for r in results for t in r.totals.values()]
    mean = sum(all_totals) / len(all_totals)
    spread = math.sqrt(sum((t - mean) ** 2 for t in all_totals) / len(all_totals))
    for judge in {j for j, _, _, _ in rows}:
        totals = [r.totals[judge] for r in results if judge in r.totals]
        normalised = [r.normalised[judge] for r in results if judge in r.normalised]
        judge_spread = math.sqrt(
            sum((t - sum(totals) / len(totals)) ** 2 for t in totals) / len(totals)
        )
        if len(totals) >= 3 and judge_spread > 0:
            assert sum(normalised) / len(normalised) == pytest.approx(mean, abs=1e-6)
        else:
            assert normalised == totals
        for t in totals:
            assert 0 <= t <= 100
    assert spread >= 0
