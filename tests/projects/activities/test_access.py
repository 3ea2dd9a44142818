"""Who may list, record and fill support activities: the organisers of the unit that held it
(and admins); another province's organiser lists her own (none) and gets 403 on this one."""

from datetime import date

import pytest

from portal.auth.models import Role
from portal.projects.activities import services
from tests.conftest import check_access, login
from tests.factories import UserFactory
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "admin"}
ROUTES = [
    ("GET", "/projects/activities", STAFF | {"other_organiser"}),
    ("POST", "/projects/activities", STAFF | {"other_organiser"}),
    ("GET", "/projects/activities/{activity}", STAFF),
    ("POST", "/projects/activities/{activity}/attendees", STAFF),
    ("POST", "/projects/activities/{activity}/import", STAFF),
    ("POST", "/projects/activities/attendees/{attendee}/remove", STAFF),
]
ROLES = ["anonymous", "applicant", "judge", "organiser", "admin", "other_organiser"]


def make_world(published, units):
    activity = services.create_activity(
        published.organiser, published.competition.unit_id, "training", date(2026, 4, 2), "Tập huấn"
    )
    attendee = services.add_attendee(published.organiser, activity, name="Lò Thị Vân")
    people = {
        "applicant": published.applicants[0],
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": published.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }
    return people, {"activity": activity.id, "attendee": attendee.id}


@pytest.fixture
def world(published, units):
    return cached(make_world, published, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_activities_access(client, world, role, method, url, allowed):
    people, ids = world
    response = check_access(client, people, role, method, url.format(**ids), allowed)
    if role == "other_organiser" and method == "GET" and response.status_code == 200:
        assert "Tập huấn" not in response.get_data(as_text=True)


def test_unknown_ids_are_404(client, world):
    people, _ = world
    login(client, people["organiser"])
    assert client.get("/projects/activities/999999").status_code == 404
    assert client.post_form("/projects/activities/999999/import").status_code == 404
