"""A woman without e-mail, on a phone-sized browser (issue 17): she registers with her number and
the code the console provider prints, fills her entry, loses the connection and keeps typing,
reloads, and sends it when the connection is back; the judge's sheet the same; a login on a
shared phone ends after half an hour."""

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import time_machine
from flask_babel import force_locale
from playwright.sync_api import Page, expect

from portal.auth.models import Role, User
from portal.core.outbox import send_due
from portal.core.time import utcnow
from portal.entries import services
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.judging.models import ScoreSheet, SheetStatus
from tests.browser.conftest import assert_accessible, fresh_db, log_in
from tests.entries.test_services import applicant_with_profile, complete
from tests.factories import PASSWORD, UserFactory, assign, make_competition, make_judging


def controlled_by_the_service_worker(page: Page) -> None:
    """Wait until the service worker answers for this page, then load it once more through it,
    so that it keeps the page for reading offline."""
    # Polled from here: wait_for_function evaluates a string in the page, which the CSP forbids.
    for _ in range(100):
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the service worker never took the page")
    page.reload()


def test_she_registers_with_her_number_and_the_printed_code(page: Page, app, capsys):
    page.goto("/register")
    assert_accessible(page)
    page.get_by_label("Full name").fill("Lò Thị Hương")
    page.get_by_label("Mobile number").fill("0912 345 678")
    page.get_by_label("Password", exact=True).fill("mat-khau-2026")
    page.get_by_label("Repeat the password").fill("mat-khau-2026")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Confirm your number")).to_be_visible()
    expect(page.get_by_label("Mobile number").first).to_have_value("0912 345 678")
    assert_accessible(page)

    # The worker sends the text message; the console provider prints it, as in development.
    fresh_db()
    app.config["SMS_PROVIDER"] = "console"
    capsys.readouterr()
    assert send_due()["sent"] == 1
    printed = capsys.readouterr().out
    assert "To: +84912345678" in printed
    code = re.search(r"\b([0-9]{6})\b is your code", printed).group(1)
    fresh_db()

    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.locator(".flash-messages")).to_contain_text("Thank you, your number is confirmed.")
    expect(page.locator(".account-bar")).to_contain_text("Lò Thị Hương")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert_accessible(page)
    fresh_db()
    user = db.session.scalar(db.select(User).where(User.login_phone == "+84912345678"))
    assert user.email is None and user.phone_confirmed_at is not None


def test_her_entry_survives_a_lost_connection_and_a_reload(page: Page, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    competition = make_competition(organiser, units["dien_bien"], business_plan_required=False)
    applicant = applicant_with_profile(units)
    applicant.language = "en"
    entry = services.start_entry(applicant, competition)
    services.save_draft(applicant, entry, complete(competition), entry.version)
    email, path, entry_id = applicant.email, f"/entries/{entry.id}/edit", entry.id
    fresh_db()

    log_in(page, email, PASSWORD)
    page.goto(path)
    controlled_by_the_service_worker(page)
    page.get_by_label("Title of your idea").fill("Rượu men lá Mường Phăng, bản mới")

    page.context.set_offline(True)
    expect(page.locator(".offline-notice")).to_be_visible()
    expect(page.locator(".offline-notice")).to_contain_text("You are offline.")
    page.get_by_label("Short summary").fill("Viết khi mất sóng.")
    # A reload with no connection: the kept page, and what she typed put back.
    page.reload()
    expect(page.get_by_label("Title of your idea")).to_have_value(
        "Rượu men lá Mường Phăng, bản mới"
    )
    expect(page.get_by_label("Short summary")).to_have_value("Viết khi mất sóng.")
    expect(page.locator(".keep-notice")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Submit my entry").click()
    expect(page.locator(".offline-waiting")).to_contain_text("will be sent as soon as")
    fresh_db()
    assert db.session.get(Entry, entry_id).status is EntryStatus.DRAFT  # nothing sent yet

    page.context.set_offline(False)
    expect(page.locator(".flash-messages")).to_contain_text("Your entry has been submitted.")
    fresh_db()
    sent = db.session.get(Entry, entry_id)
    assert sent.status is EntryStatus.SUBMITTED
    assert (sent.title, sent.summary) == ("Rượu men lá Mường Phăng, bản mới", "Viết khi mất sóng.")


def test_a_page_never_opened_shows_the_offline_page(page: Page):
    page.goto("/")
    controlled_by_the_service_worker(page)
    page.context.set_offline(True)
    page.goto("/competitions/")
    expect(page.get_by_role("heading", name="Không có kết nối mạng")).to_be_visible()
    expect(page.get_by_text("No connection", exact=True)).to_be_visible()
    page.context.set_offline(False)


def test_a_login_on_a_shared_phone_ends_after_half_an_hour(page: Page):
    user = UserFactory(language="en", full_name="Lò Thị Mai")
    email = user.email
    fresh_db()
    with time_machine.travel(datetime(2026, 5, 10, 3, 0, tzinfo=UTC), tick=True) as clock:
        page.goto("/login")
        page.get_by_label("E-mail or mobile number").fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("This is not my phone").check()
        assert_accessible(page)
        page.get_by_role("button", name="Log in").click()
        bar = page.locator(".account-bar")
        expect(bar).to_contain_text("Shared phone: Lò Thị Mai. Log out when you finish.")
        expect(bar.get_by_role("button", name="Log out")).to_be_visible()
        assert_accessible(page)
        clock.shift(timedelta(minutes=31))
        page.goto("/profile")
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        expect(page.locator(".flash-messages")).to_contain_text(
            "You were logged out after 30 minutes without use"
        )
        expect(page.locator(".account-bar")).to_have_count(0)
    # Nothing of hers was kept: no remember-me cookie.
    assert not [c for c in page.context.cookies() if c["name"] == "remember_token"]


def test_the_judges_sheet_survives_a_lost_connection(page: Page, units):
    world = make_judging(units, entries=1, judges=1)
    world.round.scoring_closes_at = utcnow() + timedelta(days=3)
    judge, entry = world.judges[0], world.entries[0]
    assign(world, entry, judge)
    db.session.commit()
    with force_locale("en"):
        labels = [str(c.display_label) for c in world.criteria]
    maxima = [c.max_points for c in world.criteria]
    email, path = judge.email, f"/judging/rounds/{world.round.id}/entries/{entry.id}/score"
    round_id = world.round.id
    fresh_db()

    log_in(page, email, PASSWORD)
    page.goto(path)
    controlled_by_the_service_worker(page)
    page.context.set_offline(True)
    for label, maximum in zip(labels, maxima, strict=True):
        page.get_by_label(label).fill(str(maximum // 2))
    page.get_by_label("Comment for the organisers").fill("Chấm khi mất sóng.")
    page.reload()
    expect(page.get_by_label(labels[0])).to_have_value(str(maxima[0] // 2))
    expect(page.get_by_label("Comment for the organisers")).to_have_value("Chấm khi mất sóng.")
    page.get_by_role("button", name="Submit scores").click()
    expect(page.locator(".offline-waiting")).to_be_visible()

    page.context.set_offline(False)
    expect(page.get_by_role("status").first).to_contain_text("have been submitted")
    fresh_db()
    sheet = db.session.scalar(sa.select(ScoreSheet).where(ScoreSheet.round_id == round_id))
    assert sheet.status is SheetStatus.SUBMITTED and sheet.comment == "Chấm khi mất sóng."
