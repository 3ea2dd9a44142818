"""Who may read the union's figures: staff (each her own units; an admin the whole country);
applicants and judges get 403, visitors are sent to log in."""

import pytest

from portal.auth.models import Role
from tests.conftest import check_access
from tests.factories import UserFactory
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "admin", "other_organiser"}
ROUTES = [
    ("GET", "/figures", STAFF),
    ("GET", "/figures/entries", STAFF),
]
ROLES = ["anonymous", "applicant", "judge", *sorted(STAFF)]


def make_people(published, units):
    return {
        "applicant": published.applicants[0],
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": published.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }


@pytest.fixture
def people(published, units):
    return cached(make_people, published, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_figures_access(client, people, role, method, url, allowed):
    check_access(client, people, role, method, url, allowed)
