"""A grant tranche's status: PLANNED → APPROVED (released: its condition holds) → PAID (one
posting); a mistaken payment, reversed, takes it back to APPROVED. `change_tranche_status` is the
only code that writes `Tranche.status`."""

from typing import Any

from portal.capital.models import Tranche, TrancheStatus
from portal.core.status import guarded_move

_S = TrancheStatus

ACTIONS: dict[tuple[TrancheStatus, TrancheStatus], str] = {
    (_S.PLANNED, _S.APPROVED): "grant_tranche.released",
    (_S.APPROVED, _S.PAID): "grant_tranche.paid",
    (_S.PAID, _S.APPROVED): "grant_tranche.payment_reversed",  # a mistaken payment undone
}


def change_tranche_status(
    actor_id: int,
    tranche: Tranche,
    to: TrancheStatus,
    *,
    expected_version: int | None = None,
    after: dict | None = None,
    **values: Any,
) -> bool:
    """Move the tranche and audit it; the caller commits. False when another request moved it."""
    return guarded_move(
        Tranche,
        tranche,
        to=to,
        actions=ACTIONS,
        actor_id=actor_id,
        object_type="grant_tranche",
        expected_version=expected_version,
        after=after,
        **values,
    )
