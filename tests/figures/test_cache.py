"""The dashboard kept in Redis: the second view reads it from there, a change of the data it
counts shows at once (the version moves with every commit that wrote such data), and a missing
page is computed by one request while the others wait."""

import threading

import pytest
import sqlalchemy as sa

from portal.core import cache
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from tests.admin.test_views import count_queries
from tests.conftest import login
from tests.factories import EntryFactory

pytestmark = pytest.mark.usefixtures("frozen_time")


def test_a_change_of_the_data_shows_at_once(kept, client, published):
    year = published.competition.year
    login(client, published.organiser)
    url = f"/figures?from={year}&to={year}"
    computed = count_queries(client, url)
    page = client.get(url).get_data(as_text=True)
    assert 'id="figure-entries">12<' in page
    assert any(k != b"figures:version" for k in kept.scan_iter("figures:*"))
    # Read again from Redis: the same figures, with only the page's own queries (her account).
    assert count_queries(client, url) < 5 < computed
    assert (
        client.get(url).get_data(as_text=True).split("<section")[1:] == page.split("<section")[1:]
    )
    login(client, published.second_organiser)  # a login anywhere writes only her account
    assert count_queries(client, url) < 5
    report = f"/figures/report?from={year}&to={year}"
    assert 'id="report-entries">12<' in client.get(report).get_data(as_text=True)
    assert count_queries(client, report) < 5  # kept too
    published.entries[0].status = "withdrawn"
    db.session.commit()
    again = client.get(f"/figures?from={year}&to={year}").get_data(as_text=True)
    assert 'id="figure-entries">11<' in again
    assert 'id="report-entries">11<' in client.get(report).get_data(as_text=True)


def test_redis_gone_the_figures_are_computed(app, client, published):
    app.config["FIGURES_CACHE_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    cache.init_app(app)
    try:
        login(client, published.organiser)
        year = published.competition.year
        page = client.get(f"/figures?from={year}&to={year}")
        assert page.status_code == 200
        assert 'id="figure-entries">12<' in page.get_data(as_text=True)
    finally:
        app.config["FIGURES_CACHE_URL"] = ""
        cache.init_app(app)


def version(kept) -> int:
    return int(kept.get(cache.VERSION_KEY) or 0)


def test_only_a_change_the_figures_count_empties_the_cache(kept, published):
    before = version(kept)
    draft = EntryFactory(competition=published.competition, status=EntryStatus.DRAFT)
    db.session.commit()
    draft.title = "Nuôi ong lấy mật ở bản Phăng"  # she goes on typing her draft
    db.session.commit()
    published.organiser.language = "en"  # an account
    db.session.commit()
    assert version(kept) == before
    published.entries[0].title = "Dệt thổ cẩm"  # a sent idea is counted
    db.session.commit()
    assert version(kept) == before + 1
    # A statement that changes rows without loading them counts as much.
    db.session.execute(
        sa.update(Entry).where(Entry.id == published.entries[1].id).values(title="Trồng chè")
    )
    db.session.commit()
    assert version(kept) == before + 2
    db.session.execute(sa.update(Entry).where(Entry.id == 0).values(title="x"))
    db.session.rollback()  # what was rolled back changed nothing
    published.organiser.language = "vi"
    db.session.commit()
    assert version(kept) == before + 2


def test_a_missing_page_is_computed_once_while_the_others_wait(app, kept, monkeypatch):
    computed = []

    def compute(text):
        def run():
            computed.append(text)
            return text

        return run

    version = kept.get(cache.VERSION_KEY) or b"0"
    key = cache._key(("page",))
    kept.set(cache._lock(key, version), 1)  # another request is computing it
    threading.Timer(0.2, lambda: kept.set(key, version + b"\n<p>computed elsewhere</p>")).start()
    assert cache.remember(("page",), compute("<p>here</p>")) == "<p>computed elsewhere</p>"
    assert computed == []
    # The one computing it died without a word: after the lock, the next request computes.
    key = cache._key(("other",))
    kept.set(cache._lock(key, version), 1)
    threading.Timer(0.2, lambda: kept.delete(cache._lock(key, version))).start()
    assert cache.remember(("other",), compute("<p>here</p>")) == "<p>here</p>"
    assert computed == ["<p>here</p>"]
    assert not kept.exists(cache._lock(key, version))  # its own lock is let go
    # One that never ends: she waits WAIT_SECONDS at most, then computes it herself.
    monkeypatch.setattr(cache, "WAIT_SECONDS", 0.2)
    key = cache._key(("stuck",))
    kept.set(cache._lock(key, version), 1)
    assert cache.remember(("stuck",), compute("<p>mine</p>")) == "<p>mine</p>"


def test_a_text_kept_for_an_older_version_is_never_returned(kept):
    """The text holds the version it was computed for: after a change it is computed again,
    and the new one replaces it under the same key."""
    assert cache.remember(("page",), lambda: "<p>before</p>") == "<p>before</p>"
    assert cache.remember(("page",), lambda: "<p>not computed</p>") == "<p>before</p>"
    kept.incr(cache.VERSION_KEY)  # a commit that changed a figure
    assert cache.remember(("page",), lambda: "<p>after</p>") == "<p>after</p>"
    assert cache.remember(("page",), lambda: "<p>not computed</p>") == "<p>after</p>"
    assert kept.get(cache._key(("page",))).endswith(b"\n<p>after</p>")
    assert not list(kept.scan_iter(f"{cache._key(('page',))}:lock:*"))  # every lock let go


def test_two_portals_sharing_a_redis_never_read_each_others_texts(app, kept):
    assert cache.remember(("page",), lambda: "<p>production</p>") == "<p>production</p>"
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql://staging.internal/portal"
    try:
        assert cache.remember(("page",), lambda: "<p>staging</p>") == "<p>staging</p>"
    finally:
        app.config["SQLALCHEMY_DATABASE_URI"] = database
    assert cache.remember(("page",), lambda: "<p>not computed</p>") == "<p>production</p>"
