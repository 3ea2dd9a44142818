"""Assignment of judges: hand-made cases, then invariants over random rounds (hypothesis), checked
against oracles that share no code with the solver: a plain flow network with one node per entry,
and a brute force over every plan of tiny rounds."""

import itertools
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.judging.assignment.solver import (
    PROBLEM_MESSAGES,
    AssignmentImpossible,
    EntryToJudge,
    Judge,
    JudgeAssignment,
    Problem,
    ProblemCode,
    assign_judges,
    has_conflict,
)

ROOT = Path(__file__).resolve().parents[2]


def entry(id, category=None, *, applicant=None, team=(), commune=None, organisations=()):
    return EntryToJudge(
        id=id,
        reference=f"DB-2026-{id:04d}",
        applicant_id=applicant if applicant is not None else 100_000 + id,
        category=category,
        team_member_ids=team,
        commune_id=commune,
        organisations=organisations,
    )


def judge(id, *expertise, persons=(), communes=(), organisations=()):
    return Judge(
        id=id,
        name=f"Judge {id}",
        email=f"judge{id}@example.org",
        expertise=expertise,
        conflict_person_ids=persons,
        conflict_commune_ids=communes,
        conflict_organisations=organisations,
    )


def spread(plan):
    return plan.max_load - plan.min_load


def problems_of(call):
    with pytest.raises(AssignmentImpossible) as raised:
        call()
    return raised.value.problems


# Hand-made cases


def test_a_round_without_conflicts_is_shared_evenly():
    plan = assign_judges([entry(i) for i in range(1, 7)], [judge(j) for j in range(1, 5)], k=2)
    assert plan.loads == {1: 3, 2: 3, 3: 3, 4: 3}
    for i in range(1, 7):
        assert len(set(plan.judges_for(i))) == 2
    assert plan.new == plan.assignments
    assert plan.assignments == tuple(sorted(plan.assignments))


def test_loads_differ_by_one_when_they_cannot_be_equal():
    plan = assign_judges([entry(i) for i in range(1, 6)], [judge(j) for j in range(1, 4)], k=1)
    assert sorted(plan.loads.values()) == [1, 2, 2]


def test_interchangeable_entries_never_get_the_same_judge_twice():
    plan = assign_judges(
        [entry(i, "agriculture") for i in range(1, 21)],
        [judge(1), judge(2), judge(3), judge(4, "agriculture"), judge(5)],
        k=3,
    )
    for i in range(1, 21):
        assert len(set(plan.judges_for(i))) == 3
    assert set(plan.loads.values()) == {12}
    assert plan.judges_for(7).count(4) == 1 and plan.expertise_matches == 12


ORGANISATION = "HTX Dệt thổ cẩm Mường Phăng"


@pytest.mark.parametrize(
    ("the_entry", "the_judge"),
    [
        pytest.param(entry(1, applicant=7), judge(7), id="the judge is the applicant"),
        pytest.param(entry(1, team=[7]), judge(7), id="the judge is on the team"),
        pytest.param(entry(1, applicant=55), judge(7, persons=[55]), id="declared applicant"),
        pytest.param(entry(1, team=[56, 57]), judge(7, persons=[57]), id="declared member"),
        pytest.param(entry(1, commune=3), judge(7, communes=[3, 4]), id="declared commune"),
        pytest.param(
            entry(1, organisations=[ORGANISATION]),
            judge(7, organisations=[ORGANISATION]),
            id="declared organisation",
        ),
        pytest.param(
            entry(1, organisations=[unicodedata.normalize("NFD", ORGANISATION.upper())]),
            judge(7, organisations=[f"  {ORGANISATION.lower()}  "]),
            id="declared organisation, other case, Unicode form and spacing",
        ),
    ],
)
def test_a_judge_with_a_conflict_is_never_assigned(the_entry, the_judge):
    assert has_conflict(the_judge, the_entry)
    plan = assign_judges([the_entry, entry(2)], [the_judge, judge(8)], k=1)
    assert plan.judges_for(1) == (8,)
    assert plan.judges_for(2) == (7,)  # and the loads stay even


def test_what_is_not_a_conflict():
    the_entry = entry(1, applicant=55, team=[56], commune=3, organisations=["HTX Chè Tủa Chùa"])
    assert not has_conflict(
        judge(7, persons=[58], communes=[4], organisations=["HTX Chè"]), the_entry
    )
    assert not has_conflict(judge(7), entry(1, commune=None))


def test_experts_are_preferred():
    entries = [
        entry(1, "agriculture"),
        entry(2, "handicrafts"),
        entry(3, "agriculture"),
        entry(4, "handicrafts"),
    ]
    plan = assign_judges(
        entries, [judge(1, "handicrafts"), judge(2, "agriculture", "services")], k=1
    )
    assert [plan.judges_for(i) for i in (1, 2, 3, 4)] == [(2,), (1,), (2,), (1,)]
    assert plan.expertise_matches == 4


def test_expertise_does_not_outweigh_even_loads():
    entries = [entry(i, "agriculture") for i in range(1, 5)]
    plan = assign_judges(entries, [judge(1, "agriculture"), judge(2)], k=1)
    assert plan.loads == {1: 2, 2: 2}
    assert plan.expertise_matches == 2


def test_an_entry_without_a_category_matches_no_one():
    plan = assign_judges([entry(1), entry(2)], [judge(1, "agriculture")], k=1)
    assert plan.expertise_matches == 0


def test_when_conflicts_forbid_even_loads_the_maximum_is_smallest_then_the_spread():
    # Judge 4 may take entry 1 only: she gets it, and the three others share the other five.
    entries = [entry(1, commune=1)] + [entry(i, commune=2) for i in range(2, 7)]
    judges = [judge(1), judge(2), judge(3), judge(4, communes=[2])]
    plan = assign_judges(entries, judges, k=1)
    assert plan.judges_for(1) == (4,)
    assert sorted(plan.loads.values()) == [1, 1, 2, 2]


def test_a_judge_who_can_take_nothing_does_not_pull_the_others_floor_down():
    # Judge 5 has a conflict with every entry. Nine entries on four judges: at most 3 each, and
    # 3 + 2 + 2 + 2 rather than 3 + 3 + 3 + 0.
    entries = [entry(i, commune=1) for i in range(1, 10)]
    judges = [judge(j) for j in range(1, 5)] + [judge(5, communes=[1])]
    plan = assign_judges(entries, judges, k=1)
    assert plan.loads[5] == 0
    assert sorted(plan.loads[j] for j in range(1, 5)) == [2, 2, 2, 3]


def test_when_most_judges_come_from_the_commune_of_most_entries_the_others_take_those():
    # Entries 1–6 are from commune 1, where judges 2–6 live: judge 1 takes all six, the five
    # others share entries 7–12 (one of them gets two).
    entries = [entry(i, commune=1) for i in range(1, 7)] + [
        entry(i, commune=2) for i in range(7, 13)
    ]
    judges = [judge(1)] + [judge(j, communes=[1]) for j in range(2, 7)]
    plan = assign_judges(entries, judges, k=1)
    assert [plan.judges_for(i) for i in range(1, 7)] == [(1,)] * 6
    assert plan.loads[1] == 6
    assert sorted(plan.loads[j] for j in range(2, 7)) == [1, 1, 1, 1, 2]


def test_kept_assignments_count_toward_k_and_the_loads():
    entries = [entry(i) for i in range(1, 5)]
    kept = [JudgeAssignment(1, 1), JudgeAssignment(2, 1), JudgeAssignment(3, 1)]
    plan = assign_judges(entries, [judge(1), judge(2)], k=1, kept=kept + kept[:1])
    assert plan.new == (JudgeAssignment(4, 2),)
    assert plan.loads == {1: 3, 2: 1}
    assert set(kept) <= set(plan.assignments)


def test_a_kept_judge_is_not_given_the_same_entry_again():
    plan = assign_judges(
        [entry(1), entry(2)], [judge(1), judge(2), judge(3)], k=2, kept=[JudgeAssignment(1, 3)]
    )
    assert set(plan.judges_for(1)) in ({3, 1}, {3, 2})
    assert JudgeAssignment(1, 3) not in plan.new
    assert sorted(plan.loads.values()) == [1, 1, 2]


def test_no_entries_no_assignments():
    plan = assign_judges([], [judge(1)], k=3)
    assert plan.assignments == () and plan.loads == {1: 0} and plan.expertise_matches == 0


def test_an_entry_short_of_judges_is_named_with_the_numbers():
    entries = [entry(41), entry(42, commune=9)]
    judges = [judge(1), judge(2), judge(3, communes=[9]), judge(4, communes=[9])]
    problems = problems_of(lambda: assign_judges(entries, judges, k=3))
    assert problems == [
        Problem(ProblemCode.TOO_FEW_FREE_JUDGES, "DB-2026-0042", available=2, needed=3)
    ]
    assert str(problems[0]) == "entry DB-2026-0042: only 2 judges without a conflict, 3 needed"


def test_every_problem_is_listed_in_entry_order_with_plain_words():
    entries = [entry(3, commune=9), entry(1, commune=8), entry(2)]
    judges = [judge(1, communes=[8, 9]), judge(2, communes=[9])]
    with pytest.raises(AssignmentImpossible) as raised:
        assign_judges(
            entries,
            judges,
            k=2,
            kept=[JudgeAssignment(2, 1), JudgeAssignment(2, 2), JudgeAssignment(1, 1)],
        )
    assert [str(p) for p in raised.value.problems] == [
        "entry DB-2026-0001: only 1 judge without a conflict, 2 needed",
        "entry DB-2026-0001: the kept judge Judge 1 has a conflict",
        "entry DB-2026-0003: only 0 judges without a conflict, 2 needed",
    ]
    assert str(raised.value) == "; ".join(str(p) for p in raised.value.problems)


def test_too_few_judges_in_all():
    problems = problems_of(lambda: assign_judges([entry(1), entry(2)], [judge(1), judge(2)], k=3))
    assert problems == [Problem(ProblemCode.TOO_FEW_JUDGES, None, available=2, needed=3)]
    assert str(problems[0]) == "only 2 judges in all, 3 needed for each entry"


def test_more_kept_judges_than_k():
    kept = [JudgeAssignment(1, j) for j in (1, 2, 3)]
    problems = problems_of(
        lambda: assign_judges([entry(1)], [judge(j) for j in (1, 2, 3)], k=2, kept=kept)
    )
    assert [str(p) for p in problems] == ["entry DB-2026-0001: 3 judges kept, only 2 needed"]


def test_the_messages_can_be_translated_from_the_problems_data():
    problem = Problem(ProblemCode.TOO_FEW_FREE_JUDGES, "DB-2026-0042", available=2, needed=3)
    singular, plural = PROBLEM_MESSAGES[problem.code]
    assert plural % problem.params == str(problem)
    assert problem.code == "too_few_free_judges"  # a plain string for the caller


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: assign_judges([entry(1)], [judge(1)], k=0), ValueError),
        (lambda: assign_judges([entry(1), entry(1)], [judge(1)], k=1), ValueError),
        (lambda: assign_judges([entry(1)], [judge(1), judge(1)], k=1), ValueError),
        (
            lambda: assign_judges([entry(1)], [judge(1)], k=1, kept=[JudgeAssignment(2, 1)]),
            ValueError,
        ),
        (
            lambda: assign_judges([entry(1)], [judge(1)], k=1, kept=[JudgeAssignment(1, 2)]),
            ValueError,
        ),
        (lambda: entry(1, organisations="HTX Chè"), TypeError),
        (lambda: judge(1, organisations="HTX Chè"), TypeError),
    ],
    ids=[
        "k 0",
        "entry twice",
        "judge twice",
        "kept unknown entry",
        "kept unknown judge",
        "entry organisations str",
        "judge organisations str",
    ],
)
def test_inputs_no_person_can_fix_are_programming_errors(call, error):
    with pytest.raises(error):
        call()


def test_the_plan_is_the_same_whatever_the_string_hashing():
    # Sets of strings iterate in an order that changes with PYTHONHASHSEED: nothing may depend on it.
    code = """
from portal.judging.assignment.solver import EntryToJudge, Judge, assign_judges
cats = ["agriculture", "handicrafts", "services", None]
orgs = ["HTX A", "HTX B", "Chi hội C", "Hợp tác xã D"]
entries = [
    EntryToJudge(id=i, reference=str(i), applicant_id=1000 + i, category=cats[i % 4],
                 commune_id=i % 5, organisations=orgs[i % 3 : i % 3 + 2])
    for i in range(60)
]
judges = [
    Judge(id=j, name=str(j), expertise=cats[j % 3 : j % 3 + 2], conflict_commune_ids=[j % 5],
          conflict_organisations=orgs[3:] if j % 4 == 0 else [])
    for j in range(12)
]
print(assign_judges(entries, judges, 3).assignments)
"""
    outputs = set()
    for seed in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr
        outputs.add(run.stdout)
    assert len(outputs) == 1


# Oracles: no code shared with the solver


def conflicted(the_judge, the_entry):
    persons = {the_entry.applicant_id, *the_entry.team_member_ids}
    return bool(
        persons & {the_judge.id, *the_judge.conflict_person_ids}
        or the_entry.commune_id in the_judge.conflict_commune_ids
        or set(the_entry.organisations) & set(the_judge.conflict_organisations)
    )


def network(entries, judges, k, low, high):
    """Source → entry (k) → judge (1, cost 0 for an expert) → [low, high] → sink, one node each."""
    graph = nx.DiGraph()
    for e in entries:
        graph.add_edge("source", ("entry", e.id), capacity=k)
        for j in judges:
            if not conflicted(j, e):
                expert = e.category is not None and e.category in j.expertise
                graph.add_edge(
                    ("entry", e.id), ("judge", j.id), capacity=1, weight=0 if expert else 1
                )
    for j in judges:
        graph.add_edge(("judge", j.id), "sink", capacity=low, weight=0)
        graph.add_edge(("judge", j.id), "spare", capacity=high - low, weight=0)
    graph.add_edge("spare", "sink", capacity=len(entries) * k - low * len(judges), weight=0)
    return graph


def max_flow(entries, judges, k, low, high):
    if low * len(judges) > len(entries) * k:
        return 0
    return nx.maximum_flow_value(network(entries, judges, k, low, high), "source", "sink")


def best_matches(entries, judges, k, low, high):
    graph = network(entries, judges, k, low, high)
    flow = nx.max_flow_min_cost(graph, "source", "sink")
    assert sum(flow["source"].values()) == len(entries) * k
    return len(entries) * k - nx.cost_of_flow(graph, flow)


def short_entries(entries, judges, k):
    return {
        (e.reference, free)
        for e in entries
        if (free := sum(not conflicted(j, e) for j in judges)) < k
    }


def check_plan(plan, entries, judges, k, kept=()):
    assert len(plan.assignments) == len(set(plan.assignments)) == len(entries) * k
    by_id = {j.id: j for j in judges}
    for e in entries:
        chosen = plan.judges_for(e.id)
        assert len(chosen) == len(set(chosen)) == k
        assert not any(conflicted(by_id[j], e) for j in chosen)
    assert set(kept) <= set(plan.assignments)
    assert set(plan.new) == set(plan.assignments) - set(kept)
    loads = {j.id: sum(a.judge_id == j.id for a in plan.assignments) for j in judges}
    assert plan.loads == loads
    matches = sum(e.category in by_id[j].expertise for e in entries for j in plan.judges_for(e.id))
    assert plan.expertise_matches == matches


# Random rounds

CATEGORIES = ["agriculture", "handicrafts", "services", None]
ORGANISATIONS = ["HTX Dệt", "HTX Chè", "Chi hội Bản Mới"]
COMMUNES = [1, 2, 3, 4, 5]
RELATIVES = [500, 501, 502, 503]


@st.composite
def rounds(draw, max_entries=30, max_judges=12, max_k=3, conflicts=True, hot=False):
    """Random rounds; `hot`: most entries and most judges from one commune, so that the few judges
    from elsewhere cannot keep the loads even."""
    k = draw(st.integers(1, max_k))
    judge_ids = draw(st.lists(st.integers(1, 99), min_size=1, max_size=max_judges, unique=True))
    entry_ids = draw(st.lists(st.integers(1, 9999), max_size=max_entries, unique=True))
    none = st.just(frozenset())
    entries = [
        entry(
            i,
            draw(st.sampled_from(CATEGORIES)),
            team=draw(
                st.sets(st.sampled_from(RELATIVES + judge_ids), max_size=2) if conflicts else none
            ),
            commune=draw(st.sampled_from([1, 1, 1, 2] if hot else [None, *COMMUNES])),
            organisations=draw(st.sets(st.sampled_from(ORGANISATIONS), max_size=1)),
        )
        for i in entry_ids
    ]
    applicants = [e.applicant_id for e in entries[:5]]
    judges = [
        judge(
            j,
            *draw(st.sets(st.sampled_from(CATEGORIES[:3]), max_size=2)),
            persons=draw(
                st.sets(st.sampled_from(RELATIVES + applicants), max_size=2) if conflicts else none
            ),
            communes=draw(
                st.sampled_from([{1}, {1}, {1}, set()])
                if hot
                else st.sets(st.sampled_from(COMMUNES), max_size=2)
                if conflicts
                else none
            ),
            organisations=draw(
                st.sets(st.sampled_from(ORGANISATIONS), max_size=1) if conflicts else none
            ),
        )
        for j in judge_ids
    ]
    return entries, judges, k


@settings(max_examples=150, deadline=None)
@given(st.one_of(rounds(), rounds(hot=True)))
def test_plans_keep_every_rule_and_raise_only_when_no_plan_exists(round_):
    entries, judges, k = round_
    n, m = len(entries), len(judges)
    short = short_entries(entries, judges, k)
    if n and (m < k or short):
        problems = problems_of(lambda: assign_judges(entries, judges, k))
        if m < k:
            assert problems[0] == Problem(ProblemCode.TOO_FEW_JUDGES, None, m, k)
        else:
            assert {(p.reference, p.available) for p in problems} == short
            assert all(
                p.code == ProblemCode.TOO_FEW_FREE_JUDGES and p.needed == k for p in problems
            )
            # Even with no bound on the loads, the flow cannot give every entry k judges.
            assert max_flow(entries, judges, k, 0, n) < n * k
        return

    plan = assign_judges(entries, judges, k)
    check_plan(plan, entries, judges, k)
    if not n:
        return
    # The smallest maximum load a plan can have, found by the oracle network.
    floor, ceiling = n * k // m, -(-n * k // m)
    assert plan.max_load == next(
        u for u in range(ceiling, n + 1) if max_flow(entries, judges, k, 0, u) == n * k
    )
    if max_flow(entries, judges, k, floor, ceiling) == n * k:
        assert spread(plan) <= 1
        assert plan.expertise_matches == best_matches(entries, judges, k, floor, ceiling)


@settings(max_examples=75, deadline=None)
@given(rounds(conflicts=False))
def test_without_conflicts_loads_always_differ_by_one_at_most(round_):
    entries, judges, k = round_
    if len(judges) < k:
        return
    plan = assign_judges(entries, judges, k)
    check_plan(plan, entries, judges, k)
    assert spread(plan) <= 1


@settings(max_examples=75, deadline=None)
@given(st.one_of(rounds(), rounds(hot=True)), st.randoms(use_true_random=False))
def test_the_order_of_the_inputs_does_not_matter(round_, random):
    entries, judges, k = round_
    shuffled_entries, shuffled_judges = entries[:], judges[:]
    random.shuffle(shuffled_entries)
    random.shuffle(shuffled_judges)
    try:
        plan = assign_judges(entries, judges, k)
    except AssignmentImpossible as impossible:
        assert (
            problems_of(lambda: assign_judges(shuffled_entries, shuffled_judges, k))
            == impossible.problems
        )
    else:
        assert assign_judges(shuffled_entries, shuffled_judges, k) == plan


def every_plan(entries, judges, k, kept):
    """Every way to give each entry k judges without a conflict, keeping the kept ones."""
    choices = []
    for e in entries:
        fixed = {a.judge_id for a in kept if a.entry_id == e.id}
        free = [j.id for j in judges if not conflicted(j, e) and j.id not in fixed]
        choices.append([fixed | set(c) for c in itertools.combinations(free, k - len(fixed))])
    for picks in itertools.product(*choices):
        loads = {j.id: sum(j.id in p for p in picks) for j in judges}
        matches = sum(
            e.category in j.expertise
            for e, p in zip(entries, picks, strict=True)
            for j in judges
            if j.id in p
        )
        yield max(loads.values()), max(loads.values()) - min(loads.values()), matches


@st.composite
def tiny_rounds(draw):
    hot = draw(st.booleans())
    entries, judges, k = draw(rounds(max_entries=4, max_judges=4, max_k=2, hot=hot))
    if len(judges) < k:
        return entries, judges, k, []
    kept = []
    for e in entries:
        allowed = [j.id for j in judges if not conflicted(j, e)]
        for j in draw(
            st.sets(st.sampled_from(allowed), max_size=k) if len(allowed) >= k else st.just(set())
        ):
            kept.append(JudgeAssignment(e.id, j))
    return entries, judges, k, kept


@settings(max_examples=200, deadline=None)
@given(tiny_rounds())
def test_tiny_rounds_match_a_brute_force_over_every_plan(round_):
    entries, judges, k, kept = round_
    plans = list(every_plan(entries, judges, k, kept)) if len(judges) >= k else []
    if entries and not plans:
        problems_of(lambda: assign_judges(entries, judges, k, kept))
        return
    plan = assign_judges(entries, judges, k, kept)
    check_plan(plan, entries, judges, k, kept)
    if not entries:
        return
    best = min((top, gap) for top, gap, _matches in plans)
    assert (plan.max_load, spread(plan)) == best
    if best[1] <= 1:
        assert plan.expertise_matches == max(matches for top, gap, matches in plans if gap <= 1)
