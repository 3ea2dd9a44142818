"""The proposal of an awards decision: drawn from the final ranking, nothing written.

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
"""

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from portal.awards import common
from portal.awards.models import Award, AwardDecision, DecisionStatus, Prize
from portal.awards.prizes.eligibility import EntryFacts, qualifies
from portal.competitions.models import Competition, Round
from portal.core.time import utcnow, vietnam_date
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.judging.models import RoundResult

# Entries that cannot take a prize even though they were ranked.
OUT_OF_THE_RUNNING = (EntryStatus.WITHDRAWN, EntryStatus.INELIGIBLE)


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
    tier: Prize
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
    tiers: list[Prize]
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
    tiers: list[Prize], candidates: list[Candidate], special_with_tier: bool, day: date
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
    lines = common.decision_awards(competition)
    round_ = decision.round if decision is not None and decision.round_id else proposal.round
    if round_ is not None and proposal.round is not None and round_.id == proposal.round.id:
        candidates = proposal.candidates
    else:
        candidates = candidates_of(round_) if round_ is not None else []
    problems = staleness(decision, competition, lines) if lines else []
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


def staleness(
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
