"""Deciding the prizes at phone width: an organiser starts from the proposal, changes a line
with a reason and finalises; she cannot approve her own decision; a second organiser approves
and publishes; the public results page then shows the prizes."""

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.awards.models import Award, AwardDecision, DecisionStatus
from portal.core.outbox import OutboxMessage
from portal.extensions import db
from tests.browser.conftest import assert_accessible, fresh_db, log_in
from tests.factories import PASSWORD, make_awards


def test_two_organisers_decide_approve_and_publish_the_prizes(page: Page, units):
    world = make_awards(units)
    world.organiser.language = "en"
    world.second_organiser.language = "en"
    db.session.commit()
    competition_id = world.competition.id
    maker, checker = world.organiser.email, world.second_organiser.email
    eleventh = world.entries[10]
    eleventh_label, hidden_name = f"{eleventh.reference}", world.applicants[1].full_name
    fresh_db()

    # The organiser reaches the decision from the competition's page.
    log_in(page, maker, PASSWORD)
    page.goto(f"/competitions/{competition_id}")
    page.get_by_role("link", name="Decision on the prizes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decision on the prizes")
    expect(page.locator("main")).to_contain_text("Giải Nhất")
    assert_accessible(page)
    page.get_by_role("button", name="Start from this proposal").click()
    expect(page.locator(".flash-messages")).to_be_visible()
    assert_accessible(page)

    # The last consolation prize goes to the 11th entry instead: a reason is required.
    page.get_by_role("link", name="Change · Giải Khuyến khích 4").click()
    page.get_by_label("Entry").select_option(label=_option(page, eleventh_label))
    page.get_by_role("button", name="Save the line").click()
    expect(page.locator("#reason-error")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Reason for the change").fill("Hội đồng chung khảo đề nghị đổi")
    page.get_by_role("button", name="Save the line").click()
    expect(page.locator("main")).to_contain_text("Hội đồng chung khảo đề nghị đổi")

    page.get_by_role("button", name="Finalise the decision").click()
    expect(page.locator("main")).to_contain_text("you cannot approve it")
    expect(page.get_by_role("button", name="Approve the decision")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Log out").click()

    # A second organiser of the same unit approves and publishes.
    log_in(page, checker, PASSWORD)
    page.goto(f"/awards/competitions/{competition_id}/decide")
    page.get_by_role("button", name="Approve the decision").click()
    expect(page.locator("main")).to_contain_text("Approved")
    page.get_by_role("link", name="Publish the results").click()
    expect(page.locator("main")).to_contain_text("12")  # every applicant is told
    assert_accessible(page)
    page.get_by_role("button", name="Publish the results now").click()
    expect(page.locator(".flash-messages")).to_contain_text("published")
    page.get_by_role("link", name="The public results page").click()
    results = page.locator("main")
    expect(results).to_contain_text("Giải Khuyến khích")
    expect(results).to_contain_text(eleventh.title)
    expect(results).not_to_contain_text(hidden_name)  # she did not consent
    assert_accessible(page)
    fresh_db()

    decision = db.session.scalar(sa.select(AwardDecision))
    assert decision.status is DecisionStatus.PUBLISHED
    assert decision.finalised_by_id != decision.approved_by_id
    changed = db.session.scalar(sa.select(Award).where(Award.entry_id == eleventh.id))
    assert changed.change_reason == "Hội đồng chung khảo đề nghị đổi"
    assert changed.certificate_code
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) >= 12


def _option(page: Page, reference: str) -> str:
    """The label of the entry drop-down's option that starts with the reference."""
    return page.locator("select option", has_text=reference).first.inner_text().strip()
