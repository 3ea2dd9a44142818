"""Who may use the cascade's pages: the higher competition's organisers (the nation's) its
nominations, the competition below's organisers (Điện Biên's) their nominations upward and the
approval, the woman nominated her answer; nobody else."""

import pytest

from portal.auth.models import Role
from tests.conftest import check_access
from tests.factories import UserFactory
from tests.factories.nominations import make_cascade
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

BELOW = {"organiser", "admin"}
HIGHER = {"national", "admin"}

ROUTES = [
    ("GET", "/competitions/{national}/nominations", HIGHER),
    ("POST", "/competitions/{national}/nominations", HIGHER),
    ("POST", "/competitions/{national}/nominations/sources/{source}/remove", HIGHER),
    ("GET", "/competitions/{below}/nominate", BELOW),
    ("POST", "/competitions/{below}/nominate/{national}", BELOW),
    ("POST", "/nominations/{nomination}/approve", BELOW),
    ("POST", "/nominations/{nomination}/withdraw", BELOW),
    ("GET", "/nominations", {"organiser", "national", "admin", "other", "commune"}),
    ("POST", "/nominations/{nomination}/accept", {"applicant"}),
    ("POST", "/nominations/{nomination}/decline", {"applicant"}),
]
# Lào Cai's organiser (another province) and Mường Phăng's (a commune of Điện Biên): each may
# see her own overview, nothing of Điện Biên's competition or the nation's.
ROLES = ["anonymous", "applicant", "judge", "organiser", "national", "admin", "other", "commune"]


def make_world(units):
    from portal.nominations.services import sources_of

    cascade = make_cascade(units)
    nomination = cascade.nominate(cascade.below.entries[0])
    people = {
        "applicant": cascade.below.entries[0].applicant,
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": cascade.below.organiser,
        "national": cascade.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
        "commune": UserFactory(roles=[(Role.ORGANISER, units["muong_phang"])]),
    }
    ids = {
        "national": cascade.competition.id,
        "below": cascade.below.competition.id,
        "nomination": nomination.id,
        "source": sources_of(cascade.competition)[0].id,
    }
    return people, ids


@pytest.fixture
def world(units):
    return cached(make_world, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_nominations_access(client, world, role, method, url, allowed):
    people, ids = world
    response = check_access(client, people, role, method, url.format(**ids), allowed)
    if role in ("other", "commune"):
        # Not even her overview names Điện Biên's nominee or its competition.
        assert "Ý tưởng số 1" not in response.get_data(as_text=True)


def test_another_applicant_does_not_see_her_nomination(client, world):
    people, ids = world
    from tests.conftest import login

    login(client, UserFactory(roles=[Role.APPLICANT]))
    assert client.post_form(f"/nominations/{ids['nomination']}/accept", {}).status_code == 404
