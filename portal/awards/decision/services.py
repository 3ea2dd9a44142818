"""Deciding the prizes: the proposal drawn from the final ranking, the organisers' changes to it,
finalising and a second organiser's approval, and the publication that tells every applicant.

The rules, as the decision page states them:

- **Candidates** are the entries ranked in the source round (the last round whose results are
  final), except those withdrawn or found ineligible, best rank first; entries sharing a rank are
  taken in the order of their entry numbers.
- **Prize tiers** fill in rank order: the first tier's slots first, then the second's, and so on.
  Each tier keeps its number of prizes. When entries sharing a rank fall on both sides of a tier
  boundary (one would get the higher tier, another the lower tier or no prize), the proposal
  still puts them in that order but marks every line holding one of them "tie at the boundary":
  the organisers must decide each such line and write how (the reason), even when they keep the
  proposal, before the decision can be finalised.
- **Special prizes** take the best-ranked entry that meets their rule on the day of the decision
  (the day the lines were drawn, in Vietnam); an entry takes at most one special prize, and an
  entry that won a prize tier may take one only when the competition allows it
  (`AwardDecision.special_with_tier`). A special prize no entry qualifies for is left ungiven. A
  tie between qualifying entries is marked as above.
- **Changes**: any line may be changed while the decision is a draft; a line that differs from
  its proposal needs a written reason. The same entry cannot take two tier lines, nor two special
  prizes, nor (unless allowed) a tier and a special prize; a special prize can only go to an entry
  that meets its rule; only ranked candidates can be chosen.
- **Maker-checker**: a finalised decision is approved by another organiser who may manage the
  competition, never by the person who finalised it. An approval can be withdrawn until
  publication; a finalised (not approved) decision can be reopened with a written reason.

Every change of the decision raises `AwardDecision.version` with a conditional UPDATE, so a
double click or two organisers acting at once cannot both succeed: the second gets a
DecisionConflict (the page answers 409).
"""

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.auth.models import User
from portal.awards import common
from portal.awards.models import Award, AwardDecision, DecisionStatus, PrizeTier
from portal.awards.prizes.eligibility import EntryFacts, qualifies
from portal.competitions.models import Competition, CompetitionStatus, Round
from portal.competitions.status import change_competition_status
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.outbox import queue_mail
from portal.core.time import utcnow, vietnam_date
from portal.core.urls import external_url
from portal.entries.models import Entry, EntryStatus
from portal.entries.status import change_entry_status
from portal.extensions import db
from portal.judging.common import round_entries_query
from portal.judging.models import Assignment, RoundResult, ScoreSheet, SheetStatus

MAX_REASON = 2000
# Entries that cannot take a prize even though they were ranked.
OUT_OF_THE_RUNNING = (EntryStatus.WITHDRAWN, EntryStatus.INELIGIBLE)

CHANGED_SINCE = _l(
    "The decision changed since this page was shown (another organiser may have acted, or the "
    "button was pressed twice). Nothing was done: here is the decision as it stands now."
)


class DecisionConflict(DomainError):
    """The decision is not in the state the action needs, or changed meanwhile (409)."""


class SamePerson(DomainError):
    """The person who finalised the decision tried to approve it (403)."""


class LineNote(enum.StrEnum):
    TIE = "tie"  # entries sharing a rank fall on both sides of this line's boundary: decide
    NO_QUALIFYING = "no_qualifying"  # a special prize no (further) entry qualifies for
    NOT_ENOUGH = "not_enough"  # fewer ranked entries than prizes

    @property
    def label(self) -> str:
        return str(LINE_NOTE_LABELS[self])


LINE_NOTE_LABELS = {
    LineNote.TIE: _l("Tie at the boundary: decide"),
    LineNote.NO_QUALIFYING: _l("No entry qualifies: not given"),
    LineNote.NOT_ENOUGH: _l("Fewer ranked entries than prizes: not given"),
}


@dataclass(frozen=True)
class Candidate:
    """An entry that may take a prize: ranked in the source round, still in the running."""

    entry: Entry
    rank: int
    score: float | None


@dataclass
class ProposedLine:
    tier: PrizeTier
    slot: int
    candidate: Candidate | None
    note: LineNote | None = None

    @property
    def key(self) -> tuple[int, int]:
        return (self.tier.id, self.slot)

    @property
    def entry_id(self) -> int | None:
        return self.candidate.entry.id if self.candidate else None


@dataclass
class Proposal:
    """What the rules give, line by line; nothing is written."""

    round: Round | None
    day: date
    tiers: list[PrizeTier]
    candidates: list[Candidate]
    lines: list[ProposedLine]
    special_with_tier: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def ties(self) -> list[ProposedLine]:
        return [line for line in self.lines if line.note is LineNote.TIE]

    def notes(self) -> dict[tuple[int, int], LineNote]:
        return {line.key: line.note for line in self.lines if line.note is not None}


# --- Reading ------------------------------------------------------------------------------------


def decision_day(decision: AwardDecision | None) -> date:
    """The day special-prize rules are read on: when the lines were drawn, else today."""
    if decision is not None and decision.proposed_at is not None:
        return vietnam_date(decision.proposed_at)
    return vietnam_date(utcnow())


def candidates_of(round_: Round) -> list[Candidate]:
    """The entries ranked in the round and still in the running, best first (one query)."""
    rows = db.session.scalars(
        sa.select(RoundResult)
        .join(Entry, Entry.id == RoundResult.entry_id)
        .where(
            RoundResult.round_id == round_.id,
            RoundResult.rank.is_not(None),
            Entry.status.not_in(OUT_OF_THE_RUNNING),
        )
        .options(
            joinedload(RoundResult.entry).joinedload(Entry.category),
            joinedload(RoundResult.entry).joinedload(Entry.applicant),
            joinedload(RoundResult.entry).joinedload(Entry.commune),
        )
        .order_by(RoundResult.rank, RoundResult.entry_id)
    ).unique()
    use_raw = round_.rank_by == "raw"
    return [
        Candidate(r.entry, r.rank, r.raw_score if use_raw else r.normalised_score) for r in rows
    ]


def propose(competition: Competition, *, on: date | None = None) -> Proposal:
    """The lines the rules give from the source round's final ranking (see the module's rules).

    `on` is the day special-prize rules are read on; by default the decision's day. Pure read.
    """
    decision = common.decision_of(competition)
    special_with_tier = bool(decision and decision.special_with_tier)
    day = on or decision_day(decision)
    round_ = common.source_round(competition)
    tiers = common.tiers_of(competition)
    problems = []
    if round_ is None:
        problems.append(
            str(_l("No round of this competition has final results yet: make them final first."))
        )
    if not tiers:
        problems.append(str(_l("This competition has no prizes yet: set them up first.")))
    candidates = candidates_of(round_) if round_ is not None else []
    lines = _fill(tiers, candidates, special_with_tier, day)
    return Proposal(round_, day, tiers, candidates, lines, special_with_tier, problems)


def _fill(
    tiers: list[PrizeTier], candidates: list[Candidate], special_with_tier: bool, day: date
) -> list[ProposedLine]:
    lines: list[ProposedLine] = []
    holder: dict[int, int] = {}  # entry id → the tier it takes
    queue = iter(candidates)
    for tier in (t for t in tiers if not t.is_special):
        for slot in range(1, tier.prize_count + 1):
            candidate = next(queue, None)
            if candidate is None:
                lines.append(ProposedLine(tier, slot, None, LineNote.NOT_ENOUGH))
            else:
                holder[candidate.entry.id] = tier.id
                lines.append(ProposedLine(tier, slot, candidate))
    # A rank whose entries hold different tiers (or a tier and no prize) straddles a boundary.
    tiers_by_rank: dict[int, set[int | None]] = defaultdict(set)
    for candidate in candidates:
        tiers_by_rank[candidate.rank].add(holder.get(candidate.entry.id))
    split = {rank for rank, held in tiers_by_rank.items() if len(held) > 1}
    for line in lines:
        if line.candidate is not None and line.candidate.rank in split:
            line.note = LineNote.TIE

    facts = common.facts_of([c.entry.id for c in candidates])
    with_special: set[int] = set()
    for tier in (t for t in tiers if t.is_special):
        eligible = [
            c
            for c in candidates
            if c.entry.id not in with_special
            and (special_with_tier or c.entry.id not in holder)
            and qualifies(tier.rule or {}, facts.get(c.entry.id, EntryFacts()), on=day)
        ]
        chosen, left = eligible[: tier.prize_count], eligible[tier.prize_count :]
        left_ranks = {c.rank for c in left}
        for slot in range(1, tier.prize_count + 1):
            if slot <= len(chosen):
                candidate = chosen[slot - 1]
                with_special.add(candidate.entry.id)
                tie = LineNote.TIE if candidate.rank in left_ranks else None
                lines.append(ProposedLine(tier, slot, candidate, tie))
            else:
                lines.append(ProposedLine(tier, slot, None, LineNote.NO_QUALIFYING))
    return lines


@dataclass
class Overview:
    """What the decision page shows."""

    competition: Competition
    decision: AwardDecision | None
    round: Round | None  # the round the lines were drawn from, else the source round now
    lines: list[Award]
    candidates: dict[int, Candidate]
    proposal: Proposal
    notes: dict[tuple[int, int], LineNote]
    problems: list[str]

    @property
    def status(self) -> DecisionStatus:
        return self.decision.status if self.decision else DecisionStatus.DRAFT

    def note(self, line: Award) -> LineNote | None:
        return self.notes.get((line.tier_id, line.slot))


def overview(competition: Competition) -> Overview:
    """The decision, its lines and what the proposal says of each, in a constant few queries."""
    decision = common.decision_of(competition)
    proposal = propose(competition)
    lines = common.lines_of(competition)
    round_ = decision.round if decision is not None and decision.round_id else proposal.round
    if round_ is not None and proposal.round is not None and round_.id == proposal.round.id:
        candidates = proposal.candidates
    else:
        candidates = candidates_of(round_) if round_ is not None else []
    problems = _staleness(decision, competition, lines) if lines else []
    return Overview(
        competition,
        decision,
        round_,
        lines,
        {c.entry.id: c for c in candidates},
        proposal,
        proposal.notes(),
        problems,
    )


def _staleness(
    decision: AwardDecision | None, competition: Competition, lines: list[Award]
) -> list[str]:
    """Why the lines no longer match the results or the prizes they were drawn from."""
    if decision is None or decision.locked:
        return []
    problems = []
    round_ = common.source_round(competition)
    if (
        round_ is None
        or round_.id != decision.round_id
        or decision.proposed_at is None
        or round_.results_final_at > decision.proposed_at
    ):
        problems.append(
            str(
                _l(
                    "The round's results were made final again (or another round's were) after "
                    "these lines were drawn: start again from the proposal."
                )
            )
        )
    slots = {(t.id, s) for t in common.tiers_of(competition) for s in range(1, t.prize_count + 1)}
    if slots != {(a.tier_id, a.slot) for a in lines}:
        problems.append(
            str(
                _l(
                    "The prizes changed after these lines were drawn: start again from the proposal."
                )
            )
        )
    return problems


# --- Writing ------------------------------------------------------------------------------------


def _require_manager(actor: User, competition: Competition) -> None:
    if not common.may_manage(actor, competition):
        raise DomainError(_l("Only the organisers of this competition may do this."))


def _decision(competition: Competition) -> AwardDecision:
    decision = common.decision_of(competition)
    if decision is None:
        raise DecisionConflict(_l("The prizes of this competition have not been decided yet."))
    return decision


def _bump(
    decision: AwardDecision, *, expected: int | None, from_: DecisionStatus, **values: Any
) -> bool:
    """Raise the decision's version (and set `values`) only if it is still in `from_` and, with
    `expected`, still at that version. The row stays locked until the transaction ends."""
    statement = sa.update(AwardDecision).where(
        AwardDecision.id == decision.id, AwardDecision.status == from_
    )
    if expected is not None:
        statement = statement.where(AwardDecision.version == expected)
    result = db.session.execute(
        statement.values(version=AwardDecision.version + 1, **values),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(decision)
    return result.rowcount == 1


def _conflict(message=CHANGED_SINCE) -> DecisionConflict:
    db.session.rollback()
    return DecisionConflict(message)


def _line_summary(lines: list[Award]) -> list[list]:
    return [[a.tier_id, a.slot, a.entry_id] for a in lines]


def start_from_proposal(
    actor: User, competition: Competition, *, now: datetime, version: int | None = None
) -> list[Award]:
    """Write the proposal's lines (one per tier slot), replacing the draft's lines, if any."""
    _require_manager(actor, competition)
    existing = common.decision_of(competition)
    if existing is not None and existing.status is not DecisionStatus.DRAFT:
        raise DecisionConflict(
            _l("The decision is final: reopen it before starting again from the proposal.")
        )
    proposal = propose(competition, on=vietnam_date(now))
    if proposal.problems:
        raise DomainError(proposal.problems[0])
    try:
        decision = existing or common.ensure_decision(competition)
    except IntegrityError:  # another organiser created it at the same moment
        raise _conflict() from None
    before = _line_summary(common.lines_of(competition))
    if not _bump(
        decision,
        expected=version,
        from_=DecisionStatus.DRAFT,
        round_id=proposal.round.id,
        proposed_at=now,
    ):
        raise _conflict()
    db.session.execute(sa.delete(Award).where(Award.competition_id == competition.id))
    lines = [
        Award(
            competition_id=competition.id,
            tier_id=line.tier.id,
            slot=line.slot,
            entry_id=line.entry_id,
            proposed_entry_id=line.entry_id,
        )
        for line in proposal.lines
    ]
    db.session.add_all(lines)
    db.session.flush()
    audit.record(
        "award.lines_drawn",
        actor_id=actor.id,
        object_type="award_decision",
        object_id=decision.id,
        before={"lines": before} if before else None,
        after={
            "round_id": proposal.round.id,
            "lines": _line_summary(lines),
            "ties": [list(line.key) for line in proposal.ties],
        },
    )
    db.session.commit()
    return lines


class _Unset:
    pass


UNSET: Any = _Unset()


def change_line(
    actor: User,
    award: Award,
    entry_id: int | None,
    reason: str,
    *,
    now: datetime,
    was: int | None = UNSET,
) -> Award:
    """Give the line to another ranked entry, or to none ("not given").

    A line that differs from its proposal, or that is a tie at a boundary, needs a written reason.
    `was` is the line's entry when the form was shown: if it changed since, nothing is done.
    """
    competition = award.competition
    _require_manager(actor, competition)
    decision = _decision(competition)
    if decision.status is not DecisionStatus.DRAFT:
        raise DecisionConflict(_l("The decision is final: its lines can no longer change."))
    if was is not UNSET and was != award.entry_id:
        raise DecisionConflict(
            _l(
                "This line was changed by someone else since the page was shown. Nothing was "
                "done: here it is as it stands now."
            )
        )
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_REASON), field="reason")
    day = decision_day(decision)
    if entry_id is not None:
        _check_entry(decision, award, entry_id, day)
    proposal = propose(competition, on=day)
    tie = proposal.notes().get((award.tier_id, award.slot)) is LineNote.TIE
    if entry_id != award.proposed_entry_id and not reason:
        raise DomainError(_l("This line differs from the proposal: write why."), field="reason")
    if tie and not reason:
        raise DomainError(
            _l(
                "Entries sharing a rank fall on both sides of this line's boundary: write how "
                "the line was decided."
            ),
            field="reason",
        )
    if entry_id == award.entry_id and (reason or None) == award.change_reason:
        return award  # the same form sent again: nothing to change
    if not _bump(decision, expected=None, from_=DecisionStatus.DRAFT):
        raise _conflict(_l("The decision is final: its lines can no longer change."))
    before = {"entry_id": award.entry_id, "reason": award.change_reason}
    award.entry_id = entry_id
    award.change_reason = reason or None
    audit.record(
        "award.line_changed",
        actor_id=actor.id,
        object_type="award",
        object_id=award.id,
        before=before,
        after={
            "entry_id": entry_id,
            "reason": award.change_reason,
            "proposed_entry_id": award.proposed_entry_id,
            "tier_id": award.tier_id,
            "slot": award.slot,
        },
    )
    db.session.commit()
    return award


def _check_entry(decision: AwardDecision, award: Award, entry_id: int, day: date) -> None:
    """Refuse an entry this line cannot take (see the module's rules)."""
    round_ = decision.round
    candidates = {c.entry.id: c for c in candidates_of(round_)} if round_ is not None else {}
    candidate = candidates.get(entry_id)
    if candidate is None:
        raise DomainError(
            _l("Choose an entry ranked in the round the prizes are decided from."), field="entry"
        )
    others = [
        line
        for line in common.lines_of(award.competition)
        if line.id != award.id and line.entry_id == entry_id
    ]
    tier = award.tier
    for other in others:
        if not tier.is_special and not other.tier.is_special:
            raise DomainError(
                _l(
                    "%(reference)s already holds a line of %(prize)s: an entry takes one prize "
                    "tier. Change that line first.",
                    reference=candidate.entry.reference,
                    prize=other.tier.name,
                ),
                field="entry",
            )
        if tier.is_special and other.tier.is_special:
            raise DomainError(
                _l(
                    "%(reference)s already takes the special prize %(prize)s: an entry takes "
                    "at most one special prize.",
                    reference=candidate.entry.reference,
                    prize=other.tier.name,
                ),
                field="entry",
            )
        if not decision.special_with_tier:
            raise DomainError(
                _l(
                    "%(reference)s already takes %(prize)s, and in this competition an entry "
                    "that won a prize tier cannot also take a special prize.",
                    reference=candidate.entry.reference,
                    prize=other.tier.name,
                ),
                field="entry",
            )
    if tier.is_special:
        facts = common.facts_of([entry_id]).get(entry_id, EntryFacts())
        if not qualifies(tier.rule or {}, facts, on=day):
            raise DomainError(
                _l(
                    "%(reference)s does not meet the rule of this special prize.",
                    reference=candidate.entry.reference,
                ),
                field="entry",
            )


def finalise(
    actor: User, competition: Competition, *, now: datetime, version: int | None = None
) -> AwardDecision:
    """Lock the lines: DRAFT → FINALISED, waiting for a second organiser's approval.

    The lines must match the current results and prizes, give at least one prize, and every
    tie at a boundary must carry a written decision. The prizes' values are copied into the
    lines; a competition still in judging has its results final from now on.
    """
    _require_manager(actor, competition)
    decision = _decision(competition)
    if decision.status is not DecisionStatus.DRAFT:
        raise DecisionConflict(_l("The decision is already final."))
    lines = common.lines_of(competition)
    if not lines:
        raise DomainError(_l("Start from the proposal before finalising."))
    problems = _staleness(decision, competition, lines)
    if problems:
        raise DomainError(problems[0])
    if not any(line.entry_id for line in lines):
        raise DomainError(_l("No prize is given to any entry: there is nothing to finalise."))
    _refuse_entries_out_of_the_running(lines)
    _check_every_line(decision, lines)
    ties = propose(competition, on=decision_day(decision)).notes()
    undecided = [
        f"{line.tier.name} {line.slot}"
        for line in lines
        if ties.get((line.tier_id, line.slot)) is LineNote.TIE and not line.change_reason
    ]
    if undecided:
        raise DomainError(
            _l(
                "Decide the lines tied at a boundary, writing how, before finalising: %(lines)s.",
                lines=", ".join(undecided),
            )
        )
    if not _bump(
        decision,
        expected=version,
        from_=DecisionStatus.DRAFT,
        status=DecisionStatus.FINALISED,
        finalised_by_id=actor.id,
        finalised_at=now,
        approved_by_id=None,
        approved_at=None,
    ):
        raise _conflict()
    for line in lines:
        given = line.entry_id is not None
        line.cash_value = line.tier.cash_value if given else 0
        line.in_kind = line.tier.in_kind if given else ""
    if competition.status is CompetitionStatus.JUDGING:
        change_competition_status(actor.id, competition, CompetitionStatus.RESULTS_FINAL)
    audit.record(
        "award.decision_finalised",
        actor_id=actor.id,
        object_type="award_decision",
        object_id=decision.id,
        before={"status": DecisionStatus.DRAFT.value},
        after={
            "status": DecisionStatus.FINALISED.value,
            "lines": _line_summary(lines),
            "cash_total": sum(line.cash_value for line in lines),
        },
    )
    db.session.commit()
    return decision


def _check_every_line(decision: AwardDecision, lines: list[Award]) -> None:
    """The prizes or their rules may have changed since the lines were drawn: every line given
    must still be allowed (a special prize's rule, a tier winner taking a special prize)."""
    day = decision_day(decision)
    for line in lines:
        if line.entry_id is not None:
            try:
                _check_entry(decision, line, line.entry_id, day)
            except DomainError as error:
                raise DomainError(
                    _l(
                        "%(prize)s %(slot)s: %(problem)s Change the line before going on.",
                        prize=line.tier.name,
                        slot=line.slot,
                        problem=error.message,
                    )
                ) from None


def _refuse_entries_out_of_the_running(lines: list[Award]) -> None:
    """An entry withdrawn or found ineligible since the lines were drawn cannot take a prize."""
    gone = sorted(
        {
            line.entry.reference or ""
            for line in lines
            if line.entry_id is not None and line.entry.status in OUT_OF_THE_RUNNING
        }
    )
    if gone:
        raise DomainError(
            _l(
                "These entries were withdrawn or found not eligible since the lines were drawn: "
                "%(references)s. Give their lines to other entries (reopen the decision if "
                "needed).",
                references=", ".join(gone),
            )
        )


NOT_FINALISED = _l("The decision has not been finalised yet: there is nothing to approve.")


def organises(actor: User, competition: Competition) -> bool:
    """Does she hold an organiser's role over the competition's unit (the unit or its province)?
    Approval is the second organiser's check, so an admin's role alone is not enough."""
    unit = competition.unit
    return any(scope.id in (unit.id, unit.parent_id) for scope in actor.organiser_units())


def approve(
    actor: User, competition: Competition, *, now: datetime, version: int | None = None
) -> AwardDecision:
    """FINALISED → APPROVED, by another organiser than the one who finalised (maker-checker)."""
    _require_manager(actor, competition)
    decision = _decision(competition)
    if decision.status is DecisionStatus.DRAFT:
        raise DecisionConflict(NOT_FINALISED)
    if decision.status is not DecisionStatus.FINALISED:
        raise DecisionConflict(_l("The decision is already approved."))
    if not organises(actor, competition):
        raise SamePerson(
            _l(
                "Only an organiser of %(unit)s can approve the decision on its prizes.",
                unit=competition.unit.name,
            )
        )
    if decision.finalised_by_id == actor.id:
        raise SamePerson(
            _l(
                "You finalised this decision, so you cannot approve it: another organiser of "
                "the competition must check and approve it."
            )
        )
    if not _bump(
        decision,
        expected=version,
        from_=DecisionStatus.FINALISED,
        status=DecisionStatus.APPROVED,
        approved_by_id=actor.id,
        approved_at=now,
    ):
        raise _conflict()
    audit.record(
        "award.decision_approved",
        actor_id=actor.id,
        object_type="award_decision",
        object_id=decision.id,
        before={"status": DecisionStatus.FINALISED.value},
        after={
            "status": DecisionStatus.APPROVED.value,
            "finalised_by_id": decision.finalised_by_id,
        },
    )
    db.session.commit()
    return decision


def withdraw_approval(
    actor: User,
    competition: Competition,
    *,
    reason: str = "",
    now: datetime,
    version: int | None = None,
) -> AwardDecision:
    """APPROVED → FINALISED, before publication, by the approver or any other organiser."""
    _require_manager(actor, competition)
    decision = _decision(competition)
    if decision.status is DecisionStatus.PUBLISHED:
        raise DecisionConflict(
            _l("The results are published: the approval can no longer be withdrawn.")
        )
    if decision.status is not DecisionStatus.APPROVED:
        raise DecisionConflict(
            _l("The decision is not approved: there is no approval to withdraw.")
        )
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_REASON), field="reason")
    approved_by_id = decision.approved_by_id
    if not _bump(
        decision,
        expected=version,
        from_=DecisionStatus.APPROVED,
        status=DecisionStatus.FINALISED,
        approved_by_id=None,
        approved_at=None,
    ):
        raise _conflict()
    audit.record(
        "award.approval_withdrawn",
        actor_id=actor.id,
        object_type="award_decision",
        object_id=decision.id,
        before={"status": DecisionStatus.APPROVED.value, "approved_by_id": approved_by_id},
        after={"status": DecisionStatus.FINALISED.value, "reason": reason or None},
    )
    db.session.commit()
    return decision


def reopen(
    actor: User,
    competition: Competition,
    *,
    reason: str,
    now: datetime,
    version: int | None = None,
) -> AwardDecision:
    """FINALISED → DRAFT with a written reason; an approved decision needs its approval
    withdrawn first, and a published one can no longer be reopened."""
    _require_manager(actor, competition)
    decision = _decision(competition)
    if decision.status is DecisionStatus.APPROVED:
        raise DecisionConflict(
            _l("The decision is approved: withdraw the approval before reopening it.")
        )
    if decision.status is DecisionStatus.PUBLISHED:
        raise DecisionConflict(_l("The results are published: the decision can no longer change."))
    if decision.status is not DecisionStatus.FINALISED:
        raise DecisionConflict(_l("The decision is not final: there is nothing to reopen."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Write why the decision is reopened."), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_REASON), field="reason")
    finalised_by_id = decision.finalised_by_id
    if not _bump(
        decision,
        expected=version,
        from_=DecisionStatus.FINALISED,
        status=DecisionStatus.DRAFT,
        finalised_by_id=None,
        finalised_at=None,
    ):
        raise _conflict()
    audit.record(
        "award.decision_reopened",
        actor_id=actor.id,
        object_type="award_decision",
        object_id=decision.id,
        before={"status": DecisionStatus.FINALISED.value, "finalised_by_id": finalised_by_id},
        after={"status": DecisionStatus.DRAFT.value, "reason": reason},
    )
    db.session.commit()
    return decision


# --- Publishing ---------------------------------------------------------------------------------


@dataclass
class EntryOutcome:
    """What one entry's applicant is told: its prizes (with links), or the judges' feedback."""

    entry: Entry
    prizes: list[tuple[Award, str]] = field(default_factory=list)  # (award, link to her page)
    feedback: list[tuple[str, str]] = field(default_factory=list)  # (round name, text)

    @property
    def won(self) -> bool:
        return bool(self.prizes)


@dataclass
class Audience:
    """Who is told at publication: one mail per applicant, about all her judged entries."""

    outcomes: dict[int, list[EntryOutcome]]  # applicant id → her entries
    applicants: dict[int, User]

    @property
    def winners(self) -> int:
        return sum(1 for items in self.outcomes.values() if any(o.won for o in items))

    @property
    def others(self) -> int:
        return len(self.outcomes) - self.winners


def judged_entries(competition: Competition) -> list[Entry]:
    """The entries that were in judging: those of the first round (every judged state)."""
    first = min(competition.rounds, key=lambda r: r.position, default=None)
    if first is None:
        return []
    return list(
        db.session.scalars(
            round_entries_query(first)
            .options(joinedload(Entry.applicant))
            .order_by(Entry.applicant_id, Entry.id)
        ).unique()
    )


def feedback_for(entry_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The judges' feedback for the applicant, by entry: submitted sheets of active assignments,
    every round, in round order; no judge's name."""
    if not entry_ids:
        return {}
    rows = db.session.execute(
        sa.select(Assignment.entry_id, Round.name, ScoreSheet.feedback)
        .join(ScoreSheet, ScoreSheet.assignment_id == Assignment.id)
        .join(Round, Round.id == Assignment.round_id)
        .where(
            Assignment.entry_id.in_(entry_ids),
            Assignment.recused_at.is_(None),
            ScoreSheet.status == SheetStatus.SUBMITTED,
            ScoreSheet.feedback != "",
        )
        .order_by(Assignment.entry_id, Round.position, ScoreSheet.id)
    ).all()
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for entry_id, round_name, text in rows:
        if text and text.strip():
            found[entry_id].append((round_name, text.strip()))
    return dict(found)


def _award_link(award: Award) -> str:
    return external_url("awards.my_award", award_id=award.id)


def audience(competition: Competition, lines: list[Award], *, links: bool = True) -> Audience:
    """Every applicant of a judged entry, with the prizes of her entries or their feedback."""
    entries = judged_entries(competition)
    prizes: dict[int, list[Award]] = defaultdict(list)
    for line in lines:
        if line.entry_id is not None:
            prizes[line.entry_id].append(line)
    losers = [e.id for e in entries if e.id not in prizes]
    feedback = feedback_for(losers) if links else {}
    outcomes: dict[int, list[EntryOutcome]] = defaultdict(list)
    applicants: dict[int, User] = {}
    for entry in entries:
        applicants[entry.applicant_id] = entry.applicant
        outcomes[entry.applicant_id].append(
            EntryOutcome(
                entry,
                [(a, _award_link(a) if links else "") for a in prizes.get(entry.id, [])],
                feedback.get(entry.id, []),
            )
        )
    return Audience(dict(outcomes), applicants)


def preview_audience(competition: Competition) -> Audience:
    """How many applicants publication will tell, winners and others (for the confirm page)."""
    return audience(competition, common.lines_of(competition), links=False)


@dataclass
class Publication:
    certificates: int
    winners: int
    mails: int


def publish(
    actor: User, competition: Competition, *, now: datetime, version: int | None = None
) -> Publication:
    """APPROVED → PUBLISHED, in one transaction: certificate codes, winners' entries AWARDED and
    made supported projects, the competition's results published, and one mail to every
    applicant of a judged entry, in her language."""
    _require_manager(actor, competition)
    decision = _decision(competition)
    if decision.status is DecisionStatus.PUBLISHED:
        raise DecisionConflict(_l("The results are already published."))
    if decision.status is not DecisionStatus.APPROVED:
        raise DecisionConflict(
            _l(
                "The decision must be finalised and then approved by a second organiser before "
                "the results can be published."
            )
        )
    if competition.status is not CompetitionStatus.RESULTS_FINAL:
        raise DecisionConflict(
            _l(
                "The competition is %(status)s: its results must be final to be published.",
                status=competition.status.label,
            )
        )
    _refuse_entries_out_of_the_running(common.lines_of(competition))
    _check_every_line(decision, common.lines_of(competition))
    if not _bump(
        decision,
        expected=version,
        from_=DecisionStatus.APPROVED,
        status=DecisionStatus.PUBLISHED,
        published_by_id=actor.id,
        published_at=now,
    ):
        raise _conflict()
    lines = common.lines_of(competition)
    given = [line for line in lines if line.entry_id is not None]
    winners: dict[int, Entry] = {}
    for line in given:
        line.certificate_code = common.new_certificate_code()
        line.issued_at = now
        line.freeze()
        winners.setdefault(line.entry_id, line.entry)
    # Each winner is awarded once, and becomes a supported project (projects listens).
    change_entry_status(
        actor.id,
        winners.values(),
        EntryStatus.AWARDED,
        after={"competition_id": competition.id},
    )
    if competition.status is not CompetitionStatus.RESULTS_PUBLISHED:
        change_competition_status(actor.id, competition, CompetitionStatus.RESULTS_PUBLISHED)
    told = audience(competition, lines)
    results_url = external_url("awards.public_results", competition_id=competition.id)
    for applicant_id, outcomes in told.outcomes.items():
        applicant = told.applicants[applicant_id]
        won = any(o.won for o in outcomes)
        queue_mail(
            applicant.email,
            "award_won" if won else "award_not_won",
            applicant.language,
            _l("Congratulations: your prize in %(competition)s", competition=competition.title)
            if won
            else _l("The results of %(competition)s", competition=competition.title),
            user=applicant,
            competition=competition,
            outcomes=outcomes,
            results_url=results_url,
        )
    audit.record(
        "award.decision_published",
        actor_id=actor.id,
        object_type="award_decision",
        object_id=decision.id,
        before={"status": DecisionStatus.APPROVED.value},
        after={
            "status": DecisionStatus.PUBLISHED.value,
            "certificates": len(given),
            "winners": len(winners),
            "mails": len(told.outcomes),
        },
    )
    db.session.commit()
    return Publication(len(given), len(winners), len(told.outcomes))
