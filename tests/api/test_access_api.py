"""Who reaches the API's pages: the token pages are an admin's (organisers, applicants and
judges get 403, visitors are sent to log in); the open data is everyone's. The JSON routes know
no role, only tokens: without one every call is 401, with one it is answered."""

import pytest

from portal.api import services as tokens
from portal.auth.models import Role
from tests.api.conftest import bearer
from tests.conftest import check_access
from tests.factories import UserFactory
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

EVERYONE = {"anonymous", "applicant", "judge", "organiser", "admin"}
ROLES = sorted(EVERYONE)
PAGES = [
    ("GET", "/admin/api-tokens", {"admin"}),
    ("POST", "/admin/api-tokens", {"admin"}),  # an empty form: the page again, with its messages
    ("GET", "/admin/api-tokens/1", {"admin"}),
    ("POST", "/admin/api-tokens/1/revoke", {"admin"}),
    ("GET", "/open-data", EVERYONE),
    ("GET", "/open-data.csv", EVERYONE),
    ("GET", "/api/v1/openapi.json", EVERYONE),
    ("GET", "/api/v1/open/indicators", EVERYONE),
]
WITH_A_TOKEN = [
    "/api/v1/competitions",
    "/api/v1/competitions/1/results",
    "/api/v1/projects",
    "/api/v1/indicators",
]
ROUTES = PAGES + [("GET", url, set()) for url in WITH_A_TOKEN]


def make_people(published):
    admin = UserFactory(roles=[Role.ADMIN])
    tokens.issue_token(admin, "Trung ương Hội", None)
    return {
        "applicant": published.applicants[0],
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": published.organiser,
        "admin": admin,
    }


@pytest.fixture
def people(published):
    return cached(make_people, published)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "allowed"), PAGES, ids=[f"{m} {u}" for m, u, _ in PAGES])
def test_api_pages_access(client, people, role, method, url, allowed):
    check_access(client, people, role, method, url, allowed)


@pytest.mark.parametrize("url", WITH_A_TOKEN)
def test_json_routes_need_a_token_whoever_is_logged_in(client, people, issue, url):
    from tests.conftest import login

    assert client.get(url).status_code == 401
    login(client, people["admin"])  # a session is not a token
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(issue())).status_code == 200
