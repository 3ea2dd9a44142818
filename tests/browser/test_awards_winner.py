"""After publication, at phone width: the winner finds her prize and downloads her certificate;
a visitor checks that certificate by its code, in Vietnamese, and browses the winners' gallery."""

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from portal.extensions import db
from tests.browser.conftest import assert_accessible, fresh_db, log_in, open_menu
from tests.factories import PASSWORD, make_awards, publish_directly


def test_the_winner_downloads_her_certificate_and_a_visitor_verifies_it(page: Page, units):
    world = make_awards(units)
    publish_directly(world)
    winner = world.applicants[0]
    winner.language = "en"
    first = world.awards[0]
    db.session.commit()
    email, code, title = winner.email, first.certificate_code, world.entries[0].title
    hidden_name = world.applicants[1].full_name  # second prize; she did not consent
    fresh_db()

    # The winner: her entry says she won; her awards page gives the certificate.
    log_in(page, email, PASSWORD)
    open_menu(page)
    page.get_by_role("link", name="My awards").click()
    expect(page.get_by_role("heading", name="My awards")).to_be_visible()
    assert_accessible(page)
    card = page.locator(f"#award-{first.id}")
    expect(card).to_contain_text("Giải Nhất")
    expect(card).to_contain_text(title)
    card.get_by_role("link", name="Details and prize money").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Giải Nhất")
    expect(page.locator("main")).to_contain_text(code)
    expect(page.locator("main")).to_contain_text("Not yet paid")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the certificate (PDF)").first.click()
    pdf = download_info.value
    assert pdf.suggested_filename.endswith(".pdf")
    text = "".join(p.extract_text() for p in PdfReader(pdf.path()).pages)
    assert "Lò Thị Hương" in text and code in text
    page.get_by_role("button", name="Log out").click()

    # A visitor, in Vietnamese: types the code as it reads on paper (spaces, small letters).
    page.goto("/verify")
    open_menu(page)
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", name="Xác minh giấy chứng nhận")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Mã xác minh").fill(code.replace("-", " ").lower())
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.get_by_role("status")).to_contain_text("Giấy chứng nhận thật, còn hiệu lực")
    expect(page.locator("main")).to_contain_text("Lò Thị Hương")  # she agreed to show her name
    assert_accessible(page)

    # The gallery: every prize; a filter by category; no name without consent.
    page.get_by_role("link", name="Xem kết quả cuộc thi này").click()
    expect(page.locator("main")).to_contain_text("Giải Nhất")
    expect(page.locator("main")).not_to_contain_text(hidden_name)
    assert_accessible(page)
    page.goto("/winners")
    expect(page.get_by_role("heading", name="Người đạt giải")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("11 giải")
    assert_accessible(page)
    page.get_by_label("Lĩnh vực").select_option(label="Thủ công mỹ nghệ")
    page.get_by_role("button", name="Lọc").click()
    expect(page.locator("article")).not_to_have_count(11)
    expect(page.locator("main")).not_to_contain_text(hidden_name)
    assert_accessible(page)
