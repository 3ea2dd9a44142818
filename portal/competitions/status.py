"""A competition's status: the moves it may make, and the one function that makes them.

Organisers move a competition by hand (open, close, start judging) through
`services.change_status`; judging and awards move it along as their work ends (results final,
results published). All of them go through `change_competition_status`, the only code that writes
`Competition.status` (tests/test_status_homes.py fails when anything else does).
"""

from flask_babel import lazy_gettext as _l

from portal.competitions.models import Competition, CompetitionStatus
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.time import utcnow

_S = CompetitionStatus

# The moves an organiser makes on the competition's page.
BY_HAND: dict[CompetitionStatus, frozenset[CompetitionStatus]] = {
    _S.DRAFT: frozenset({_S.OPEN}),
    _S.OPEN: frozenset({_S.CLOSED, _S.DRAFT}),
    _S.CLOSED: frozenset({_S.OPEN, _S.JUDGING}),
    _S.JUDGING: frozenset({_S.RESULTS_FINAL}),
    _S.RESULTS_FINAL: frozenset({_S.JUDGING}),
    _S.RESULTS_PUBLISHED: frozenset({_S.ARCHIVED}),
    _S.ARCHIVED: frozenset(),
}
# Every move: results are published only with the awards decision (awards' publication).
TRANSITIONS: dict[CompetitionStatus, frozenset[CompetitionStatus]] = {
    **BY_HAND,
    _S.RESULTS_FINAL: BY_HAND[_S.RESULTS_FINAL] | {_S.RESULTS_PUBLISHED},
}


def refused(competition: Competition, new: CompetitionStatus) -> DomainError:
    return DomainError(
        _l(
            "A competition that is %(current)s cannot become %(new)s.",
            current=competition.status.label,
            new=new.label,
        )
    )


def change_competition_status(
    actor_id: int, competition: Competition, new: CompetitionStatus
) -> None:
    """Check the move, write it and its audit row; the caller commits."""
    before = competition.status
    if new not in TRANSITIONS[before]:
        raise refused(competition, new)
    competition.status = new
    # The moment entries were closed by hand, for the pages that say when they closed.
    if new is _S.CLOSED and before is _S.OPEN:
        competition.closed_at = utcnow()
    elif new in (_S.OPEN, _S.DRAFT):
        competition.closed_at = None
    audit.record(
        "competition.status",
        actor_id=actor_id,
        object_type="competition",
        object_id=competition.id,
        before={"status": before.value},
        after={"status": new.value},
    )
