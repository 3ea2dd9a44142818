"""Judging set-up in the browser, at phone width: rubric, automatic assignment, confirmation."""

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.judging.models import Assignment, AssignmentSource, RubricCriterion
from tests.browser.conftest import assert_accessible, fresh_db, log_in
from tests.factories import PASSWORD, make_judging


def test_an_organiser_sets_the_rubric_then_assigns_judges(page: Page, live_server, units):
    world = make_judging(units, entries=6, judges=4)
    world.organiser.language = "en"
    db.session.commit()
    email, round_id = world.organiser.email, world.round.id
    fresh_db()

    log_in(page, email, PASSWORD)
    page.goto(f"/judging/rounds/{round_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Judging")
    assert_accessible(page)

    page.get_by_role("link", name="Edit the rubric").click()
    assert_accessible(page)
    page.locator("#criteria-0-weight").fill("2")
    page.get_by_role("button", name="Save the rubric").click()
    expect(page.get_by_role("status")).to_contain_text("The rubric has been saved.")

    page.get_by_role("link", name="Assign judges").click()
    assert_accessible(page)
    page.get_by_role("button", name="Propose assignments automatically").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Proposed assignments")
    expect(page.locator("#proposal-table")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm these assignments").click()
    expect(page.get_by_role("status")).to_contain_text("18 assignments have been made.")
    assert_accessible(page)

    db.session.expire_all()
    weight = db.session.scalar(
        sa.select(RubricCriterion.weight).where(
            RubricCriterion.round_id == round_id, RubricCriterion.code == "creativity"
        )
    )
    assert weight == 2.0
    sources = db.session.scalars(sa.select(Assignment.source)).all()
    assert len(sources) == 18 and set(sources) == {AssignmentSource.AUTOMATIC}
