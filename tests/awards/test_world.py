"""The shared fixture itself: a published world is what the other tests assume."""

import pytest

from portal.awards import common
from portal.awards.models import DecisionStatus
from portal.entries.models import EntryStatus
from portal.extensions import db
from portal.projects.models import SupportedProject

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")


def test_published_world(published):
    awards = db.session.scalars(common.published_awards_query()).unique().all()
    assert len(awards) == 11
    assert common.decision_of(published.competition).status is DecisionStatus.PUBLISHED
    assert published.entries[0].status is EntryStatus.AWARDED
    assert published.entries[10].status is EntryStatus.ADVANCED
    assert db.session.query(SupportedProject).count() == 10
    assert len({a.certificate_code for a in awards}) == 11


def test_rule_facts(awards_world):
    facts = common.facts_of([e.id for e in awards_world.entries])
    assert [e.id for e in awards_world.entries if facts[e.id].ethnic_minority] == [
        awards_world.entries[2].id,
        awards_world.entries[7].id,
    ]


def test_normalise_code():
    assert common.normalise_code(" k7q2 9xmd-4hta ") == "K7Q2-9XMD-4HTA"
