"""Units come from the vietnam-provinces package: 34 provinces, about 3,300 communes and wards."""

import sqlalchemy as sa

from portal.extensions import db
from portal.units import services
from portal.units.models import Unit, UnitKind


def count(kind: UnitKind) -> int:
    return db.session.scalar(sa.select(sa.func.count(Unit.id)).where(Unit.kind == kind))


def test_loading_gives_the_2025_structure_and_is_idempotent(app):
    first = services.load_units()
    assert count(UnitKind.PROVINCE) == 34
    assert 3_200 <= count(UnitKind.COMMUNE) <= 3_400
    assert first["added"] == first["total"]
    assert services.load_units() == {"added": 0, "updated": 0, "total": first["total"]}
    assert db.session.scalar(sa.select(sa.func.count(Unit.id))) == first["total"]

    dien_bien = services.search_units("dien bien")[0]
    assert (dien_bien.name, dien_bien.kind) == ("Điện Biên", UnitKind.PROVINCE)
    communes = [c.name for c in services.communes_of(dien_bien.id)]
    assert "Xã Mường Phăng" in communes and len(communes) == 45


def test_the_command_loads_the_units(app):
    result = app.test_cli_runner().invoke(args=["units", "load"])
    assert result.exit_code == 0, result.output
    assert "Units: 3" in result.output and "added" in result.output


def test_search_ignores_case_and_diacritics(app, units):
    assert [u.name for u in services.search_units("MUONG phang")] == ["Xã Mường Phăng"]
    assert [u.name for u in services.search_units("Điện Biên")] == [
        "Điện Biên",
        "Phường Điện Biên Phủ",
    ]
    assert services.search_units("   ") == []
    assert services.search_units("100%_") == []


def test_provinces_come_with_their_commune_counts(app, units):
    assert [(u.name, n) for u, n in services.provinces_with_commune_counts()] == [
        ("Điện Biên", 2),
        ("Lào Cai", 1),
    ]


def test_a_scope_is_its_units_and_their_communes_read_once_a_request(app, units):
    ids = {name: unit.id for name, unit in units.items()}
    statements = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        with app.test_request_context():
            dien_bien = services.within([ids["dien_bien"]])
            assert dien_bien == sorted([ids["dien_bien"], ids["muong_phang"], ids["dien_bien_phu"]])
            assert services.within([ids["dien_bien"]]) == dien_bien  # kept: no query
            both = services.within([ids["lao_cai"], ids["muong_phang"]])
            assert both == sorted([ids["lao_cai"], ids["sa_pa"], ids["muong_phang"]])
            assert services.within([]) == []
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    assert len(statements) == 2
