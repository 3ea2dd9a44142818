"""Browser fixtures: the app served on a real port, headless Chromium, and an axe-core check.

Every test here drives the real pages the way a person does, on a phone-sized screen (360 px),
and runs axe-core on every page it visits. Playwright never downloads a browser: it launches the
system Chromium.
"""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from portal.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
BLOCKING_IMPACTS = {"serious", "critical"}

# Long enough for a slow CI machine, short enough that a broken page fails quickly.
expect.set_options(timeout=10_000)

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.path)).resolve().is_relative_to(_HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test's app on 127.0.0.1 and a free port; yields the base URL.

    One request at a time (threaded=False): with in-memory SQLite every request shares the one
    connection of the StaticPool. Before the test reads what the server wrote, it calls
    fresh_db() so that its own session does not answer from stale state.
    """
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        fresh_db()


def fresh_db() -> None:
    """Forget the test thread's session, so the next query sees what the server committed."""
    db.session.remove()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A fresh phone-sized tab, preferring English, with relative URLs resolved on the server."""
    context = browser.new_context(
        reduced_motion="reduce",  # Bootstrap then skips its animations
        base_url=live_server,
        locale="en-US",
        viewport=PHONE,
        screen=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A page's own status (422 for a form with errors) is not a fault; anything else it
    # loads must arrive, and no script may fail (nor the CSP block one).
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} for {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    # A navigation cancels what the page was still loading (net::ERR_ABORTED): not a fault.
    page.on(
        "requestfailed",
        lambda request: (
            errors.append(f"{request.failure} for {request.url}")
            if request.failure != "net::ERR_ABORTED"
            else None
        ),
    )
    try:
        yield page
        assert not errors, "the browser reported errors:\n" + "\n".join(errors)
    finally:
        context.close()


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """Fail with every serious or critical axe-core violation on the page as it is now."""
    page.wait_for_load_state("load")
    results = _axe.run(page)
    problems = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if problems:
        lines = [f"axe-core found {len(problems)} serious or critical problem(s) on {page.url}:"]
        for violation in problems:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.append(f"  {violation.get('helpUrl', '')}")
            for node in violation["nodes"]:
                lines.append(f"    at {', '.join(str(t) for t in node['target'])}")
        pytest.fail("\n".join(lines), pytrace=False)


# --- Steps shared by the tests ----------------------------------------------------------------


def open_menu(page: Page) -> None:
    """At phone width the menu is a closed <details>: open it with its "Menu" button (any language)."""
    menu = page.locator(".site-header details.site-menu")
    if menu.get_attribute("open") is None:
        page.locator(".site-header .site-menu-toggle").click()
    expect(menu).to_have_attribute("open", "")
    expect(page.locator("#nav-menu")).to_be_visible()


def log_in(page: Page, email: str, password: str) -> None:
    """Log in through the login page, as a person does; stays on the page the app redirects to."""
    page.goto("/login")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("E-mail or mobile number").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".flash-messages")).to_contain_text("Welcome,")
