"""Units come from the vietnam-provinces package, never from a hand-typed list."""

from collections.abc import Iterable

import sqlalchemy as sa
import sqlalchemy.orm
from flask import g, has_app_context
from vietnam_provinces import Province, Ward

from portal.core.text import fold
from portal.extensions import db
from portal.units.models import Region, Unit, UnitKind
from portal.units.regions import NATION_CODE, NATION_DIVISION, NATION_NAME, REGIONS


def load_units() -> dict[str, int]:
    """Insert the provinces and communes the database does not have yet; update changed names.

    Safe to run again: units are matched on (kind, official code).
    """
    existing = {(u.kind, u.code): u for u in db.session.scalars(sa.select(Unit))}
    added = updated = 0

    def upsert(
        kind: UnitKind, code: int, name: str, division_type: str, parent: Unit | None
    ) -> Unit:
        nonlocal added, updated
        unit = existing.get((kind, code))
        if unit is None:
            unit = Unit(kind=kind, code=code)
            db.session.add(unit)
            existing[(kind, code)] = unit
            added += 1
        elif unit.name != name or unit.division_type != division_type:
            updated += 1
        unit.name = name
        unit.name_folded = fold(name)
        unit.division_type = division_type
        unit.parent = parent
        return unit

    upsert(UnitKind.NATION, NATION_CODE, NATION_NAME, NATION_DIVISION, None)
    provinces = {}
    for province in Province.iter_all():
        provinces[province.code] = upsert(
            UnitKind.PROVINCE, int(province.code), province.name, province.division_type.value, None
        )
    for ward in Ward.iter_all():
        upsert(
            UnitKind.COMMUNE,
            int(ward.code),
            ward.name,
            ward.division_type.value,
            provinces[ward.province_code],
        )
    _load_regions({int(code): unit for code, unit in provinces.items()})
    db.session.commit()
    return {"added": added, "updated": updated, "total": len(existing)}


def _load_regions(provinces: dict[int, Unit]) -> None:
    existing = {r.code: r for r in db.session.scalars(sa.select(Region))}
    for position, (code, name, province_codes) in enumerate(REGIONS):
        region = existing.get(code) or Region(code=code)
        region.name = name
        region.position = position
        region.provinces = [provinces[c] for c in province_codes if c in provinces]
        db.session.add(region)


def nation() -> Unit | None:
    """The Central Women's Union: the unit of the national and regional competitions."""
    return db.session.scalar(sa.select(Unit).where(Unit.kind == UnitKind.NATION))


def regions() -> list[Region]:
    return list(
        db.session.scalars(
            sa.select(Region)
            .options(sa.orm.selectinload(Region.provinces))
            .order_by(Region.position)
        )
    )


def provinces() -> list[Unit]:
    return list(
        db.session.scalars(
            sa.select(Unit).where(Unit.kind == UnitKind.PROVINCE).order_by(Unit.name_folded)
        )
    )


def communes_of(province_id: int | None) -> list[Unit]:
    if not province_id:
        return []
    return list(
        db.session.scalars(
            sa.select(Unit)
            .where(Unit.kind == UnitKind.COMMUNE, Unit.parent_id == province_id)
            .order_by(Unit.name_folded)
        )
    )


def get_province(province_id: int | None) -> Unit | None:
    unit = db.session.get(Unit, province_id) if province_id else None
    return unit if unit is not None and unit.kind is UnitKind.PROVINCE else None


def search_units(query: str, limit: int = 50) -> list[Unit]:
    """Units whose name contains the query, ignoring case and diacritics; provinces first."""
    key = fold(query)
    if not key:
        return []
    return list(
        db.session.scalars(
            sa.select(Unit)
            .where(Unit.name_folded.contains(key, autoescape=True))
            .order_by(Unit.kind.desc(), Unit.name_folded)
            .limit(limit)
        )
    )


def within(unit_ids: Iterable[int]) -> list[int]:
    """The ids of `unit_ids` and of their communes, in one query, kept for the request. Pages
    filter by the list itself rather than by a subquery: PostgreSQL then knows how many rows a
    province's scope holds (as a subquery it guessed 27 of 2,000 projects and joined in the
    wrong order)."""
    asked = tuple(sorted(set(unit_ids)))
    if not asked:
        return []
    kept = g.setdefault("_units_within", {}) if has_app_context() else {}
    if asked not in kept:
        kept[asked] = list(
            db.session.scalars(
                sa.select(Unit.id)
                .where(sa.or_(Unit.id.in_(asked), Unit.parent_id.in_(asked)))
                .order_by(Unit.id)
            )
        )
    return kept[asked]


def covers(scope: Unit, unit: Unit) -> bool:
    """A province covers itself and its communes; a commune covers only itself."""
    return unit.id == scope.id or unit.parent_id == scope.id


def provinces_with_commune_counts() -> list[tuple[Unit, int]]:
    """Each province with how many communes and wards it has, in one query."""
    commune = sa.orm.aliased(Unit)
    rows = db.session.execute(
        sa.select(Unit, sa.func.count(commune.id))
        .outerjoin(commune, commune.parent_id == Unit.id)
        .where(Unit.kind == UnitKind.PROVINCE)
        .group_by(Unit.id)
        .order_by(Unit.name_folded)
    )
    return [(unit, count) for unit, count in rows]
