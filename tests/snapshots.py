"""Worlds built once per worker and restored for every test that asks for them.

A world (a competition in judging, a published prize decision, the accounts of an access table)
takes a few hundred queries to build through the services. `cached(build, *args)` builds it the
first time, then records what it wrote: the rows of every table, the files in the upload folder
and the value it returned. A later test that asks for the same world, from the same database state
and at the same frozen moment, gets the rows written back in a few statements and the value with
its objects loaded again in its own session: the same data, ids included, as a fresh build.

A world is cached only when time is frozen (time_machine with tick=False): its dates are then the
same for every test. Under a moving clock it is built every time, as before.
"""

import dataclasses
import enum
import hashlib
import shutil
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
import time_machine
from flask import current_app

from portal.core.time import utcnow
from portal.extensions import db
from tests.database import Database

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class _Ref:
    """An object of the database inside a recorded value: its class and primary key."""

    cls: type
    identity: tuple


@dataclasses.dataclass
class _Snapshot:
    rows: dict[str, list[dict]]  # table name → rows, for the tables that hold any
    files: dict[str, bytes]  # path under the upload folder → content
    value: Any  # the builder's value, with _Ref in place of each object


_snapshots: dict[tuple, _Snapshot] = {}
# Set by the app fixture: the worker's Database (schema and reset).
database: Database | None = None


def frozen_now():
    """The frozen moment, or None when the clock moves."""
    if not time_machine.escape_hatch.is_travelling():
        return None
    now = utcnow()
    return now if utcnow() == now else None


def cached(build: Callable[..., T], *args, **kwargs) -> T:
    """`build(*args, **kwargs)`, or the world it built before from the same state, restored."""
    now = frozen_now()
    if now is None or database is None:
        return build(*args, **kwargs)
    db.session.commit()  # what the test wrote before is part of the state the world starts from
    with database.engine.connect() as conn:
        before = _fingerprint(_read_rows(conn), _read_files())
    name = getattr(build, "__qualname__", "<lambda>")
    if "<lambda>" in name:
        raise ValueError("a cached world needs a builder with a name of its own, not a lambda")
    key = (build.__module__, name, _recipe(args), _recipe(kwargs), now, before)
    snapshot = _snapshots.get(key)
    if snapshot is None:
        value = build(*args, **kwargs)
        db.session.commit()
        with database.engine.connect() as conn:
            _snapshots[key] = _Snapshot(_read_rows(conn), _read_files(), _recipe(value))
        return value
    _restore(snapshot)
    db.session.expire_all()
    return _load(snapshot.value)


def _read_rows(conn: sa.Connection) -> dict[str, list[dict]]:
    tables = database.tables
    return {
        tables[n].name: [dict(row._mapping) for row in conn.execute(_select(tables[n]))]
        for n in sorted(database.tables_with_rows(conn))
    }


def _json_columns(table: sa.Table) -> list[sa.Column]:
    return [column for column in table.c if isinstance(column.type, sa.JSON)]


def _select(table: sa.Table) -> sa.Select:
    """Every row in id order, JSON as its text: a JSON null and an SQL NULL stay apart."""
    json = set(_json_columns(table))
    columns = [sa.cast(c, sa.Text).label(c.name) if c in json else c for c in table.c]
    return sa.select(*columns).order_by(*table.primary_key.columns)


def _insert(table: sa.Table) -> sa.Insert:
    """The rows as _select read them: JSON written back from its text as it was."""
    values = {}
    for column in _json_columns(table):
        text = sa.bindparam(f"{column.name}_json", type_=sa.Text)
        values[column.name] = sa.cast(text, column.type) if database.is_postgres else text
    return table.insert().values(values) if values else table.insert()


def _insert_rows(table: sa.Table, rows: list[dict]) -> list[dict]:
    json = [column.name for column in _json_columns(table)]
    if not json:
        return rows
    return [{(f"{k}_json" if k in json else k): v for k, v in row.items()} for row in rows]


def _upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def _read_files() -> dict[str, bytes]:
    folder = _upload_folder()
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _fingerprint(rows: dict[str, list[dict]], files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name, table_rows in rows.items():
        digest.update(name.encode())
        for row in table_rows:
            digest.update(repr(sorted(row.items())).encode())
    for path, content in files.items():
        digest.update(path.encode() + hashlib.sha256(content).digest())
    return digest.hexdigest()


def _restore(snapshot: _Snapshot) -> None:
    # The session has just committed: it holds no transaction, and every object it knows is
    # expired, so each reloads from the restored rows (those made before keep their ids).
    database.reset()
    by_name = {table.name: table for table in database.tables}
    with database.engine.begin() as conn:
        for table in database.tables:  # parents first
            # A table the database keeps from others (competition_entry_count) is filled again
            # by its triggers as those rows go back: copying it too would count them twice.
            if table.name in snapshot.rows and not table.info.get("kept_by_triggers"):
                conn.execute(_insert(table), _insert_rows(table, snapshot.rows[table.name]))
        if database.is_postgres:
            calls = [
                f"setval('{database.sequence_of(name)}', {max(r['id'] for r in rows)})"
                for name, rows in snapshot.rows.items()
                if database.sequence_of(name) and "id" in by_name[name].c
            ]
            if calls:
                conn.execute(sa.text(f"SELECT {', '.join(calls)}"))
    folder = _upload_folder()
    if folder.exists():  # the folder holds what the world holds, no more
        shutil.rmtree(folder)
    for path, content in snapshot.files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def _recipe(value: Any) -> Any:
    """The value with each database object replaced by a _Ref (hashable where the value is)."""
    if isinstance(value, db.Model):
        state = sa.inspect(value)
        if state.identity is None:
            raise ValueError(f"a cached world returned an object never saved: {value!r}")
        return _Ref(state.mapper.class_, state.identity)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = tuple((f.name, _recipe(getattr(value, f.name))) for f in dataclasses.fields(value))
        return _Made(type(value), fields)
    if type(value) is dict:
        return _Made(dict, tuple((k, _recipe(v)) for k, v in value.items()))
    if type(value) in (list, tuple, set, frozenset):
        return _Made(type(value), tuple(_recipe(v) for v in value))
    if isinstance(value, _PLAIN):
        return value
    raise TypeError(
        f"a cached world may hold saved objects, dataclasses, dicts, lists, tuples, sets and "
        f"plain values, not {type(value).__name__}"
    )


# Values kept as they are in a recorded world: immutable, and never an object of the database.
_PLAIN = (str, bytes, int, float, bool, type(None), Decimal, datetime, date, timedelta, enum.Enum)


@dataclasses.dataclass(frozen=True)
class _Made:
    """A dataclass, dict, list or tuple inside a recorded value, with its parts as recipes."""

    cls: type
    parts: tuple


def _refs(recipe: Any, found: dict[type, set]) -> None:
    if isinstance(recipe, _Ref):
        found.setdefault(recipe.cls, set()).add(recipe.identity)
    elif isinstance(recipe, _Made):
        named = recipe.cls is dict or dataclasses.is_dataclass(recipe.cls)
        for part in recipe.parts:
            _refs(part[1] if named else part, found)


def _load(recipe: Any) -> Any:
    """The recorded value again, its objects loaded in the current session (one query a class)."""
    found: dict[type, set] = {}
    _refs(recipe, found)
    loaded: dict[_Ref, Any] = {}
    for cls, identities in found.items():
        keys = sa.inspect(cls).primary_key
        if len(keys) != 1:
            raise TypeError(f"{cls.__name__}: a cached world loads objects by a single id")
        (key,) = keys
        for obj in db.session.scalars(sa.select(cls).where(key.in_([i[0] for i in identities]))):
            loaded[_Ref(cls, sa.inspect(obj).identity)] = obj
    return _build(recipe, loaded)


def _build(recipe: Any, loaded: dict) -> Any:
    if isinstance(recipe, _Ref):
        return loaded[recipe]
    if not isinstance(recipe, _Made):
        return recipe
    if recipe.cls is dict:
        return {k: _build(v, loaded) for k, v in recipe.parts}
    if dataclasses.is_dataclass(recipe.cls):
        return recipe.cls(**{name: _build(part, loaded) for name, part in recipe.parts})
    return recipe.cls(_build(part, loaded) for part in recipe.parts)
