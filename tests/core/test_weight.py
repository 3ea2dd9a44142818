"""What a page costs on a weak connection, in bytes on the wire as a browser gets them (compressed,
headers included): a first visit — the home page and everything it links — at most 150 KB, and
the next page, with the stylesheet and script kept, at most 30 KB. docs/performance.md, "Weight
of a page on a weak connection", gives the figures before and after."""

import re

import pytest

from portal.auth.models import Role
from portal.entries import services as entries
from tests.conftest import login
from tests.factories import UserFactory, make_competition

pytestmark = pytest.mark.usefixtures("frozen_time")

BROWSER = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "vi"}
FIRST_VISIT = 150 * 1024
NEXT_PAGE = 30 * 1024


def on_the_wire(response) -> int:
    """The body as sent (compressed when the server compressed it) and the headers, as HTTP/1.1
    writes them (HTTP/2 sends them shorter)."""
    headers = sum(len(f"{name}: {value}\r\n") for name, value in response.headers.items())
    return len(f"HTTP/1.1 {response.status}\r\n\r\n") + headers + len(response.get_data())


def linked(page: str) -> set[str]:
    """The stylesheets, scripts, icons and images the page makes the browser fetch."""
    tags = re.findall(r"<(?:link|script|img)\b[^>]*>", page)
    return {re.search(r'(?:href|src)="([^"]+)"', tag).group(1) for tag in tags}


def weigh(client, url: str) -> tuple[int, str]:
    response = client.get(url, headers=BROWSER)
    assert response.status_code == 200, url
    page = client.get(url, headers={"Accept-Language": "vi"}).get_data(as_text=True)
    return on_the_wire(response), page


@pytest.fixture
def world(units):
    """Six competitions open on the home page (as many as it shows) and an applicant's draft."""
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    competitions = [make_competition(organiser, units["dien_bien"]) for _ in range(6)]
    applicant = UserFactory(full_name="Lò Thị Mai")
    entry = entries.start_entry(applicant, competitions[0])
    return applicant, entry


def test_a_first_visit_and_the_next_page_are_light(client, world):
    applicant, entry = world
    home, page = weigh(client, "/")
    assets = {url: on_the_wire(client.get(url, headers=BROWSER)) for url in linked(page)}
    assert all(url.startswith("/static/dist/") for url in assets)
    first_visit = home + sum(assets.values())

    login(client, applicant)
    form, page = weigh(client, f"/entries/{entry.id}/edit")  # its assets are those of the home page
    assert linked(page) <= set(assets)

    print(f"\nfirst visit {first_visit} B (home page {home} B, {assets}); next page {form} B")
    assert first_visit <= FIRST_VISIT
    assert form <= NEXT_PAGE
