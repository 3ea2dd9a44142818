"""An entry's status moves only as its transition table allows, audited once per move, and the
features built on entries hear of it (portal/entries/status.py)."""

import pytest
import sqlalchemy as sa

from portal.core.audit import AuditLog
from portal.entries.models import EntryStatus
from portal.entries.signals import entry_status_changed
from portal.entries.status import TRANSITIONS, EntryStatusRefused, change_entry_status
from portal.extensions import db
from tests.factories import EntryFactory

S = EntryStatus


def actions() -> list[tuple[str, dict, dict]]:
    """The entries' audit rows (the factories audit the competitions they make)."""
    rows = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.object_type == "entry").order_by(AuditLog.id)
    )
    return [(row.action, row.before, row.after) for row in rows]


def test_a_withdrawn_entry_never_moves_again():
    assert TRANSITIONS[S.WITHDRAWN] == frozenset()
    assert all(S.DRAFT not in targets for targets in TRANSITIONS.values())


def test_a_move_is_audited_once_under_its_stable_name(app):
    entry = EntryFactory(status=S.SUBMITTED)
    heard = []

    def hear(sender, **kw):
        heard.append((sender, kw["before"]))

    entry_status_changed.connect(hear)
    try:
        change_entry_status(entry.applicant_id, entry, S.ELIGIBLE, after={"reason": None})
    finally:
        entry_status_changed.disconnect(hear)
    db.session.commit()
    assert entry.status is S.ELIGIBLE
    assert actions() == [
        ("entry.screened", {"status": "submitted"}, {"status": "eligible", "reason": None})
    ]
    assert heard == [(entry, S.SUBMITTED)]


def test_a_refused_move_changes_none_of_the_entries(app):
    ready = EntryFactory(status=S.IN_JUDGING)
    draft = EntryFactory(competition=ready.competition, status=S.DRAFT)
    with pytest.raises(EntryStatusRefused) as refused:
        change_entry_status(ready.applicant_id, [ready, draft], S.AWARDED)
    assert refused.value.status == 409
    assert (ready.status, draft.status) == (S.IN_JUDGING, S.DRAFT)
    assert actions() == []


def test_an_entry_already_there_is_left_alone(app):
    entry = EntryFactory(status=S.ADVANCED)
    assert change_entry_status(entry.applicant_id, [entry], S.ADVANCED) == []
    assert actions() == []
