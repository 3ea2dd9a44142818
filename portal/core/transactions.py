"""A request that only read ends its transaction with COMMIT, not ROLLBACK.

psycopg forgets every statement it prepared at a ROLLBACK (it sends DEALLOCATE ALL: it cannot
know what the rolled-back transaction dropped), and a session closed without a commit ends with
a ROLLBACK: so no statement stayed prepared from one request to the next, and PostgreSQL
planned every statement of every page again. Planning opens each index of each table a
statement reads (`entry` has 21): about 0.1 ms of PostgreSQL's CPU a table, more than reading
the rows. A COMMIT of a transaction that wrote nothing changes nothing either, and keeps the
connection's prepared statements (docs/performance.md).

Anything that may have written ends as before, with a ROLLBACK: a request that failed, objects
added, changed or deleted in the session, a file stored or discarded with it, or a statement
run that is not a SELECT (an INSERT, an UPDATE, a DELETE, a SET, a WITH that may hold one).
"""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from portal.extensions import db

WROTE = "portal_wrote"  # in the connection's info: a statement of this transaction may have written


def init_app(app: Flask) -> None:
    with app.app_context():
        _watch(db.engine)
    # Registered after Flask-SQLAlchemy's own: Flask runs these in reverse, so this one ends
    # the transaction before the session is removed.
    app.teardown_appcontext(_end_reading)


def _watch(engine: Engine) -> None:
    if event.contains(engine, "before_cursor_execute", _note_statement):
        return
    event.listen(engine, "begin", _note_begin)
    event.listen(engine, "before_cursor_execute", _note_statement)


def _note_begin(conn: Connection) -> None:
    conn.info[WROTE] = False


def _note_statement(conn, cursor, statement: str, parameters, context, executemany) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info[WROTE] = True


def _end_reading(error: BaseException | None) -> None:
    if error is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    if "stored_files" in session.info or "kept_changed" in session.info:
        return
    if session.connection().info.get(WROTE, True):
        return
    session.commit()
