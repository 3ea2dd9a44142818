"""The public pages kept for anonymous visitors (core.cache) are emptied by a change to a table
they read: every such page is read here on the demo and the tables its SQL names are listed.
A page that starts reading a new table fails here until the table is in `PAGE_TABLES`."""

import re

import pytest
import sqlalchemy as sa

from portal.awards.models import Award
from portal.core import cache
from portal.demo.services import load_demo
from portal.extensions import db
from tests.admin.test_views import count_queries
from tests.conftest import login
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def demo(app):
    cached(load_demo)


def test_the_public_pages_read_only_the_tables_whose_changes_empty_them(demo, client):
    award = db.session.scalar(
        sa.select(Award).where(Award.certificate_code.is_not(None)).order_by(Award.id)
    )
    pages = [
        "/",
        "/competitions/",
        f"/competitions/{award.competition_id}",
        f"/competitions/{award.competition_id}/results",
        "/winners",
        f"/verify/{award.certificate_code}",
    ]
    read: set[str] = set()

    def note(conn, cursor, statement, *args):
        read.update(re.findall(r'\b(?:FROM|JOIN)\s+"?(\w+)', statement, flags=re.IGNORECASE))

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        for url in pages:
            assert client.get(url).status_code == 200, url
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    assert read & set(db.metadata.tables) <= cache.PAGE_TABLES
    assert {"competition", "award", "prize_tier", "user_account"} <= read


@pytest.mark.fresh_app
def test_a_kept_page_is_rendered_once_for_every_visitor_until_its_data_change(app, kept, published):
    renders = []

    @app.route("/kept-test")
    @cache.kept_for_visitors
    def kept_test():
        renders.append(1)
        competition = db.session.get(type(published.competition), published.competition.id)
        return f"<p>{competition.title}</p>"

    @app.route("/kept-form")
    @cache.kept_for_visitors
    def kept_form():
        renders.append(1)
        return '<form><input name="csrf_token" value="hers"></form>'

    visitor, other = app.test_client(), app.test_client()
    first = visitor.get("/kept-test").get_data(as_text=True)
    assert other.get("/kept-test").get_data(as_text=True) == first and len(renders) == 1
    assert visitor.get("/kept-test", headers={"Accept-Language": "en"}).status_code == 200
    assert len(renders) == 2  # each language its own page
    published.competition.title = "Phụ nữ khởi nghiệp 2026"  # a change it shows
    db.session.commit()
    assert "Phụ nữ khởi nghiệp 2026" in visitor.get("/kept-test").get_data(as_text=True)
    assert len(renders) == 3
    # A page with her own token is never kept; nor is what a logged-in person sees.
    visitor.get("/kept-form"), other.get("/kept-form")
    assert len(renders) == 5
    login(other, published.organiser)
    other.get("/kept-test"), other.get("/kept-test")
    assert len(renders) == 7


def test_the_public_results_are_read_once_for_every_visitor_until_they_change(
    app, kept, client, published
):
    url = f"/competitions/{published.competition.id}/results"
    winner = published.awards[0].entry.applicant
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, no-cache" and winner.full_name in first.text
    other = app.test_client()
    assert count_queries(other, url) == 0  # read from the cache: no query at all
    assert other.get(url).text == first.text
    published.competition.title = "Phụ nữ Điện Biên khởi nghiệp"
    db.session.commit()
    assert "Phụ nữ Điện Biên khởi nghiệp" in other.get(url).text  # a change shows at once
    login(other, published.organiser)
    assert count_queries(other, url) > 0  # what an organiser sees is never kept
