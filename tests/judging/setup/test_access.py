"""Who may use the organisers' judging pages: the organisers of the competition's unit and admins."""

import pytest

from portal.auth.models import Role
from portal.extensions import db
from portal.judging.models import Assignment, AssignmentSource
from tests.conftest import check_access
from tests.factories import UserFactory, make_judging
from tests.snapshots import cached

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "admin"}
ROLES = ["anonymous", "applicant", "judge", "organiser", "admin", "other_organiser"]

ROUTES = [
    ("GET", "/judging/rounds/{round}", STAFF),
    ("GET", "/judging/rounds/{round}/rubric", STAFF),
    ("POST", "/judging/rounds/{round}/rubric", STAFF),
    ("GET", "/judging/rounds/{round}/settings", STAFF),
    ("POST", "/judging/rounds/{round}/settings", STAFF),
    ("GET", "/judging/competitions/{competition}/judges", STAFF),
    ("POST", "/judging/competitions/{competition}/judges", STAFF),
    ("POST", "/judging/competitions/{competition}/judges/{judge_row}/remove", STAFF),
    ("GET", "/judging/rounds/{round}/assignments", STAFF),
    ("POST", "/judging/rounds/{round}/assignments/add", STAFF),
    ("POST", "/judging/rounds/{round}/assignments/propose", STAFF),
    ("POST", "/judging/rounds/{round}/assignments/confirm", STAFF),
    ("POST", "/judging/assignments/{assignment}/remove", STAFF),
    ("POST", "/judging/assignments/{assignment}/replace", STAFF),
    ("POST", "/judging/assignments/{assignment}/replacement", STAFF),
]


def make_world(units):
    judging = make_judging(units, entries=3, judges=3)
    assignment = Assignment(
        round_id=judging.round.id,
        entry_id=judging.entries[0].id,
        judge_id=judging.judges[0].id,
        source=AssignmentSource.MANUAL,
        created_by_id=judging.organiser.id,
    )
    db.session.add(assignment)
    db.session.commit()
    from portal.judging.models import CompetitionJudge

    row = db.session.query(CompetitionJudge).filter_by(user_id=judging.judges[1].id).one()
    people = {
        "applicant": judging.applicants[0],
        "judge": judging.judges[2],
        "organiser": judging.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }
    ids = {
        "round": judging.round.id,
        "competition": judging.competition.id,
        "judge_row": row.id,
        "assignment": assignment.id,
    }
    return people, ids


@pytest.fixture
def world(app, units):
    return cached(make_world, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_route_access(client, world, role, method, url, allowed):
    people, ids = world
    check_access(client, people, role, method, url.format(**ids), allowed)
