"""`flask demo load` fills a realistic portal and can run twice."""

import sqlalchemy as sa

from portal.auth.models import Role, User
from portal.demo.services import DEMO_PASSWORD
from portal.extensions import db


def test_the_demo_loads_once_and_prints_a_login_for_each_role(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    people = db.session.scalar(sa.select(sa.func.count(User.id)))
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == people
    for role in ("admin", "organiser", "judge", "applicant"):
        assert f"  {role}" in first.output
    assert DEMO_PASSWORD in first.output

    organiser = db.session.scalar(sa.select(User).where(User.email.like("tochuc.dienbien@%")))
    assert organiser.full_name == "Lò Thị Hương"
    assert organiser.has_role(Role.ORGANISER) and organiser.check_password(DEMO_PASSWORD)
    assert organiser.organiser_units()[0].name == "Điện Biên"


def test_demo_logins_work(app, client):
    app.test_cli_runner().invoke(args=["demo", "load"])
    response = client.post_form(
        "/login", {"email": "admin@demo.hoilhpn.vn", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_the_demo_has_competitions_in_every_state(app):
    from portal.competitions.models import Competition, CompetitionStatus

    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])
    runner.invoke(args=["demo", "load"])
    statuses = db.session.scalars(sa.select(Competition.status)).all()
    assert set(statuses) == set(CompetitionStatus)
    assert len(statuses) == 9  # the second load added none


def test_the_demo_has_realistic_entries_and_profiles(app):
    from portal.applicants.models import ApplicantProfile
    from portal.entries.models import Entry, EntryStatus

    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])
    runner.invoke(args=["demo", "load"])
    entries = db.session.scalars(sa.select(Entry).order_by(Entry.id)).all()
    assert len(entries) == 5
    assert {e.status for e in entries} == {EntryStatus.DRAFT, EntryStatus.SUBMITTED}
    assert entries[1].reference.endswith("-0002") and entries[1].versions
    assert entries[0].title == "Rượu men lá Mường Phăng"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApplicantProfile)) == 5
