"""The dashboard kept in Redis: the second view reads it from there, and a change of the data
shows at once (the version moves with every commit that wrote data)."""

import os

import pytest
import redis

from portal.extensions import db
from portal.figures import cache
from tests.admin.test_views import count_queries
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def kept(app):
    # A Redis database for each test worker, so that two workers never read each other's keys.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    url = f"redis://127.0.0.1:6379/{10 + int(worker.removeprefix('gw') or 0) % 6}"
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.RedisError:
        pytest.skip("Redis is not running")
    app.config["FIGURES_CACHE_URL"] = url
    cache.init_app(app)
    yield client
    app.config["FIGURES_CACHE_URL"] = ""
    cache.init_app(app)
    client.flushdb()


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
