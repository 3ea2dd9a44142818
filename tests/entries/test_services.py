"""Entry rules: drafts, submission and eligibility, references, versions, withdrawal."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale

from portal.applicants.models import ApplicantProfile
from portal.auth.models import Role, User
from portal.core.audit import AuditLog
from portal.core.errors import DomainError
from portal.core.outbox import Channel, OutboxMessage
from portal.core.time import to_vietnam
from portal.entries import services
from portal.entries.models import Entry, EntryStatus
from portal.entries.services import EntryData, TeamMemberData
from portal.extensions import db
from tests.conftest import mails_to, texts_to
from tests.factories import UserFactory, make_competition

NOW = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False) as clock, force_locale("en"):
        yield clock


@pytest.fixture
def competition(units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    return make_competition(organiser, units["dien_bien"], business_plan_required=False)


def applicant_with_profile(units, **profile):
    user = UserFactory(
        full_name="Lò Thị Mai",
        province_id=units["dien_bien"].id,
        commune_id=units["muong_phang"].id,
    )
    values = {
        "date_of_birth": date(1990, 5, 1),
        "gender": "female",
        "ethnicity": "03",
        "household_status": "near_poor",
        "union_member": True,
        "business_stage": "idea",
    }
    values.update(profile)
    db.session.add(ApplicantProfile(user_id=user.id, **values))
    db.session.commit()
    return user


@pytest.fixture
def applicant(units):
    return applicant_with_profile(units)


def complete(competition, **overrides) -> EntryData:
    values = {
        "title": "Rượu men lá Mường Phăng",
        "category_id": competition.categories[0].id,
        "summary": "Rượu men lá truyền thống của người Thái.",
        "problem": "Sản phẩm chưa có thương hiệu.",
        "solution": "Xây dựng thương hiệu và bao bì.",
        "customers": "Khách du lịch đến Điện Biên.",
        "local_resources": "Men lá rừng.",
        "capital_needed": 150_000_000,
        "jobs_for_women": 6,
        "consent_publish": True,
        "team": [TeamMemberData("Lò Thị Hoa", "Kế toán"), TeamMemberData("", "")],
    }
    values.update(overrides)
    return EntryData(**values)


def drafted(applicant, competition, **overrides) -> Entry:
    entry = services.start_entry(applicant, competition)
    services.save_draft(applicant, entry, complete(competition, **overrides), entry.version)
    return entry


def test_an_applicant_by_phone_is_told_by_text_message_once(applicant, competition, units):
    applicant.email, applicant.confirmed_at = None, None
    applicant.login_phone, applicant.phone_confirmed_at = "+84912345678", NOW
    db.session.commit()
    entry = drafted(applicant, competition)
    services.submit(applicant, entry, entry.version)
    [sms] = texts_to("+84912345678")
    assert sms.template == "entry_submitted" and sms.channel is Channel.SMS
    deadline = services.deadline_for(entry)
    assert sms.body_text == (
        f"Da nhan bai DB-2026-0001 (lan 1). Chi sua duoc den "
        f"{to_vietnam(deadline):%H:%M %d/%m/%Y}: http://localhost/entries/{entry.id}"
    )
    organiser = db.session.get(User, competition.created_by_id)
    services.screen(organiser, entry, eligible=True, reason="")
    assert [m.template for m in texts_to("+84912345678")] == ["entry_submitted", "entry_screened"]
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.channel == Channel.MAIL)
        )
        == 0
    )


def test_a_draft_may_be_incomplete(applicant, competition):
    entry = services.start_entry(applicant, competition)
    services.save_draft(applicant, entry, EntryData(title="Ý tưởng"), entry.version)
    assert entry.status is EntryStatus.DRAFT and entry.title == "Ý tưởng"
    assert entry.reference is None


def test_a_save_from_an_older_copy_of_the_form_is_refused(applicant, competition):
    entry = services.start_entry(applicant, competition)
    opened = entry.version
    services.save_draft(applicant, entry, EntryData(title="Tab một"), opened)
    with pytest.raises(services.StaleEntry):
        services.save_draft(applicant, entry, EntryData(title="Tab hai"), opened)
    assert entry.title == "Tab một"


def test_submitting_gives_a_reference_a_version_and_a_mail(applicant, competition):
    entry = drafted(applicant, competition)
    services.submit(applicant, entry, entry.version)
    assert entry.status is EntryStatus.SUBMITTED
    assert entry.reference == f"DB-{NOW.year}-0001"
    assert [v.number for v in entry.versions] == [1]
    assert entry.versions[0].data["title"] == "Rượu men lá Mường Phăng"
    assert [m.name for m in entry.team_members] == ["Lò Thị Hoa"]
    assert (entry.ethnic_minority, entry.household_status) == (True, "near_poor")
    [mail] = mails_to(applicant.email)
    assert "DB-2026-0001" in mail.subject and "DB-2026-0001" in mail.body_text
    second = drafted(applicant_with_profile_email(competition), competition)
    services.submit(second.applicant, second, second.version)
    assert second.reference == "DB-2026-0002"


def applicant_with_profile_email(competition):
    from tests.factories import make_units  # noqa: F401  (units exist already)

    unit = competition.unit
    user = UserFactory(province_id=unit.id)
    db.session.add(
        ApplicantProfile(
            user_id=user.id,
            date_of_birth=date(1985, 1, 1),
            gender="female",
            ethnicity="01",
            household_status="neither",
            union_member=False,
            business_stage="household_business",
        )
    )
    user.commune_id = unit.children[0].id
    db.session.commit()
    return user


def test_a_second_click_on_submit_makes_one_submission(applicant, competition):
    entry = drafted(applicant, competition)
    services.submit(applicant, entry, entry.version)
    services.submit(applicant, entry, entry.version)
    assert len(entry.versions) == 1
    assert len(mails_to(applicant.email)) == 1


def test_resubmitting_keeps_every_version(applicant, competition):
    entry = drafted(applicant, competition)
    services.submit(applicant, entry, entry.version)
    services.save_draft(
        applicant, entry, complete(competition, title="Rượu men lá Điện Biên"), entry.version
    )
    assert entry.has_unsubmitted_changes
    services.submit(applicant, entry, entry.version)
    assert [v.data["title"] for v in entry.versions] == [
        "Rượu men lá Mường Phăng",
        "Rượu men lá Điện Biên",
    ]
    assert entry.reference == f"DB-{NOW.year}-0001"


def test_an_incomplete_entry_stays_a_draft_with_the_reasons(applicant, competition):
    entry = services.start_entry(applicant, competition)
    services.save_draft(applicant, entry, EntryData(title="Chỉ có tên"), entry.version)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit(applicant, entry, entry.version)
    assert "Describe your solution." in refused.value.reasons
    assert "Choose a category." in refused.value.reasons
    assert entry.status is EntryStatus.DRAFT and entry.title == "Chỉ có tên"


@pytest.mark.parametrize(
    ("rules", "profile", "reason"),
    [
        ({}, {"gender": "male"}, "This competition is for women"),
        ({"min_age": 40}, {}, "aged 40 or more"),
        ({"max_age": 30}, {}, "aged 30 or less"),
    ],
)
def test_eligibility_rules_are_explained(units, rules, profile, reason):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    competition = make_competition(
        organiser, units["dien_bien"], business_plan_required=False, **rules
    )
    applicant = applicant_with_profile(units, **profile)
    entry = drafted(applicant, competition)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit(applicant, entry, entry.version)
    assert any(reason in r for r in refused.value.reasons), refused.value.reasons
    assert entry.status is EntryStatus.DRAFT


def test_residence_is_checked_when_the_competition_asks(units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    competition = make_competition(
        organiser, units["lao_cai"], business_plan_required=False, residents_only=True
    )
    applicant = applicant_with_profile(units)
    entry = drafted(applicant, competition)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit(applicant, entry, entry.version)
    assert "This competition is for residents of Lào Cai." in refused.value.reasons


def test_an_incomplete_profile_is_named(units, competition):
    applicant = UserFactory()
    entry = drafted(applicant, competition)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit(applicant, entry, entry.version)
    assert any("Complete your applicant profile" in r for r in refused.value.reasons)


def test_entries_per_applicant_are_limited(applicant, competition):
    services.start_entry(applicant, competition)
    with pytest.raises(DomainError, match="the most it allows"):
        services.start_entry(applicant, competition)


def test_the_deadline_is_checked_at_the_moment_of_the_submit(applicant, competition, frozen):
    entry = drafted(applicant, competition)
    opened = entry.version
    frozen.move_to(competition.closes_at + timedelta(seconds=1))
    services.save_draft(applicant, entry, complete(competition, title="Gõ sau hạn"), opened)
    with pytest.raises(DomainError, match="deadline has passed"):
        services.submit(applicant, entry, entry.version)
    assert entry.status is EntryStatus.DRAFT and entry.title == "Gõ sau hạn"
    assert not services.can_edit(entry, competition.closes_at + timedelta(seconds=1))


def test_a_personal_extension_lets_her_submit_late(applicant, competition, frozen):
    entry = drafted(applicant, competition)
    entry.extension_until = competition.closes_at + timedelta(days=2)
    db.session.commit()
    frozen.move_to(competition.closes_at + timedelta(days=1))
    services.submit(applicant, entry, entry.version)
    assert entry.status is EntryStatus.SUBMITTED


def test_withdrawing(applicant, competition):
    entry = drafted(applicant, competition)
    services.submit(applicant, entry, entry.version)
    services.withdraw(applicant, entry)
    assert entry.status is EntryStatus.WITHDRAWN
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.object_type == "entry").order_by(AuditLog.id)
    ).all()
    assert actions == ["entry.created", "entry.submitted", "entry.withdrawn"]
    with pytest.raises(DomainError):
        services.withdraw(applicant, entry)
    services.start_entry(applicant, competition)  # a withdrawn entry no longer counts


def test_another_applicants_entry_is_refused(applicant, competition, units):
    entry = drafted(applicant, competition)
    other = applicant_with_profile(units)
    with pytest.raises(DomainError, match="not your entry"):
        services.save_draft(other, entry, EntryData(title="x"), entry.version)
    with pytest.raises(DomainError, match="not your entry"):
        services.submit(other, entry, entry.version)
    with pytest.raises(DomainError, match="not your entry"):
        services.withdraw(other, entry)


def test_a_closed_competition_accepts_no_new_entry(applicant, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    closed = make_competition(organiser, units["dien_bien"], status="closed")
    with pytest.raises(DomainError, match="not accepting entries"):
        services.start_entry(applicant, closed)


def test_a_team_member_is_not_linked_to_an_account_by_her_email_alone(applicant, competition):
    """Only her acceptance of the invitation links her (tests/entries/test_team.py)."""
    UserFactory(email="hoa@example.vn")
    entry = services.start_entry(applicant, competition)
    team = [
        TeamMemberData("Lò Thị Hoa", "Kế toán", email="HOA@example.vn", phone="0912 345 678"),
        TeamMemberData("Cà Thị Lan", "Bán hàng"),
    ]
    services.save_draft(applicant, entry, complete(competition, team=team), entry.version)
    assert [(m.name, m.email, m.phone, m.user_id) for m in entry.team_members] == [
        ("Lò Thị Hoa", "hoa@example.vn", "0912 345 678", None),
        ("Cà Thị Lan", None, "", None),
    ]


def test_version_changes_name_the_fields_that_changed(applicant, competition):
    entry = drafted(applicant, competition)
    services.submit(applicant, entry, entry.version)
    services.save_draft(
        applicant,
        entry,
        complete(competition, solution="Mới", capital_needed=200_000_000),
        entry.version,
    )
    services.submit(applicant, entry, entry.version)
    [change] = services.version_changes(entry.versions)
    assert change["number"] == 2
    assert [(f["field"], f["before"], f["after"]) for f in change["fields"]] == [
        ("The solution", "Xây dựng thương hiệu và bao bì.", "Mới"),
        ("Capital needed (đồng)", "150000000", "200000000"),
    ]


def test_the_same_form_sent_twice_is_not_a_conflict(applicant, competition):
    entry = services.start_entry(applicant, competition)
    opened = entry.version
    services.save_draft(applicant, entry, complete(competition), opened)
    services.save_draft(applicant, entry, complete(competition), opened)  # a double click
    assert entry.title == "Rượu men lá Mường Phăng"
    with pytest.raises(services.StaleEntry):
        services.save_draft(applicant, entry, complete(competition, title="Khác"), opened)
