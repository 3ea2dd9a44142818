"""The union's figures at phone width, in Vietnamese: an organiser opens the dashboard from the
menu, follows a figure to the records behind it, opens the term report and downloads it as a
Word file, whose text says the same figures."""

from docx import Document
from playwright.sync_api import Page, expect

from portal.extensions import db
from tests.browser.conftest import assert_accessible, fresh_db, open_menu
from tests.factories import PASSWORD, make_awards, publish_directly


def test_dashboard_records_and_the_term_report_as_a_word_file(page: Page, units):
    world = make_awards(units)
    publish_directly(world)
    world.organiser.language = "vi"
    db.session.commit()
    email, year = world.organiser.email, world.competition.year
    fresh_db()

    page.goto("/login")
    page.locator("input[name=account]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form [type=submit]").click()
    expect(page.locator(".flash-messages")).to_be_visible()

    open_menu(page)
    page.get_by_role("link", name="Số liệu của Hội").click()
    expect(page.get_by_role("heading", name="Số liệu của Hội", exact=True)).to_be_visible()
    expect(page.locator("#figure-entries")).to_have_text("12")
    expect(page.locator("#figure-prizes")).to_have_text("11")
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('main *')).filter(e => e.getBoundingClientRect().right > 361).map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 15)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, wide  # nothing wider
    assert_accessible(page)

    # The figure leads to the twelve ideas behind it.
    page.locator("#figure-entries").click()
    expect(page.get_by_role("heading", name="Ý tưởng dự thi: 12")).to_be_visible()
    expect(page.locator("#records tbody tr")).to_have_count(12)
    assert_accessible(page)
    page.get_by_role("link", name="Số liệu của Hội").last.click()

    # The term report: sentences written from the figures, each number a link.
    page.locator("#term-report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Báo cáo của Điện Biên, năm {year}"
    )
    expect(page.locator("#report-entries")).to_have_text("12")
    expect(page.locator("#report-text")).to_contain_text(
        "Hội đã tổ chức 1 cuộc thi, thu hút 12 ý tưởng"
    )
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator("#download-docx").click()
    document = Document(str(download.value.path()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"Báo cáo của Điện Biên, năm {year}" in text
    assert "Hội đã tổ chức 1 cuộc thi, thu hút 12 ý tưởng" in text
    assert "Đã trao 11 giải" in text
