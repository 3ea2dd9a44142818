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
TRANSITIONS: dict[TrancheStatus, frozenset[TrancheStatus]] = {
    status: frozenset(to for was, to in ACTIONS if was is status) for status in TrancheStatus
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
    was = tranche.status
    if to not in TRANSITIONS[was]:
        raise ValueError(f"{was} to {to} is not a move of a grant tranche")
    return guarded_move(
        Tranche,
        tranche,
        to=to,
        action=ACTIONS[(was, to)],
        actor_id=actor_id,
        object_type="grant_tranche",
        expected_version=expected_version,
        after=after,
        **values,
    )
