"""An entry's status: the moves it may make, and the one function that makes them.

Entries move because of the applicant (submit, withdraw), the organisers (screening) and later
features (judging puts them in judging and advances them, awards mark the winners). Every one of
those goes through `change_entry_status`, the only code that writes `Entry.status`
(tests/test_status_homes.py fails when anything else does): the move is checked against
`TRANSITIONS`, each entry's change is audited once, under the action named in `ACTIONS`, and
`signals.entry_status_changed` tells the features built on entries (a winner's project is made).
"""

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l

from portal.core import audit
from portal.core.errors import DomainError
from portal.entries.models import Entry, EntryStatus
from portal.entries.signals import entry_status_changed

_S = EntryStatus

# Which status may follow which. A move to the same status is listed where it is an event of its
# own: a new version submitted, a screening corrected.
TRANSITIONS: dict[EntryStatus, frozenset[EntryStatus]] = {
    _S.DRAFT: frozenset({_S.SUBMITTED, _S.WITHDRAWN}),
    _S.SUBMITTED: frozenset({_S.SUBMITTED, _S.ELIGIBLE, _S.INELIGIBLE, _S.WITHDRAWN}),
    # An eligible entry of a round that no judge was given is still decided with the round.
    _S.ELIGIBLE: frozenset(
        {_S.ELIGIBLE, _S.INELIGIBLE, _S.IN_JUDGING, _S.WITHDRAWN}
        | {_S.ADVANCED, _S.NOT_ADVANCED, _S.AWARDED}
    ),
    _S.INELIGIBLE: frozenset({_S.ELIGIBLE, _S.INELIGIBLE, _S.WITHDRAWN}),
    _S.IN_JUDGING: frozenset({_S.ADVANCED, _S.NOT_ADVANCED, _S.AWARDED, _S.WITHDRAWN}),
    # A round's results decided again move the difference; the next round's judges put the
    # advanced entries back in judging; a prize may go to an entry of an earlier round.
    _S.ADVANCED: frozenset({_S.IN_JUDGING, _S.NOT_ADVANCED, _S.AWARDED}),
    _S.NOT_ADVANCED: frozenset({_S.IN_JUDGING, _S.ADVANCED, _S.AWARDED}),
    # A revoked last award returns the entry to where its round left it.
    _S.AWARDED: frozenset({_S.IN_JUDGING, _S.ADVANCED}),
    _S.WITHDRAWN: frozenset(),
}

# The audit action of a move, by the status it reaches: one stable name per event.
ACTIONS: dict[EntryStatus, str] = {
    _S.SUBMITTED: "entry.submitted",
    _S.ELIGIBLE: "entry.screened",
    _S.INELIGIBLE: "entry.screened",
    _S.WITHDRAWN: "entry.withdrawn",
}
OTHER_MOVES = "entry.status"  # judging and awards moving it along


class EntryStatusRefused(DomainError):
    """A move the state machine does not allow (another request moved the entry first)."""

    status = 409

    def __init__(self, entry: Entry, to: EntryStatus):
        super().__init__(
            _l(
                "Entry %(reference)s is %(current)s: it cannot become %(new)s.",
                reference=entry.reference or entry.id,
                current=entry.status.label,
                new=to.label,
            )
        )


def may_move(current: EntryStatus, to: EntryStatus) -> bool:
    return to in TRANSITIONS[current]


def change_entry_status(
    actor_id: int,
    entries: Entry | Iterable[Entry],
    to: EntryStatus,
    *,
    before: dict | None = None,
    after: dict | None = None,
) -> list[Entry]:
    """Move the entries to `to` and audit each one; the caller commits.

    Every entry is checked before any is written, so a refused move changes nothing. An entry
    already at `to` is left alone (and not audited) unless staying there is an event of its own.
    `before` and `after` add details to each audit row (the version, the round, the reason).
    Returns the entries that moved.
    """
    entries = [entries] if isinstance(entries, Entry) else list(entries)
    for entry in entries:
        if not may_move(entry.status, to) and entry.status is not to:
            raise EntryStatusRefused(entry, to)
    moved = [entry for entry in entries if entry.status is not to or may_move(to, to)]
    for entry in moved:
        was = entry.status
        entry.status = to
        audit.record(
            ACTIONS.get(to, OTHER_MOVES),
            actor_id=actor_id,
            object_type="entry",
            object_id=entry.id,
            before={"status": was.value, **(before or {})},
            after={"status": to.value, **(after or {})},
        )
        entry_status_changed.send(entry, before=was, actor_id=actor_id)
    return moved
