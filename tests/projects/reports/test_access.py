"""Who may set a project's report schedule, fill, read and review its reports, open their
photos, and read the follow-up list: the owner fills hers, the organisers of the project's unit
review; a team member, another winner and another province's organiser get 403."""

from datetime import date

import pytest

from portal.auth.models import Role
from portal.entries.models import TeamMember
from portal.extensions import db
from portal.projects.reports import services
from tests.conftest import check_access, login
from tests.factories import PNG, UserFactory, project_of
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "admin"}
OWNER_AND_STAFF = STAFF | {"applicant"}
ROUTES = [
    ("GET", "/projects/{project}/schedule", STAFF),
    ("POST", "/projects/{project}/schedule", STAFF),
    ("GET", "/projects/reports/{report}", OWNER_AND_STAFF),
    ("POST", "/projects/reports/{report}", OWNER_AND_STAFF),
    ("POST", "/projects/reports/{report}/accept", STAFF),
    ("POST", "/projects/reports/{report}/return", STAFF),
    ("POST", "/projects/reports/{report}/skip", STAFF),
    ("GET", "/projects/report-photos/{photo}", OWNER_AND_STAFF),
    ("GET", "/projects/follow-up", STAFF | {"other_organiser"}),
    ("GET", "/projects/follow-up.csv", STAFF | {"other_organiser"}),
    ("GET", "/projects/follow-up.xlsx", STAFF | {"other_organiser"}),
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
    services.set_schedule(w.organiser, project, "quarterly_two_years", date(2026, 2, 1))
    report = services.reports_of([project.id])[project.id][0]
    services.save_draft(
        w.applicants[0],
        report,
        services.ReportData(revenue=1_000_000, photos=[(PNG, "vuon.png")]),
        expected_version=1,
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
        "report": report.id,
        "photo": report.photos[0].id,
        "title": project.title,
    }
    return people, ids


@pytest.fixture
def world(published, units):
    return cached(make_world, published, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_reports_access(client, world, role, method, url, allowed):
    people, ids = world
    response = check_access(client, people, role, method, url.format(**ids), allowed)
    if role in ("organiser", "other_organiser") and url.endswith(("follow-up", ".csv")):
        # Another province's organiser sees none of this project's reports.
        shown = ids["title"] in response.get_data(as_text=True)
        assert shown is (role == "organiser")


def test_unknown_ids_are_404(client, world):
    people, _ = world
    login(client, people["organiser"])
    assert client.get("/projects/999999/schedule").status_code == 404
    assert client.get("/projects/reports/999999").status_code == 404
    assert client.post_form("/projects/reports/999999/accept").status_code == 404
    assert client.get("/projects/report-photos/999999").status_code == 404
