"""Fixtures: the app with an empty database for each test, a client that sends CSRF tokens.

The suite runs on in-memory SQLite, or on PostgreSQL when TEST_DATABASE_URL is set; under
pytest-xdist each worker has an app and a database of its own (tests/database.py).
"""

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from config import TestingConfig
from portal import create_app
from portal.core import cache
from portal.core.outbox import Channel, OutboxMessage
from portal.extensions import db, limiter
from tests import get_never_writes, snapshots
from tests.database import Database, ensure_database, worker_database_url
from tests.factories import (
    AwardsWorld,
    JudgingWorld,
    make_awards,
    make_judging,
    make_published,
    make_units,
)
from tests.snapshots import cached

ROOT = Path(__file__).resolve().parent.parent
FROZEN_AT = datetime(2026, 5, 10, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def pytest_configure(config):
    config.addinivalue_line("markers", "fresh_app: the test gets an app of its own, made for it")
    if hasattr(config, "workerinput"):
        return  # the catalogues were compiled once, by the process that started the workers
    # Compile the catalogues so that the pages under test speak Vietnamese.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "compile",
            "-d",
            str(ROOT / "portal" / "translations"),
        ],
        check=True,
    )


class Client(FlaskClient):
    """A test client that fills in the CSRF token of state-changing requests, as a browser would.

    Each request runs in an app context of its own, as in production: `g` (the language, the
    logged-in user) and the database session do not leak from the test or between requests.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        # A visitor's home page carries no token (it is the same for every visitor, and may be
        # kept by a proxy): the login form has one.
        for url in ("/", "/login"):
            found = CSRF_INPUT.search(self.get(url).get_data(as_text=True))
            if found:
                return found.group(1)
        raise AssertionError("no page gave a CSRF token")

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


class WorkerConfig(TestingConfig):
    """The tests' configuration, on this worker's own database."""

    SQLALCHEMY_DATABASE_URI = worker_database_url(TestingConfig.SQLALCHEMY_DATABASE_URI)


@dataclass
class Worker:
    """This worker's app and database, and the app's state as made, to put back after a test."""

    app: Flask
    database: Database
    config: dict
    extensions: dict
    limiter_storage: object


@pytest.fixture(scope="session")
def worker() -> Iterator[Worker]:
    """One app per worker, and its database with the schema made once.

    Making an app compiles its 500 URL rules and starts its template cache afresh; making the
    schema costs a statement per table and index. Both are done once here, and each test gets
    the app back as it was made (see `app`).
    """
    ensure_database(WorkerConfig.SQLALCHEMY_DATABASE_URI)
    app = create_app(WorkerConfig)
    app.test_client_class = Client
    with app.app_context():
        get_never_writes.watch(db.engine)
        database = Database(db.engine, db.metadata)
        database.create_schema()
    yield Worker(app, database, dict(app.config), dict(app.extensions), limiter.storage)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def no_write_on_get() -> Iterator[None]:
    """Fails the test when a GET request it made wrote to the database (tests/get_never_writes.py)."""
    get_never_writes.writes_on_get.clear()
    yield
    written, get_never_writes.writes_on_get[:] = list(get_never_writes.writes_on_get), []
    assert written == [], "a GET request wrote to the database:\n" + "\n".join(written)


@pytest.fixture
def app(request, tmp_path) -> Iterator[Flask]:
    """The worker's app in an app context, with an empty database and its settings as made.

    A test may change `app.config` or re-initialise an extension (Flask-Mail): both are put back
    after it. Mark a test `fresh_app` when it needs an app of its own (one that adds a route).
    """
    worker: Worker = request.getfixturevalue("worker")
    if request.node.get_closest_marker("fresh_app"):
        yield from _fresh_app(worker, tmp_path)
        return
    app = worker.app
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    _reset_rate_limits(worker)
    snapshots.database = worker.database
    try:
        with app.app_context():
            # Emptied after every test; again here only if that failed (0.1 ms to find out), so
            # that one failure does not become the next test's.
            with worker.database.engine.connect() as conn:
                left_over = worker.database.tables_with_rows(conn)
            if left_over:
                worker.database.reset()
            yield app
            db.session.remove()
            worker.database.reset()
    finally:
        snapshots.database = None
        app.config.clear()
        app.config.update(worker.config)
        app.extensions.clear()
        app.extensions.update(worker.extensions)


def _fresh_app(worker: Worker, tmp_path: Path) -> Iterator[Flask]:
    """An app made for one test, on the worker's database (a new one for in-memory SQLite)."""
    app = create_app(WorkerConfig)
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    app.test_client_class = Client
    with app.app_context():
        get_never_writes.watch(db.engine)
        in_memory = not worker.database.is_postgres
        if in_memory:
            Database(db.engine, db.metadata).create_schema()
        yield app
        db.session.remove()
        db.engine.dispose()
    if not in_memory:
        worker.database.reset()


def _reset_rate_limits(worker: Worker) -> None:
    """Each test starts with no attempt counted, in the worker app's memory storage.

    The limiter is one object for every app: making another app (with Redis storage, or a fresh
    one) binds it to that app's storage, so it is bound to the worker's app again first.
    """
    if limiter.storage is not worker.limiter_storage:
        limiter.init_app(worker.app)
        worker.limiter_storage = limiter.storage
    limiter.reset()


@pytest.fixture
def concurrent_server(app, worker) -> Iterator[str]:
    """The test's app on 127.0.0.1 with a thread per request, as gunicorn's workers would serve
    it; yields the base URL. PostgreSQL only (tests/concurrency.py says why).

    Before the test reads what the server wrote, it forgets its own session's state.
    """
    if not worker.database.is_postgres:
        pytest.skip("requests at the same moment need a connection each: PostgreSQL")
    db.session.commit()  # what the test set up is what the server's requests see
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="concurrent-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        db.session.remove()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def frozen_time():
    """The clock stands still at FROZEN_AT for the whole test (`frozen_time.shift()` moves it).

    A module that uses the shared worlds freezes time with
    `pytestmark = pytest.mark.usefixtures("frozen_time")`: its tests no longer depend on today's
    date, and each world is built once per worker instead of once per test (tests/snapshots.py).
    """
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def units(app):
    """A few real units: Điện Biên with two communes, Lào Cai with one."""
    return make_units()


@pytest.fixture
def judging(units) -> JudgingWorld:
    """A competition in judging: six eligible entries, four judges, the default rubric."""
    return cached(make_judging, units)


@pytest.fixture
def awards_world(units) -> AwardsWorld:
    """Twelve entries ranked in a final whose results are final, with prize tiers."""
    return cached(make_awards, units)


@pytest.fixture
def published(units) -> AwardsWorld:
    """The same, its prize decision published: eleven prizes, ten supported projects."""
    return cached(make_published, units)


def mails_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.recipient == address)
            .order_by(OutboxMessage.id)
        )
    )


def texts_to(phone: str) -> list[OutboxMessage]:
    """The text messages queued for a number (its kept form, +84…), oldest first."""
    return [m for m in mails_to(phone) if m.channel is Channel.SMS]


def code_in(message: OutboxMessage) -> str:
    """The six-digit code of a text message."""
    match = re.search(r"\b([0-9]{6})\b", message.body_text)
    assert match, f"no code in: {message.body_text}"
    return match.group(1)


def link_in(message: OutboxMessage, path_part: str) -> str:
    """The path of the first link in a mail that contains `path_part` (PUBLIC_URL stripped)."""
    match = re.search(
        r"https?://[^\s\"<]*" + re.escape(path_part) + r"[^\s\"<]*", message.body_text
    )
    assert match, f"no link with {path_part} in: {message.body_text}"
    return re.sub(r"^https?://[^/]+", "", match.group(0))


def login(client: Client, user, password: str = "password123", remember: bool = False):
    data = {"account": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post_form("/login", data)


def check_access(client: Client, people: dict, role: str, method: str, url: str, allowed: set):
    """Request `url` as `role` (one of `people`, or "anonymous") and check the answer: allowed
    roles get the page (no 401, 403 or 500, no detour to the login page), anonymous visitors are
    sent to log in, everyone else gets 403. Returns the response for further checks."""
    if role != "anonymous":
        assert login(client, people[role]).status_code == 302
    response = client.get(url) if method == "GET" else client.post_form(url, {})
    if role in allowed:
        assert response.status_code not in (401, 403, 500), response.status_code
        assert not (response.status_code == 302 and "/login" in response.location)
    elif role == "anonymous":
        assert response.status_code == 302
        assert response.location.startswith("/login?next=")
    else:
        assert response.status_code == 403
    return response


@contextmanager
def database_down_after_the_next_commit():
    """From the next commit on (a real one, not a savepoint's), every statement fails as with a
    dead server."""
    engine = db.engine
    down = []

    def fail(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("the database went away"))

    def after_commit(conn):
        if not down:
            down.append(True)
            sa.event.listen(engine, "before_cursor_execute", fail)

    sa.event.listen(engine, "commit", after_commit)
    try:
        yield
    finally:
        sa.event.remove(engine, "commit", after_commit)
        if down:
            sa.event.remove(engine, "before_cursor_execute", fail)


@pytest.fixture
def kept(app):
    """The figures' and pages' cache in Redis for this test (without it nothing is kept)."""
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
