"""Fixtures: an app and a clean database per test, a client that sends CSRF tokens, factories.

The suite runs on in-memory SQLite, or on PostgreSQL when TEST_DATABASE_URL is set.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from config import TestingConfig
from portal import create_app
from portal.core.outbox import OutboxMessage
from portal.extensions import db

ROOT = Path(__file__).resolve().parent.parent
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def pytest_configure(config):
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
        page = self.get("/").get_data(as_text=True)
        return CSRF_INPUT.search(page).group(1)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


def _is_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


_schema_ready = False


@pytest.fixture
def app(tmp_path):
    global _schema_ready
    app = create_app(TestingConfig)
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    app.test_client_class = Client
    with app.app_context():
        if _is_sqlite(app):
            db.create_all()  # a new in-memory database for each app
        elif not _schema_ready:
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.create_all()
            _schema_ready = True
        yield app
        db.session.remove()
        if _is_sqlite(app):
            db.drop_all()
        else:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def units(app):
    """A few real units: Điện Biên with two communes, Lào Cai with one."""
    from tests.factories import make_units

    return make_units()


def mails_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.recipient == address)
            .order_by(OutboxMessage.id)
        )
    )


def link_in(message: OutboxMessage, path_part: str) -> str:
    """The path of the first link in a mail that contains `path_part` (PUBLIC_URL stripped)."""
    match = re.search(
        r"https?://[^\s\"<]*" + re.escape(path_part) + r"[^\s\"<]*", message.body_text
    )
    assert match, f"no link with {path_part} in: {message.body_text}"
    return re.sub(r"^https?://[^/]+", "", match.group(0))


def login(client: Client, user, password: str = "password123", remember: bool = False):
    data = {"email": user.email, "password": password}
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
