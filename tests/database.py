"""The test database of each worker: where it is, its schema made once, and a fast reset.

Each pytest-xdist worker (gw0, gw1, …) has a database of its own: an in-memory SQLite database
in its process, or on PostgreSQL `<TEST_DATABASE_URL's database>_gw0`, created when missing. The
schema is made once per worker; between tests only the tables a test wrote to are emptied and
their id sequences restarted, so every test starts from an empty database with ids from 1.
"""

import os
import time
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa

from config import database_url


def worker_id() -> str:
    """gw0, gw1, … under pytest-xdist; "main" when the suite runs in one process."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def worker_database_url(base_url: str | None = None) -> str:
    """The database of this worker: TEST_DATABASE_URL with the worker's suffix, or SQLite."""
    url = database_url(
        base_url if base_url is not None else os.environ.get("TEST_DATABASE_URL", "")
    )
    worker = worker_id()
    if not url or url in ("sqlite://", "sqlite:///:memory:"):
        return "sqlite://"  # in memory: each worker's process has a database of its own
    if worker == "main":
        return url
    if url.startswith("sqlite:///"):  # a file: one per worker, beside it
        stem, suffix = os.path.splitext(url)
        return f"{stem}_{worker}{suffix}"
    parts = urlsplit(url)
    name = parts.path.strip("/") or "test"
    return urlunsplit(parts._replace(path=f"/{name}_{worker}"))


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of `url` when it is missing (the server is there)."""
    if url.startswith("sqlite"):
        return
    import psycopg
    from psycopg import sql

    parts = urlsplit(url.replace("postgresql+psycopg", "postgresql"))
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return
        for attempt in range(5):
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                return
            except psycopg.errors.DuplicateDatabase:
                return
            except psycopg.errors.ObjectInUse:
                # Two workers copying template1 at the same moment: the second waits its turn.
                time.sleep(0.2 * (attempt + 1))
        raise RuntimeError(f"could not create the test database {name}")


def _reverse_unordered_selects(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA reverse_unordered_selects = ON")


class Database:
    """The schema of one worker's database and the reset that empties it between tests."""

    def __init__(self, engine: sa.Engine, metadata: sa.MetaData):
        self.engine = engine
        self.metadata = metadata
        self.tables = list(metadata.sorted_tables)
        self.is_postgres = engine.dialect.name == "postgresql"
        quote = engine.dialect.identifier_preparer.quote
        # One round trip tells which tables hold rows: an EXISTS per table stops at the first row.
        self._probe = sa.text(
            " UNION ALL ".join(
                f"SELECT {n} AS n WHERE EXISTS (SELECT 1 FROM {quote(table.name)})"
                for n, table in enumerate(self.tables)
            )
        )
        self._quoted = [quote(table.name) for table in self.tables]
        if not self.is_postgres:
            # PostgreSQL gives the rows of a query without ORDER BY in no set order (after the
            # reset's deletes, not the order they were written); SQLite is made to give them
            # backwards, so that a test or a page relying on that order fails here every time
            # rather than on PostgreSQL now and then.
            sa.event.listen(engine, "connect", _reverse_unordered_selects)
            with engine.connect() as conn:  # the connection an in-memory database already has
                conn.exec_driver_sql("PRAGMA reverse_unordered_selects = ON")
        self._sequences: dict[str, str] = {}
        self._restart_sequences = sa.text(
            "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false)"
            " FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )

    def create_schema(self) -> None:
        """Make the schema from the models, replacing whatever an earlier run left."""
        with self.engine.begin() as conn:
            if self.is_postgres:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
                # The trigram index on entry.search_text needs its operator class.
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            else:
                self.metadata.drop_all(conn)
            self.metadata.create_all(conn)
            if self.is_postgres:
                rows = conn.execute(
                    sa.text(
                        "SELECT c.relname, s.relname FROM pg_class s"
                        " JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')"
                        " JOIN pg_class c ON c.oid = d.refobjid"
                        " WHERE s.relkind = 'S'"
                    )
                )
                self._sequences = dict(rows.tuples().all())

    def sequence_of(self, table: str) -> str | None:
        """The PostgreSQL sequence that numbers the ids of `table`, if it has one."""
        return self._sequences.get(table)

    def tables_with_rows(self, conn: sa.Connection) -> list[int]:
        """Indexes into self.tables of the tables that hold at least one row."""
        return [row.n for row in conn.execute(self._probe)]

    def reset(self) -> list[str]:
        """Empty every table that holds rows, children first, and restart their ids.

        Returns the names of the tables it emptied.
        """
        with self.engine.begin() as conn:
            if self.is_postgres:
                # A transaction a test left open would hold the reset forever: fail instead.
                conn.execute(sa.text("SET LOCAL lock_timeout = '10s'"))
            dirty = sorted(self.tables_with_rows(conn), reverse=True)
            for n in dirty:
                conn.execute(sa.text(f"DELETE FROM {self._quoted[n]}"))
            if self.is_postgres:
                # Every sequence used since the last reset starts again, also that of a table
                # left empty (a row deleted, an insert rolled back): ids always start from 1.
                conn.execute(self._restart_sequences)
        return [self.tables[n].name for n in dirty]
