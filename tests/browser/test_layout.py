"""The layout on a phone: no sideways scrolling, a working menu, and the skip link."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, assert_accessible


@pytest.mark.parametrize("path", ["/", "/register", "/login"])
def test_the_page_fits_a_360_px_phone_without_sideways_scrolling(page: Page, path: str):
    assert page.viewport_size == PHONE
    page.goto(path)
    assert_accessible(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"{path} is {scroll_width} px wide"


def test_the_navbar_toggler_opens_the_menu_at_phone_width(page: Page):
    page.goto("/")
    toggler = page.get_by_role("button", name="Menu")
    log_in_link = page.locator("#nav-menu").get_by_role("link", name="Log in")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(log_in_link).to_be_hidden()
    assert_accessible(page)

    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(log_in_link).to_be_visible()
    expect(page.locator("#nav-menu").get_by_role("link", name="Register")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)

    log_in_link.click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert_accessible(page)


def test_the_first_tab_reaches_the_skip_link_which_shows_and_leads_to_the_content(page: Page):
    page.goto("/")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).not_to_be_in_viewport()  # out of sight until it has the focus
    assert_accessible(page)

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["x"] >= 0
    assert_accessible(page)

    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
