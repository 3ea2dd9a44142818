"""The report pages: she fills a report on her phone (refused for a missing figure with her
text kept, a draft saved, sent), the organiser returns it with a comment, she corrects it, the
organiser accepts it; the schedule page; the follow-up list, its totals, export and queries."""

import csv
import html
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from portal.extensions import db
from portal.projects.milestones import services as milestone_services
from portal.projects.reports import services
from portal.projects.reports.models import ReportStatus
from tests.admin.test_views import count_queries
from tests.conftest import login, mails_to
from tests.factories import project_of
from tests.factories.projects import kind

pytestmark = pytest.mark.usefixtures("frozen_time")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def project(published):
    return project_of(published.entries[0])


@pytest.fixture
def report(published, project):
    """Due on 15 May 2026 (today is 10 May)."""
    services.set_schedule(published.organiser, project, "quarterly_two_years", date(2026, 2, 1))
    return services.reports_of([project.id])[project.id][0]


ANSWERS = {
    "revenue": "15.000.000",
    "costs": "9.500.000 đ",
    "products_sold": "300 kg chè Shan tuyết",
    "jobs_total": "6",
    "jobs_women": "5",
    "jobs_ethnic_women": "4",
    "household_status": "near_poor",
    "needs": ["market"],
    "went_well": "Bán được cho hợp tác xã",
    "was_hard": "Đường trơn mùa mưa",
}


def test_she_fills_sends_and_corrects_a_report_and_the_organiser_accepts(
    client, published, project, report
):
    owner, organiser = published.applicants[0], published.organiser
    login(client, owner)
    assert "Điền báo cáo" in text(client.get("/my/projects"))
    url = f"/projects/reports/{report.id}"
    page = text(client.get(url))
    assert "Doanh thu trong kỳ (đồng)" in page and "Lưu nháp" in page

    refused = client.post_form(url, ANSWERS | {"costs": "", "version": "1", "send": "y"})
    assert refused.status_code == 422
    page = text(refused)
    assert "Hãy ghi chi phí trong kỳ, ghi 0 nếu không có." in page
    assert "15.000.000" in page and "Đường trơn mùa mưa" in page

    saved = client.post_form(url, ANSWERS | {"costs": "", "version": "1", "save": "y"})
    assert saved.status_code == 302
    db.session.refresh(report)
    assert (report.revenue, report.status) == (15_000_000, ReportStatus.OPEN)
    assert "15.000.000" in text(client.get(url))  # the draft, back on any device

    sent = client.post_form(url, ANSWERS | {"version": "2", "send": "y"})
    assert sent.status_code == 302
    db.session.refresh(report)
    assert (report.costs, report.status) == (9_500_000, ReportStatus.SUBMITTED)

    login(client, organiser)
    page = text(client.get(url))
    assert "9.500.000" in page and "Chấp nhận báo cáo" in page
    refused = client.post_form(f"{url}/return", {"return-version": "3"})
    assert refused.status_code == 422 and "Hãy ghi điều cần sửa." in text(refused)
    back = client.post_form(
        f"{url}/return", {"return-version": "3", "return-comment": "Thiếu ảnh vườn chè."}
    )
    assert back.status_code == 302
    assert "Thiếu ảnh vườn chè." in mails_to(owner.email)[-1].body_text

    login(client, owner)
    page = text(client.get(url))
    assert "Thiếu ảnh vườn chè." in page and "Bán được cho hợp tác xã" in page
    assert client.post_form(url, ANSWERS | {"version": "4", "send": "y"}).status_code == 302

    login(client, organiser)
    assert client.post_form(f"{url}/accept", {"version": "5"}).status_code == 302
    again = client.post_form(f"{url}/accept", {"version": "5"})  # a double click: one
    assert again.status_code == 302
    db.session.refresh(report)
    assert report.status is ReportStatus.ACCEPTED
    assert "Đã chấp nhận" in text(client.get(f"/projects/{project.id}"))


def test_a_stale_page_keeps_her_text(client, published, report):
    login(client, published.applicants[0])
    url = f"/projects/reports/{report.id}"
    client.post_form(url, {"revenue": "1.000.000", "version": "1", "save": "y"})
    stale = client.post_form(url, ANSWERS | {"version": "1", "save": "y"})
    assert stale.status_code == 409
    assert "Đường trơn mùa mưa" in text(stale)
    # Both versions: what is saved now above her form, where it differs from hers.
    saved = text(stale).split('class="alert alert-info saved-meanwhile"', 1)[1]
    saved = saved.split("</section>", 1)[0]
    assert "1.000.000\xa0₫" in saved and "15.000.000" not in saved
    assert "Đường trơn mùa mưa" not in saved and "—" in saved  # her answer, not saved yet
    # Having seen both, her next save is hers to make.
    version = re.search(r'name="version" type="hidden" value="(\d+)"', text(stale)).group(1)
    again = client.post_form(url, ANSWERS | {"version": version, "save": "y"})
    assert again.status_code == 302
    db.session.refresh(report)
    assert report.revenue == 15_000_000


def test_the_schedule_page_previews_and_saves(client, published, project):
    login(client, published.organiser)
    url = f"/projects/{project.id}/schedule"
    page = text(client.get(url))
    assert "01/05/2026" in page or "2026-05-01" in page
    sent = client.post_form(url, {"plan": "yearly_five_years", "starts_on": "2026-05-01"})
    assert sent.status_code == 302
    assert len(services.reports_of([project.id])[project.id]) == 5
    assert "Mỗi năm một lần trong năm năm" in text(client.get(f"/projects/{project.id}"))


def test_the_follow_up_list_shows_what_is_due_and_waiting(client, published, project, report):
    milestone_services.record_milestone(
        published.applicants[0],
        project,
        milestone_services.MilestoneData(kind("online_shop").id, date(2026, 5, 1)),
    )
    login(client, published.organiser)
    page = text(client.get("/projects/follow-up"))
    assert project.title in page and "Đến hạn" in page
    assert "Mở gian hàng trực tuyến" in page
    assert "Mốc phát triển chờ xác minh" in page
    only_late = text(client.get("/projects/follow-up?state=late"))
    assert "Không có báo cáo nào cần theo dõi với bộ lọc này." in only_late

    rows = list(
        csv.reader(io.StringIO(client.get("/projects/follow-up.csv").data.decode("utf-8-sig")))
    )
    assert rows[0][:3] == ["Loại", "Dự án", "Chủ dự án"]
    assert {r[0] for r in rows[1:]} == {"Báo cáo tiến độ", "Mốc phát triển"}
    sheet = load_workbook(io.BytesIO(client.get("/projects/follow-up.xlsx").data)).active
    assert sheet.max_row == len(rows)


def test_the_follow_up_list_and_the_project_page_run_the_same_queries_as_they_grow(
    client, published, project, report
):
    def first_sales(owner, on):
        milestone_services.record_milestone(
            owner, on, milestone_services.MilestoneData(kind("first_sales").id, date(2026, 5, 1))
        )

    first_sales(published.applicants[0], project)
    login(client, published.organiser)
    few = count_queries(client, "/projects/follow-up")
    page_few = count_queries(client, f"/projects/{project.id}")
    # Her account; the project with its schedule and its team; prizes; milestones; reports;
    # household records. No prize from elsewhere, product, activity or file: none asked for.
    assert page_few == 6
    for entry in published.entries[1:8]:
        other = project_of(entry)
        services.set_schedule(published.organiser, other, "quarterly_two_years", date(2026, 1, 1))
        milestone_services.record_milestone(
            published.applicants[0]
            if other.owner_id == published.applicants[0].id
            else other.owner,
            other,
            milestone_services.MilestoneData(kind("first_sales").id, date(2026, 5, 1)),
        )
    milestone_services.record_milestone(
        published.applicants[0],
        project,
        milestone_services.MilestoneData(kind("first_sales").id, date(2026, 5, 1)),
    )
    assert count_queries(client, "/projects/follow-up") == few
    assert count_queries(client, f"/projects/{project.id}") == page_few
