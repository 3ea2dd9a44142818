"""Who may record, correct, verify and return a project's milestones, open their files, and
keep the kinds: the owner and the organisers of the project's unit; a team member, another
winner and another province's organiser get 403."""

import pytest

from portal.auth.models import Role
from portal.core.time import utcnow
from portal.entries.models import TeamMember
from portal.extensions import db
from portal.projects.milestones import services
from tests.conftest import check_access, login
from tests.factories import PNG, UserFactory, project_of
from tests.factories.projects import kind
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "admin"}
OWNER_AND_STAFF = STAFF | {"applicant"}

ROUTES = [
    ("GET", "/projects/{project}/milestones/new", OWNER_AND_STAFF),
    ("POST", "/projects/{project}/milestones/new", OWNER_AND_STAFF),
    ("GET", "/projects/milestones/{milestone}/edit", OWNER_AND_STAFF),
    ("POST", "/projects/milestones/{milestone}/edit", OWNER_AND_STAFF),
    ("POST", "/projects/milestones/{milestone}/verify", STAFF),
    ("POST", "/projects/milestones/{milestone}/return", STAFF),
    ("GET", "/projects/milestone-files/{file}", OWNER_AND_STAFF),
    ("GET", "/projects/milestone-kinds", {"admin"}),
    ("POST", "/projects/milestone-kinds", {"admin"}),
    ("POST", "/projects/milestone-kinds/{kind}", {"admin"}),
]
ROLES = [
    "anonymous",
    "applicant",
    "team_member",
    "other_winner",
    "judge",
    "organiser",
    "admin",
    "other_organiser",
]


def make_world(published, units):
    w = published
    project = project_of(w.entries[0])
    milestone = services.record_milestone(
        w.applicants[0],
        project,
        services.MilestoneData(
            kind_id=kind("first_sales").id,
            reached_on=utcnow().date(),
            note="Bán 200 hộp chè",
            files=[(PNG, "hoa-don.png")],
        ),
    )
    mate = UserFactory(full_name="Mai Thị Đồng Đội")
    db.session.add(TeamMember(entry_id=w.entries[0].id, position=0, name="Mai", user_id=mate.id))
    db.session.commit()
    people = {
        "applicant": w.applicants[0],
        "team_member": mate,
        "other_winner": w.applicants[1],
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": w.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }
    ids = {
        "project": project.id,
        "milestone": milestone.id,
        "file": milestone.files[0].id,
        "kind": milestone.kind_id,
    }
    return people, ids


@pytest.fixture
def world(published, units):
    return cached(make_world, published, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_milestones_access(client, world, role, method, url, allowed):
    people, ids = world
    check_access(client, people, role, method, url.format(**ids), allowed)


def test_unknown_ids_are_404(client, world):
    people, _ = world
    login(client, people["organiser"])
    assert client.get("/projects/999999/milestones/new").status_code == 404
    assert client.get("/projects/milestones/999999/edit").status_code == 404
    assert client.post_form("/projects/milestones/999999/verify").status_code == 404
    assert client.get("/projects/milestone-files/999999").status_code == 404
