"""Who may use the judges' pages: only the judge asked to score the entry, and only her sheet."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import Role, RoleGrant
from portal.core import storage
from portal.core.time import utcnow
from portal.entries.models import Attachment, AttachmentKind
from portal.extensions import db
from portal.judging.models import Assignment, AssignmentSource, ScoreSheet
from portal.judging.scoring import services as scoring
from tests.conftest import check_access, login
from tests.factories import UserFactory, make_judging
from tests.snapshots import cached

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")

ROLES = ["anonymous", "applicant", "judge", "organiser", "admin"]
JUDGE = {"judge"}

# (method, url template, who may use it); templates are filled from the `world` fixture.
ROUTES = [
    ("GET", "/judging/", JUDGE),
    ("GET", "/judging/rounds/{round}/my-entries", JUDGE),
    ("GET", "/judging/competitions/{competition}/declaration", JUDGE),
    ("POST", "/judging/competitions/{competition}/declaration", JUDGE),
    ("GET", "/judging/rounds/{round}/entries/{entry}/score", JUDGE),
    ("POST", "/judging/rounds/{round}/entries/{entry}/score", JUDGE),
    ("GET", "/judging/rounds/{round}/entries/{entry}/attachments/{attachment}", JUDGE),
    ("GET", "/judging/rounds/{round}/entries/{entry}/recuse", JUDGE),
    ("POST", "/judging/rounds/{round}/entries/{entry}/recuse", JUDGE),
]


def assign(world, judge, entry, round_=None) -> Assignment:
    assignment = Assignment(
        round_id=(round_ or world.round).id,
        entry_id=entry.id,
        judge_id=judge.id,
        source=AssignmentSource.MANUAL,
        created_by_id=world.organiser.id,
    )
    db.session.add(assignment)
    db.session.commit()
    return assignment


def make_world(units):
    world = make_judging(units, entries=3, judges=3)
    world.round.scoring_closes_at = utcnow() + timedelta(days=3)
    entry = world.entries[0]
    attachment = Attachment(
        entry_id=entry.id,
        kind=AttachmentKind.BUSINESS_PLAN,
        original_name="plan.pdf",
        stored_name=storage.store(b"%PDF-1.4 plan"),
        content_type="application/pdf",
        size=13,
    )
    db.session.add(attachment)
    db.session.commit()
    assign(world, world.judges[0], entry)
    people = {
        "applicant": world.applicants[0],  # the entry's own applicant
        "judge": world.judges[0],
        "organiser": world.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
    }
    ids = {
        "competition": world.competition.id,
        "round": world.round.id,
        "entry": entry.id,
        "attachment": attachment.id,
    }
    return world, people, ids


@pytest.fixture
def world(units):
    return cached(make_world, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_route_access(client, world, role, method, url, allowed):
    _, people, ids = world
    check_access(client, people, role, method, url.format(**ids), allowed)


def _entry_urls(ids) -> list[tuple[str, str]]:
    base = f"/judging/rounds/{ids['round']}/entries/{ids['entry']}"
    return [
        ("GET", f"{base}/score"),
        ("POST", f"{base}/score"),
        ("GET", f"{base}/attachments/{ids['attachment']}"),
        ("GET", f"{base}/recuse"),
        ("POST", f"{base}/recuse"),
    ]


def _request(client, method, url, data=None):
    return client.get(url) if method == "GET" else client.post_form(url, data or {})


def test_a_judge_not_assigned_to_the_entry_is_refused(client, world):
    w, _, ids = world
    login(client, w.judges[1])
    for method, url in _entry_urls(ids):
        assert _request(client, method, url).status_code == 403, url


def test_an_assignment_in_another_round_does_not_open_this_one(client, world):
    w, _, ids = world
    assign(w, w.judges[1], w.entries[0], round_=w.final)
    login(client, w.judges[1])
    for method, url in _entry_urls(ids):
        assert _request(client, method, url).status_code == 403, url


def test_a_judge_never_sees_another_judges_sheet(client, world):
    w, people, ids = world
    first = people["judge"]
    assignment = db.session.scalar(sa.select(Assignment).filter_by(judge_id=first.id))
    data = scoring.SheetInput(
        {c.id: 3.5 for c in w.criteria}, "Nhận xét bí mật của giám khảo 1", "Góp ý"
    )
    scoring.save_sheet(first, assignment, data, submit=True, now=utcnow())
    assign(w, w.judges[1], w.entries[0])
    login(client, w.judges[1])
    page = client.get(f"/judging/rounds/{ids['round']}/entries/{ids['entry']}/score")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Nhận xét bí mật" not in text
    assert 'value="3.5"' not in text
    # Her own submission leaves the first judge's sheet as it was.
    response = client.post_form(
        f"/judging/rounds/{ids['round']}/entries/{ids['entry']}/score",
        {f"points_{c.id}": "1" for c in w.criteria} | {"submit": "1"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    sheets = db.session.scalars(sa.select(ScoreSheet).order_by(ScoreSheet.id)).all()
    assert len(sheets) == 2
    assert set(sheets[0].points_by_criterion().values()) == {3.5}


def test_a_recused_judge_is_refused_everywhere_on_the_entry(client, world):
    w, people, ids = world
    assignment = db.session.scalar(sa.select(Assignment).filter_by(judge_id=people["judge"].id))
    scoring.recuse(people["judge"], assignment, "", utcnow())
    login(client, people["judge"])
    for method, url in _entry_urls(ids):
        assert _request(client, method, url).status_code == 403, url


def test_the_applicant_cannot_read_scores_even_as_a_judge(client, world):
    w, _, ids = world
    applicant = w.applicants[0]
    db.session.add(RoleGrant(user_id=applicant.id, role=Role.JUDGE))
    db.session.commit()
    login(client, applicant)
    for method, url in _entry_urls(ids):
        assert _request(client, method, url).status_code == 403, url


def test_a_judge_not_invited_cannot_declare(client, world):
    _, _, ids = world
    login(client, UserFactory(roles=[Role.JUDGE]))
    url = f"/judging/competitions/{ids['competition']}/declaration"
    assert client.get(url).status_code == 403
    assert client.post_form(url, {}).status_code == 403


def test_missing_objects_are_404(client, world):
    w, people, ids = world
    login(client, people["judge"])
    assert client.get(f"/judging/rounds/999999/entries/{ids['entry']}/score").status_code == 404
    assert client.get(f"/judging/rounds/{ids['round']}/entries/999999/score").status_code == 404
    assert client.get("/judging/competitions/999999/declaration").status_code == 404
    url = f"/judging/rounds/{ids['round']}/entries/{ids['entry']}/attachments/999999"
    assert client.get(url).status_code == 404
