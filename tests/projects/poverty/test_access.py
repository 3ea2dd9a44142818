"""Who may record the household's status: the organisers of the project's unit; the owner,
another province's organiser and the rest get 403."""

import pytest

from portal.auth.models import Role
from tests.conftest import check_access
from tests.factories import UserFactory, project_of
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "admin"}
ROUTES = [
    ("GET", "/projects/{project}/household", STAFF),
    ("POST", "/projects/{project}/household", STAFF),
]
ROLES = ["anonymous", "applicant", "judge", "organiser", "admin", "other_organiser"]


def make_world(published, units):
    people = {
        "applicant": published.applicants[0],
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": published.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }
    return people, {"project": project_of(published.entries[0]).id}


@pytest.fixture
def world(published, units):
    return cached(make_world, published, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_household_access(client, world, role, method, url, allowed):
    people, ids = world
    check_access(client, people, role, method, url.format(**ids), allowed)
