"""Milestones: what a record needs, who verifies it, a registration that sets the legal form,
a return and its correction, the same action twice, and the kinds an admin keeps."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.core.audit import AuditLog
from portal.core.errors import DomainError, NotAllowed
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.projects.milestones import services
from portal.projects.milestones.models import MilestoneStatus
from portal.projects.milestones.services import MilestoneConflict, MilestoneData
from portal.projects.models import LegalForm
from tests.factories import PDF, PNG, UserFactory, project_of
from tests.factories.projects import kind

pytestmark = pytest.mark.usefixtures("frozen_time")


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))


def data(code="first_sales", **values) -> MilestoneData:
    values.setdefault("reached_on", vietnam_date(utcnow()))
    return MilestoneData(kind_id=kind(code).id, **values)


@pytest.fixture
def project(published):
    return project_of(published.entries[0])


def test_the_winner_records_a_milestone_with_its_evidence(published, project):
    owner = published.applicants[0]
    milestone = services.record_milestone(
        owner,
        project,
        data(
            note=" Bán 200 hộp chè ",
            evidence_link="https://shopee.vn/che-tuyet",
            files=[(PNG, "hoa-don.png"), (PDF, "hop-dong.pdf")],
        ),
    )
    assert milestone.status is MilestoneStatus.RECORDED
    assert milestone.note == "Bán 200 hộp chè"
    assert [f.content_type for f in milestone.files] == ["image/png", "application/pdf"]
    assert actions()[-1] == "milestone.recorded"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reached_on": None}, "reached_on"),
        ({"reached_on": vietnam_date(utcnow()) + timedelta(days=400)}, "reached_on"),
        ({"evidence_link": "shopee"}, "evidence_link"),
        ({"files": [(b"MZ not a picture", "virus.jpg")]}, "files"),
        ({"files": [(PNG, f"{n}.png") for n in range(6)]}, "files"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_what_a_milestone_needs(published, project, values, field):
    with pytest.raises(DomainError) as refused:
        services.record_milestone(published.applicants[0], project, data(**values))
    assert refused.value.field == field


def test_a_registration_needs_its_number_and_legal_form(published, project):
    owner = published.applicants[0]
    with pytest.raises(DomainError) as refused:
        services.record_milestone(owner, project, data("registered", registration_number="1"))
    assert refused.value.field == "legal_form"
    with pytest.raises(DomainError) as refused:
        services.record_milestone(owner, project, data("registered", legal_form="cooperative"))
    assert refused.value.field == "registration_number"


def test_verifying_a_registration_sets_the_projects_legal_form(published, project):
    milestone = services.record_milestone(
        published.applicants[0],
        project,
        data("registered", legal_form="cooperative", registration_number="HTX 12/2026"),
    )
    services.verify_milestone(published.organiser, milestone, expected_version=1)
    db.session.refresh(project)
    assert milestone.status is MilestoneStatus.VERIFIED
    assert milestone.decided_by_id == published.organiser.id
    assert project.legal_form is LegalForm.COOPERATIVE
    assert project.registration_number == "HTX 12/2026"
    assert actions()[-1] == "milestone.verified"


def test_the_same_verification_twice_is_one_and_a_stale_page_is_refused(published, project):
    milestone = services.record_milestone(published.applicants[0], project, data())
    services.verify_milestone(published.organiser, milestone, expected_version=1)
    services.verify_milestone(published.second_organiser, milestone, expected_version=1)
    assert actions().count("milestone.verified") == 1

    other = services.record_milestone(published.applicants[0], project, data())
    services.return_milestone(published.organiser, other, "Thiếu ảnh.", expected_version=1)
    with pytest.raises(MilestoneConflict):
        services.verify_milestone(published.second_organiser, other, expected_version=1)


def test_only_organisers_of_the_unit_verify(published, project, units):
    milestone = services.record_milestone(published.applicants[0], project, data())
    with pytest.raises(NotAllowed):
        services.verify_milestone(published.applicants[0], milestone, expected_version=1)
    stranger = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    with pytest.raises(NotAllowed):
        services.verify_milestone(stranger, milestone, expected_version=1)
    with pytest.raises(NotAllowed):
        services.record_milestone(published.applicants[1], project, data())


def test_a_returned_milestone_is_corrected_and_goes_back(published, project):
    owner = published.applicants[0]
    milestone = services.record_milestone(owner, project, data(files=[(PNG, "a.png")]))
    with pytest.raises(DomainError) as refused:
        services.return_milestone(published.organiser, milestone, "  ", expected_version=1)
    assert refused.value.field == "reason"
    services.return_milestone(
        published.organiser, milestone, "Ảnh mờ, chụp lại.", expected_version=1
    )
    assert milestone.status is MilestoneStatus.RETURNED
    assert milestone.return_reason == "Ảnh mờ, chụp lại."

    with pytest.raises(MilestoneConflict):  # from a page opened before the return
        services.correct_milestone(owner, milestone, data(), expected_version=1)
    old = milestone.files[0].id
    services.correct_milestone(
        owner, milestone, data(files=[(PNG, "b.png")]), expected_version=2, remove_files=[old]
    )
    assert milestone.status is MilestoneStatus.RECORDED
    assert [f.filename for f in milestone.files] == ["b.png"]
    assert actions()[-1] == "milestone.resubmitted"

    services.verify_milestone(published.organiser, milestone, expected_version=3)
    with pytest.raises(MilestoneConflict):
        services.correct_milestone(owner, milestone, data(), expected_version=4)


def test_an_admin_adds_and_retires_kinds(published, project):
    admin = UserFactory(roles=[Role.ADMIN])
    kind("other")
    added = services.save_kind(
        admin,
        None,
        label_vi="Xuất khẩu",
        label_en="First export",
        is_registration=False,
        active=True,
    )
    assert added in services.kinds()
    with pytest.raises(DomainError) as refused:
        services.save_kind(
            admin, None, label_vi="xuất khẩu", label_en="Again", is_registration=False, active=True
        )
    assert refused.value.field == "label_vi"
    with pytest.raises(DomainError):
        services.save_kind(
            published.organiser,
            added,
            label_vi="A",
            label_en="B",
            is_registration=False,
            active=True,
        )

    milestone = services.record_milestone(
        published.applicants[0], project, MilestoneData(added.id, vietnam_date(utcnow()))
    )
    services.save_kind(
        admin,
        added,
        label_vi="Xuất khẩu",
        label_en="First export",
        is_registration=False,
        active=False,
    )
    assert added not in services.kinds()
    assert added in services.kinds(include=milestone.kind_id)  # its milestone keeps it
    with pytest.raises(DomainError) as refused:
        services.record_milestone(
            published.applicants[0], project, MilestoneData(added.id, vietnam_date(utcnow()))
        )
    assert refused.value.field == "kind"
