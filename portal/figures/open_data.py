"""Open data: the union's figures of every province for a year, for anyone, without a login or
a token — aggregates only, each the same number the province's own dashboard shows (the same
indicators over the same scope). Kept in the figures' cache: 34 provinces are 34 readings."""

import json
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from portal.core import cache
from portal.extensions import db
from portal.figures import indicators as figures
from portal.figures.measures import Indicator, Scope, units_within
from portal.units.models import Unit, UnitKind

# Personal or thin figures stay off the open table: a share of one product would name its owner.
OPEN = [
    "competitions",
    "entries",
    "women",
    "prizes",
    "prize_money",
    "projects",
    "cooperatives",
    "registered",
    "first_sales",
    "ocop_products",
    "jobs_women",
    "out_of_poverty",
    "grants",
    "loans",
    "loan_money",
    "outstanding",
]


@dataclass(frozen=True)
class ProvinceRow:
    code: int
    name: str
    values: dict[str, int | Decimal]


@dataclass(frozen=True)
class OpenTable:
    year: int
    indicators: list[Indicator]
    rows: list[ProvinceRow]


def by_province(year: int) -> OpenTable:
    catalogue = figures.by_code()
    shown = [catalogue[code] for code in OPEN]
    provinces = list(
        db.session.scalars(
            sa.select(Unit).where(Unit.kind == UnitKind.PROVINCE).order_by(Unit.name)
        )
    )

    def compute() -> str:
        found = {}
        with figures.reading():
            for province in provinces:
                scope = Scope(units_within([province.id]), year, year)
                found[province.id] = {i.code: int(figures.value(i, scope)) for i in shown}
        return json.dumps(found)

    found = json.loads(cache.remember(("open-data", year), compute))
    rows = [ProvinceRow(p.code, p.name, found[str(p.id)]) for p in provinces]
    return OpenTable(year, shown, rows)
