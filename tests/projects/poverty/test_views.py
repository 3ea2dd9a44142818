"""The household's path on the project's page, the organiser's record of a status (never
overwriting one), the count of households out of poverty on the list, and the project's
timeline with its chart and the same figures as a table."""

import html
from datetime import date

import pytest

from portal.core.time import utcnow
from portal.projects.poverty import services
from portal.projects.reports import services as report_services
from tests.conftest import login
from tests.factories import project_of

pytestmark = pytest.mark.usefixtures("frozen_time")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def project(published):
    return project_of(published.entries[0])


def test_the_organiser_records_the_status_and_the_path_shows(client, published, project):
    login(client, published.organiser)
    url = f"/projects/{project.id}/household"
    refused = client.post_form(url, {"status": "near_poor", "source": "commune_review"})
    assert refused.status_code == 422 and "Hãy ghi ngày của tình trạng." in text(refused)
    client.post_form(url, {"status": "poor", "as_of": "2025-01-10", "source": "commune_review"})
    client.post_form(
        url, {"status": "near_poor", "as_of": "2025-12-20", "source": "commune_review"}
    )
    sent = client.post_form(
        url, {"status": "neither", "as_of": "2026-03-01", "source": "organiser", "note": "QĐ 12"}
    )
    assert sent.status_code == 302
    page = text(client.get(f"/projects/{project.id}"))
    assert "Hộ nghèo 2025 → Hộ cận nghèo 2025 → Không thuộc hộ nghèo hay cận nghèo 2026" in page
    assert "QĐ 12" in page
    history = services.history_of([project.id])[project.id]
    assert len([h for h in history if h.source.value != "application"]) == 3
    listing = text(client.get("/projects/"))
    assert "1 hộ thoát nghèo trong năm 2026" in listing


def test_the_timeline_and_its_chart(client, published, project):
    organiser, owner = published.organiser, published.applicants[0]
    report_services.set_schedule(organiser, project, "quarterly_two_years", date(2025, 8, 1))
    reports = report_services.reports_of([project.id])[project.id]
    for report, revenue, jobs in zip(
        reports[:3], (5_000_000, 12_000_000, 20_000_000), (2, 4, 7), strict=True
    ):
        report_services.submit_report(
            owner,
            report,
            report_services.ReportData(
                revenue=revenue,
                costs=1,
                jobs_total=jobs,
                jobs_women=jobs,
                jobs_ethnic_women=0,
                household_status="poor",
            ),
            expected_version=1,
            now=utcnow(),
        )
    login(client, owner)
    page = text(client.get(f"/projects/{project.id}"))
    assert '<svg viewBox="0 0 320 160"' in page
    table = page.split('id="chart-table"')[1].split("</table>")[0]
    assert "08/2025–10/2025" in table and "20.000.000" in table and ">7<" in table
    assert "Báo cáo 3: Đã gửi, chờ xem xét" in page
