"""How judging answers the features it builds on (their signals.py)."""

from portal.auth.models import User
from portal.auth.signals import account_created
from portal.entries.models import Entry, EntryStatus
from portal.entries.signals import entry_status_changed
from portal.judging import common
from portal.judging.scoring.services import link_account


@account_created.connect
def link_invited_judge(user: User, **_) -> None:
    """A judge invited by e-mail before she had an account is linked to it when it is made."""
    link_account(user)


@entry_status_changed.connect
def entry_joined_or_left_judging(entry: Entry, *, before: EntryStatus, **_) -> None:
    """An entry that becomes eligible, or leaves judging (ineligible, withdrawn), changes which
    entries the competition's rounds rank (common.round_entries_query: the first round holds
    the entries in JUDGED_STATES, a later one those carried into it unless withdrawn): their
    stored rankings no longer hold. A move within judging (advanced, awarded…) changes none."""
    if (before in common.JUDGED_STATES) != (entry.status in common.JUDGED_STATES):
        common.ranking_changed(competition_id=entry.competition_id)
