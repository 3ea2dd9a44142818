"""`flask demo load` fills a realistic portal and can run twice."""

import re

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
    # Every account of the demo is printed, with what she is there for.
    for email in db.session.scalars(sa.select(User.email)):
        assert email in first.output, email
    assert re.search(
        r"DBCK-\d{4}-0001 Cà phê Mường Phăng rang mộc \(Điện Biên, advanced, proposed for Giải Nhất",
        first.output,
    )
    assert "judge of Phụ nữ Điện Biên khởi nghiệp" in first.output

    organiser = db.session.scalar(sa.select(User).where(User.email.like("tochuc.dienbien@%")))
    assert organiser.full_name == "Lò Thị Hương"
    assert organiser.has_role(Role.ORGANISER) and organiser.check_password(DEMO_PASSWORD)
    assert organiser.organiser_units()[0].name == "Điện Biên"


def test_demo_logins_work(app, client):
    app.test_cli_runner().invoke(args=["demo", "load"])
    response = client.post_form(
        "/login", {"account": "admin@demo.hoilhpn.vn", "password": DEMO_PASSWORD}
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
    assert len(statuses) == 10  # the second load added none


def test_the_demo_has_realistic_entries_and_profiles(app):
    from portal.applicants.models import ApplicantProfile
    from portal.entries.models import Entry, EntryStatus

    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])
    runner.invoke(args=["demo", "load"])
    entries = db.session.scalars(
        sa.select(Entry)
        .where(Entry.status.in_([EntryStatus.DRAFT, EntryStatus.SUBMITTED]))
        .order_by(Entry.id)
    ).all()
    assert len(entries) == 5
    assert {e.status for e in entries} == {EntryStatus.DRAFT, EntryStatus.SUBMITTED}
    assert entries[1].reference.endswith("-0002") and entries[1].versions
    assert entries[0].title == "Rượu men lá Mường Phăng"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApplicantProfile)) == 35


def test_the_demo_has_a_round_in_judging_with_work_left_for_the_demo_judge(app):
    from portal.entries.models import Entry, EntryStatus
    from portal.judging.models import Assignment, ScoreSheet, SheetStatus

    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])
    runner.invoke(args=["demo", "load"])
    judged = db.session.scalars(sa.select(Entry).where(Entry.status == EntryStatus.IN_JUDGING))
    assert len(judged.all()) == 12
    assignments = db.session.scalars(sa.select(Assignment)).all()
    assert len(assignments) == 36  # three judges for each entry, added once
    loads = {}
    for assignment in assignments:
        loads[assignment.judge.email] = loads.get(assignment.judge.email, 0) + 1
    assert sorted(loads.values()) == [9, 9, 9, 9]
    demo_judge = [a for a in assignments if a.judge.email == "giamkhao@demo.hoilhpn.vn"]
    sheets = [a.sheet.status if a.sheet else None for a in demo_judge]
    assert sheets.count(SheetStatus.SUBMITTED) == 2
    assert sheets.count(SheetStatus.DRAFT) == 1
    assert sheets.count(None) == 6
    assert db.session.scalar(sa.select(sa.func.count(ScoreSheet.id))) == 30


def test_the_demo_has_published_prizes_and_a_decision_waiting_for_approval(app):
    from portal.awards.models import (
        Award,
        AwardDecision,
        AwardStatus,
        DecisionStatus,
        PaymentKind,
        PrizePayment,
    )
    from portal.ledger.models import PostingLine
    from portal.projects.models import ExternalAward, SupportedProject

    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])
    runner.invoke(args=["demo", "load"])
    decisions = {d.competition.unit.name: d for d in db.session.scalars(sa.select(AwardDecision))}
    assert decisions["Lào Cai"].status is DecisionStatus.PUBLISHED
    assert decisions["Lào Cai"].approved_by.email == "phochutich.laocai@demo.hoilhpn.vn"
    assert decisions["Điện Biên"].status is DecisionStatus.FINALISED
    assert decisions["Điện Biên"].finalised_by.email == "tochuc.dienbien@demo.hoilhpn.vn"

    published = db.session.scalars(
        sa.select(Award).where(Award.competition_id == decisions["Lào Cai"].competition_id)
    ).all()
    assert len(published) == 11 and all(a.certificate_code for a in published)
    assert [a.status for a in published].count(AwardStatus.REVOKED) == 1
    first = next(a for a in published if a.tier.name == "Giải Nhất")
    assert first.entry.applicant.email == "ungvien2@demo.hoilhpn.vn"

    kinds = db.session.scalars(sa.select(PrizePayment.kind)).all()
    assert kinds.count(PaymentKind.PAYMENT) == 3 and kinds.count(PaymentKind.REVERSAL) == 1
    assert db.session.scalar(sa.select(sa.func.sum(PostingLine.amount))) == 0
    assert db.session.scalar(sa.select(sa.func.count(SupportedProject.id))) == 11
    # Her national first prize, carried down from the national final's published results.
    carried = db.session.scalars(sa.select(ExternalAward)).all()
    assert [(x.entry_id, x.prize) for x in carried] == [(first.entry_id, "Giải Nhất")]
    assert carried[0].award_id is not None


def test_the_demo_has_a_national_final_with_nominations_from_two_provinces(app):
    from portal.competitions.models import Competition, CompetitionLevel, CompetitionStatus
    from portal.nominations.models import Nomination, NominationStatus
    from portal.projects.models import ExternalAward, SupportedProject

    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])
    runner.invoke(args=["demo", "load"])
    national = db.session.scalars(
        sa.select(Competition).where(Competition.level == CompetitionLevel.NATIONAL)
    ).one()
    assert national.status is CompetitionStatus.RESULTS_PUBLISHED and national.unit.is_nation
    nominations = db.session.scalars(
        sa.select(Nomination).where(Nomination.competition_id == national.id)
    ).all()
    by_province = {}
    for n in nominations:
        by_province.setdefault(n.from_competition.unit.name, []).append(n.status)
    assert set(by_province) == {"Lào Cai", "Điện Biên"}
    assert sorted(s.value for n in nominations for s in [n.status]) == [
        "accepted",
        "accepted",
        "approved",
        "declined",
    ]
    # Hoàng Thị Sáu's national prize shows on her Lào Cai project.
    sau = next(n for n in nominations if n.from_entry.applicant.email == "ungvien2@demo.hoilhpn.vn")
    assert sau.status is NominationStatus.ACCEPTED
    project = db.session.scalars(
        sa.select(SupportedProject).where(SupportedProject.entry_id == sau.from_entry_id)
    ).one()
    assert project.unit.name == "Lào Cai"
    [prize] = db.session.scalars(
        sa.select(ExternalAward).where(ExternalAward.entry_id == sau.from_entry_id)
    ).all()
    assert prize.prize == "Giải Nhất" and prize.cash_value == 50_000_000
