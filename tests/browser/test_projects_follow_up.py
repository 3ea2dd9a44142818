"""Following a winner, at phone width: she fills her progress report on her phone in
Vietnamese, is refused for a missing figure with what she typed kept, and sends it; the
organiser returns it with a comment; she corrects and sends it again; the organiser accepts it
and verifies her milestone, and the follow-up list shows the change."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from playwright.sync_api import Page, expect

from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.projects.milestones import services as milestones
from portal.projects.reports import services as reports
from tests.browser.conftest import assert_accessible, fresh_db, open_menu
from tests.factories import PASSWORD, make_awards, project_of, publish_directly
from tests.factories.projects import kind


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.locator("input[name=account]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form [type=submit]").click()
    expect(page.locator(".flash-messages")).to_be_visible()


def sign_out(page: Page) -> None:
    page.locator(".account-bar").get_by_role("button").click()


def test_a_report_from_her_phone_to_the_organisers_acceptance(page: Page, units):
    world = make_awards(units)
    publish_directly(world)
    winner, organiser = world.applicants[0], world.organiser
    winner.language, organiser.language = "vi", "en"
    project = project_of(world.entries[0])
    today = vietnam_date(utcnow())
    # The first quarter ended four days ago: its report is due in eleven days.
    starts_on = today - timedelta(days=3) - relativedelta(months=3)
    reports.set_schedule(organiser, project, "quarterly_two_years", starts_on, now=utcnow())
    milestones.record_milestone(
        winner,
        project,
        milestones.MilestoneData(kind("online_shop").id, today - timedelta(days=2)),
        now=utcnow(),
    )
    db.session.commit()
    title, project_id = project.title, project.id
    winner_email, organiser_email = winner.email, organiser.email
    fresh_db()

    # She finds the report from her projects, and types the figures as she writes them.
    sign_in(page, winner_email)
    open_menu(page)
    page.get_by_role("link", name="Dự án của tôi").click()
    expect(page.get_by_role("heading", name="Dự án của tôi")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Điền báo cáo").click()
    expect(page.get_by_role("heading", name="Báo cáo tiến độ 1")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Doanh thu trong kỳ (đồng)").fill("15.000.000")
    page.get_by_label("Số người làm việc trong dự án").fill("6")
    page.get_by_label("Trong đó, phụ nữ", exact=True).fill("5")
    page.get_by_label("Trong đó, phụ nữ dân tộc thiểu số").fill("4")
    page.get_by_label("Hộ cận nghèo").check()
    page.get_by_label("Điều thuận lợi").fill("Khách du lịch đặt hàng qua Zalo")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Hãy ghi chi phí trong kỳ, ghi 0 nếu không có.")
    expect(page.get_by_label("Doanh thu trong kỳ (đồng)")).to_have_value("15.000.000")
    expect(page.get_by_label("Điều thuận lợi")).to_have_value("Khách du lịch đặt hàng qua Zalo")
    assert_accessible(page)
    page.get_by_label("Chi phí trong kỳ (đồng)").fill("9.000.000")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator(".flash-messages")).to_contain_text("Đã gửi báo cáo.")
    sign_out(page)

    # The organiser: the follow-up list shows it waiting; she returns it with a comment.
    sign_in(page, organiser_email)
    page.goto("/projects/follow-up")
    expect(page.get_by_role("heading", name="Follow-up of supported projects")).to_be_visible()
    assert_accessible(page)
    row = page.locator("tr", has_text=title).first
    expect(row).to_contain_text("Submitted, waiting for review")
    row.get_by_role("link", name="Report 1").click()
    expect(page.locator("main")).to_contain_text("VND")
    assert_accessible(page)
    page.get_by_label("What should be changed?").fill("Please add a photo of the workshop.")
    page.get_by_role("button", name="Return for changes").click()
    expect(page.locator(".flash-messages")).to_contain_text("The report is returned")
    sign_out(page)

    # She reads the comment, corrects and sends it again.
    sign_in(page, winner_email)
    page.goto(f"/projects/{project_id}")
    page.get_by_role("link", name="Báo cáo 1", exact=True).click()
    expect(page.locator("main")).to_contain_text("Please add a photo of the workshop.")
    expect(page.get_by_label("Doanh thu trong kỳ (đồng)")).to_have_value("15.000.000")
    assert_accessible(page)
    page.get_by_label("Điều khó khăn").fill("Xưởng dệt mới chưa có ảnh, sẽ gửi kỳ sau")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator(".flash-messages")).to_contain_text("Đã gửi báo cáo.")
    sign_out(page)

    # The organiser accepts it and verifies the milestone; the list no longer asks for either.
    sign_in(page, organiser_email)
    page.goto("/projects/follow-up")
    page.locator("tr", has_text=title).first.get_by_role("link", name="Report 1").click()
    page.get_by_role("button", name="Accept the report").click()
    expect(page.locator(".flash-messages")).to_contain_text("The report is accepted.")
    page.goto(f"/projects/{project_id}")
    assert_accessible(page)
    page.locator("#milestones").get_by_role("button", name="Verify").click()
    expect(page.locator(".flash-messages")).to_contain_text("The milestone is verified.")
    expect(page.locator("#milestones")).to_contain_text("Verified")
    page.goto("/projects/follow-up")
    expect(page.locator("main")).not_to_contain_text(title)
    assert_accessible(page)
