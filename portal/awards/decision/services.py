"""The steps of an awards decision: the organisers' changes to the proposal, finalising, a second
organiser's approval, withdrawing it, reopening. Publication is portal.awards.publication.

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

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal.auth.models import User
from portal.awards import common
from portal.awards.decision.proposal import (
    OUT_OF_THE_RUNNING,
    LineNote,
    candidates_of,
    decision_day,
    propose,
    staleness,
)
from portal.awards.decision.status import change_decision_status, claim_decision
from portal.awards.models import Award, AwardDecision, DecisionStatus
from portal.awards.prizes.eligibility import EntryFacts, qualifies
from portal.competitions.models import Competition, CompetitionStatus
from portal.competitions.services import may_manage_competition
from portal.competitions.status import change_competition_status
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.time import vietnam_date
from portal.extensions import db

MAX_REASON = 2000

CHANGED_SINCE = _l(
    "The decision changed since this page was shown (another organiser may have acted, or the "
    "button was pressed twice). Nothing was done: here is the decision as it stands now."
)


class DecisionConflict(DomainError):
    """The decision is not in the state the action needs, or changed meanwhile (409)."""

    status = 409  # the decision changed, or is in another state


class SamePerson(DomainError):
    """The person who finalised the decision tried to approve it (403)."""

    status = 403  # this organiser may not, whatever she sends


# --- Writing ------------------------------------------------------------------------------------


def require_manager(actor: User, competition: Competition) -> None:
    if not may_manage_competition(actor, competition):
        raise DomainError(_l("Only the organisers of this competition may do this."))


def current_decision(competition: Competition) -> AwardDecision:
    decision = common.decision_of(competition)
    if decision is None:
        raise DecisionConflict(_l("The prizes of this competition have not been decided yet."))
    return decision


def conflict(message=CHANGED_SINCE) -> DecisionConflict:
    db.session.rollback()
    return DecisionConflict(message)


def _award_summary(awards: list[Award]) -> list[list]:
    return [[a.tier_id, a.slot, a.entry_id] for a in awards]


def start_from_proposal(
    actor: User, competition: Competition, *, now: datetime, version: int | None = None
) -> list[Award]:
    """Write the proposal's lines (one per tier slot), replacing the draft's lines, if any."""
    require_manager(actor, competition)
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
        raise conflict() from None
    before = _award_summary(common.decision_awards(competition))
    if not claim_decision(
        decision,
        expected=version,
        in_status=DecisionStatus.DRAFT,
        round_id=proposal.round.id,
        proposed_at=now,
    ):
        raise conflict()
    db.session.execute(sa.delete(Award).where(Award.competition_id == competition.id))
    awards = [
        Award(
            competition_id=competition.id,
            tier_id=line.tier.id,
            slot=line.slot,
            entry_id=line.entry_id,
            proposed_entry_id=line.entry_id,
        )
        for line in proposal.lines
    ]
    db.session.add_all(awards)
    db.session.flush()
    audit.record(
        "award.lines_drawn",
        actor_id=actor.id,
        object_type="award_decision",
        object_id=decision.id,
        before={"lines": before} if before else None,
        after={
            "round_id": proposal.round.id,
            "lines": _award_summary(awards),
            "ties": [list(line.key) for line in proposal.ties],
        },
    )
    db.session.commit()
    return awards


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
    require_manager(actor, competition)
    decision = current_decision(competition)
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
    if not claim_decision(decision, expected=None, in_status=DecisionStatus.DRAFT):
        raise conflict(_l("The decision is final: its lines can no longer change."))
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
        other
        for other in common.decision_awards(award.competition)
        if other.id != award.id and other.entry_id == entry_id
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
    require_manager(actor, competition)
    decision = current_decision(competition)
    if decision.status is not DecisionStatus.DRAFT:
        raise DecisionConflict(_l("The decision is already final."))
    awards = common.decision_awards(competition)
    if not awards:
        raise DomainError(_l("Start from the proposal before finalising."))
    problems = staleness(decision, competition, awards)
    if problems:
        raise DomainError(problems[0])
    if not any(award.entry_id for award in awards):
        raise DomainError(_l("No prize is given to any entry: there is nothing to finalise."))
    refuse_entries_out_of_the_running(awards)
    check_every_award(decision, awards)
    ties = propose(competition, on=decision_day(decision)).notes()
    undecided = [
        f"{award.tier.name} {award.slot}"
        for award in awards
        if ties.get((award.tier_id, award.slot)) is LineNote.TIE and not award.change_reason
    ]
    if undecided:
        raise DomainError(
            _l(
                "Decide the lines tied at a boundary, writing how, before finalising: %(lines)s.",
                lines=", ".join(undecided),
            )
        )
    for award in awards:
        given = award.entry_id is not None
        award.cash_value = award.tier.cash_value if given else 0
        award.in_kind = award.tier.in_kind if given else ""
    if not change_decision_status(
        actor.id,
        decision,
        DecisionStatus.FINALISED,
        expected=version,
        after={
            "lines": _award_summary(awards),
            "cash_total": sum(award.cash_value for award in awards),
        },
        finalised_by_id=actor.id,
        finalised_at=now,
        approved_by_id=None,
        approved_at=None,
    ):
        raise conflict()
    if competition.status is CompetitionStatus.JUDGING:
        change_competition_status(actor.id, competition, CompetitionStatus.RESULTS_FINAL)
    db.session.commit()
    return decision


def check_every_award(decision: AwardDecision, awards: list[Award]) -> None:
    """The prizes or their rules may have changed since the lines were drawn: every line given
    must still be allowed (a special prize's rule, a tier winner taking a special prize)."""
    day = decision_day(decision)
    for award in awards:
        if award.entry_id is not None:
            try:
                _check_entry(decision, award, award.entry_id, day)
            except DomainError as error:
                raise DomainError(
                    _l(
                        "%(prize)s %(slot)s: %(problem)s Change the line before going on.",
                        prize=award.tier.name,
                        slot=award.slot,
                        problem=error.message,
                    )
                ) from None


def refuse_entries_out_of_the_running(awards: list[Award]) -> None:
    """An entry withdrawn or found ineligible since the lines were drawn cannot take a prize."""
    gone = sorted(
        {
            award.entry.reference or ""
            for award in awards
            if award.entry_id is not None and award.entry.status in OUT_OF_THE_RUNNING
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
    require_manager(actor, competition)
    decision = current_decision(competition)
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
    if not change_decision_status(
        actor.id,
        decision,
        DecisionStatus.APPROVED,
        expected=version,
        after={"finalised_by_id": decision.finalised_by_id},
        approved_by_id=actor.id,
        approved_at=now,
    ):
        raise conflict()
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
    require_manager(actor, competition)
    decision = current_decision(competition)
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
    if not change_decision_status(
        actor.id,
        decision,
        DecisionStatus.FINALISED,
        expected=version,
        before={"approved_by_id": approved_by_id},
        after={"reason": reason or None},
        approved_by_id=None,
        approved_at=None,
    ):
        raise conflict()
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
    require_manager(actor, competition)
    decision = current_decision(competition)
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
    if not change_decision_status(
        actor.id,
        decision,
        DecisionStatus.DRAFT,
        expected=version,
        before={"finalised_by_id": finalised_by_id},
        after={"reason": reason},
        finalised_by_id=None,
        finalised_at=None,
    ):
        raise conflict()
    db.session.commit()
    return decision
