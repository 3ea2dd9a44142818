"""Every route, for every role: allowed, forbidden (403) and not logged in (redirect to login)."""

import importlib
from collections import defaultdict
from pathlib import Path

import pytest

from portal.auth.models import Invitation, Role
from portal.core import storage
from portal.core.outbox import OutboxMessage, OutboxStatus
from portal.core.time import utcnow
from portal.entries import services as entry_services
from portal.entries import team
from portal.entries.models import Attachment, AttachmentKind, TeamInvitation, TeamMember
from portal.extensions import db
from tests.conftest import check_access, login
from tests.factories import UserFactory, make_competition
from tests.snapshots import cached

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")

ROLES = ["anonymous", "applicant", "judge", "organiser", "admin"]
EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {"anonymous"}
ADMIN = {"admin"}
STAFF = {"admin", "organiser"}

# (method, url template, who may use it). Templates are filled from the `world` fixture.
ROUTES = [
    ("GET", "/", EVERYONE),
    ("GET", "/healthz", EVERYONE),
    ("GET", "/units/communes.json?province={province}", EVERYONE),
    ("GET", "/register", EVERYONE),
    ("GET", "/confirm", EVERYONE),
    ("GET", "/login", EVERYONE),
    ("GET", "/password/forgot", EVERYONE),
    ("GET", "/confirm/phone", EVERYONE),
    ("GET", "/still-here", EVERYONE),
    ("GET", "/service-worker.js", EVERYONE),
    ("GET", "/offline", EVERYONE),
    ("POST", "/confirm/phone/new-code", EVERYONE),
    ("GET", "/password/reset/code", EVERYONE),
    ("GET", "/password/change", LOGGED_IN),
    ("POST", "/password/change", LOGGED_IN),
    ("GET", "/profile", LOGGED_IN),
    ("POST", "/profile", LOGGED_IN),
    ("GET", "/applicant/profile", {"applicant"}),
    ("POST", "/applicant/profile", {"applicant"}),
    ("POST", "/logout", EVERYONE),  # a shared phone logged out when idle may still press it
    ("GET", "/invitations", STAFF),
    ("POST", "/invitations", STAFF),
    ("POST", "/invitations/{invitation}/revoke", ADMIN),  # an organiser who did not send it: 403
    ("GET", "/admin/users", ADMIN),
    ("GET", "/admin/users/{user}", ADMIN),
    ("POST", "/admin/users/{user}", ADMIN),
    ("POST", "/admin/users/{user}/roles/{grant}/revoke", ADMIN),
    ("POST", "/admin/users/{user}/active", ADMIN),
    ("GET", "/admin/audit", ADMIN),
    ("GET", "/admin/outbox", ADMIN),
    ("POST", "/admin/outbox/{message}/retry", ADMIN),
    ("GET", "/admin/units", ADMIN),
    ("GET", "/competitions/", EVERYONE),
    ("GET", "/competitions/{competition}", EVERYONE),
    ("GET", "/competitions/manage", STAFF),
    ("GET", "/competitions/new", STAFF),
    ("POST", "/competitions/new", STAFF),
    ("GET", "/competitions/{competition}/edit", STAFF),
    ("POST", "/competitions/{competition}/edit", STAFF),
    ("POST", "/competitions/{competition}/status", STAFF),
    ("POST", "/competitions/{competition}/copy", STAFF),
    ("GET", "/competitions/{draft}", STAFF),  # a draft: others get 404, tested below
    ("POST", "/competitions/{competition}/enter", {"applicant"}),
    ("GET", "/entries/", {"applicant"}),
    ("GET", "/entries/{entry}", {"applicant", "organiser", "admin"}),
    ("GET", "/entries/{entry}/edit", {"applicant"}),
    ("POST", "/entries/{entry}/edit", {"applicant"}),
    ("GET", "/entries/{entry}/withdraw", {"applicant"}),
    ("POST", "/entries/{entry}/withdraw", {"applicant"}),
    ("GET", "/entries/{entry}/attachments/{attachment}", {"applicant", "organiser", "admin"}),
    ("POST", "/entries/{entry}/attachments/{attachment}/delete", {"applicant"}),
    ("GET", "/competitions/{competition}/entries", STAFF),
    ("GET", "/competitions/{competition}/entries.csv", STAFF),
    ("GET", "/competitions/{competition}/entries.xlsx", STAFF),
    ("POST", "/entries/{entry}/screen", STAFF),
    ("POST", "/entries/{entry}/extension", STAFF),
    # An invitation to the entry's team, sent to the judge's address: only she may answer it.
    ("GET", "/team-invitations/{team_token}", {"judge"}),
    ("POST", "/team-invitations/{team_token}/accept", {"judge"}),
    ("POST", "/team-invitations/{team_token}/decline", {"judge"}),
]

# Routes reached only through a signed link, or that need no role; tested in their own files.
TOKEN_ROUTES = {
    "auth.confirm_email",
    "auth.reset_password",
    "auth.accept_invitation",
    "main.set_language",
    "static",
}


def make_world(units):
    """One account per role, and the objects the URLs point at."""
    people = {
        "applicant": UserFactory(roles=[Role.APPLICANT]),
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])]),
        "admin": UserFactory(roles=[Role.ADMIN]),
    }
    target = UserFactory(roles=[Role.APPLICANT, Role.JUDGE])
    invitation = Invitation(
        email="moi@example.vn",
        role=Role.JUDGE,
        invited_by_id=people["admin"].id,
        expires_at=utcnow().replace(year=utcnow().year + 1),
    )
    message = OutboxMessage(
        recipient="x@example.vn",
        subject="s",
        body_text="b",
        template="t",
        status=OutboxStatus.FAILED,
    )
    db.session.add_all([invitation, message])
    db.session.commit()
    competition = make_competition(people["organiser"], units["dien_bien"])
    draft = make_competition(people["organiser"], units["dien_bien"], status="draft")
    entry = entry_services.start_entry(people["applicant"], competition)
    attachment = Attachment(
        kind=AttachmentKind.BUSINESS_PLAN,
        original_name="plan.pdf",
        stored_name=storage.store(b"%PDF-1.4 plan"),
        content_type="application/pdf",
        size=13,
    )
    entry.attachments.append(attachment)
    judge_email = people["judge"].email
    entry.team_members.append(TeamMember(position=0, name="Lò Thị Hoa", email=judge_email))
    db.session.add(
        TeamInvitation(entry=entry, email=judge_email, invited_by_id=people["applicant"].id)
    )
    db.session.commit()
    ids = {
        "entry": entry.id,
        "attachment": attachment.id,
        "competition": competition.id,
        "draft": draft.id,
        "province": units["dien_bien"].id,
        "user": target.id,
        "grant": target.roles[1].id,
        "invitation": invitation.id,
        "message": message.id,
        "team_token": team.token_for(entry, judge_email),
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
    url = url.format(**ids)
    if url.endswith(f"/competitions/{ids['draft']}") and role not in allowed:
        if role != "anonymous":
            assert login(client, people[role]).status_code == 302
        # A draft does not exist for those who may not see it.
        assert client.get(url).status_code == 404
        return
    check_access(client, people, role, method, url, allowed)


def _all_access_tables() -> list[tuple[str, str, set]]:
    """This table, and those of the features and their parts that keep their own
    (tests/<feature>/test_access_*.py, tests/<feature>/<part>/test_access.py)."""
    tables = list(ROUTES)
    here = Path(__file__).parent
    for path in sorted([*here.glob("*/test_access_*.py"), *here.glob("*/*/test_access.py")]):
        module = importlib.import_module(
            ".".join(path.relative_to(here.parent).with_suffix("").parts)
        )
        tables.extend(module.ROUTES)
    return tables


def test_every_route_is_in_the_access_table(app):
    covered = set()
    adapter = app.url_map.bind("localhost")
    for _, url, _ in _all_access_tables():
        path = url.split("?")[0].format_map(defaultdict(lambda: 1))
        for method in ("GET", "POST"):
            try:
                endpoint, _ = adapter.match(path, method=method)
            except Exception:  # the method is not allowed on this URL
                continue
            covered.add(endpoint)
    missing = {rule.endpoint for rule in app.url_map.iter_rules()} - covered - TOKEN_ROUTES
    assert not missing, f"routes without an access test: {sorted(missing)}"


def test_organiser_can_withdraw_her_own_invitation_only(client, world):
    people, ids = world
    organiser = people["organiser"]
    own = Invitation(
        email="gk@example.vn",
        role=Role.JUDGE,
        invited_by_id=organiser.id,
        expires_at=utcnow().replace(year=utcnow().year + 1),
    )
    db.session.add(own)
    db.session.commit()
    login(client, organiser)
    assert client.post_form(f"/invitations/{ids['invitation']}/revoke").status_code == 403
    response = client.post_form(f"/invitations/{own.id}/revoke")
    assert response.status_code == 302
    db.session.refresh(own)
    assert own.revoked_at is not None


def test_a_deactivated_account_is_logged_out_at_once(client, world):
    people, _ = world
    applicant = people["applicant"]
    login(client, applicant)
    assert client.get("/profile").status_code == 200
    applicant.active = False
    db.session.commit()
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_an_organiser_of_another_province_cannot_manage_the_competition(client, world, units):
    people, ids = world
    login(client, UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]))
    for method, url in [
        ("GET", "/competitions/{competition}/edit"),
        ("POST", "/competitions/{competition}/edit"),
        ("POST", "/competitions/{competition}/status"),
        ("POST", "/competitions/{competition}/copy"),
    ]:
        url = url.format(**ids)
        response = (
            client.get(url) if method == "GET" else client.post_form(url, {"status": "closed"})
        )
        assert response.status_code == 403, url
    assert client.get(f"/competitions/{ids['draft']}").status_code == 404
