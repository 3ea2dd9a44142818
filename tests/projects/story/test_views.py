"""She publishes her project's story; the public page tells the prizes, the verified milestones
and the OCOP stars, never her revenue or her household; the gallery links to it; she withdraws it."""

import html
from datetime import date

import pytest

from portal.projects.milestones import services as milestone_services
from portal.projects.ocop import services as ocop_services
from portal.projects.reports import services as report_services
from tests.conftest import login
from tests.factories import PNG, project_of
from tests.factories.projects import kind, ocop_scheme

pytestmark = pytest.mark.usefixtures("frozen_time")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_she_publishes_her_story_and_it_shows_only_what_is_public(client, published):
    owner, organiser = published.applicants[0], published.organiser
    project = project_of(published.entries[0])
    verified = milestone_services.record_milestone(
        owner, project, milestone_services.MilestoneData(kind("online_shop").id, date(2026, 4, 1))
    )
    milestone_services.verify_milestone(organiser, verified, expected_version=1)
    milestone_services.record_milestone(
        owner, project, milestone_services.MilestoneData(kind("jobs_created").id, date(2026, 4, 2))
    )
    ocop_scheme()
    product = ocop_services.add_product(owner, project, "Chè Shan tuyết", "beverages", None)
    ocop_services.record_rating(
        organiser,
        product,
        ocop_services.RatingData(date(2026, 3, 1), "province", {"A": 30, "B": 18, "C": 26}, "QĐ 1"),
    )
    report_services.set_schedule(organiser, project, "quarterly_two_years", date(2026, 1, 1))
    first = report_services.reports_of([project.id])[project.id][0]
    report_services.submit_report(
        owner,
        first,
        report_services.ReportData(
            revenue=987_654_321,
            costs=1,
            jobs_total=1,
            jobs_women=1,
            jobs_ethnic_women=0,
            household_status="poor",
        ),
        expected_version=1,
    )

    assert client.get(f"/stories/{project.id}").status_code == 404
    login(client, owner)
    url = f"/projects/{project.id}/story"
    assert "Chỉ chị quyết định" in text(client.get(url))
    sent = client.post(
        url,
        data={
            "csrf_token": client.csrf_token(),
            "text": "Chè cổ thụ của bản Phìn Hồ.",
            "publish": "y",
            "photo": (__import__("io").BytesIO(PNG), "vuon.png"),
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    client.post_form("/logout")
    page = text(client.get(f"/stories/{project.id}"))
    assert project.title in page and "Chè cổ thụ của bản Phìn Hồ." in page
    assert "Mở gian hàng trực tuyến" in page  # verified
    assert "Tạo thêm việc làm" not in page  # not verified
    assert "Chè Shan tuyết" in page and "4 sao" in page
    assert "987.654.321" not in page and "nghèo" not in page
    assert client.get(f"/stories/{project.id}/photo").data == PNG
    gallery = text(client.get("/winners"))
    assert f"/stories/{project.id}" in gallery

    login(client, owner)
    client.post_form(url, {"text": "Chè cổ thụ của bản Phìn Hồ."})  # publish unticked
    assert client.get(f"/stories/{project.id}").status_code == 404


def test_the_public_photo_carries_no_gps_position(client, published):
    from PIL import Image

    from portal.projects.story import services
    from tests.judging.scoring.test_views import photo_with_exif

    project = project_of(published.entries[0])
    services.save_story(
        published.applicants[0], project, publish=True, text="", photo=(photo_with_exif(), "a.jpg")
    )
    served = client.get(f"/stories/{project.id}/photo").data
    assert served[:2] == b"\xff\xd8"
    exif = Image.open(__import__("io").BytesIO(served)).getexif()
    assert 0x013B not in exif and not exif.get_ifd(0x8825)
