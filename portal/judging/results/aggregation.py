"""Aggregation of score sheets into scores, flags and ranks, exactly as the rules state.

Pure functions over plain data, so that anyone can recompute a ranking from an export:

- Judge j's total for entry e: T(j,e) = 100 × Σc w_c·p_c / Σc w_c·max_c.
- Raw score of e: the mean of T(j,e) over its submitted sheets.
- Normalised score of e: the mean of N(j,e), where for a judge with at least 3 sheets in the
  round and a non-zero spread N(j,e) = M + S × (T(j,e) − m_j) / s_j (m_j, s_j: mean and
  population standard deviation of her totals; M, S: those of all totals in the round), and
  N(j,e) = T(j,e) for any other judge.
- Flags: "disagreement" when max T − min T of an entry exceeds the threshold, "missing" when
  it has fewer sheets than k, "recused" when a judge withdrew from it.
- Rank: by the chosen score, then by each tie-break criterion's mean points (in the declared
  order), then by the earlier submission, higher first for scores; entries equal on all of these
  share a rank (1, 2, 2, 4). Entries without a sheet have no score and no rank.

Sums use math.fsum in a fixed order, so the same sheets always give the same numbers; scores are
compared after rounding to 9 decimals, so that float noise never splits a tie.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean

MIN_SHEETS_TO_NORMALISE = 3
TIE_PRECISION = 9


@dataclass(frozen=True)
class Criterion:
    code: str
    max_points: float
    weight: float = 1.0


@dataclass(frozen=True)
class Sheet:
    """A submitted score sheet: one judge's points for one entry, by criterion code."""

    judge_id: int
    entry_id: int
    points: dict[str, float]


@dataclass(frozen=True)
class EntryInfo:
    entry_id: int
    submitted_at: datetime
    recused: bool = False  # a judge withdrew from it


@dataclass
class EntryResult:
    entry_id: int
    totals: dict[int, float] = field(default_factory=dict)  # T(j,e) by judge
    normalised: dict[int, float] = field(default_factory=dict)  # N(j,e) by judge
    criterion_means: dict[str, float] = field(default_factory=dict)
    raw_score: float | None = None
    normalised_score: float | None = None
    flags: list[str] = field(default_factory=list)
    rank: int | None = None

    @property
    def sheets(self) -> int:
        return len(self.totals)


def total(criteria: Sequence[Criterion], points: dict[str, float]) -> float:
    """T = 100 × Σ w·p / Σ w·max, over the rubric's criteria in their order."""
    numerator = math.fsum(c.weight * points[c.code] for c in criteria)
    denominator = math.fsum(c.weight * c.max_points for c in criteria)
    return 100.0 * numerator / denominator


def _mean_and_spread(values: Sequence[float]) -> tuple[float, float]:
    """Mean and population standard deviation."""
    mean = math.fsum(values) / len(values)
    variance = math.fsum((v - mean) ** 2 for v in values) / len(values)
    return mean, math.sqrt(variance)


def aggregate(
    criteria: Sequence[Criterion],
    sheets: Iterable[Sheet],
    entries: Iterable[EntryInfo],
    *,
    judges_per_entry: int,
    disagreement_threshold: float,
    rank_by: str = "normalised",
    tie_break: Sequence[str] = (),
) -> list[EntryResult]:
    """Scores, flags and ranks of a round's entries, best first (unscored entries last)."""
    if rank_by not in ("raw", "normalised"):
        raise ValueError("rank_by is 'raw' or 'normalised'")
    info = {e.entry_id: e for e in entries}
    results = {entry_id: EntryResult(entry_id) for entry_id in sorted(info)}
    by_judge: dict[int, list[tuple[int, float]]] = defaultdict(list)
    points_by_entry: dict[int, list[dict[str, float]]] = defaultdict(list)
    for sheet in sorted(sheets, key=lambda s: (s.entry_id, s.judge_id)):
        if sheet.entry_id not in results:
            continue
        value = total(criteria, sheet.points)
        results[sheet.entry_id].totals[sheet.judge_id] = value
        by_judge[sheet.judge_id].append((sheet.entry_id, value))
        points_by_entry[sheet.entry_id].append(sheet.points)

    all_totals = [v for judge in sorted(by_judge) for _, v in by_judge[judge]]
    if all_totals:
        round_mean, round_spread = _mean_and_spread(all_totals)
    for judge in sorted(by_judge):
        values = [v for _, v in by_judge[judge]]
        mean, spread = _mean_and_spread(values)
        adjust = len(values) >= MIN_SHEETS_TO_NORMALISE and spread > 0
        for entry_id, value in by_judge[judge]:
            normal = round_mean + round_spread * (value - mean) / spread if adjust else value
            results[entry_id].normalised[judge] = normal

    for entry_id, result in results.items():
        if result.totals:
            judges = sorted(result.totals)
            result.raw_score = math.fsum(result.totals[j] for j in judges) / len(judges)
            result.normalised_score = math.fsum(result.normalised[j] for j in judges) / len(judges)
            for c in criteria:
                result.criterion_means[c.code] = fmean(p[c.code] for p in points_by_entry[entry_id])
            if max(result.totals.values()) - min(result.totals.values()) > disagreement_threshold:
                result.flags.append("disagreement")
        if result.sheets < judges_per_entry:
            result.flags.append("missing")
        if info[entry_id].recused:
            result.flags.append("recused")

    return _rank(list(results.values()), info, rank_by, tie_break)


def _rank(
    results: list[EntryResult], info: dict[int, EntryInfo], rank_by: str, tie_break: Sequence[str]
) -> list[EntryResult]:
    def key(result: EntryResult) -> tuple:
        score = result.raw_score if rank_by == "raw" else result.normalised_score
        means = tuple(-round(result.criterion_means[code], TIE_PRECISION) for code in tie_break)
        return (-round(score, TIE_PRECISION), *means, info[result.entry_id].submitted_at)

    scored = sorted((r for r in results if r.totals), key=lambda r: (key(r), r.entry_id))
    previous = None
    for position, result in enumerate(scored, start=1):
        current = key(result)
        result.rank = position if current != previous else scored[position - 2].rank
        previous = current
    unscored = [r for r in results if not r.totals]
    return scored + unscored
