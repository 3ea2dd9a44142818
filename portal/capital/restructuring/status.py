"""A restructuring's status: PROPOSED → APPROVED (a second organiser of the unit; the new schedule
is in force) or REJECTED. `change_restructuring_status` is the only code that writes
`Restructuring.status`."""

from typing import Any

from portal.capital.models import Restructuring, RestructuringStatus
from portal.core.status import guarded_move

_S = RestructuringStatus

ACTIONS: dict[tuple[RestructuringStatus, RestructuringStatus], str] = {
    (_S.PROPOSED, _S.APPROVED): "loan_restructuring.approved",
    (_S.PROPOSED, _S.REJECTED): "loan_restructuring.rejected",
}


def change_restructuring_status(
    actor_id: int,
    restructuring: Restructuring,
    to: RestructuringStatus,
    *,
    after: dict | None = None,
    **values: Any,
) -> bool:
    """Move it and audit it; the caller commits. False when another request moved it first."""
    return guarded_move(
        Restructuring,
        restructuring,
        to=to,
        actions=ACTIONS,
        actor_id=actor_id,
        object_type="loan_restructuring",
        after=after,
        **values,
    )
