"""Who may decide the prizes: the competition's organisers and admins, nobody else; and the
forbidden paths: publishing before finalising and approving, an organiser of another unit."""

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.awards import common
from portal.awards.decision import services as deciding
from portal.awards.models import DecisionStatus
from portal.core.outbox import OutboxMessage
from portal.core.time import utcnow
from portal.extensions import db
from tests.conftest import check_access, login
from tests.factories import UserFactory
from tests.snapshots import cached

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "admin"}

# (method, url template, who may use it): every route of the decision part.
ROUTES = [
    ("GET", "/awards/competitions/{competition}/decide", STAFF),
    ("POST", "/awards/competitions/{competition}/propose", STAFF),
    ("GET", "/awards/lines/{line}", STAFF),
    ("POST", "/awards/lines/{line}", STAFF),
    ("POST", "/awards/competitions/{competition}/finalise", STAFF),
    ("POST", "/awards/competitions/{competition}/approve", STAFF),
    ("POST", "/awards/competitions/{competition}/withdraw-approval", STAFF),
    ("GET", "/awards/competitions/{competition}/reopen", STAFF),
    ("POST", "/awards/competitions/{competition}/reopen", STAFF),
    ("GET", "/awards/competitions/{competition}/publish", STAFF),
    ("POST", "/awards/competitions/{competition}/publish", STAFF),
]
ROLES = ["anonymous", "applicant", "judge", "organiser", "admin", "other_organiser"]


def make_world(awards_world, units):
    w = awards_world
    lines = deciding.start_from_proposal(w.organiser, w.competition, now=utcnow())
    people = {
        "applicant": w.applicants[0],  # she would win the first prize: still not her decision
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": w.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }
    ids = {"competition": w.competition.id, "line": lines[0].id}
    return w, people, ids


@pytest.fixture
def world(awards_world, units):
    return cached(make_world, awards_world, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_decide_access(client, world, role, method, url, allowed):
    w, people, ids = world
    response = check_access(client, people, role, method, url.format(**ids), allowed)
    if role not in allowed and role != "anonymous":
        assert w.entries[0].reference not in response.get_data(as_text=True)


def version(w) -> str:
    db.session.expire_all()
    return str(common.decision_of(w.competition).version)


def test_publishing_before_finalising_is_refused(client, world):
    w, people, ids = world
    login(client, people["organiser"])
    url = f"/awards/competitions/{ids['competition']}/publish"
    response = client.post_form(url, {"version": version(w)})
    assert response.status_code == 409
    deciding.finalise(w.organiser, w.competition, now=utcnow())
    response = client.post_form(url, {"version": version(w)})  # finalised, not approved
    assert response.status_code == 409
    db.session.expire_all()
    assert common.decision_of(w.competition).status is DecisionStatus.FINALISED
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_an_organiser_of_another_unit_changes_nothing(client, world):
    w, people, ids = world
    deciding.finalise(w.organiser, w.competition, now=utcnow())
    login(client, people["other_organiser"])
    base = f"/awards/competitions/{ids['competition']}"
    for url in (f"{base}/approve", f"{base}/publish", f"{base}/reopen", f"{base}/finalise"):
        response = client.post_form(url, {"version": version(w), "reason": "x"})
        assert response.status_code == 403, url
    response = client.post_form(f"/awards/lines/{ids['line']}", {"entry": "", "reason": "x"})
    assert response.status_code == 403
    db.session.expire_all()
    assert common.decision_of(w.competition).status is DecisionStatus.FINALISED


def test_the_finaliser_is_refused_the_approval(client, world):
    w, people, ids = world
    deciding.finalise(w.organiser, w.competition, now=utcnow())
    login(client, people["organiser"])
    url = f"/awards/competitions/{ids['competition']}/approve"
    assert client.post_form(url, {"version": version(w)}).status_code == 403
    db.session.expire_all()
    assert common.decision_of(w.competition).status is DecisionStatus.FINALISED


def test_unknown_ids_are_404(client, world):
    _, people, _ = world
    login(client, people["organiser"])
    assert client.get("/awards/competitions/999/decide").status_code == 404
    assert client.get("/awards/lines/999").status_code == 404
    assert client.post_form("/awards/competitions/999/publish", {}).status_code == 404
