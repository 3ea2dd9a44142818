"""A loan from proposal to repayment, at phone width: an organiser proposes a loan for a winner's
project, a second organiser approves it and it is disbursed; the winner sees her schedule and
next instalment on her phone in Vietnamese; a repayment is recorded, then reversed."""

from datetime import timedelta

from playwright.sync_api import Page, expect

from portal.capital.sources import services as sources
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from tests.browser.conftest import assert_accessible, fresh_db, open_menu
from tests.factories import PASSWORD, make_awards, project_of, publish_directly


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.locator("input[name=account]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form [type=submit]").click()
    expect(page.locator(".flash-messages")).to_be_visible()


def sign_out(page: Page) -> None:
    page.locator(".account-bar").get_by_role("button").click()


def test_a_loan_proposed_approved_disbursed_seen_by_her_repaid_and_reversed(page: Page, units):
    world = make_awards(units)
    publish_directly(world)
    winner, organiser, second = world.applicants[0], world.organiser, world.second_organiser
    winner.language, organiser.language, second.language = "vi", "en", "en"
    today = vietnam_date(utcnow())
    source = sources.create_source(
        organiser, world.competition.unit_id, "Support fund", "support_fund"
    )
    sources.contribute(organiser, source, 500_000_000, today - timedelta(days=60))
    db.session.commit()
    project = project_of(world.entries[0])
    project_id = project.id
    emails = winner.email, organiser.email, second.email
    fresh_db()
    disbursed_on = today - timedelta(days=40)

    # The organiser proposes a loan from the project's page.
    sign_in(page, emails[1])
    page.goto(f"/projects/{project_id}")
    page.get_by_role("link", name="Propose support").click()
    expect(page.get_by_role("heading", name="Propose support")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Soft loan").check()
    page.get_by_label("Capital source").select_option(
        label="Support fund (Women's development support fund)"
    )
    page.get_by_label("Amount (đồng)").fill("12.000.000")
    page.get_by_label("What it is for").fill("Buying breeding pigs")
    page.get_by_label("Rate (percent a month)").fill("0,5")
    page.get_by_label("Number of periods").fill("12")
    page.get_by_label("Grace periods (interest only)").fill("0")
    page.get_by_label("Method").select_option("declining")
    page.get_by_role("button", name="Propose the support").click()
    expect(page.locator(".flash-messages")).to_contain_text(
        "a second organiser of the unit must approve it"
    )
    expect(page.locator("main")).to_contain_text("Proposed, waiting for approval")
    assert_accessible(page)
    sign_out(page)

    # A second organiser finds it waiting and approves it; it is disbursed.
    sign_in(page, emails[2])
    page.goto("/capital/agreements")
    expect(page.get_by_role("heading", name="Support agreements")).to_be_visible()
    assert_accessible(page)
    page.locator("#agreements a").first.click()
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".flash-messages")).to_contain_text("The support is approved")
    page.get_by_label("Handed over on").fill(disbursed_on.isoformat())
    page.get_by_role("button", name="Record the disbursement").click()
    expect(page.locator(".flash-messages")).to_contain_text("The disbursement is recorded")
    expect(page.locator("#loan-schedule tbody tr")).to_have_count(12)
    assert_accessible(page)
    agreement_url = page.url
    sign_out(page)

    # She sees her loan and its schedule on her phone, in Vietnamese.
    sign_in(page, emails[0])
    open_menu(page)
    page.get_by_role("link", name="Dự án của tôi").click()
    page.get_by_role("link", name="Hỗ trợ của tôi").click()
    expect(page.get_by_role("heading", name="Hỗ trợ của tôi")).to_be_visible()
    expect(page.locator("main")).to_contain_text("12.000.000")
    assert_accessible(page)
    page.goto(agreement_url)
    expect(page.locator("#loan-schedule tbody tr")).to_have_count(12)
    expect(page.locator("main")).to_contain_text("Lịch trả nợ")
    assert_accessible(page)
    sign_out(page)

    # The first instalment (1,000,000 and 60,000 of interest) is paid; a mistake, reversed.
    sign_in(page, emails[1])
    page.goto(agreement_url)
    page.get_by_label("Amount paid (đồng)").fill("1.060.000")
    page.get_by_label("Paid on").fill(today.isoformat())
    page.get_by_role("button", name="Record the repayment").click()
    expect(page.locator(".flash-messages")).to_contain_text("The repayment is recorded")
    expect(page.locator("main")).to_contain_text("principal VND 1,000,000, interest VND 60,000")
    assert_accessible(page)
    page.locator("summary", has_text="Reverse this repayment").click()
    page.get_by_label("Why is it reversed?").fill("Recorded on the wrong loan")
    page.get_by_role("button", name="Reverse this repayment").click()
    expect(page.locator(".flash-messages")).to_contain_text("The repayment is reversed")
    expect(page.locator("main")).to_contain_text("Recorded on the wrong loan")
    assert_accessible(page)
