"""Who may reach the certificates: the competition's organisers and admins manage them; a winner
downloads her own and sees her own award page; anyone may verify a code; another winner, another
unit's organiser, a judge and visitors may not download or revoke."""

from datetime import UTC, datetime

import pytest
import time_machine

from portal.auth.models import Role
from portal.extensions import db
from tests.conftest import check_access, login
from tests.factories import UserFactory
from tests.snapshots import cached

NOW = datetime(2026, 5, 10, 3, 0, tzinfo=UTC)
ROLES = ["anonymous", "winner", "other_winner", "judge", "organiser", "admin", "other_organiser"]
EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {"anonymous"}
STAFF = {"organiser", "admin"}

# (method, url template, who may use it): every route of the certificates part.
ROUTES = [
    ("GET", "/awards/competitions/{competition}/certificates", STAFF),
    ("GET", "/awards/competitions/{competition}/certificates.zip", STAFF),
    ("GET", "/awards/{award}/certificate.pdf", STAFF | {"winner"}),
    ("GET", "/awards/{award}/revoke", STAFF),
    ("POST", "/awards/{award}/revoke", STAFF),
    ("GET", "/awards/{award}/reissue", STAFF),
    ("POST", "/awards/{award}/reissue", STAFF),
    ("GET", "/verify", EVERYONE),
    ("GET", "/verify?code={code}", EVERYONE),
    ("GET", "/verify/{code}", EVERYONE),
    ("GET", "/my/awards", LOGGED_IN),
    ("GET", "/my/awards/{award}", {"winner"}),
]


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False) as clock:
        yield clock


def make_world(published, units):
    award = published.awards[0]
    people = {
        "winner": published.applicants[0],
        "other_winner": published.applicants[1],  # won the second prize of the same competition
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": published.second_organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }
    db.session.commit()
    ids = {
        "competition": published.competition.id,
        "award": award.id,
        "code": award.certificate_code,
    }
    return people, ids


@pytest.fixture
def world(published, units):
    return cached(make_world, published, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_certificates_access(client, world, role, method, url, allowed):
    people, ids = world
    response = check_access(client, people, role, method, url.format(**ids), allowed)
    if role not in allowed and role != "anonymous":
        assert ids["code"] not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/awards/competitions/999/certificates",
        "/awards/competitions/999/certificates.zip",
        "/awards/999/certificate.pdf",
        "/awards/999/revoke",
        "/my/awards/999",
    ],
)
def test_unknown_ids_are_404(client, world, url):
    people, _ = world
    login(client, people["organiser"])
    assert client.get(url).status_code == 404
