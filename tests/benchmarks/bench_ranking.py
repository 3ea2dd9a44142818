"""Benchmark: ranking a round of 10,000 entries × 5 judges × 6 criteria.

    .venv/bin/python -m tests.benchmarks.bench_ranking [--entries 10000] [--judges-per-entry 5]

Generates seeded score sheets (each judge a little lenient or harsh), then times aggregate()
with normalisation and two tie-break criteria. Prints the best of three runs.
"""

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from portal.judging.results.aggregation import Criterion, EntryInfo, Sheet, aggregate

CRITERIA = [
    Criterion("creativity", 20, 1.0),
    Criterion("feasibility", 20, 1.5),
    Criterion("technology", 10, 1.0),
    Criterion("team", 15, 1.0),
    Criterion("impact", 20, 1.5),
    Criterion("sustainability", 15, 1.0),
]


def generate(entries: int, per_entry: int, judges: int, seed: int = 2026):
    rng = random.Random(seed)
    leniency = {j: rng.uniform(-0.15, 0.15) for j in range(1, judges + 1)}
    start = datetime(2026, 3, 1, tzinfo=UTC)
    infos = [EntryInfo(e, start + timedelta(seconds=e)) for e in range(1, entries + 1)]
    sheets = []
    for e in range(1, entries + 1):
        quality = rng.random()
        for j in rng.sample(range(1, judges + 1), per_entry):
            points = {
                c.code: max(
                    0,
                    min(
                        c.max_points,
                        round(c.max_points * (quality + leniency[j] + rng.gauss(0, 0.1))),
                    ),
                )
                for c in CRITERIA
            }
            sheets.append(Sheet(j, e, points))
    return infos, sheets


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--judges-per-entry", type=int, default=5)
    parser.add_argument("--judges", type=int, default=60)
    args = parser.parse_args()
    infos, sheets = generate(args.entries, args.judges_per_entry, args.judges)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        results = aggregate(
            CRITERIA,
            sheets,
            infos,
            judges_per_entry=args.judges_per_entry,
            disagreement_threshold=20,
            rank_by="normalised",
            tie_break=["impact", "feasibility"],
        )
        best = min(best, time.perf_counter() - started)
    flagged = sum(1 for r in results if "disagreement" in r.flags)
    print(
        f"{args.entries} entries × {args.judges_per_entry} judges × {len(CRITERIA)} criteria "
        f"({len(sheets)} sheets, {args.judges} judges): ranked in {best:.3f} s (best of 3); "
        f"{flagged} flagged for disagreement; top score {results[0].normalised_score:.2f}"
    )


if __name__ == "__main__":
    main()
