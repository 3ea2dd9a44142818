"""Who may add OCOP products, record and revoke ratings, and list them: the owner adds a
product; the organisers of the project's unit rate; others get 403."""

from datetime import date

import pytest

from portal.auth.models import Role
from portal.projects.ocop import services
from tests.conftest import check_access, login
from tests.factories import UserFactory, project_of
from tests.factories.projects import ocop_scheme
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "admin"}
ROUTES = [
    ("GET", "/projects/{project}/ocop/new", STAFF | {"applicant"}),
    ("POST", "/projects/{project}/ocop/new", STAFF | {"applicant"}),
    ("GET", "/projects/ocop/{product}/ratings/new", STAFF),
    ("POST", "/projects/ocop/{product}/ratings/new", STAFF),
    ("POST", "/projects/ocop/ratings/{rating}/revoke", STAFF),
    ("GET", "/projects/ocop", STAFF | {"other_organiser"}),
]
ROLES = ["anonymous", "applicant", "other_winner", "judge", "organiser", "admin", "other_organiser"]


def make_world(published, units):
    w = published
    ocop_scheme()
    project = project_of(w.entries[0])
    product = services.add_product(w.applicants[0], project, "Chè Shan tuyết", "beverages", None)
    rating = services.record_rating(
        w.organiser,
        product,
        services.RatingData(
            date(2026, 3, 1), "province", {"A": 30, "B": 18, "C": 26}, "QĐ 1", date(2026, 3, 2)
        ),
    )
    people = {
        "applicant": w.applicants[0],
        "other_winner": w.applicants[1],
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": w.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }
    return people, {"project": project.id, "product": product.id, "rating": rating.id}


@pytest.fixture
def world(published, units):
    return cached(make_world, published, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_ocop_access(client, world, role, method, url, allowed):
    people, ids = world
    response = check_access(client, people, role, method, url.format(**ids), allowed)
    if role == "other_organiser" and url == "/projects/ocop":
        assert "Chè Shan tuyết" not in response.get_data(as_text=True)


def test_unknown_ids_are_404(client, world):
    people, _ = world
    login(client, people["organiser"])
    assert client.get("/projects/999999/ocop/new").status_code == 404
    assert client.get("/projects/ocop/999999/ratings/new").status_code == 404
    assert client.post_form("/projects/ocop/ratings/999999/revoke").status_code == 404
