"""Put the runs of several data sizes side by side, against issue 16's goals.

    python -m benchmarks.compare benchmarks/results-1k.json benchmarks/results-20k.json \
        benchmarks/results-100k.json

Each file is one `python -m benchmarks.run --json FILE`. Prints a Markdown table: per page, the
CPU per request as a multiple of the reference page's at each size, the p50 latency at each
size, its growth from the smallest data set to the largest, and the queries per view. The goals
(issue 16): at most 2× the reference page at 20,000 entries (3× for the results of the large
round), and a p50 that grows by at most 1.2× from the smallest size to the largest. On a shared
machine the p50 of every page moves with the others' load between runs, the reference page's as
much as any: the growth is also given divided by the reference page's own, and the goal is
judged on that one.
"""

import argparse
import json
import sys
from pathlib import Path

RATIO_GOAL = 2.0
LARGE_ROUND_RATIO_GOAL = 3.0  # the results of a 10,000-entry round
LARGE_ROUND = "l"
GROWTH_GOAL = 1.2
GOAL_SIZE = 20_000  # the ratio is judged at the size nearest to this many entries


def size_label(entries: int) -> str:
    if entries >= 1000 and entries % 1000 == 0:
        return f"{entries // 1000}k"
    return str(entries)


def load(paths: list[Path]) -> list[dict]:
    runs = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    return sorted(runs, key=lambda run: run["dataset"]["entries"])


def number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def table(runs: list[dict]) -> str:
    labels = [size_label(run["dataset"]["entries"]) for run in runs]
    goal_run = min(runs, key=lambda run: abs(run["dataset"]["entries"] - GOAL_SIZE))
    keys: list[str] = []
    for run in runs:
        keys += [k for k in run["scenarios"] if k not in keys]
    head = (
        ["page"]
        + [f"× ref {label}" for label in labels]
        + [f"CPU ms {label}" for label in labels]
        + [f"p50 ms {label}" for label in labels]
    )
    span = f"{labels[0]}→{labels[-1]}"
    if len(runs) > 1:
        head += [f"p50 growth {span}", f"p50 growth ÷ ref's {span}", f"CPU growth {span}"]
    head += ["queries", "goal"]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|--:" * (len(head) - 1) + "|"]
    ref = [run["scenarios"].get("ref") for run in runs]
    ref_growth = (
        ref[-1]["p50_ms"] / ref[0]["p50_ms"]
        if len(runs) > 1 and ref[0] and ref[-1] and ref[0]["p50_ms"]
        else None
    )
    for key in keys:
        rows = [run["scenarios"].get(key) for run in runs]
        last = next(r for r in reversed(rows) if r)
        cells = [last["name"]]
        cells += [number(r and r["ratio"]) for r in rows]
        cells += [number(r and r["cpu_ms"]) for r in rows]
        cells += [number(r and r["p50_ms"], 0) for r in rows]
        relative = None
        if len(runs) > 1 and rows[0] and rows[-1] and rows[0]["p50_ms"]:
            growth = rows[-1]["p50_ms"] / rows[0]["p50_ms"]
            cpu_growth = rows[-1]["cpu_ms"] / rows[0]["cpu_ms"]
            relative = growth / ref_growth if ref_growth else None
            cells += [f"{growth:.2f}", number(relative, 2), f"{cpu_growth:.2f}"]
        elif len(runs) > 1:
            cells += ["–", "–", "–"]
        counts = {r["queries"] for r in rows if r and r["queries"] is not None}
        cells.append(
            " / ".join(str(r["queries"]) if r and r["queries"] is not None else "–" for r in rows)
            if len(counts) > 1
            else (str(counts.pop()) if counts else "–")
        )
        cells.append(verdict(key, goal_run["scenarios"].get(key), relative))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdict(key: str, at_goal_size: dict | None, growth: float | None) -> str:
    if key in ("ref", "hello") or at_goal_size is None or at_goal_size["ratio"] is None:
        return ""
    limit = LARGE_ROUND_RATIO_GOAL if key == LARGE_ROUND else RATIO_GOAL
    missed = []
    if at_goal_size["ratio"] > limit:
        missed.append(f"> {limit:g}×")
    if growth is not None and growth > GROWTH_GOAL:
        missed.append(f"grows > {GROWTH_GOAL:g}×")
    return "met" if not missed else "missed: " + ", ".join(missed)


def describe(runs: list[dict]) -> str:
    lines = []
    for run in runs:
        data, settings = run["dataset"], run["settings"]
        ref = run["scenarios"].get("ref")
        lines.append(
            f"- {size_label(data['entries'])}: {run['date']}, {data['entries']} entries, a round "
            f"of {data['judged_entries']} in judging, {data['projects']} projects, "
            f"{data['loans']} loans; {settings['rounds']} rounds × {settings['window']:g} s, "
            f"{settings['concurrency']} clients, {settings['workers']} workers; load average "
            f"{run['load_average'][0]:.2f} → {run['load_average'][1]:.2f}; reference page "
            f"{number(ref and ref['cpu_ms'], 2)} ms CPU a request; code: {run['code']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="JSON files of benchmarks.run")
    args = parser.parse_args(argv)
    runs = load(args.files)
    print(describe(runs))
    print()
    print(table(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
