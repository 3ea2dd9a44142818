"""The public pages of the awards are open to everyone, anonymous visitors included; results not
yet published do not exist for anyone (404), not even for the competition's organisers."""

import pytest

from portal.auth.models import Role
from portal.awards.models import AwardDecision, DecisionStatus
from portal.extensions import db
from tests.conftest import check_access, login
from tests.factories import UserFactory, make_awards, publish_directly
from tests.snapshots import cached

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")

ROLES = ["anonymous", "applicant", "judge", "organiser", "admin", "other_organiser"]
EVERYONE = set(ROLES)

# (method, url template, who may use it): every route of the public part.
ROUTES = [
    ("GET", "/competitions/{competition}/results", EVERYONE),
    ("GET", "/winners", EVERYONE),
    ("GET", "/winners?year={year}&level=provincial&page=2", EVERYONE),
]


def _people(world, units) -> dict:
    return {
        "applicant": world.applicants[0],  # a winner (she consented to publish her name)
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": world.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }


def make_world(units):
    w = make_awards(units)
    publish_directly(w)
    return w, _people(w, units)


@pytest.fixture
def world(units):
    return cached(make_world, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_public_access(client, world, role, method, url, allowed):
    w, people = world
    url = url.format(competition=w.competition.id, year=w.competition.year)
    response = check_access(client, people, role, method, url, allowed)
    assert response.status_code == 200
    # Whoever looks, the name of a winner who did not consent stays out.
    assert "Vàng Thị Mỷ" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "status", [None, *[s for s in DecisionStatus if s is not DecisionStatus.PUBLISHED]]
)
def test_unpublished_results_are_404_for_everyone(client, units, role, status):
    w = make_awards(units)
    if status is not None:
        db.session.add(AwardDecision(competition_id=w.competition.id, status=status))
        db.session.commit()
    people = _people(w, units)
    if role != "anonymous":
        assert login(client, people[role]).status_code == 302
    assert client.get(f"/competitions/{w.competition.id}/results").status_code == 404
    assert "Ý tưởng số 1" not in client.get("/winners").get_data(as_text=True)
