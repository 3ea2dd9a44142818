"""Benchmark: assigning 60 judges to 2,000 entries, 3 judges each.

    .venv/bin/python -m tests.benchmarks.bench_assignment [--entries 2000] [--judges 60] [-k 3]
        [--seed 2026] [--conflicts 1.0] [--from-capital 0] [--kept 0] [--repeat 3]

Generates a seeded province-level round: entries from 45 communes of unequal size, in the eight
default categories (agriculture the most common), some with a cooperative or a union branch,
teams of 0 to 3; judges with 1 to 3 fields of expertise (not in proportion to the entries), most
declaring their own commune, some their organisations and relatives, a few of them on a team
themselves. `--conflicts` scales the conflict rates; `--from-capital N` makes N judges also
declare the largest commune (most judges living in the provincial capital: with N near the number
of judges, even loads are out of reach and the solver searches the bounds); `--kept` keeps that many
random manual assignments. Expertise, conflicts and entries come from separate random streams, so
that changing one option leaves the rest of the data as it was. Prints each run's time and the
plan's figures.
"""

import argparse
import random
import time

from portal.judging.assignment.solver import (
    AssignmentImpossible,
    EntryToJudge,
    Judge,
    JudgeAssignment,
    assign_judges,
    has_conflict,
)

CATEGORIES = {  # code: (share of entries, share of judges' expertise)
    "agriculture": (30, 10),
    "food_processing": (18, 8),
    "handicrafts": (12, 10),
    "medicinal_plants": (10, 6),
    "community_tourism": (10, 8),
    "services": (9, 12),
    "digital_economy": (6, 10),
    "green_economy": (5, 6),
}
COMMUNES = list(range(1001, 1046))  # 45 communes
ORGANISATIONS = [f"HTX {kind} bản {i}" for i in range(60) for kind in ("dệt", "chè")] + [
    f"Chi hội Phụ nữ xã {i}" for i in range(30)
]


def generate(
    n: int, m: int, seed: int, conflicts: float = 1.0, from_capital: int = 0
) -> tuple[list[EntryToJudge], list[Judge]]:
    rng = random.Random(seed)
    expertise_rng, conflict_rng = random.Random(seed + 1), random.Random(seed + 2)
    codes = list(CATEGORIES)
    entry_weights = [share for share, _ in CATEGORIES.values()]
    expertise_weights = [share for _, share in CATEGORIES.values()]
    commune_weights = [1 / (rank + 1) ** 0.6 for rank in range(len(COMMUNES))]
    organisation_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(ORGANISATIONS))]

    entries = []
    next_person = 100_000
    for i in range(1, n + 1):
        applicant, next_person = next_person, next_person + 1
        team = []
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            if rng.random() < 0.6:  # members without an account have no person id
                team.append(next_person)
                next_person += 1
        organisations = set(
            rng.choices(ORGANISATIONS, organisation_weights, k=rng.choice([0, 0, 0, 0, 1, 1, 1, 2]))
        )
        entries.append(
            EntryToJudge(
                id=i,
                reference=f"DB-2026-{i:04d}",
                applicant_id=applicant,
                category=rng.choices(codes, entry_weights)[0],
                team_member_ids=team,
                commune_id=rng.choices(COMMUNES, commune_weights)[0],
                organisations=organisations,
            )
        )
    people = sorted({p for e in entries for p in e.person_ids})

    def some(rate: float) -> int:  # how many declarations, scaled by --conflicts
        whole, part = divmod(rate * conflicts, 1)
        return int(whole) + (conflict_rng.random() < part)

    capital = set(conflict_rng.sample(range(1, m + 1), min(m, from_capital)))
    judges = []
    for j in range(1, m + 1):
        communes = set(conflict_rng.sample(COMMUNES, some(0.95)))
        if j in capital:
            communes.add(COMMUNES[0])  # the largest
        judges.append(
            Judge(
                id=j,
                name=f"Judge {j}",
                email=f"judge{j}@example.org",
                expertise=set(
                    expertise_rng.choices(
                        codes, expertise_weights, k=expertise_rng.choice([1, 2, 2, 3])
                    )
                ),
                conflict_commune_ids=communes,
                conflict_person_ids=set(conflict_rng.sample(people, some(1.0))),
                conflict_organisations=set(
                    conflict_rng.choices(ORGANISATIONS, organisation_weights, k=some(0.8))
                ),
            )
        )
    # A few judges sit on a team themselves.
    for j in conflict_rng.sample(range(1, m + 1), min(m, 3)):
        i = conflict_rng.randrange(n)
        entry = entries[i]
        entries[i] = EntryToJudge(
            id=entry.id,
            reference=entry.reference,
            applicant_id=entry.applicant_id,
            category=entry.category,
            team_member_ids=entry.team_member_ids | {j},
            commune_id=entry.commune_id,
            organisations=entry.organisations,
        )
    return entries, judges


def random_kept(entries, judges, count: int, seed: int) -> list[JudgeAssignment]:
    rng = random.Random(seed + 3)
    kept: set[JudgeAssignment] = set()
    while len(kept) < count:
        entry, judge = rng.choice(entries), rng.choice(judges)
        if not has_conflict(judge, entry):
            kept.add(JudgeAssignment(entry.id, judge.id))
    return sorted(kept)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=2_000)
    parser.add_argument("--judges", type=int, default=60)
    parser.add_argument("-k", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--conflicts", type=float, default=1.0, help="scale of the conflict rates")
    parser.add_argument("--from-capital", type=int, default=0, help="judges from the capital")
    parser.add_argument("--kept", type=int, default=0, help="manual assignments to keep")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    entries, judges = generate(
        args.entries, args.judges, args.seed, args.conflicts, args.from_capital
    )
    kept = random_kept(entries, judges, args.kept, args.seed)
    pairs_in_conflict = [sum(has_conflict(j, e) for j in judges) for e in entries]
    conflict_rate = sum(pairs_in_conflict) / (len(entries) * len(judges))
    print(
        f"{len(entries)} entries × {len(judges)} judges, k = {args.k}, seed {args.seed}: "
        f"{conflict_rate:.1%} of judge–entry pairs in conflict, "
        f"{sum(1 for c in pairs_in_conflict if c) / len(entries):.0%} of entries with at least one, "
        f"at most {max(pairs_in_conflict)} on one entry; {len(kept)} kept assignments"
    )
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        try:
            plan = assign_judges(entries, judges, args.k, kept)
        except AssignmentImpossible as impossible:
            seconds = time.perf_counter() - started
            shown = "; ".join(str(p) for p in impossible.problems[:3])
            print(f"impossible in {seconds:.2f} s: {len(impossible.problems)} problems ({shown}…)")
            return
        times.append(time.perf_counter() - started)
    total = len(plan.assignments)
    print(
        "runs: " + ", ".join(f"{t:.2f} s" for t in times) + f" (best {min(times):.2f} s); "
        f"loads min {plan.min_load}, max {plan.max_load} "
        f"(ideal {total // len(judges)}–{-(-total // len(judges))}); "
        f"expertise matches {plan.expertise_matches} of {total} "
        f"({plan.expertise_matches / total:.1%}); {len(plan.new)} new assignments"
    )


if __name__ == "__main__":
    main()
