"""The cascade's forms sent at the same moment against the live server on PostgreSQL: a
nomination sent twice is one, two organisers nominating for the last place fill it once, an
approval sent twice tells her once, her confirmation sent twice carries one entry up."""

from functools import partial

import pytest
import sqlalchemy as sa

from portal.core.outbox import OutboxMessage
from portal.entries.models import Entry
from portal.extensions import db
from portal.nominations.models import HOLDING_A_PLACE, Nomination, NominationStatus
from tests.concurrency import Visitor, at_once
from tests.factories import PASSWORD
from tests.factories.nominations import make_cascade
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def cascade(units):
    return cached(make_cascade, units)


def tab_of(server: str, user) -> Visitor:
    tab = Visitor(server)
    tab.log_in(user.email, PASSWORD)
    return tab


def holding() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(Nomination.status.in_(HOLDING_A_PLACE))
    )


def test_a_nomination_sent_twice_at_once_is_one(cascade, concurrent_server):
    below = cascade.below
    tab = tab_of(concurrent_server, below.organiser)
    action = f"/competitions/{below.competition.id}/nominate/{cascade.competition.id}"
    fields = tab.form(f"/competitions/{below.competition.id}/nominate", action)
    fields["entry_id"] = str(below.entries[0].id)
    answers = at_once([partial(tab.post, action, fields) for _ in range(2)])
    assert {a.status for a in answers} <= {302, 409}, [a.status for a in answers]
    db.session.remove()
    assert holding() == 1


def test_two_organisers_nominating_for_the_last_place_fill_it_once(cascade, concurrent_server):
    below = cascade.below
    cascade.nominate(below.entries[0], approve=False)
    db.session.commit()
    action = f"/competitions/{below.competition.id}/nominate/{cascade.competition.id}"
    calls = []
    for organiser, entry in (
        (below.organiser, below.entries[1]),
        (below.second_organiser, below.entries[2]),
    ):
        tab = tab_of(concurrent_server, organiser)
        fields = tab.form(f"/competitions/{below.competition.id}/nominate", action)
        calls.append(partial(tab.post, action, fields | {"entry_id": str(entry.id)}))
    answers = at_once(calls)
    assert sorted(a.status for a in answers) == [302, 422], [a.status for a in answers]
    db.session.remove()
    assert holding() == 2


def test_an_approval_sent_twice_at_once_tells_her_once(cascade, concurrent_server):
    nomination = cascade.nominate(cascade.below.entries[0], approve=False)
    db.session.commit()
    tab = tab_of(concurrent_server, cascade.below.second_organiser)
    page = f"/competitions/{cascade.below.competition.id}/nominate"
    action = f"/nominations/{nomination.id}/approve"
    fields = tab.form(page, action)
    answers = at_once([partial(tab.post, action, fields) for _ in range(2)])
    assert sorted(a.status for a in answers) == [302, 409], [a.status for a in answers]
    db.session.remove()
    assert db.session.get(Nomination, nomination.id).status is NominationStatus.APPROVED
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(
                OutboxMessage.template == "nomination_offered"
            )
        )
        == 1
    )


def test_her_confirmation_sent_twice_at_once_carries_one_entry_up(cascade, concurrent_server):
    entry = cascade.below.entries[0]
    nomination = cascade.nominate(entry)
    db.session.commit()
    tab = tab_of(concurrent_server, entry.applicant)
    action = f"/nominations/{nomination.id}/accept"
    fields = tab.form(f"/entries/{entry.id}", action)
    national_id = cascade.competition.id
    answers = at_once([partial(tab.post, action, fields) for _ in range(2)])
    assert [a.status for a in answers] == [302, 302]
    db.session.remove()
    carried = db.session.scalars(sa.select(Entry).where(Entry.competition_id == national_id)).all()
    assert len(carried) == 1
    # Both answers lead her to it.
    assert {a.location for a in answers} == {f"/entries/{carried[0].id}"}
