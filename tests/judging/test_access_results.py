"""Who may read and change a round's results: its organisers and admins, nobody else."""

import pytest

from portal.auth.models import Role
from portal.extensions import db
from tests.conftest import login
from tests.factories import UserFactory
from tests.judging.conftest import make_judging
from tests.judging.results_helpers import score

STAFF = {"organiser", "admin"}

# (method, url template, who may use it): every route of the results part.
ROUTES = [
    ("GET", "/judging/rounds/{round}/results", STAFF),
    ("GET", "/judging/rounds/{round}/results.csv", STAFF),
    ("GET", "/judging/rounds/{round}/results.xlsx", STAFF),
    ("GET", "/judging/rounds/{round}/import", STAFF),
    ("POST", "/judging/rounds/{round}/import", STAFF),
    ("POST", "/judging/rounds/{round}/finalise", STAFF),
    ("GET", "/judging/rounds/{round}/reopen", STAFF),
    ("POST", "/judging/rounds/{round}/reopen", STAFF),
    ("GET", "/judging/rounds/{round}/advance", STAFF),
    ("POST", "/judging/rounds/{round}/advance", STAFF),
]
ROLES = ["anonymous", "applicant", "judge", "organiser", "admin", "other_organiser"]


@pytest.fixture
def world(units):
    w = make_judging(units, entries=2, judges=2)
    score(w, w.entries[0], w.judges[0], 0.8)
    people = {
        "applicant": w.applicants[0],  # she has an entry in the round: still no scores for her
        "judge": w.judges[0],  # she scored it: still not the results
        "organiser": w.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }
    db.session.commit()
    return w, people


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_results_access(client, world, role, method, url, allowed):
    w, people = world
    if role != "anonymous":
        assert login(client, people[role]).status_code == 302
    url = url.format(round=w.round.id)
    response = client.get(url) if method == "GET" else client.post_form(url, {})
    if role in allowed:
        assert response.status_code not in (401, 403, 500), response.status_code
        assert not (response.status_code == 302 and "/login" in response.location)
    elif role == "anonymous":
        assert response.status_code == 302
        assert response.location.startswith("/login?next=")
    else:
        assert response.status_code == 403
        assert "80.00" not in response.get_data(as_text=True)


def test_an_unknown_round_is_404(client, world):
    _, people = world
    login(client, people["organiser"])
    assert client.get("/judging/rounds/999/results").status_code == 404
