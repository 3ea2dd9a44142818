"""A nomination's status: the moves it may make, and the one function that makes them."""

from portal.core.status import guarded_move
from portal.nominations.models import Nomination, NominationStatus

_S = NominationStatus
ACTIONS = {
    (_S.PROPOSED, _S.APPROVED): "nomination.approved",
    (_S.PROPOSED, _S.WITHDRAWN): "nomination.withdrawn",
    (_S.WITHDRAWN, _S.PROPOSED): "nomination.proposed",
    (_S.APPROVED, _S.WITHDRAWN): "nomination.withdrawn",
    (_S.APPROVED, _S.ACCEPTED): "nomination.accepted",
    (_S.APPROVED, _S.DECLINED): "nomination.declined",
}


def change_nomination_status(
    actor_id: int,
    nomination: Nomination,
    to: NominationStatus,
    *,
    expected_version: int | None = None,
    **values,
) -> bool:
    """Move it (guarded: False when another request moved it first); the caller commits."""
    return guarded_move(
        Nomination,
        nomination,
        to=to,
        actions=ACTIONS,
        actor_id=actor_id,
        object_type="nomination",
        expected_version=expected_version,
        after={"competition_id": nomination.competition_id, "entry_id": nomination.from_entry_id},
        **values,
    )
