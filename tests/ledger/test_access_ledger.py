"""Who may use the ledger's pages: staff (each sees the books of her own units; an admin all);
applicants and judges get 403, visitors are sent to log in."""

import pytest

from portal.auth.models import Role
from tests.conftest import check_access
from tests.factories import UserFactory
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "admin", "other_organiser"}
ROUTES = [
    ("GET", "/ledger", STAFF),
    ("POST", "/ledger/months", STAFF),
    ("GET", "/ledger/accounts/capital_cash", STAFF),
    ("GET", "/ledger/accounts/capital_cash?source=capital:1&unit=1&page=2", STAFF),
    ("GET", "/ledger?unit=1&as_of=2026-04-30", STAFF),
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
def test_ledger_access(client, people, role, method, url, allowed):
    check_access(client, people, role, method, url, allowed)
