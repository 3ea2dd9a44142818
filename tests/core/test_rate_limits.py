"""Rate limits shared through Redis when RATELIMIT_STORAGE_URI is set, as with several gunicorn
workers or app servers; production refuses to count them in one process's memory."""

import importlib.util
import socket
import uuid

import pytest

from config import DEVELOPMENT_SECRET_KEY, Config, ProductionConfig, TestingConfig
from portal import create_app
from portal.extensions import db
from tests.conftest import Client

REDIS = ("127.0.0.1", 6379)


def redis_is_running() -> bool:
    if importlib.util.find_spec("redis") is None:
        return False  # redis-py, which the limits need to talk to Redis
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
    except OSError:
        return False
    return True


def production(storage_uri: str) -> type[ProductionConfig]:
    return type("Production", (ProductionConfig,), {"RATELIMIT_STORAGE_URI": storage_uri})


@pytest.fixture
def secret_key_from_the_environment(monkeypatch):
    # As SECRET_KEY=… in the environment sets it: on Config, inherited by ProductionConfig.
    monkeypatch.setattr(Config, "SECRET_KEY", "a-real-secret")


@pytest.mark.usefixtures("secret_key_from_the_environment")
def test_production_refuses_to_start_with_limits_in_memory():
    # With several workers each would count failed logins on its own: the 11th is not refused.
    with pytest.raises(RuntimeError, match=r"RATELIMIT_STORAGE_URI.*Redis.*redis://"):
        create_app(production("memory://"))


@pytest.mark.usefixtures("secret_key_from_the_environment")
@pytest.mark.parametrize("uri", ["", "  ", "MEMORY://", "Memory://"])
def test_production_refuses_an_empty_or_capitalised_memory_store(uri):
    # An empty value (RATELIMIT_STORAGE_URI=${REDIS_URL} with REDIS_URL unset) is memory:// to
    # Flask-Limiter, and so is MEMORY://: each worker would count on its own all the same.
    with pytest.raises(RuntimeError, match=r"RATELIMIT_STORAGE_URI.*Redis"):
        create_app(production(uri))


@pytest.mark.usefixtures("secret_key_from_the_environment")
def test_production_starts_with_limits_in_redis():
    pytest.importorskip("redis")
    server = create_app(production("redis://127.0.0.1:6379/0"))
    assert server.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert server.config["SECRET_KEY"] == "a-real-secret"


def test_production_refuses_to_start_with_the_development_secret_key(monkeypatch):
    monkeypatch.setattr(Config, "SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(production("redis://127.0.0.1:6379/0"))


@pytest.mark.skipif(not redis_is_running(), reason="no Redis on 127.0.0.1:6379, or no redis-py")
def test_two_app_servers_share_the_login_limit_through_redis(app, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]

    class RedisConfig(TestingConfig):
        RATELIMIT_STORAGE_URI = f"redis://{REDIS[0]}:{REDIS[1]}/0"
        # A key prefix of its own, so that runs never see each other's counters.
        RATELIMIT_KEY_PREFIX = f"test-{uuid.uuid4().hex}"
        # Two servers, one database: a file for SQLite, the test database for PostgreSQL.
        SQLALCHEMY_DATABASE_URI = (
            f"sqlite:///{tmp_path / 'shared.db'}" if url == "sqlite://" else url
        )

    servers = []
    for _ in range(2):
        server = create_app(RedisConfig)
        server.test_client_class = Client
        with server.app_context():
            db.create_all()
        servers.append(server.test_client())
    for n in range(10):
        response = servers[n % 2].post_form("/login", {"account": "ai@example.vn", "password": "x"})
        assert response.status_code == 422
    assert (
        servers[0].post_form("/login", {"account": "ai@example.vn", "password": "x"}).status_code
        == 429
    )
    assert (
        servers[1].post_form("/login", {"account": "ai@example.vn", "password": "x"}).status_code
        == 429
    )


def test_an_unreachable_redis_falls_back_to_counting_in_memory_not_a_500(
    app, tmp_path, monkeypatch
):
    """Production needs Redis for the limits; when it cannot be reached, logging in is not a
    500 for everyone: each process counts in its own memory until Redis answers again."""
    from portal.extensions import limiter

    monkeypatch.setattr(limiter, "_storage_dead", False)  # the limiter is shared: put it back

    class NoRedis(TestingConfig):
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:1/0"  # nothing listens there
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'alone.db'}"
        PROPAGATE_EXCEPTIONS = False

    pytest.importorskip("redis")
    server = create_app(NoRedis)
    server.test_client_class = Client
    with server.app_context():
        db.create_all()
    client = server.test_client()
    for _ in range(10):
        response = client.post_form("/login", {"account": "ai@example.vn", "password": "x"})
        assert response.status_code == 422
    assert (
        client.post_form("/login", {"account": "ai@example.vn", "password": "x"}).status_code == 429
    )
