"""Entries in the browser, at phone width: an applicant sends her idea; an organiser screens it."""

import re

from playwright.sync_api import Browser, Page, expect

from portal.auth.models import Role
from portal.entries.models import Entry
from portal.extensions import db
from tests.browser.conftest import (
    PHONE,
    assert_accessible,
    fresh_db,
    log_in,
    open_menu,
)
from tests.conftest import mails_to
from tests.factories import PASSWORD, UserFactory, make_competition

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_an_applicant_drafts_comes_back_uploads_and_submits(
    page: Page, browser: Browser, live_server, units, tmp_path
):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    make_competition(organiser, units["dien_bien"], title="Phụ nữ Điện Biên khởi nghiệp")
    applicant = UserFactory(full_name="Lò Thị Mai", language="en")
    email = applicant.email
    fresh_db()

    # She finds the competition.
    log_in(page, email, PASSWORD)
    open_menu(page)
    page.locator("#nav-menu").get_by_role("link", name="Competitions").click()
    assert_accessible(page)
    page.get_by_role("link", name="Phụ nữ Điện Biên khởi nghiệp").click()
    expect(page.get_by_text("days left")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Enter this competition").click()

    # She starts, saves a draft and leaves.
    expect(page.get_by_role("heading", name="My entry")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Title of your idea").fill("Rượu men lá Mường Phăng")
    page.get_by_label("Short summary").fill("Rượu men lá truyền thống của người Thái trắng.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Your draft has been saved.")
    assert_accessible(page)

    # She comes back on another device.
    other = browser.new_context(
        base_url=live_server,
        locale="en-US",
        viewport=PHONE,
        is_mobile=True,
        reduced_motion="reduce",
    )
    phone = other.new_page()
    log_in(phone, email, PASSWORD)
    open_menu(phone)
    phone.locator("#nav-menu").get_by_role("link", name="My entries").click()
    expect(phone.get_by_text("Next: finish and submit it before")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("link", name="Continue").click()
    expect(phone.get_by_label("Title of your idea")).to_have_value("Rượu men lá Mường Phăng")

    # Her profile, filled once.
    phone.get_by_role("link", name="Check my applicant profile").click()
    assert_accessible(phone)
    phone.get_by_label("Date of birth").fill("1990-05-01")
    phone.get_by_role("radio", name="Female").check()
    phone.get_by_label("Ethnic group").select_option(label="Thái")
    phone.get_by_label("Province or city").select_option(label="Điện Biên")
    phone.get_by_label("Commune or ward").select_option(label="Xã Mường Phăng")
    phone.get_by_role("radio", name="Near-poor household").check()
    phone.get_by_role("radio", name="Yes").check()
    phone.get_by_role("radio", name="An idea, not started yet").check()
    phone.get_by_role("button", name="Save my profile").click()
    expect(phone.get_by_role("status")).to_contain_text("Your applicant profile has been saved.")

    # Back to the entry: she finishes it, attaches her plan and submits.
    expect(phone.get_by_label("Title of your idea")).to_have_value("Rượu men lá Mường Phăng")
    phone.get_by_label("Category").select_option(label="Food processing")
    phone.get_by_label("The problem").fill("Rượu ngon nhưng chưa có thương hiệu, bán được ít.")
    phone.get_by_label("Your solution").fill("Đóng chai, dán nhãn, bán cho khách du lịch.")
    phone.get_by_label("Customers and market").fill("Khách du lịch đến Điện Biên Phủ.")
    phone.get_by_label("Capital needed (đồng)").fill("150000000")
    phone.get_by_label("Jobs it will create for women").fill("6")
    plan = tmp_path / "ke-hoach.pdf"
    plan.write_bytes(PDF)
    phone.get_by_label("Business plan (PDF, DOCX or ODT, at most 10 MB)").set_input_files(str(plan))
    assert_accessible(phone)
    phone.get_by_role("button", name="Submit my entry").click()
    expect(phone.get_by_role("status")).to_contain_text(
        re.compile(r"Its reference number is DB-\d{4}-0001\.")
    )
    expect(phone.get_by_text("ke-hoach.pdf")).to_be_visible()
    assert_accessible(phone)
    other.close()

    fresh_db()
    entry = db.session.scalar(db.select(Entry))
    assert entry.reference.endswith("-0001")
    assert [m.template for m in mails_to(email)] == ["entry_submitted"]
    fresh_db()


def test_an_organiser_filters_and_marks_an_entry_ineligible(
    page: Page, browser: Browser, live_server, units
):
    from portal.entries import services
    from tests.entries.test_services import applicant_with_profile, complete

    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="en")
    competition = make_competition(organiser, units["dien_bien"], business_plan_required=False)
    entries = {}
    for title, household in (("Rượu men lá", "near_poor"), ("Thổ cẩm Thái", "poor")):
        applicant = applicant_with_profile(units, household_status=household)
        applicant.language = "en"
        entry = services.start_entry(applicant, competition)
        services.save_draft(applicant, entry, complete(competition, title=title), entry.version)
        services.submit(applicant, entry, entry.version)
        entries[title] = (entry.reference, applicant.email)
    organiser_email, competition_id = organiser.email, competition.id
    fresh_db()

    log_in(page, organiser_email, PASSWORD)
    page.goto(f"/competitions/{competition_id}/entries")
    expect(page.get_by_text("2 entries")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Household status").select_option(label="Poor household")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 entry")).to_be_visible()
    assert_accessible(page)
    reference, applicant_email = entries["Thổ cẩm Thái"]
    page.get_by_role("link", name=reference).click()
    assert_accessible(page)
    page.get_by_role("radio", name="Not eligible").check()
    page.get_by_label("Reason (the applicant reads it)").fill(
        "Bài dự thi trùng với một bài đã đoạt giải năm trước."
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("The decision has been recorded")
    assert_accessible(page)

    applicant_context = browser.new_context(
        base_url=live_server,
        locale="en-US",
        viewport=PHONE,
        is_mobile=True,
        reduced_motion="reduce",
    )
    her = applicant_context.new_page()
    log_in(her, applicant_email, PASSWORD)
    her.goto("/entries/")
    expect(her.get_by_text("Bài dự thi trùng với một bài đã đoạt giải năm trước.")).to_be_visible()
    expect(her.get_by_text("Not eligible")).to_be_visible()
    assert_accessible(her)
    applicant_context.close()
    fresh_db()
