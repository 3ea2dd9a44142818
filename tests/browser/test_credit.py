"""The bank's entrusted-credit figures at phone width, in Vietnamese: an organiser opens them from
the menu, sends the bank's sheet, reads the problems by line, sends the corrected sheet, checks
the preview, confirms, and reads the import with its totals; axe-core on every page."""

from playwright.sync_api import Page, expect

from portal.auth.models import Role
from portal.extensions import db
from tests.browser.conftest import assert_accessible, fresh_db, open_menu
from tests.factories import PASSWORD, UserFactory
from tests.figures.credit.sheets import as_xlsx_bytes, rows_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_an_organiser_imports_the_banks_figures_on_her_phone(page: Page, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="vi")
    email = organiser.email
    db.session.commit()
    fresh_db()
    page.goto("/login")
    page.locator("input[name=account]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form [type=submit]").click()
    expect(page.locator(".flash-messages")).to_be_visible()

    open_menu(page)
    page.get_by_role("link", name="Tín dụng ủy thác").click()
    expect(
        page.get_by_role("heading", name="Tín dụng ủy thác: số liệu của ngân hàng")
    ).to_be_visible()
    assert_accessible(page)
    page.locator("#new-credit-import").click()
    assert_accessible(page)

    wrong = rows_of({}, {"group": "Tổ TK&VV bản Na Hai", "outstanding": "-5"})
    page.locator("#period").fill("2026-03-31")
    page.locator("#file").set_input_files(
        {"name": "ToTKVV_Q1.xlsx", "mimeType": XLSX, "buffer": as_xlsx_bytes(wrong)}
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("#credit-problems tbody tr")).to_have_count(1)
    expect(page.locator("#credit-problems")).to_contain_text("Dư nợ: Số tiền không được là số âm.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)

    right = rows_of({}, {"group": "Tổ TK&VV bản Na Hai", "commune": "Điện Biên Phủ"})
    page.locator("#period").fill("2026-03-31")
    page.locator("#file").set_input_files(
        {"name": "ToTKVV_Q1.xlsx", "mimeType": XLSX, "buffer": as_xlsx_bytes(right)}
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("#credit-preview tbody tr")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    page.locator("#confirm-import").click()

    expect(page.locator("#total-groups")).to_have_text("2")
    expect(page.locator("#total-outstanding")).to_have_text("2.500.000.000\xa0₫")
    expect(page.locator("#credit-groups tbody tr")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
