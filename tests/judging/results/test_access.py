"""Who may read and change a round's results: its organisers and admins, nobody else."""

import pytest

from portal.auth.models import Role
from portal.extensions import db
from tests.conftest import check_access, login
from tests.factories import UserFactory, make_judging, score
from tests.snapshots import cached

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "admin"}

# (method, url template, who may use it): every route of the results part.
ROUTES = [
    ("GET", "/judging/rounds/{round}/results", STAFF),
    ("GET", "/judging/rounds/{round}/results/{entry}", STAFF),
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


def make_world(units):
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


@pytest.fixture
def world(units):
    return cached(make_world, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_results_access(client, world, role, method, url, allowed):
    w, people = world
    target = url.format(round=w.round.id, entry=w.entries[0].id)
    response = check_access(client, people, role, method, target, allowed)
    if role not in allowed and role != "anonymous":
        assert "80.00" not in response.get_data(as_text=True)


def test_an_unknown_round_is_404(client, world):
    _, people = world
    login(client, people["organiser"])
    assert client.get("/judging/rounds/999/results").status_code == 404
