"""Who may set up a competition's prizes: its organisers and admins, nobody else."""

import pytest

from portal.auth.models import Role
from portal.extensions import db
from tests.conftest import check_access, login
from tests.factories import UserFactory
from tests.snapshots import cached

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "admin"}

# (method, url template, who may use it): every route of the prizes part.
ROUTES = [
    ("GET", "/awards/competitions/{competition}/prizes", STAFF),
    ("POST", "/awards/competitions/{competition}/prizes", STAFF),
    ("GET", "/awards/prizes/{tier}/edit", STAFF),
    ("POST", "/awards/prizes/{tier}/edit", STAFF),
    ("POST", "/awards/prizes/{tier}/delete", STAFF),
    ("POST", "/awards/prizes/{tier}/move", STAFF),
    ("POST", "/awards/competitions/{competition}/prize-settings", STAFF),
]
ROLES = ["anonymous", "applicant", "judge", "organiser", "admin", "other_organiser"]


def make_world(awards_world, units):
    people = {
        "applicant": awards_world.applicants[0],  # her entry ranks first: still not the prizes
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": awards_world.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }
    db.session.commit()
    return awards_world, people


@pytest.fixture
def world(awards_world, units):
    return cached(make_world, awards_world, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_prizes_access(client, world, role, method, url, allowed):
    w, people = world
    url = url.format(competition=w.competition.id, tier=w.tiers[1].id)
    response = check_access(client, people, role, method, url, allowed)
    if role not in allowed and role != "anonymous":
        assert "Máy sấy nông sản" not in response.get_data(as_text=True)


def test_unknown_prizes_are_404(client, world):
    _, people = world
    login(client, people["organiser"])
    assert client.get("/awards/competitions/999/prizes").status_code == 404
    assert client.get("/awards/prizes/999/edit").status_code == 404
    assert client.post_form("/awards/prizes/999/move", {"direction": "up"}).status_code == 404
    assert client.post_form("/awards/competitions/999/prize-settings").status_code == 404
