"""Assignment of judges to entries: k judges each, none with a conflict, loads even, experts first.

Pure functions over plain data (no database, no Flask): a service loads the entries, the judges and
the manual assignments to keep, calls `assign_judges()`, and writes `plan.new`.

The rules, in order of priority:

1. Every entry gets exactly k distinct judges; the kept (manual) assignments count among them and
   in the judges' loads.
2. No judge has a conflict with her entry: the applicant or a team member is the judge herself or
   a person she declared, the entry's commune is one she declared, or one of the entry's
   organisations is one she declared (organisation names compared without regard to case, Unicode
   form or spacing).
3. Loads as even as possible: the smallest possible maximum load U, then the smallest spread, i.e.
   the largest floor L such that every judge gets at least L. When conflicts allow it, U − L ≤ 1.
   A judge who could not reach L even alone (she has a conflict with nearly every entry) gets every
   entry she can take, instead of pulling everyone's floor down to her.
4. Among those plans, the most assignments whose judge's expertise includes the entry's category.
5. Deterministic: inputs are sorted by id, so the order of the input lists does not matter.

The approach: a min-cost flow (networkx)

    entry ──(k − kept, cost 0)── judge ──(load bounds [lo_j, hi_j])── sink
              └ capacity 1, cost 0 when the judge's expertise includes the entry's category, 1 otherwise;
                no edge when the judge has a conflict with the entry or is already kept on it

with supply k − kept at each entry. The load bounds for a maximum U and a floor L are
hi_j = U − kept_j and lo_j = min(L, kept_j + free_j) − kept_j (at least 0), where free_j is the number
of entries judge j could take at all. Lower bounds are modelled by the standard demand
transformation: judge j demands lo_j units, her edge to the sink carries up to hi_j − lo_j more, and the
sink demands the rest. A minimum-cost flow is then a plan within the bounds with the most expertise
matches; any integral flow splits into assignments because every capacity is an integer.

Finding U and L: U is at least ⌈n·k/m⌉ (and at least every kept load), L at most what the total n·k
leaves once every judge has her floor. The solver first tries those targets straight away; that is
the usual case and costs one min-cost flow. Only when it is infeasible does it search: the smallest
feasible U, then the largest feasible L for that U (galloping, then bisection), each test a max-flow
on the same network with the lower bounds expressed by a spare node (judge ──lo_j──▶ sink,
judge ──hi_j − lo_j──▶ spare ──(total − Σ lo)──▶ sink: the flow reaches the total only if every
judge gets her lo_j). U = n is always feasible once every entry has k judges without a conflict,
since a judge takes an entry at most once; so the only infeasible inputs are an entry with fewer
than k judges without a conflict (or fewer than k judges in all), a kept assignment with a conflict,
and an entry with more than k kept judges. Those raise `AssignmentImpossible`, which lists every
problem, per entry.

Speed: entries with the same category, the same excluded judges and the same number of judges
still to find are interchangeable, so they share one node (supply = need × count, capacity = count
to each judge); the flow from such a group is dealt out round-robin over its entries in id order,
each judge's share taking consecutive slots, so that no entry gets a judge twice. Shared conflicts
(a commune, an organisation) make such groups common: 2,000 entries become several hundred nodes.

One file past 600 lines: the min-cost-flow model, its checks and its explanation are one
algorithm, read top to bottom and tested as one (tests/judging/assignment/test_solver.py).
"""

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import networkx as nx
from networkx.algorithms.flow import shortest_augmenting_path


def _as_frozenset(value: Iterable, name: str) -> frozenset:
    if isinstance(value, str | bytes):
        raise TypeError(f"{name} must be a collection, not a single string: {value!r}")
    return frozenset(value)


def normalise_organisation(name: str) -> str:
    """The form in which organisation names are compared: NFC, case-folded, single spaces."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())
    return " ".join(folded.split())


@dataclass(frozen=True, kw_only=True)
class EntryToJudge:
    """An entry that needs judges, with the facts that decide who may not judge it.

    Collections may be given as any iterable (not a single string); they are kept as frozensets.
    """

    id: int
    reference: str  # shown in problems, e.g. "DB-2026-0042"
    applicant_id: int  # person (user account) id
    category: str | None = None  # category code; None matches no judge's expertise
    team_member_ids: frozenset[int] = frozenset()  # person ids of the members with an account
    commune_id: int | None = None
    organisations: frozenset[str] = frozenset()  # names, e.g. a cooperative the idea belongs to

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "team_member_ids", _as_frozenset(self.team_member_ids, "team_member_ids")
        )
        object.__setattr__(
            self, "organisations", _as_frozenset(self.organisations, "organisations")
        )

    @property
    def person_ids(self) -> frozenset[int]:
        """The applicant and the team members with an account."""
        return self.team_member_ids | {self.applicant_id}


@dataclass(frozen=True, kw_only=True)
class Judge:
    """A judge who may be given entries, with her expertise and declared conflicts.

    `id` is her person (user account) id: the same id space as applicants and team members, so
    that a judge who is on an entry's team has a conflict with it without declaring anything.
    """

    id: int
    name: str
    email: str = ""
    expertise: frozenset[str] = frozenset()  # category codes
    conflict_person_ids: frozenset[int] = frozenset()  # relatives, business partners…
    conflict_commune_ids: frozenset[int] = frozenset()
    conflict_organisations: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in (
            "expertise",
            "conflict_person_ids",
            "conflict_commune_ids",
            "conflict_organisations",
        ):
            object.__setattr__(self, name, _as_frozenset(getattr(self, name), name))

    def is_expert_for(self, entry: EntryToJudge) -> bool:
        return entry.category is not None and entry.category in self.expertise


@dataclass(frozen=True, order=True)
class JudgeAssignment:
    """Judge `judge_id` judges entry `entry_id`."""

    entry_id: int
    judge_id: int


@dataclass(frozen=True)
class AssignmentPlan:
    """The solver's answer: every assignment (kept ones included), and which of them are new."""

    assignments: tuple[JudgeAssignment, ...]  # by entry id, then judge id
    new: tuple[JudgeAssignment, ...]  # the ones to create: `assignments` less the kept ones
    loads: Mapping[int, int] = field(hash=False)  # judge id → number of entries, every judge
    expertise_matches: int  # assignments whose judge's expertise includes the entry's category

    @property
    def max_load(self) -> int:
        return max(self.loads.values(), default=0)

    @property
    def min_load(self) -> int:
        return min(self.loads.values(), default=0)

    def judges_for(self, entry_id: int) -> tuple[int, ...]:
        """The judge ids of one entry, in id order."""
        return tuple(a.judge_id for a in self.assignments if a.entry_id == entry_id)


class ProblemCode(StrEnum):
    TOO_FEW_JUDGES = "too_few_judges"  # fewer judges than k in all
    TOO_FEW_FREE_JUDGES = (
        "too_few_free_judges"  # an entry with fewer than k judges without conflict
    )
    KEPT_JUDGE_CONFLICTED = "kept_judge_conflicted"  # a kept assignment with a conflict
    TOO_MANY_KEPT_JUDGES = "too_many_kept_judges"  # an entry with more than k kept judges


# English messages in gettext style, (singular, plural) chosen by `available`, with %(name)s
# fields: a caller can give its own translation of the same form to ngettext with
# `problem.params`.
PROBLEM_MESSAGES: Mapping[ProblemCode, tuple[str, str]] = {
    ProblemCode.TOO_FEW_JUDGES: (
        "only %(available)d judge in all, %(needed)d needed for each entry",
        "only %(available)d judges in all, %(needed)d needed for each entry",
    ),
    ProblemCode.TOO_FEW_FREE_JUDGES: (
        "entry %(reference)s: only %(available)d judge without a conflict, %(needed)d needed",
        "entry %(reference)s: only %(available)d judges without a conflict, %(needed)d needed",
    ),
    ProblemCode.KEPT_JUDGE_CONFLICTED: (
        "entry %(reference)s: the kept judge %(judge)s has a conflict",
        "entry %(reference)s: the kept judge %(judge)s has a conflict",
    ),
    ProblemCode.TOO_MANY_KEPT_JUDGES: (
        "entry %(reference)s: %(available)d judge kept, only %(needed)d needed",
        "entry %(reference)s: %(available)d judges kept, only %(needed)d needed",
    ),
}


@dataclass(frozen=True)
class Problem:
    """Why judges cannot be assigned, in data: the UI words it with `PROBLEM_MESSAGES`.

    `available` is the number of judges in all (TOO_FEW_JUDGES), without a conflict
    (TOO_FEW_FREE_JUDGES) or kept (TOO_MANY_KEPT_JUDGES); `needed` is k; `judge` is the name of the
    kept judge with a conflict; `reference` is None for TOO_FEW_JUDGES.
    """

    code: ProblemCode
    reference: str | None = None
    available: int | None = None
    needed: int | None = None
    judge: str | None = None

    @property
    def params(self) -> dict[str, object]:
        return {
            "reference": self.reference,
            "available": self.available,
            "needed": self.needed,
            "judge": self.judge,
        }

    def __str__(self) -> str:
        singular, plural = PROBLEM_MESSAGES[self.code]
        return (singular if self.available == 1 else plural) % self.params


class AssignmentImpossible(Exception):
    """No plan meets the rules; `problems` says why, entry by entry."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def has_conflict(judge: Judge, entry: EntryToJudge) -> bool:
    """Whether the judge may not judge the entry (rule 2 of the module docstring)."""
    if entry.person_ids & (judge.conflict_person_ids | {judge.id}):
        return True
    if entry.commune_id is not None and entry.commune_id in judge.conflict_commune_ids:
        return True
    declared = {normalise_organisation(o) for o in judge.conflict_organisations}
    return any(normalise_organisation(o) in declared for o in entry.organisations)


def assign_judges(
    entries: Iterable[EntryToJudge],
    judges: Iterable[Judge],
    k: int,
    kept: Iterable[JudgeAssignment] = (),
    forbidden: Iterable[JudgeAssignment] = (),
) -> AssignmentPlan:
    """Give every entry exactly k judges by the rules of the module docstring.

    `forbidden` pairs are never assigned (a judge who recused herself from an entry): each counts
    as a conflict of that judge with that entry. Pairs naming an unknown entry or judge are ignored.

    Raises AssignmentImpossible when no plan exists, and ValueError for inputs that no person can
    fix in the data: k below 1, two entries or two judges with one id, a kept assignment of an
    unknown entry or judge. A kept assignment given twice counts once.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    entries = sorted(entries, key=lambda e: e.id)
    judges = sorted(judges, key=lambda j: j.id)
    _refuse_duplicates("entry", [e.id for e in entries])
    _refuse_duplicates("judge", [j.id for j in judges])
    entry_index = {e.id: i for i, e in enumerate(entries)}
    judge_index = {j.id: i for i, j in enumerate(judges)}
    kept_by_entry: list[list[int]] = [[] for _ in entries]
    for pair in sorted(set(kept)):
        if pair.entry_id not in entry_index:
            raise ValueError(
                f"kept assignment {pair}: entry {pair.entry_id} is not among the entries"
            )
        if pair.judge_id not in judge_index:
            raise ValueError(
                f"kept assignment {pair}: judge {pair.judge_id} is not among the judges"
            )
        kept_by_entry[entry_index[pair.entry_id]].append(judge_index[pair.judge_id])

    conflicted = _conflicts(entries, judges)
    for pair in forbidden:
        if pair.entry_id in entry_index and pair.judge_id in judge_index:
            conflicted[entry_index[pair.entry_id]].add(judge_index[pair.judge_id])
    _check_feasible(entries, judges, k, conflicted, kept_by_entry)

    chosen = _solve(entries, judges, k, conflicted, kept_by_entry)
    return _plan(entries, judges, kept_by_entry, chosen)


def _refuse_duplicates(what: str, ids: list[int]) -> None:
    repeated = sorted({i for i, j in zip(ids, ids[1:], strict=False) if i == j})
    if repeated:
        raise ValueError(f"{what} ids given more than once: {repeated}")


def _conflicts(entries: list[EntryToJudge], judges: list[Judge]) -> list[set[int]]:
    """For each entry (by index), the indices of the judges with a conflict, through indexes:
    the work grows with the number of conflicts, not with entries × judges."""
    by_person: dict[int, list[int]] = defaultdict(list)
    by_commune: dict[int, list[int]] = defaultdict(list)
    by_organisation: dict[str, list[int]] = defaultdict(list)
    for i, entry in enumerate(entries):
        for person in entry.person_ids:
            by_person[person].append(i)
        if entry.commune_id is not None:
            by_commune[entry.commune_id].append(i)
        for name in {normalise_organisation(o) for o in entry.organisations}:
            by_organisation[name].append(i)
    conflicted: list[set[int]] = [set() for _ in entries]
    for j, judge in enumerate(judges):
        hits: list[int] = []
        for person in judge.conflict_person_ids | {judge.id}:
            hits.extend(by_person.get(person, ()))
        for commune in judge.conflict_commune_ids:
            hits.extend(by_commune.get(commune, ()))
        for name in {normalise_organisation(o) for o in judge.conflict_organisations}:
            hits.extend(by_organisation.get(name, ()))
        for i in hits:
            conflicted[i].add(j)
    return conflicted


def _check_feasible(
    entries: list[EntryToJudge],
    judges: list[Judge],
    k: int,
    conflicted: list[set[int]],
    kept_by_entry: list[list[int]],
) -> None:
    """Raise AssignmentImpossible with every reason there is no plan (see the module docstring)."""
    problems: list[Problem] = []
    if entries and len(judges) < k:
        problems.append(Problem(ProblemCode.TOO_FEW_JUDGES, available=len(judges), needed=k))
    for i, entry in enumerate(entries):
        free = len(judges) - len(conflicted[i])
        if len(judges) >= k and free < k:
            problems.append(
                Problem(ProblemCode.TOO_FEW_FREE_JUDGES, entry.reference, available=free, needed=k)
            )
        if len(kept_by_entry[i]) > k:
            problems.append(
                Problem(
                    ProblemCode.TOO_MANY_KEPT_JUDGES,
                    entry.reference,
                    available=len(kept_by_entry[i]),
                    needed=k,
                )
            )
        for j in kept_by_entry[i]:
            if j in conflicted[i]:
                problems.append(
                    Problem(
                        ProblemCode.KEPT_JUDGE_CONFLICTED, entry.reference, judge=judges[j].name
                    )
                )
    if problems:
        raise AssignmentImpossible(problems)


@dataclass(frozen=True)
class _Group:
    """Interchangeable entries: same category, same excluded judges, same number still needed."""

    need: int
    members: tuple[int, ...]  # entry indices, in id order
    allowed: tuple[int, ...]  # judge indices, in id order
    experts: frozenset[int]  # the allowed judges whose expertise includes the category


@dataclass(frozen=True)
class _Cut:
    """A cut of the network, as far as its capacity depends on the load bounds."""

    fixed: int  # the capacity of its edges out of the source and out of the groups
    judges: tuple[int, ...]  # the judges on the source side
    spare: bool  # whether the spare node is on the source side


class _Network:
    """The grouped flow network, and the feasibility and min-cost questions asked of it."""

    def __init__(self, groups: list[_Group], judge_count: int, kept_loads: list[int]):
        self.groups = groups
        self.m = judge_count
        self.kept_loads = kept_loads
        self.total = sum(g.need * len(g.members) for g in groups)  # free assignments to make
        free = [0] * judge_count
        for group in groups:
            for j in group.allowed:
                free[j] += len(group.members)
        # The most each judge could ever have: her kept entries and every entry she may take.
        self.potential = [kept + f for kept, f in zip(kept_loads, free, strict=True)]
        self.sink = judge_count + len(groups)

    def bounds(self, top: int, floor: int) -> tuple[list[int], list[int]]:
        """Bounds on each judge's new assignments for a maximum load `top` and a floor `floor`."""
        low = [
            max(0, min(floor, pot) - kept)
            for pot, kept in zip(self.potential, self.kept_loads, strict=True)
        ]
        high = [top - kept for kept in self.kept_loads]
        return low, high

    def deficient_cut(self, top: int, floor: int) -> "_Cut | None":
        """None when a max-flow meets every entry's need within the load bounds; otherwise the
        minimum cut that proves it cannot."""
        low, high = self.bounds(top, floor)
        if sum(low) > self.total:
            raise RuntimeError(f"floor {floor} asks for more than the {self.total} assignments")
        source, spare = self.sink + 1, self.sink + 2
        graph = nx.DiGraph()
        for g, group in enumerate(self.groups):
            node = self.m + g
            graph.add_edge(source, node, capacity=group.need * len(group.members))
            for j in group.allowed:
                graph.add_edge(node, j, capacity=len(group.members))
        for j in range(self.m):
            graph.add_edge(j, self.sink, capacity=low[j])
            graph.add_edge(j, spare, capacity=high[j] - low[j])
        graph.add_edge(spare, self.sink, capacity=self.total - sum(low))
        value, (source_side, _sink_side) = nx.minimum_cut(
            graph, source, self.sink, flow_func=shortest_augmenting_path
        )
        if value == self.total:
            return None
        fixed = 0
        for g, group in enumerate(self.groups):
            if self.m + g in source_side:
                fixed += len(group.members) * sum(j not in source_side for j in group.allowed)
            else:
                fixed += group.need * len(group.members)
        judges = tuple(j for j in range(self.m) if j in source_side)
        return _Cut(fixed, judges, spare in source_side)

    def cut_capacity(self, cut: "_Cut", top: int, floor: int) -> int:
        """The capacity of the same cut under other load bounds: an upper bound on the flow."""
        low, high = self.bounds(top, floor)
        capacity = cut.fixed + sum(low[j] for j in cut.judges)
        if cut.spare:
            return capacity + self.total - sum(low)
        return capacity + sum(high[j] - low[j] for j in cut.judges)

    def cheapest(self, top: int, floor: int) -> dict | None:
        """The min-cost flow within the load bounds (fewest non-expert assignments), or None."""
        low, high = self.bounds(top, floor)
        if any(h < lo for lo, h in zip(low, high, strict=True)) or sum(low) > self.total:
            return None
        graph = nx.DiGraph()
        for g, group in enumerate(self.groups):
            graph.add_node(self.m + g, demand=-group.need * len(group.members))
        for j in range(self.m):
            graph.add_node(j, demand=low[j])
        graph.add_node(self.sink, demand=self.total - sum(low))
        # Expert edges first: the simplex prices edges in blocks, in this order, and finds the
        # optimum in fewer pivots when the cheap edges come first (measured, about 1.5× faster).
        for expert in (True, False):
            for g, group in enumerate(self.groups):
                for j in group.allowed:
                    if (j in group.experts) == expert:
                        graph.add_edge(
                            self.m + g, j, capacity=len(group.members), weight=0 if expert else 1
                        )
        for j in range(self.m):
            if high[j] > low[j]:
                graph.add_edge(j, self.sink, capacity=high[j] - low[j], weight=0)
        try:
            _cost, flow = nx.network_simplex(graph)
        except nx.NetworkXUnfeasible:
            return None
        return flow


def _group_entries(
    entries: list[EntryToJudge],
    judges: list[Judge],
    k: int,
    conflicted: list[set[int]],
    kept_by_entry: list[list[int]],
) -> list[_Group]:
    members: dict[tuple, list[int]] = defaultdict(list)
    for i, entry in enumerate(entries):
        need = k - len(kept_by_entry[i])
        if need > 0:
            excluded = tuple(sorted(conflicted[i] | set(kept_by_entry[i])))
            category = (entry.category is not None, entry.category or "")
            members[(need, category, excluded)].append(i)
    groups = []
    for key in sorted(members):
        need, _category, excluded = key
        category = entries[members[key][0]].category
        skip = frozenset(excluded)
        allowed = tuple(j for j in range(len(judges)) if j not in skip)
        experts = frozenset(
            j for j in allowed if category is not None and category in judges[j].expertise
        )
        groups.append(_Group(need, tuple(members[key]), allowed, experts))
    return groups


def _solve(
    entries: list[EntryToJudge],
    judges: list[Judge],
    k: int,
    conflicted: list[set[int]],
    kept_by_entry: list[list[int]],
) -> list[list[int]]:
    """The new judges (indices) of each entry (by index)."""
    kept_loads = [0] * len(judges)
    for kept in kept_by_entry:
        for j in kept:
            kept_loads[j] += 1
    groups = _group_entries(entries, judges, k, conflicted, kept_by_entry)
    network = _Network(groups, len(judges), kept_loads)
    chosen: list[list[int]] = [[] for _ in entries]
    if network.total == 0:
        return chosen

    grand_total = len(entries) * k
    n = len(entries)
    top = _first_plausible_top(network, grand_total, n)
    floor = _last_plausible_floor(network, grand_total, top)
    flow = network.cheapest(top, floor)
    if flow is None:  # conflicts stand in the way of the even targets: search the real bounds
        top = _smallest_feasible_top(network, top, n)
        floor = _largest_feasible_floor(
            network, top, _last_plausible_floor(network, grand_total, top)
        )
        flow = network.cheapest(top, floor)
        if flow is None:
            raise RuntimeError(f"the load bounds [{floor}, {top}] were feasible, then were not")

    for g, group in enumerate(groups):
        shares = flow[network.m + g]
        slots = [j for j in group.allowed for _ in range(shares.get(j, 0))]
        # A judge's share (at most one per member) takes consecutive slots, so dealing the slots
        # round-robin never gives a member the same judge twice.
        for slot, j in enumerate(slots):
            chosen[group.members[slot % len(group.members)]].append(j)
    _verify(network, chosen, kept_by_entry, conflicted, k, top, floor)
    return chosen


def _first_plausible_top(network: _Network, grand_total: int, n: int) -> int:
    """The smallest maximum load that the totals alone do not rule out."""
    top = max(-(-grand_total // network.m), max(network.kept_loads))
    while top < n and sum(min(top, p) for p in network.potential) < grand_total:
        top += 1
    return top


def _last_plausible_floor(network: _Network, grand_total: int, top: int) -> int:
    """The largest floor that the totals alone do not rule out, for a maximum load `top`."""

    def fits(floor: int) -> bool:
        low, _high = network.bounds(top, floor)
        return (
            sum(kept + lo for kept, lo in zip(network.kept_loads, low, strict=True)) <= grand_total
        )

    floor = top
    while floor > 0 and not fits(floor):
        floor -= 1
    return floor


def _smallest_feasible_top(network: _Network, top: int, n: int) -> int:
    """The smallest feasible maximum load from `top` on. A failed test's minimum cut is too small
    for every maximum below the first one at which its capacity reaches the total, so the search
    jumps there: each step is still a lower bound, and it takes few steps."""
    while (cut := network.deficient_cut(top, 0)) is not None:
        if top >= n:  # a judge takes an entry at most once: n is always enough
            raise RuntimeError("no plan even without load bounds, yet every entry has k judges")
        top += 1
        while top < n and network.cut_capacity(cut, top, 0) < network.total:
            top += 1
    return top


def _largest_feasible_floor(network: _Network, top: int, floor: int) -> int:
    """The largest feasible floor from `floor` down, for the maximum load `top`, with the same
    jumps: a failed test's cut rules out every floor down to where its capacity reaches the total."""
    while floor > 0 and (cut := network.deficient_cut(top, floor)) is not None:
        floor -= 1
        while floor > 0 and network.cut_capacity(cut, top, floor) < network.total:
            floor -= 1
    return floor


def _verify(
    network: _Network,
    chosen: list[list[int]],
    kept_by_entry: list[list[int]],
    conflicted: list[set[int]],
    k: int,
    top: int,
    floor: int,
) -> None:
    """Check the plan against the rules, so that a solver fault never reaches the judges."""
    loads = list(network.kept_loads)
    for i, new in enumerate(chosen):
        every = kept_by_entry[i] + new
        if len(every) != k or len(set(every)) != k or conflicted[i] & set(new):
            raise RuntimeError(f"entry index {i} was given judges {every}, breaking the rules")
        for j in new:
            loads[j] += 1
    low, _high = network.bounds(top, floor)
    for j, load in enumerate(loads):
        least = network.kept_loads[j] + low[j]
        if not least <= load <= top:
            raise RuntimeError(f"judge index {j} has {load} entries, outside [{least}, {top}]")


def _plan(
    entries: list[EntryToJudge],
    judges: list[Judge],
    kept_by_entry: list[list[int]],
    chosen: list[list[int]],
) -> AssignmentPlan:
    assignments, new = [], []
    loads = dict.fromkeys((j.id for j in judges), 0)
    matches = 0
    for i, entry in enumerate(entries):
        kept = set(kept_by_entry[i])
        for j in sorted(kept | set(chosen[i])):
            pair = JudgeAssignment(entry.id, judges[j].id)
            assignments.append(pair)
            if j not in kept:
                new.append(pair)
            loads[judges[j].id] += 1
            matches += judges[j].is_expert_for(entry)
    return AssignmentPlan(tuple(assignments), tuple(new), loads, matches)
