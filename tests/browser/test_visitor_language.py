"""A visitor's pages carry no token, so that a proxy may keep them: her language switch is a plain
GET, and still loses nothing she typed."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible


def test_a_visitor_switching_language_mid_form_keeps_what_she_typed(page: Page):
    page.goto("/register")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Full name").fill("Lò Thị Hương")
    page.get_by_label("E-mail address").fill("huong.lo@example.vn")
    page.get_by_role("button", name="Tiếng Việt").click()

    expect(page).to_have_url(re.compile(r"/register$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_label("Họ và tên")).to_have_value("Lò Thị Hương")
    expect(page.get_by_label("Địa chỉ email")).to_have_value("huong.lo@example.vn")
    expect(page.locator(".keep-notice")).to_be_visible()
    assert_accessible(page)


def test_a_visitor_reads_the_competitions_in_her_language_and_back(page: Page):
    page.goto("/competitions/")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page).to_have_url(re.compile(r"/competitions/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("button", name="Tiếng Việt")).to_have_attribute("aria-current", "true")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)
