"""A GET request never writes (docs/architecture.md, "Transactions").

Every GET route of the access tables (tests/test_access.py and tests/*/test_access_*.py) is
requested by every role allowed to see it, in the world that table builds, so that the pages
render with real objects. Any INSERT, UPDATE or DELETE sent to the database while a GET is
served fails the test, with the URL, the role and the statement.
"""

import importlib
import inspect
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.competitions.models import Round
from portal.extensions import db
from tests import test_access
from tests.conftest import login
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

WRITES = ("INSERT", "UPDATE", "DELETE")

# GET routes that write today, each with the branch that fixes it: (table, url template).
EXEMPT = {
    # The round's overview makes the default rubric when the round has none.
    ("test_access_setup", "/judging/rounds/{round}"),  # fixed on branch re/judging
    # The rubric's and the settings' pages make it too (reported for re/judging).
    ("test_access_setup", "/judging/rounds/{round}/rubric"),
    ("test_access_setup", "/judging/rounds/{round}/settings"),
}

# The tables whose tests fill the URLs from the world itself rather than from an ids dict.
FILL = {
    "test_access_prizes": lambda w: {"competition": w.competition.id, "tier": w.tiers[1].id},
    "test_access_public": lambda w: {"competition": w.competition.id, "year": w.competition.year},
    "test_access_results": lambda w: {"round": w.round.id, "competition": w.competition.id},
}


def _tables() -> list:
    modules = [test_access]
    for path in sorted(Path(__file__).parent.glob("*/test_access_*.py")):
        modules.append(importlib.import_module(f"tests.{path.parent.name}.{path.stem}"))
    return modules


def _short(module) -> str:
    return module.__name__.rsplit(".", 1)[-1]


def _every_round(ids: dict) -> list[dict]:
    """The URL values, once for each round of the competition when the URLs name a round, and
    for one more round added as an organiser adds one (no rubric, no entries, no sheets yet):
    the pages of such rounds take other paths than those of the round the world judges."""
    if "round" not in ids or "competition" not in ids:
        return [ids]
    rounds = list(
        db.session.scalars(
            sa.select(Round).where(Round.competition_id == ids["competition"]).order_by(Round.id)
        )
    )
    last = rounds[-1]
    added = Round(
        competition_id=last.competition_id,
        position=last.position + 1,
        name="Vòng bổ sung",
        opens_at=last.closes_at + timedelta(days=1),
        closes_at=last.closes_at + timedelta(days=2),
    )
    db.session.add(added)
    db.session.commit()
    return [ids | {"round": r.id} for r in [*rounds, added]]


def _world(module, request) -> tuple[dict, dict]:
    """The table's world, built as its own test builds it: (people by role, URL values)."""
    build = module.make_world
    args = [request.getfixturevalue(name) for name in inspect.signature(build).parameters]
    value = cached(build, *args)
    if _short(module) in FILL:
        world, people = value
        return people, FILL[_short(module)](world)
    return value[-2], value[-1]


@pytest.fixture
def writes(app):
    """The statements that change rows, with what was being served; `serving` says what is."""
    seen: list[tuple[str, str]] = []
    serving: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if serving and statement.lstrip().upper().startswith(WRITES):
            seen.append((serving[-1], " ".join(statement.split())[:200]))

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen, serving
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("module", _tables(), ids=_short)
def test_no_get_route_writes(app, request, writes, module):
    seen, serving = writes
    people, ids = _world(module, request)
    every_ids = _every_round(ids)
    routes = [
        (url, allowed)
        for method, url, allowed in module.ROUTES
        if method == "GET" and (_short(module), url) not in EXEMPT
    ]
    assert routes
    roles = sorted({role for _, allowed in routes for role in allowed})
    for role in roles:
        client = app.test_client()
        if role != "anonymous":
            assert login(client, people[role]).status_code == 302
        for template, allowed in routes:
            if role not in allowed:
                continue
            for url in dict.fromkeys(template.format(**values) for values in every_ids):
                serving.append(f"GET {url} as {role}")
                try:
                    response = client.get(url)
                finally:
                    serving.pop()
                assert response.status_code < 500, url
    assert not seen, "GET requests that wrote:\n" + "\n".join(f"{w}: {s}" for w, s in seen)


def test_every_exemption_is_a_get_route_of_its_table():
    tables = {_short(m): m for m in _tables()}
    for table, url in EXEMPT:
        assert ("GET", url) in {(m, u) for m, u, _ in tables[table].ROUTES}, (table, url)
