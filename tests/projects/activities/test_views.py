"""The activities pages: an organiser records a training, adds a winner, imports the sign-in
sheet (a wrong row: nothing imported, the rows named), and the project's page lists the support."""

import html
import io

import pytest
from openpyxl import Workbook

from portal.projects.activities.models import SupportActivity
from tests.conftest import login
from tests.factories import project_of

pytestmark = pytest.mark.usefixtures("frozen_time")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def xlsx(rows) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_a_training_with_its_sign_in_sheet(client, published, units):
    login(client, published.organiser)
    page = text(client.get("/projects/activities"))
    assert "Ghi nhận một hoạt động" in page
    form = {
        "unit": str(published.competition.unit_id),
        "kind": "training",
        "held_on": "2026-04-02",
        "topic": "",
        "form_key": "d" * 32,
    }
    refused = client.post_form("/projects/activities", form)
    assert refused.status_code == 422 and "Hãy ghi chủ đề của hoạt động." in text(refused)
    sent = client.post_form("/projects/activities", form | {"topic": "Bán hàng trực tuyến"})
    assert sent.status_code == 302
    activity = SupportActivity.query.one()
    url = f"/projects/activities/{activity.id}"
    project = project_of(published.entries[0])
    assert client.post_form(f"{url}/attendees", {"project": str(project.id)}).status_code == 302

    bad = client.post(
        f"{url}/import",
        data={
            "csrf_token": client.csrf_token(),
            "sheet": (xlsx([["Họ và tên", "Dân tộc"], ["Lò Thị Vân", "Sao Hỏa"]]), "a.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "Dòng 2: Không tìm thấy dân tộc: Sao Hỏa" in text(bad)
    good = client.post(
        f"{url}/import",
        data={
            "csrf_token": client.csrf_token(),
            "sheet": (xlsx([["Họ và tên", "Dân tộc"], ["Lò Thị Vân", "Thái"]]), "a.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    page = text(client.get(url))
    assert "2 người tham dự" in page and "Lò Thị Vân" in page
    listing = text(client.get("/projects/activities"))
    figures = listing.split('id="activity-figures"')[1].split("</table>")[0]
    assert '<th scope="row">2026</th><td>1</td><td>2</td><td>2</td><td>2</td>' in figures.replace(
        "\n", ""
    ).replace("  ", "")
    assert "Bán hàng trực tuyến" in text(client.get(f"/projects/{project.id}"))


def test_the_activities_list_runs_the_same_queries_as_it_grows(client, published):
    from datetime import date

    from portal.projects.activities import services
    from tests.admin.test_views import count_queries

    def activity(day: int) -> None:
        made = services.create_activity(
            published.organiser,
            published.competition.unit_id,
            "forum",
            date(2026, 4, day),
            "Diễn đàn",
        )
        services.add_attendee(published.organiser, made, name=f"Người {day}")

    activity(1)
    login(client, published.organiser)
    few = count_queries(client, "/projects/activities")
    for day in range(2, 8):
        activity(day)
    assert count_queries(client, "/projects/activities") == few
