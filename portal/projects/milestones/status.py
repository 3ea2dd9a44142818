"""A milestone's status: the moves it may make, and the one function that makes them.

RECORDED (by the winner or an organiser) → VERIFIED by an organiser of the project's unit, or
RETURNED with a reason; a returned milestone, corrected, is RECORDED again.
`change_milestone_status` is the only code that writes `Milestone.status`
(tests/test_status_homes.py). The move is a conditional UPDATE: of two organisers verifying at
once, or a double click, one moves it and the other gets False.
"""

from typing import Any

from portal.core.status import guarded_move
from portal.projects.milestones.models import Milestone, MilestoneStatus

_S = MilestoneStatus

# Each move and its audit action: the moves there are (guarded_move refuses any other).
ACTIONS: dict[tuple[MilestoneStatus, MilestoneStatus], str] = {
    (_S.RECORDED, _S.VERIFIED): "milestone.verified",
    (_S.RECORDED, _S.RETURNED): "milestone.returned",
    (_S.RETURNED, _S.RECORDED): "milestone.resubmitted",
}


def change_milestone_status(
    actor_id: int,
    milestone: Milestone,
    to: MilestoneStatus,
    *,
    expected_version: int | None = None,
    after: dict | None = None,
    **values: Any,
) -> bool:
    """Move the milestone from the status it was read in to `to` (with `values`), raise its
    version and audit it; the caller commits. False, with nothing written, when another request
    moved or changed it first."""
    return guarded_move(
        Milestone,
        milestone,
        to=to,
        actions=ACTIONS,
        actor_id=actor_id,
        object_type="milestone",
        expected_version=expected_version,
        after=after,
        **values,
    )
