"""Every form that moves money or creates a record acts once: the same rendered form sent twice
(a double click, a retry after a lost connection) makes one record, and the second answer leads
to it. (Payments and reversals: tests/awards; sent at the same moment: the test_concurrency
modules.)"""

import re

import pytest
import sqlalchemy as sa

from portal.auth.models import Invitation, Role
from portal.awards.models import Prize
from portal.competitions.models import Competition
from portal.entries.models import Entry
from portal.extensions import db
from portal.projects.models import ExternalAward
from tests.competitions.test_views import form_data
from tests.conftest import login
from tests.entries.test_services import applicant_with_profile
from tests.factories import UserFactory, make_competition
from tests.projects.test_views import _form as external_form

pytestmark = pytest.mark.usefixtures("frozen_time")


def key_on(page) -> str:
    return re.search(r'name="form_key" value="([0-9a-f]{32})"', page.get_data(as_text=True)).group(
        1
    )


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def twice(client, url, data, **kwargs):
    first = client.post_form(url, data, **kwargs)
    second = client.post_form(url, data, **kwargs)
    return first, second


def test_enter_pressed_twice_makes_one_draft(client, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    competition = make_competition(organiser, units["dien_bien"], max_entries_per_applicant=3)
    login(client, applicant_with_profile(units))
    key = key_on(client.get(f"/competitions/{competition.id}"))
    first, second = twice(client, f"/competitions/{competition.id}/enter", {"form_key": key})
    assert count(Entry) == 1
    assert (
        first.location
        == second.location
        == f"/entries/{db.session.scalar(sa.select(Entry.id))}/edit"
    )


def test_a_new_competition_sent_twice_is_one_competition(client, units):
    login(client, UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="en"))
    data = form_data(units) | {"form_key": key_on(client.get("/competitions/new"))}
    first, second = twice(client, "/competitions/new", data)
    assert count(Competition) == 1
    assert first.location == second.location


def test_a_copy_sent_twice_is_one_copy(client, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    source = make_competition(organiser, units["dien_bien"])
    login(client, organiser)
    data = {"year": str(source.year + 1), "form_key": key_on(client.get("/competitions/manage"))}
    first, second = twice(client, f"/competitions/{source.id}/copy", data)
    assert count(Competition) == 2
    assert first.location == second.location


def test_a_prize_sent_twice_is_one_prize(client, awards_world):
    login(client, awards_world.organiser)
    url = f"/awards/competitions/{awards_world.competition.id}/prizes"
    data = {"kind": "tier", "name": "Giải Triển vọng", "prize_count": "1", "cash_value": "0"}
    data["form_key"] = key_on(client.get(url))
    before = count(Prize)
    first, second = twice(client, url, data)
    assert count(Prize) == before + 1
    assert first.location == second.location


def test_an_invitation_sent_twice_is_one_invitation_and_one_mail(client, units):
    login(client, UserFactory(roles=[Role.ADMIN]))
    data = {"email": "giam.khao@example.vn", "role": "judge", "language": "vi"}
    data["form_key"] = key_on(client.get("/invitations"))
    twice(client, "/invitations", data)
    assert count(Invitation) == 1


def test_a_prize_won_elsewhere_sent_twice_is_recorded_once(client, published):
    login(client, published.organiser)
    entry = published.entries[10]
    url = f"/projects/entries/{entry.id}/external-awards"
    key = key_on(client.get(url))
    first = client.post_form(
        url, external_form(published) | {"form_key": key}, content_type="multipart/form-data"
    )
    second = client.post_form(
        url, external_form(published) | {"form_key": key}, content_type="multipart/form-data"
    )
    assert count(ExternalAward) == 1
    assert first.location == second.location
