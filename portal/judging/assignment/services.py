"""Assigning judges to a round's entries: the solver's inputs, proposals, confirmation, manual
changes and replacements after a recusal.

Assignments may be made while the competition is closed (entries are in) or in judging, and until
the round's results are final. Confirming a proposal, or assigning by hand, while the competition
is closed moves it to judging (an audited status change): judges can only score then.

Every change raises `Round.assignment_version`. A proposal carries the version it was computed from
and a fingerprint of its new assignments; confirming raises the version with a conditional UPDATE
and writes nothing when another change came first, or when the plan computed again is not the one
shown (a judge changed her declaration, an entry was withdrawn…).

One file past 600 lines: the proposal, its confirmation and the manual changes share one loaded
round (`load_round`) and one version check; cut apart, each would reload and recheck it.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import noload, selectinload

from portal.auth.models import Role, User
from portal.competitions.models import CompetitionStatus, Round
from portal.competitions.status import change_competition_status
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.text import fold
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus, TeamMember
from portal.entries.status import change_entry_status
from portal.extensions import db
from portal.judging.assignment.solver import (
    AssignmentImpossible,
    AssignmentPlan,
    EntryToJudge,
    Judge,
    JudgeAssignment,
    Problem,
    ProblemCode,
    assign_judges,
    has_conflict,
)
from portal.judging.common import ensure_rubric, may_manage_round, round_entries_query
from portal.judging.models import (
    Assignment,
    AssignmentSource,
    CompetitionJudge,
    ScoreSheet,
    SheetStatus,
)
from portal.judging.setup.services import lines, organises

ASSIGNABLE_STATUSES = {CompetitionStatus.CLOSED, CompetitionStatus.JUDGING}


class StaleProposal(DomainError):
    """Someone changed the round's assignments (or its inputs) since the proposal was shown."""

    status = 409  # the round changed since the proposal was shown


# --- Loading the round ----------------------------------------------------------------------------


@dataclass
class RoundData:
    """A round's entries, judges and assignments, loaded in a constant number of queries."""

    round: Round
    entries: list[Entry]  # by reference
    judges: dict[int, CompetitionJudge]  # user id → the row, every judge with an account
    assignable: dict[int, CompetitionJudge]  # the judges who may be given entries
    users: dict[int, User]  # every judge's account, and the accounts of assigned judges
    assignments: list[Assignment]  # every assignment of the round, recused ones included
    to_judge: dict[int, EntryToJudge] = field(default_factory=dict)  # entry id → solver input
    judge_inputs: dict[int, Judge] = field(default_factory=dict)  # user id → solver input

    @property
    def k(self) -> int:
        return self.round.judges_per_entry

    @property
    def entry_by_id(self) -> dict[int, Entry]:
        return {e.id: e for e in self.entries}

    def active_by_entry(self) -> dict[int, list[Assignment]]:
        result: dict[int, list[Assignment]] = defaultdict(list)
        for a in self.assignments:
            if a.recused_at is None:
                result[a.entry_id].append(a)
        return result

    def recused(self) -> list[Assignment]:
        return [a for a in self.assignments if a.recused_at is not None]

    def needs_replacement(self, recused: Assignment) -> bool:
        """A recusal leaves its entry short of judges until another judge is given it: the
        entry has fewer active judges than the round asks for."""
        return len(self.active_by_entry()[recused.entry_id]) < self.k

    def loads(self) -> dict[int, int]:
        entry_ids = {e.id for e in self.entries}
        loads = dict.fromkeys(self.assignable, 0)
        for a in self.assignments:
            if a.recused_at is None and a.entry_id in entry_ids:
                loads[a.judge_id] = loads.get(a.judge_id, 0) + 1
        return loads


def load_round(round_: Round) -> RoundData:
    """Load everything once."""
    entries = list(
        db.session.scalars(
            round_entries_query(round_)
            .options(
                selectinload(Entry.applicant).noload(User.roles),
                selectinload(Entry.team_members).selectinload(TeamMember.user).noload(User.roles),
                noload(Entry.attachments),
                selectinload(Entry.category),
            )
            .order_by(Entry.reference, Entry.id)
        )
    )
    rows = list(
        db.session.scalars(
            sa.select(CompetitionJudge)
            .where(
                CompetitionJudge.competition_id == round_.competition_id,
                CompetitionJudge.user_id.is_not(None),
            )
            .options(selectinload(CompetitionJudge.user))
        )
    )
    judges = {row.user_id: row for row in rows}
    assignable = {
        row.user_id: row
        for row in rows
        if row.user.has_role(Role.JUDGE)
        and row.user.active
        # An organiser of the competition sees every name: never a judge of a blind round (she
        # may have become an organiser, or the round blind, after she was added).
        and not (round_.blind and organises(row.user, round_.competition))
    }
    assignments = list(
        db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.round_id == round_.id)
            .options(selectinload(Assignment.sheet).noload(ScoreSheet.scores))
            .order_by(Assignment.id)
        )
    )
    users = {row.user_id: row.user for row in rows}
    missing = {a.judge_id for a in assignments} - set(users)
    if missing:
        users.update(
            {
                u.id: u
                for u in db.session.scalars(
                    sa.select(User).where(User.id.in_(missing)).options(noload(User.roles))
                )
            }
        )
    data = RoundData(round_, entries, judges, assignable, users, assignments)
    data.to_judge = {e.id: entry_input(e) for e in entries}
    people = _people_index(entries)
    data.judge_inputs = {uid: judge_input(row, people) for uid, row in judges.items()}
    return data


def entry_input(entry: Entry) -> EntryToJudge:
    return EntryToJudge(
        id=entry.id,
        reference=entry.reference or f"#{entry.id}",
        applicant_id=entry.applicant_id,
        category=str(entry.category_id) if entry.category_id is not None else None,
        team_member_ids={m.user_id for m in entry.team_members if m.user_id is not None},
        commune_id=entry.commune_id,
        organisations={entry.organisation.strip()} if (entry.organisation or "").strip() else set(),
    )


def _account_key(user) -> str:
    return (user.email or user.login_phone or f"user:{user.id}").lower()


def _people_index(entries: list[Entry]) -> dict[str, set[int]]:
    """E-mail (lower case) or folded name of an applicant or team member → the entries' applicants.

    A declared person is matched by either; the applicant's id stands for the whole entry, since
    she is always among its people.
    """
    index: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        # An account by phone number alone has no address: her name and number stand for her.
        keys = {_account_key(entry.applicant), "name:" + fold(entry.applicant.full_name)}
        for member in entry.team_members:
            if member.user is not None:
                keys.add(_account_key(member.user))
                keys.add("name:" + fold(member.user.full_name))
            if member.name.strip():
                keys.add("name:" + fold(member.name))
        for key in keys:
            if key and key != "name:":
                index[key].add(entry.applicant_id)
    return index


def judge_input(row: CompetitionJudge, people: dict[str, set[int]]) -> Judge:
    persons: set[int] = set()
    for line in lines(row.conflict_people):
        persons |= people.get(line.lower(), set())
        folded = fold(line)
        if folded:
            persons |= people.get("name:" + folded, set())
    return Judge(
        id=row.user_id,
        name=row.name,
        email=row.email,
        expertise={str(c) for c in (row.expertise or [])},
        conflict_person_ids=persons,
        conflict_commune_ids={int(c) for c in (row.conflict_commune_ids or [])},
        conflict_organisations=set(lines(row.conflict_organisations)),
    )


# --- Rules ----------------------------------------------------------------------------------------


def _check(actor: User, round_: Round) -> None:
    if not may_manage_round(actor, round_):
        raise DomainError(_l("You cannot manage judging in this competition."))
    refusal = assignment_refusal(round_)
    if refusal:
        raise DomainError(refusal)


def assignment_refusal(round_: Round) -> str | None:
    """Why assignments cannot be made in this round now, or None."""
    if round_.results_final_at is not None:
        return str(_l("The results of this round are final: its assignments can no longer change."))
    if round_.competition.status not in ASSIGNABLE_STATUSES:
        return str(
            _l(
                "Judges are assigned once entries are closed: the competition is %(status)s.",
                status=round_.competition.status.label,
            )
        )
    return None


def problem_message(problem: Problem) -> str:
    """A solver problem in the reader's language."""
    params = {key: value for key, value in problem.params.items() if value is not None}
    count = problem.available or 0
    if problem.code is ProblemCode.TOO_FEW_JUDGES:
        return ngettext(
            "only %(num)d judge can be assigned in all, %(needed)d needed for each entry",
            "only %(num)d judges can be assigned in all, %(needed)d needed for each entry",
            count,
            **params,
        )
    if problem.code is ProblemCode.TOO_FEW_FREE_JUDGES:
        return ngettext(
            "entry %(reference)s: only %(num)d judge without a conflict, %(needed)d needed",
            "entry %(reference)s: only %(num)d judges without a conflict, %(needed)d needed",
            count,
            **params,
        )
    if problem.code is ProblemCode.KEPT_JUDGE_CONFLICTED:
        return ngettext(
            "entry %(reference)s: the assigned judge %(judge)s has a conflict",
            "entry %(reference)s: the assigned judge %(judge)s has a conflict",
            1,
            **params,
        )
    return ngettext(
        "entry %(reference)s: %(num)d judge assigned, only %(needed)d needed",
        "entry %(reference)s: %(num)d judges assigned, only %(needed)d needed",
        count,
        **params,
    )


# --- Proposal and confirmation --------------------------------------------------------------------


@dataclass
class Proposal:
    data: RoundData
    version: int
    plan: AssignmentPlan | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        pairs = self.plan.new if self.plan else ()
        text = ";".join(f"{p.entry_id}:{p.judge_id}" for p in pairs)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @property
    def new_pairs(self) -> set[tuple[int, int]]:
        return {(p.entry_id, p.judge_id) for p in self.plan.new} if self.plan else set()

    def rows(self) -> list[dict]:
        """Entry → judges, each marked new or kept and expert or not, for the proposal table."""
        if self.plan is None:
            return []
        by_entry: dict[int, list[int]] = defaultdict(list)
        for pair in self.plan.assignments:
            by_entry[pair.entry_id].append(pair.judge_id)
        new = self.new_pairs
        rows = []
        for entry in self.data.entries:
            item = self.data.to_judge[entry.id]
            rows.append(
                {
                    "entry": entry,
                    "judges": [
                        {
                            "user": self.data.users[j],
                            "new": (entry.id, j) in new,
                            "expert": j in self.data.judge_inputs
                            and self.data.judge_inputs[j].is_expert_for(item),
                        }
                        for j in by_entry[entry.id]
                    ],
                }
            )
        return rows

    def load_rows(self) -> list[dict]:
        if self.plan is None:
            return []
        return [
            {"user": self.data.users[j], "load": load, "name": self.data.users[j].full_name}
            for j, load in sorted(
                self.plan.loads.items(), key=lambda item: fold(self.data.users[item[0]].full_name)
            )
        ]


def _solver_call(
    data: RoundData, entry_ids: set[int] | None = None
) -> tuple[AssignmentPlan | None, list[str]]:
    """Run the solver over the round (or some of its entries), keeping the active assignments."""
    entries = [data.to_judge[e.id] for e in data.entries if entry_ids is None or e.id in entry_ids]
    wanted = {e.id for e in entries}
    judges = {uid: data.judge_inputs[uid] for uid in data.assignable}
    kept, forbidden = [], []
    for a in data.assignments:
        if a.entry_id not in wanted:
            continue
        pair = JudgeAssignment(a.entry_id, a.judge_id)
        if a.recused_at is not None:
            forbidden.append(pair)
            continue
        kept.append(pair)
        if a.judge_id not in judges:
            # Still assigned, though she can no longer be given entries (removed role, account
            # closed): she keeps what she has and gets nothing more.
            judges[a.judge_id] = data.judge_inputs.get(a.judge_id) or Judge(
                id=a.judge_id, name=data.users[a.judge_id].full_name
            )
    outsiders = set(judges) - set(data.assignable)
    for judge_id in outsiders:
        mine = {p.entry_id for p in kept if p.judge_id == judge_id}
        forbidden.extend(JudgeAssignment(e, judge_id) for e in wanted - mine)
    try:
        plan = assign_judges(entries, judges.values(), data.k, kept, forbidden=forbidden)
    except AssignmentImpossible as error:
        return None, [problem_message(p) for p in error.problems]
    return plan, []


def propose(actor: User, round_: Round) -> Proposal:
    """What the solver would do now; nothing is written."""
    _check(actor, round_)
    data = load_round(round_)
    version = round_.assignment_version
    if not data.entries:
        return Proposal(data, version, problems=[str(_l("This round has no entries to judge."))])
    plan, problems = _solver_call(data)
    return Proposal(data, version, plan, problems)


def _bump(round_: Round, expected: int | None = None) -> bool:
    """Raise the round's assignment version; with `expected`, only if it still has that value."""
    statement = sa.update(Round).where(Round.id == round_.id)
    if expected is not None:
        statement = statement.where(Round.assignment_version == expected)
    result = db.session.execute(
        statement.values(assignment_version=Round.assignment_version + 1),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(round_, ["assignment_version"])
    return result.rowcount == 1


def _start_judging(actor: User, round_: Round, entries: list[Entry]) -> None:
    """The entries newly given judges are in judging, and so is the competition. The round's
    rubric is saved now if it was never edited: the judges score against it."""
    ensure_rubric(round_)
    waiting = EntryStatus.ELIGIBLE if round_.is_first else EntryStatus.ADVANCED
    change_entry_status(
        actor.id,
        [entry for entry in entries if entry.status is waiting],
        EntryStatus.IN_JUDGING,
        after={"round_id": round_.id},
    )
    if round_.competition.status is CompetitionStatus.CLOSED:
        change_competition_status(actor.id, round_.competition, CompetitionStatus.JUDGING)


def confirm(actor: User, round_: Round, version: int, fingerprint: str) -> int:
    """Write the proposal shown with `version` and `fingerprint`; returns the number of new
    assignments. Raises StaleProposal when something changed since it was shown."""
    _check(actor, round_)
    if not _bump(round_, version):
        db.session.rollback()
        raise StaleProposal(
            _l(
                "The assignments of this round changed since this proposal was made (perhaps "
                "another organiser confirmed one). Nothing was written; here is a fresh proposal."
            )
        )
    data = load_round(round_)  # inside the transaction that raised the version
    plan, problems = _solver_call(data) if data.entries else (None, [])
    proposal = Proposal(data, version, plan, problems)
    if plan is None or proposal.fingerprint != fingerprint:
        db.session.rollback()
        raise StaleProposal(
            _l(
                "The entries or the judges' declarations changed since this proposal was made. "
                "Nothing was written; here is a fresh proposal."
            )
        )
    now = utcnow()
    if plan.new:
        db.session.execute(
            sa.insert(Assignment),
            [
                {
                    "round_id": round_.id,
                    "entry_id": pair.entry_id,
                    "judge_id": pair.judge_id,
                    "source": AssignmentSource.AUTOMATIC,
                    "created_at": now,
                    "created_by_id": actor.id,
                }
                for pair in plan.new
            ],
        )
    audit.record(
        "assignments.confirmed",
        actor_id=actor.id,
        object_type="competition_round",
        object_id=round_.id,
        before={"assignment_version": version},
        after={
            "assignment_version": version + 1,
            "new": len(plan.new),
            "kept": len(plan.assignments) - len(plan.new),
            "expertise_matches": plan.expertise_matches,
        },
    )
    _start_judging(actor, round_, data.entries)
    db.session.commit()
    return len(plan.new)


# --- Manual changes -------------------------------------------------------------------------------


def _judge_for(data: RoundData, judge_id: int) -> CompetitionJudge:
    row = data.assignable.get(judge_id)
    if row is None:
        raise DomainError(
            _l("Choose a judge of this competition who has an account."), field="judge"
        )
    return row


def _entry_for(data: RoundData, entry_id: int) -> Entry:
    entry = next((e for e in data.entries if e.id == entry_id), None)
    if entry is None:
        raise DomainError(_l("Choose an entry of this round."), field="entry")
    return entry


def _check_pair(data: RoundData, entry: Entry, judge_id: int) -> None:
    """The judge may be given the entry: no assignment of hers on it yet, no conflict."""
    judge = data.assignable[judge_id]
    for a in data.assignments:
        if a.entry_id == entry.id and a.judge_id == judge_id:
            if a.recused_at is not None:
                raise DomainError(
                    _l(
                        "%(judge)s recused herself from %(reference)s: she cannot judge it.",
                        judge=judge.name,
                        reference=entry.reference,
                    ),
                    field="judge",
                )
            raise DomainError(
                _l(
                    "%(judge)s already judges %(reference)s.",
                    judge=judge.name,
                    reference=entry.reference,
                ),
                field="judge",
            )
    if has_conflict(data.judge_inputs[judge_id], data.to_judge[entry.id]):
        raise DomainError(
            _l(
                "%(judge)s has a conflict with %(reference)s: she is on its team, or declared "
                "its people, commune or organisation.",
                judge=judge.name,
                reference=entry.reference,
            ),
            field="judge",
        )


def _new_assignment(actor: User, round_: Round, entry: Entry, judge_id: int) -> Assignment:
    assignment = Assignment(
        round_id=round_.id,
        entry_id=entry.id,
        judge_id=judge_id,
        source=AssignmentSource.MANUAL,
        created_by_id=actor.id,
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        "assignment.added",
        actor_id=actor.id,
        object_type="judge_assignment",
        object_id=assignment.id,
        after={"round_id": round_.id, "entry_id": entry.id, "judge_id": judge_id},
    )
    return assignment


def add_assignment(actor: User, round_: Round, entry_id: int, judge_id: int) -> Assignment:
    _check(actor, round_)
    data = load_round(round_)
    entry = _entry_for(data, entry_id)
    _judge_for(data, judge_id)
    active = data.active_by_entry().get(entry.id, [])
    if len(active) >= data.k:
        raise DomainError(
            ngettext(
                "%(reference)s already has its %(num)d judge: replace her instead.",
                "%(reference)s already has its %(num)d judges: replace one instead.",
                data.k,
                reference=entry.reference,
            ),
            field="judge",
        )
    _check_pair(data, entry, judge_id)
    assignment = _new_assignment(actor, round_, entry, judge_id)
    _bump(round_)
    _start_judging(actor, round_, [entry])
    db.session.commit()
    return assignment


def _check_removable(assignment: Assignment) -> None:
    if assignment.recused_at is not None:
        raise DomainError(_l("A recusal stays on record: it cannot be removed."))
    sheet = assignment.sheet
    if sheet is not None and sheet.status is SheetStatus.SUBMITTED:
        raise DomainError(
            _l(
                "%(judge)s has submitted her scores for this entry.",
                judge=assignment.judge.full_name,
            )
        )


def _delete(actor: User, assignment: Assignment, action: str) -> None:
    audit.record(
        action,
        actor_id=actor.id,
        object_type="judge_assignment",
        object_id=assignment.id,
        before={
            "round_id": assignment.round_id,
            "entry_id": assignment.entry_id,
            "judge_id": assignment.judge_id,
            "source": assignment.source.value,
            "draft_sheet": assignment.sheet is not None,
        },
    )
    if assignment.sheet is not None:
        db.session.delete(assignment.sheet)
    db.session.delete(assignment)
    db.session.flush()


def remove_assignment(actor: User, assignment: Assignment) -> None:
    round_ = assignment.round
    _check(actor, round_)
    _check_removable(assignment)
    _delete(actor, assignment, "assignment.removed")
    _bump(round_)
    db.session.commit()


def replace_assignment(actor: User, assignment: Assignment, judge_id: int) -> Assignment:
    """Another judge in her place, in one step."""
    round_ = assignment.round
    _check(actor, round_)
    _check_removable(assignment)
    data = load_round(round_)
    entry = _entry_for(data, assignment.entry_id)
    _judge_for(data, judge_id)
    if judge_id == assignment.judge_id:
        raise DomainError(_l("Choose another judge."), field="judge")
    _check_pair(data, entry, judge_id)
    _delete(actor, assignment, "assignment.replaced")
    new = _new_assignment(actor, round_, entry, judge_id)
    _bump(round_)
    db.session.commit()
    return new


def find_replacement(actor: User, assignment: Assignment) -> list[Assignment]:
    """After a recusal, give the entry the judges it lacks, chosen by the solver.

    The solver sees the entries that have all their judges, so that the new judge is one of the
    least loaded; the judge who recused herself is never chosen again for this entry.
    """
    round_ = assignment.round
    _check(actor, round_)
    if assignment.recused_at is None:
        raise DomainError(_l("This judge has not recused herself."))
    data = load_round(round_)
    entry = _entry_for(data, assignment.entry_id)
    active = data.active_by_entry()
    if len(active.get(entry.id, [])) >= data.k:
        raise DomainError(
            _l("%(reference)s already has all its judges.", reference=entry.reference)
        )
    complete = {e.id for e in data.entries if len(active.get(e.id, [])) == data.k}
    plan, problems = _solver_call(data, complete | {entry.id})
    if plan is None:
        raise DomainError(
            _l("No replacement can be found: %(problems)s.", problems="; ".join(problems))
        )
    created = [
        _new_assignment(actor, round_, entry, pair.judge_id)
        for pair in plan.new
        if pair.entry_id == entry.id
    ]
    _bump(round_)
    db.session.commit()
    return created


# --- The round's state ----------------------------------------------------------------------------


@dataclass
class AssignmentStatus:
    entries: int
    complete: int  # entries with k active judges
    short: list[tuple[Entry, int]]  # entries with fewer than k: (entry, active judges)
    recused: list[Assignment]


def assignment_status(data: RoundData) -> AssignmentStatus:
    active = data.active_by_entry()
    short = [
        (e, len(active.get(e.id, []))) for e in data.entries if len(active.get(e.id, [])) < data.k
    ]
    return AssignmentStatus(
        len(data.entries), len(data.entries) - len(short), short, data.recused()
    )
