"""Judging in the browser, at phone width: a judge scores one entry and recuses on another."""

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from playwright.sync_api import Page, expect

from portal.core.time import utcnow
from portal.extensions import db
from portal.judging.models import (
    Assignment,
    AssignmentSource,
    CompetitionJudge,
    ScoreSheet,
    SheetStatus,
)
from tests.browser.conftest import PHONE, assert_accessible, fresh_db, log_in, open_menu
from tests.conftest import mails_to
from tests.factories import PASSWORD, make_judging


def test_a_judge_scores_one_entry_and_recuses_on_another(page: Page, live_server, units, tmp_path):
    world = make_judging(units, entries=2, judges=1)
    world.round.scoring_closes_at = utcnow() + timedelta(days=3, hours=1)
    judge = world.judges[0]
    for entry in world.entries:
        db.session.add(
            Assignment(
                round_id=world.round.id,
                entry_id=entry.id,
                judge_id=judge.id,
                source=AssignmentSource.MANUAL,
                created_by_id=world.organiser.id,
            )
        )
    db.session.commit()
    email, organiser_email = judge.email, world.organiser.email
    first, second = (e.reference for e in world.entries)
    with force_locale("en"):
        labels = [str(c.display_label) for c in world.criteria]
    maxima = [c.max_points for c in world.criteria]
    muong_phang = units["muong_phang"].id
    with force_locale("en"):
        category = world.competition.categories[0].name
    fresh_db()

    # Her dashboard.
    log_in(page, email, PASSWORD)
    open_menu(page)
    page.locator("#nav-menu").get_by_role("link", name="Judging").click()
    expect(page.get_by_role("heading", name="My judging")).to_be_visible()
    expect(page.get_by_text("0 of 2 scored and submitted.")).to_be_visible()
    expect(page.get_by_text("days left")).to_be_visible()
    assert_accessible(page)

    # She declares what she knows and whom she must not judge.
    page.get_by_role("link", name="Declare my expertise and conflicts").click()
    expect(page.get_by_role("heading", name="My expertise and conflicts")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(category).check()
    page.get_by_label("Xã Mường Phăng").check()
    page.get_by_label("Organisations I have a conflict with").fill("HTX Mường Phăng")
    page.get_by_role("button", name="Save my declaration").click()
    expect(page.get_by_role("status")).to_contain_text("Your declaration has been saved.")

    # She scores the first entry: a draft, then the submission.
    page.get_by_role("link", name=f"Score {first}").click()
    expect(page.get_by_text("judged blind")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(tmp_path / "score.png"), full_page=True)
    assert_accessible(page)
    page.get_by_label(labels[0]).fill("15.5")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Your draft has been saved.")
    expect(page.get_by_label(labels[0])).to_have_value("15.5")
    assert_accessible(page)
    page.get_by_role("button", name="Submit scores").click()  # not complete yet
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.get_by_text("Give points for this criterion.").first).to_be_visible()
    expect(page.get_by_label(labels[0])).to_have_value("15.5")
    assert_accessible(page)
    for label, maximum in zip(labels[1:], maxima[1:], strict=True):
        page.get_by_label(label).fill(str(maximum // 2))
    page.get_by_label("Comment for the organisers").fill("Ý tưởng rõ ràng, thị trường tốt.")
    page.get_by_role("button", name="Submit scores").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Your scores for {first} have been submitted"
    )
    expect(page.get_by_text("1 of 2 scored and submitted.")).to_be_visible()
    assert_accessible(page)

    # She recuses herself from the second.
    page.get_by_role("link", name=f"Score {second}").click()
    page.get_by_role("link", name="recuse myself").click()
    expect(page.get_by_role("heading", name=f"Recuse myself from {second}")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Reason (optional)").fill("Người nộp là chị họ của tôi.")
    page.get_by_label("Yes, I recuse myself from this entry.").check()
    page.get_by_role("button", name="Recuse myself").click()
    expect(page.get_by_role("status")).to_contain_text(f"You have recused yourself from {second}")
    expect(page.get_by_text("Recused", exact=True)).to_be_visible()
    expect(page.get_by_text("1 of 1 scored and submitted.")).to_be_visible()
    assert_accessible(page)

    fresh_db()
    sheet = db.session.scalar(sa.select(ScoreSheet))
    assert sheet.status is SheetStatus.SUBMITTED
    assert sheet.points_by_criterion()[world.criteria[0].id] == 15.5
    assert sheet.comment == "Ý tưởng rõ ràng, thị trường tốt."
    recused = db.session.scalar(sa.select(Assignment).where(Assignment.recused_at.is_not(None)))
    assert recused.entry.reference == second
    assert recused.recusal_reason == "Người nộp là chị họ của tôi."
    record = db.session.scalar(sa.select(CompetitionJudge))
    assert record.conflict_commune_ids == [muong_phang]
    assert record.conflict_organisations == "HTX Mường Phăng"
    assert record.declared_at is not None
    [mail] = mails_to(organiser_email)
    assert mail.template == "judge_recused"
    assert second in mail.body_text
    fresh_db()
