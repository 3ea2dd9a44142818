"""The milestone pages: the winner records one from her phone (refused for a missing date with
her text kept), the organiser verifies or returns it from the project's page, the admin's kinds."""

import html
import io
import re

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.projects.milestones import services
from portal.projects.milestones.models import Milestone, MilestoneStatus
from tests.conftest import login
from tests.factories import PNG, UserFactory, project_of
from tests.factories.projects import kind

pytestmark = pytest.mark.usefixtures("frozen_time")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def project(published):
    return project_of(published.entries[0])


def test_she_records_a_milestone_and_a_missing_date_keeps_her_text(client, published, project):
    kind("first_sales")
    db.session.commit()
    login(client, published.applicants[0])
    url = f"/projects/{project.id}/milestones/new"
    page = text(client.get(url))
    assert "Ghi nhận một mốc phát triển" in page and "Bán được sản phẩm đầu tiên" in page
    form = {
        "kind": str(kind("first_sales").id),
        "note": "Bán 200 hộp chè cho HTX",
        "form_key": "a" * 32,
    }
    refused = client.post_form(url, form)
    assert refused.status_code == 422
    assert "Bán 200 hộp chè cho HTX" in text(refused)
    assert "Hãy ghi ngày diễn ra." in text(refused)

    form |= {
        "reached_on": vietnam_date(utcnow()).isoformat(),
        "files": (io.BytesIO(PNG), "anh.png"),
    }
    sent = client.post(
        url, data=form | {"csrf_token": client.csrf_token()}, content_type="multipart/form-data"
    )
    assert sent.status_code == 302
    again = client.post_form(
        url, form | {"files": (io.BytesIO(PNG), "anh.png")}, content_type="multipart/form-data"
    )
    assert again.status_code == 302  # the same form twice: one milestone
    assert db.session.scalar(sa.select(sa.func.count(Milestone.id))) == 1
    page = text(client.get(f"/projects/{project.id}"))
    assert "Bán 200 hộp chè cho HTX" in page and "Chờ xác minh" in page


def test_the_organiser_verifies_and_returns_from_the_project_page(client, published, project):
    first = services.record_milestone(
        published.applicants[0],
        project,
        services.MilestoneData(
            kind("registered").id,
            vietnam_date(utcnow()),
            legal_form="cooperative_group",
            registration_number="THT-07",
        ),
    )
    second = services.record_milestone(
        published.applicants[0],
        project,
        services.MilestoneData(kind("online_shop").id, vietnam_date(utcnow())),
    )
    login(client, published.organiser)
    page = text(client.get(f"/projects/{project.id}"))
    assert "Xác minh" in page and "Trả lại để sửa" in page
    assert (
        client.post_form(f"/projects/milestones/{first.id}/verify", {"version": "1"}).status_code
        == 302
    )
    refused = client.post_form(
        f"/projects/milestones/{second.id}/return", {f"return-{second.id}-version": "1"}
    )
    assert refused.status_code == 302
    db.session.refresh(second)
    assert second.status is MilestoneStatus.RECORDED  # no reason, no return
    client.post_form(
        f"/projects/milestones/{second.id}/return",
        {f"return-{second.id}-version": "1", f"return-{second.id}-reason": "Chưa có đường link."},
    )
    db.session.refresh(second)
    assert second.status is MilestoneStatus.RETURNED
    page = text(client.get(f"/projects/{project.id}"))
    assert "Đăng ký là: Tổ hợp tác" in page
    assert "Chưa có đường link." in page


def test_the_owner_opens_her_file_and_another_winner_cannot(client, published, project):
    milestone = services.record_milestone(
        published.applicants[0],
        project,
        services.MilestoneData(
            kind("first_sales").id, vietnam_date(utcnow()), files=[(PNG, "a.png")]
        ),
    )
    login(client, published.applicants[0])
    assert ">a.png</a>" in text(client.get(f"/projects/{project.id}"))
    response = client.get(f"/projects/milestone-files/{milestone.files[0].id}")
    assert response.status_code == 200 and response.data == PNG
    login(client, published.applicants[1])
    assert client.get(f"/projects/milestone-files/{milestone.files[0].id}").status_code == 403


def test_the_admin_adds_a_kind_in_both_languages(client, published):
    kind("other")
    login(client, UserFactory(roles=[Role.ADMIN]))
    refused = client.post_form("/projects/milestone-kinds", {"new-label_vi": "Xuất khẩu"})
    assert refused.status_code == 422
    assert "Xuất khẩu" in text(refused)
    sent = client.post_form(
        "/projects/milestone-kinds",
        {"new-label_vi": "Xuất khẩu", "new-label_en": "First export", "new-active": "y"},
    )
    assert sent.status_code == 302
    login(client, published.applicants[0])
    project = project_of(published.entries[0])
    assert "Xuất khẩu" in text(client.get(f"/projects/{project.id}/milestones/new"))
    assert (
        re.search("First export", text(client.get(f"/projects/{project.id}/milestones/new")))
        is None
    )
