"""Who may use the pages of supported projects.

The owner (here "applicant") reads her project and its evidence; a team member linked to the
entry reads the project but not the evidence; another winner and another province's organiser
get 403 on this project (that organiser still has her own, empty, list).
"""

import io

import pytest
from openpyxl import load_workbook

from portal.auth.models import Role
from portal.entries.models import TeamMember
from portal.extensions import db
from portal.projects import services
from tests.conftest import check_access, login
from tests.factories import PDF, UserFactory, project_of
from tests.snapshots import cached

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "admin"}
LOGGED_IN = {
    "applicant",
    "team_member",
    "other_winner",
    "judge",
    "organiser",
    "admin",
    "other_organiser",
}

# (method, url template, who may use it): every route of the supported projects.
ROUTES = [
    ("GET", "/projects/", STAFF | {"other_organiser"}),
    ("GET", "/projects/export.csv", STAFF | {"other_organiser"}),
    ("GET", "/projects/export.xlsx", STAFF | {"other_organiser"}),
    ("GET", "/projects/{project}", STAFF | {"applicant", "team_member"}),
    ("GET", "/my/projects", LOGGED_IN),
    ("GET", "/projects/entries/{entry}/external-awards", STAFF),
    ("POST", "/projects/entries/{entry}/external-awards", STAFF),
    ("POST", "/projects/external-awards/{external}/delete", STAFF),
    ("GET", "/projects/external-awards/{external}/evidence", STAFF | {"applicant"}),
]
ROLES = ["anonymous", *sorted(LOGGED_IN)]


def make_world(published, units):
    w = published
    external = services.record_external_award(
        w.organiser,
        w.entries[0],
        "national",
        "Trung ương Hội LHPN Việt Nam",
        "Giải Ba",
        w.competition.year,
        10_000_000,
        "",
        (PDF, "quyet-dinh.pdf"),
    )
    mate = UserFactory(full_name="Mai Thị Đồng Đội")
    db.session.add(TeamMember(entry_id=w.entries[0].id, position=0, name="Mai", user_id=mate.id))
    db.session.commit()
    people = {
        "applicant": w.applicants[0],  # the owner of the project
        "team_member": mate,
        "other_winner": w.applicants[1],  # she has a project of her own: still not this one
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": w.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }
    ids = {
        "project": project_of(w.entries[0]).id,
        "entry": w.entries[0].id,
        "external": external.id,
    }
    return w, people, ids


@pytest.fixture
def world(published, units):
    return cached(make_world, published, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_projects_access(client, world, role, method, url, allowed):
    w, people, ids = world
    response = check_access(client, people, role, method, url.format(**ids), allowed)
    if role == "other_organiser" and response.status_code == 200:
        if url.endswith(".xlsx"):
            sheet = load_workbook(io.BytesIO(response.data)).active
            assert sheet.max_row == 1  # the header only
            return
        body = response.get_data(as_text=True)
        assert w.entries[0].reference not in body
        assert w.applicants[0].email not in body


def test_unknown_ids_are_404(client, world):
    _, people, _ = world
    login(client, people["organiser"])
    assert client.get("/projects/999999").status_code == 404
    assert client.get("/projects/entries/999999/external-awards").status_code == 404
    assert client.get("/projects/external-awards/999999/evidence").status_code == 404
    assert client.post_form("/projects/external-awards/999999/delete").status_code == 404
