"""What one test leaves behind, the next never sees: the rows it wrote (and their ids), the
files, the settings it changed, the mail it sent, the login attempts counted; whether it built a
world of its own or was given a cached one.

The tests below run in this order on one worker (make test keeps a file on one worker: --dist
loadfile): clean, write, clean, write a cached world, clean. Each "clean" fails if the reset
between tests is taken away, and fails too if the write did not run just before it.
"""

from pathlib import Path

import pytest
import sqlalchemy as sa

from config import TestingConfig
from portal.auth.models import RoleGrant, User
from portal.core import storage
from portal.core.outbox import OutboxMessage
from portal.extensions import db
from tests.conftest import WorkerConfig
from tests.database import worker_id
from tests.factories import UserFactory, make_published, make_units
from tests.snapshots import cached

LOGIN = {"account": "ai@example.vn", "password": "sai-mat-khau"}
# The tests of this file that ran in this process, in order: a check after a write is only a
# check if the write ran just before it, on the same worker.
ran: list[str] = []


@pytest.fixture(autouse=True)
def in_order(request):
    yield
    ran.append(request.node.name)


def wrote_just_before(name: str) -> None:
    assert ran and ran[-1] == name, (
        f"{name} must run just before this test, in the same process (make test runs this file "
        f"in order on one worker with --dist loadfile); the tests that ran before: {ran}"
    )


def write_everything(app, client) -> None:
    """Leave something behind in every kind of state a test can touch."""
    UserFactory(email="con-lai@example.vn")
    # A row written then rolled back leaves its table empty but its id used.
    db.session.add(
        OutboxMessage(recipient="a@example.vn", subject="s", body_text="b", template="t")
    )
    db.session.flush()
    db.session.rollback()
    storage.store(b"%PDF-1.4 left behind")
    for _ in range(10):
        client.post_form("/login", LOGIN)
    assert client.post_form("/login", LOGIN).status_code == 429
    app.config["MAX_CONTENT_LENGTH"] = 10
    app.extensions.setdefault("sent_mail", []).append("a mail")
    assert db.session.scalar(sa.select(sa.func.count(User.id))) > 0


def assert_nothing_left(app, client, worker) -> None:
    assert worker.database.tables_with_rows(db.session.connection()) == []
    assert list(Path(app.config["UPLOAD_FOLDER"]).glob("**/*")) == []
    assert app.config["MAX_CONTENT_LENGTH"] == WorkerConfig.MAX_CONTENT_LENGTH
    assert "sent_mail" not in app.extensions
    assert client.post_form("/login", LOGIN).status_code == 422  # counted from zero
    # Ids start again from 1, as on a new database.
    user = UserFactory()
    assert user.id == 1
    assert db.session.scalar(sa.select(RoleGrant.id)) == 1
    message = OutboxMessage(recipient="a@example.vn", subject="s", body_text="b", template="t")
    db.session.add(message)
    db.session.flush()
    assert message.id == 1


def test_1_a_test_starts_from_an_empty_database(app, client, worker):
    assert_nothing_left(app, client, worker)


def test_2_a_test_writes_rows_files_settings_mail_and_attempts(app, client):
    write_everything(app, client)


def test_3_the_next_test_sees_none_of_it(app, client, worker):
    wrote_just_before("test_2_a_test_writes_rows_files_settings_mail_and_attempts")
    assert_nothing_left(app, client, worker)


def test_4_a_test_given_a_cached_world_writes_over_it(app, client, frozen_time, published):
    assert db.session.scalar(sa.select(sa.func.count(User.id))) > 10
    write_everything(app, client)


def test_5_the_next_test_sees_neither_the_world_nor_what_was_written(app, client, worker):
    wrote_just_before("test_4_a_test_given_a_cached_world_writes_over_it")
    assert_nothing_left(app, client, worker)


def published_for_this_test(units):
    """make_published under a name of its own: the first call below is sure to build it."""
    return make_published(units)


def test_a_cached_world_is_restored_as_it_was_built(app, worker, frozen_time, units):
    """Built once, then given again from the same state: the same rows, ids and values."""
    built = cached(published_for_this_test, units)
    with worker.database.engine.connect() as conn:
        rows_built = _all_rows(conn, worker.database)
    built_ids = [entry.id for entry in built.entries], [award.id for award in built.awards]
    db.session.remove()
    worker.database.reset()
    restored = cached(published_for_this_test, make_units())
    with worker.database.engine.connect() as conn:
        assert _all_rows(conn, worker.database) == rows_built
    assert restored is not built
    assert ([e.id for e in restored.entries], [a.id for a in restored.awards]) == built_ids
    assert restored.awards[0].entry.applicant.full_name == "Lò Thị Hương"
    # Ids after the restored ones come next, as they would after a build.
    assert UserFactory().id == max(r["id"] for r in rows_built["user_account"]) + 1


def test_a_world_is_built_afresh_when_the_clock_moves(app, units):
    builds = []

    def build(units):
        builds.append(UserFactory(roles=[]))
        return builds[-1]

    first = cached(build, units)
    db.session.delete(first)
    db.session.commit()
    cached(build, units)
    assert len(builds) == 2


def test_each_worker_has_a_database_of_its_own(app):
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        assert not url.database  # in memory: it lives and dies with this worker's process
    elif worker_id() == "main":
        assert url.database == sa.make_url(TestingConfig.SQLALCHEMY_DATABASE_URI).database
    else:
        assert url.database.endswith(f"_{worker_id()}")


def _all_rows(conn, database) -> dict[str, list[dict]]:
    """Every row of every table, JSON as the text stored (a JSON null is not an SQL NULL)."""
    rows = {}
    for n in database.tables_with_rows(conn):
        table = database.tables[n]
        columns = [
            sa.cast(c, sa.Text).label(c.name) if isinstance(c.type, sa.JSON) else c for c in table.c
        ]
        query = sa.select(*columns).order_by(*table.primary_key)
        rows[table.name] = [dict(row._mapping) for row in conn.execute(query)]
    return rows
