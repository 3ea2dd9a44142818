"""Who may write and publish a project's story (its owner only: an organiser cannot consent
for her), and who reads it: everyone once published, no one before (404)."""

import pytest

from portal.auth.models import Role
from portal.projects.story import services
from tests.conftest import check_access, login
from tests.factories import PNG, UserFactory, project_of
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

EVERYONE = {"anonymous", "applicant", "other_winner", "organiser", "admin"}
ROUTES = [
    ("GET", "/projects/{project}/story", {"applicant"}),
    ("POST", "/projects/{project}/story", {"applicant"}),
    ("GET", "/stories/{project}", EVERYONE),
    ("GET", "/stories/{project}/photo", EVERYONE),
]
ROLES = sorted(EVERYONE)


def make_world(published, units):
    project = project_of(published.entries[0])
    services.save_story(
        published.applicants[0], project, publish=True, text="Chè của bản", photo=(PNG, "a.png")
    )
    people = {
        "applicant": published.applicants[0],
        "other_winner": published.applicants[1],
        "organiser": published.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
    }
    return people, {"project": project.id, "other": project_of(published.entries[1]).id}


@pytest.fixture
def world(published, units):
    return cached(make_world, published, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_story_access(client, world, role, method, url, allowed):
    people, ids = world
    check_access(client, people, role, method, url.format(**ids), allowed)


def test_a_story_not_published_does_not_exist(client, world):
    people, ids = world
    assert client.get(f"/stories/{ids['other']}").status_code == 404
    assert client.get(f"/stories/{ids['other']}/photo").status_code == 404
    login(client, people["organiser"])
    assert client.get(f"/stories/{ids['other']}").status_code == 404
