"""A request that only read ends with COMMIT (keeping psycopg's prepared statements); anything
that may have written ends with ROLLBACK, as before (portal/core/transactions.py)."""

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.units.models import Unit

pytestmark = pytest.mark.fresh_app  # adds routes


@pytest.fixture
def ends(app):
    """How each request's transaction ended: "commit" or "rollback", in order."""
    seen: list[str] = []

    def note(kind):
        return lambda conn: seen.append(kind)

    commit, rollback = note("commit"), note("rollback")
    sa.event.listen(db.engine, "commit", commit)
    sa.event.listen(db.engine, "rollback", rollback)
    yield seen
    sa.event.remove(db.engine, "commit", commit)
    sa.event.remove(db.engine, "rollback", rollback)


@pytest.fixture
def routes(app, units):
    province = units["dien_bien"]

    @app.get("/probe/read")
    def read():
        return str(db.session.scalar(sa.select(sa.func.count()).select_from(Unit)))

    @app.post("/probe/added")
    def added():
        db.session.add(
            Unit(kind="province", code=999, name="Thử", name_folded="thu", division_type="Tỉnh")
        )
        return "added, not committed"

    @app.post("/probe/flushed")
    def flushed():
        db.session.add(
            Unit(kind="province", code=999, name="Thử", name_folded="thu", division_type="Tỉnh")
        )
        db.session.flush()
        return "added and flushed, not committed"

    @app.post("/probe/changed")
    def changed():
        db.session.get(Unit, province.id).name = "Đổi tên"
        return "changed in memory"

    @app.post("/probe/update")
    def update():
        db.session.execute(
            sa.text("UPDATE unit SET name = 'Đổi tên' WHERE id = :id"), {"id": province.id}
        )
        return "updated by a statement, not committed"

    @app.get("/probe/fails")
    def fails():
        db.session.scalar(sa.select(sa.func.count()).select_from(Unit))
        raise RuntimeError("boom")

    @app.get("/probe/prepared")
    def prepared():
        return str(db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements")))

    return province


def name_of(unit_id: int) -> str:
    return db.session.scalar(sa.select(Unit.name).where(Unit.id == unit_id))


def test_a_request_that_only_read_commits(client, routes, ends):
    assert client.get("/probe/read").status_code == 200
    assert ends == ["commit"]


@pytest.mark.parametrize(
    "path", ["/probe/added", "/probe/flushed", "/probe/changed", "/probe/update"]
)
def test_a_request_that_may_have_written_rolls_back_and_keeps_nothing(client, routes, ends, path):
    before = name_of(routes.id)
    token = client.csrf_token()
    ends.clear()
    assert client.post(path, data={"csrf_token": token}).status_code == 200
    assert "commit" not in ends  # a rollback, or (nothing flushed) no transaction at all
    db.session.expire_all()
    assert name_of(routes.id) == before
    assert db.session.scalar(sa.select(Unit).where(Unit.code == 999)) is None


def test_a_request_that_failed_rolls_back(app, client, routes, ends):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/probe/fails").status_code == 500
    assert "commit" not in ends and "rollback" in ends


def test_the_connection_keeps_its_prepared_statements_from_one_request_to_the_next(client, routes):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements: PostgreSQL through psycopg")
    for _ in range(8):  # psycopg prepares a statement at its sixth run on a connection
        client.get("/probe/read")
    assert int(client.get("/probe/prepared").get_data(as_text=True)) > 0
