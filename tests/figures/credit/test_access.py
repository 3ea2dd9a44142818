"""Who may use the entrusted-credit pages: organisers (each the imports of her units: a province's
organiser those of the province and its communes, a commune's organiser her commune's) and
admins; applicants and judges get 403, visitors are sent to log in.

(The issue names this table test_access_credit.py; tests/test_access.py finds the tables of a
feature's parts as tests/<feature>/<part>/test_access.py, so it has that name.)"""

import pytest

from portal.auth.models import Role
from tests.conftest import check_access
from tests.factories import UserFactory
from tests.figures.credit.sheets import Q1_2026, import_rows, rows_of
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "commune_organiser", "other_organiser", "admin"}
ROUTES = [
    ("GET", "/figures/credit/imports", STAFF),
    ("GET", "/figures/credit/imports/new", STAFF),
    ("POST", "/figures/credit/imports/new", STAFF),
    ("POST", "/figures/credit/imports/confirm", STAFF),
    # The province's import: its organisers and admins; a commune's organiser or another
    # province's gets 403.
    ("GET", "/figures/credit/imports/{credit_import}", {"organiser", "admin"}),
    ("GET", "/figures/credit/template.csv", STAFF),
    ("GET", "/figures/credit/template.xlsx", STAFF),
]
ROLES = ["anonymous", "applicant", "judge", *sorted(STAFF)]


def make_world(units):
    people = {
        "applicant": UserFactory(),
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])]),
        "commune_organiser": UserFactory(roles=[(Role.ORGANISER, units["muong_phang"])]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
        "admin": UserFactory(roles=[Role.ADMIN]),
    }
    made = import_rows(people["organiser"], units["dien_bien"], Q1_2026, rows_of({})).written
    return {"people": people, "credit_import": made}


@pytest.fixture
def world(units):
    return cached(make_world, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_credit_access(client, world, role, method, url, allowed):
    url = url.format(credit_import=world["credit_import"].id)
    check_access(client, world["people"], role, method, url, allowed)
