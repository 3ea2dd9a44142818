"""The awards decision's status: the moves it may make, and the one function that makes them.

DRAFT → FINALISED (the lines are locked) → APPROVED (a second organiser checked them) →
PUBLISHED; an approval may be withdrawn (APPROVED → FINALISED) and a finalised decision reopened
(FINALISED → DRAFT) until publication. `change_decision_status` is the only code that writes
`AwardDecision.status` (tests/test_status_homes.py fails when anything else does).

Every change of a decision, a move or not, raises its version with a conditional UPDATE (still
in the status the action was shown with, and, when the form carried it, still at that version):
a double click or two organisers acting at once cannot both succeed, the second gets False.
"""

from typing import Any

import sqlalchemy as sa

from portal.awards.models import AwardDecision, DecisionStatus
from portal.core import audit
from portal.extensions import db

_S = DecisionStatus

# Each move and its audit action: one stable name per event.
ACTIONS: dict[tuple[DecisionStatus, DecisionStatus], str] = {
    (_S.DRAFT, _S.FINALISED): "award.decision_finalised",
    (_S.FINALISED, _S.APPROVED): "award.decision_approved",
    (_S.APPROVED, _S.FINALISED): "award.approval_withdrawn",
    (_S.FINALISED, _S.DRAFT): "award.decision_reopened",
    (_S.APPROVED, _S.PUBLISHED): "award.decision_published",
}
# Which status may follow which: the moves that have an action.
TRANSITIONS: dict[DecisionStatus, frozenset[DecisionStatus]] = {
    status: frozenset(to for was, to in ACTIONS if was is status) for status in DecisionStatus
}


def claim_decision(
    decision: AwardDecision, *, expected: int | None, in_status: DecisionStatus, **values: Any
) -> bool:
    """Raise the version (and set `values`) only if the decision is still `in_status` and, with
    `expected`, still at that version; False when another request changed it first. The row stays
    locked until the transaction ends."""
    assert "status" not in values, "a move goes through change_decision_status"
    return _bump(decision, expected=expected, in_status=in_status, values=values)


def _bump(
    decision: AwardDecision, *, expected: int | None, in_status: DecisionStatus, values: dict
) -> bool:
    """The conditional UPDATE both share; the caller writes the audit row."""
    statement = sa.update(AwardDecision).where(
        AwardDecision.id == decision.id, AwardDecision.status == in_status
    )
    if expected is not None:
        statement = statement.where(AwardDecision.version == expected)
    result = db.session.execute(
        statement.values(version=AwardDecision.version + 1, **values),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(decision)
    return result.rowcount == 1


def change_decision_status(
    actor_id: int,
    decision: AwardDecision,
    to: DecisionStatus,
    *,
    expected: int | None,
    before: dict | None = None,
    after: dict | None = None,
    **values: Any,
) -> bool:
    """Move the decision from the status it was read in to `to`, with `values`, and audit it;
    the caller commits. False (nothing written) when another request changed it first."""
    was = decision.status
    if to not in TRANSITIONS[was]:
        raise ValueError(f"an awards decision does not move from {was} to {to}")
    decision_id = decision.id
    if not _bump(decision, expected=expected, in_status=was, values={"status": to, **values}):
        return False
    audit.record(
        ACTIONS[(was, to)],
        actor_id=actor_id,
        object_type="award_decision",
        object_id=decision_id,
        before={"status": was.value, **(before or {})},
        after={"status": to.value, **(after or {})},
    )
    return True
