"""How projects answers the features it builds on (their signals.py)."""

from portal.entries.models import Entry, EntryStatus
from portal.entries.signals import entry_status_changed
from portal.projects.services import ensure_project


@entry_status_changed.connect
def follow_the_winner(entry: Entry, *, actor_id: int, **_) -> None:
    """An entry that wins a prize becomes a supported project, followed for years."""
    if entry.status is EntryStatus.AWARDED:
        ensure_project(entry, actor_id=actor_id)
