"""The building blocks of the figures: a scope (units and years), an indicator (its name and
definition, the query of the records it counts and the aggregate over them) and the usual
aggregates. Each part of the figures (the portal's own records, the entrusted credit the bank
reports) defines its indicators with them."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.units.models import Unit


@dataclass(frozen=True)
class Scope:
    unit_ids: list[int] | None  # the units and their communes; None: the whole country
    first_year: int
    last_year: int

    @property
    def start(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.last_year, 12, 31)

    @property
    def as_of(self) -> date:
        """The day a stock (loans outstanding, products certified) is taken: the end of the
        years, or today when they have not ended."""
        return min(self.end, vietnam_date(utcnow()))


def units_within(unit_ids: list[int]) -> list[int]:
    """The units and their communes."""
    return list(
        db.session.scalars(
            sa.select(Unit.id).where(sa.or_(Unit.id.in_(unit_ids), Unit.parent_id.in_(unit_ids)))
        )
    )


def in_units(column, scope: Scope):
    return sa.true() if scope.unit_ids is None else column.in_(scope.unit_ids)


class Aggregate:
    """How an indicator counts its records: an aggregate over the rows of the records' query,
    for the whole scope or grouped by a column the records carry (the commune, the year)."""

    def __init__(self, aggregate: Callable[[sa.Subquery], sa.ColumnElement]):
        self.aggregate = aggregate

    def __call__(self, records: sa.Select) -> sa.Select:
        sub = records.subquery()
        return sa.select(self.aggregate(sub)).select_from(sub)

    def grouped(self, records: sa.Select, key: sa.ColumnElement) -> sa.Select:
        """(key, figure) for each value of `key` among the records."""
        sub = records.add_columns(key.label("group_key")).subquery()
        return (
            sa.select(sub.c.group_key, self.aggregate(sub))
            .select_from(sub)
            .group_by(sub.c.group_key)
        )


count = Aggregate(lambda sub: sa.func.count())


def distinct(column: str) -> Aggregate:
    return Aggregate(lambda sub: sa.func.count(sa.distinct(sub.c[column])))


def total(column: str) -> Aggregate:
    return Aggregate(lambda sub: sa.func.coalesce(sa.func.sum(sub.c[column]), 0))


@dataclass(frozen=True)
class Indicator:
    """A figure. Most are one SQL aggregate (`measure`) over the rows of `records`; a few need
    a rule applied in Python (a household out of poverty, a loan's arrears) and give `compute`
    instead: their figure for each commune. A share (`ratio`) divides two other indicators."""

    code: str
    name: object  # lazy strings, read in her language
    definition: object
    records: Callable[[Scope], sa.Select]  # the rows it counts (for a share, the numerator's)
    measure: Aggregate | None = None
    money: bool = False
    # The column of the records naming each record's commune (its woman's, its competition's
    # unit), for the table by commune.
    commune: Callable[[], sa.ColumnElement] | None = None
    compute: Callable[[Scope], dict[int | None, int]] | None = None  # commune → figure
    ratio: tuple[str, str] | None = None  # (numerator, denominator) codes: a percentage
    section: str = ""

    @property
    def percent(self) -> bool:
        return self.ratio is not None


def share(numerator: int, denominator: int) -> Decimal:
    """numerator ÷ denominator as a percentage, two decimals, half up; 0 of nothing is 0."""
    if not denominator:
        return Decimal("0.00")
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
