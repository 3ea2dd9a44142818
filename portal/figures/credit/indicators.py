"""The entrusted-credit figures: stocks, not flows. An outstanding amount is what stands on a day,
so a range of years does not add periods up: for each commune it takes the latest period, ending
within the years, that an import in force gives for it — the province's sheet or the commune's
own (a province's import covers all its communes: a commune it leaves out has no group that
period). A replaced import does not count; its replacement does. Every figure is one aggregate
over the groups `groups(scope)` lists, so the figure and its records page agree."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.figures.credit.models import (
    RATING_LABELS,
    CreditGroupFigures,
    CreditImport,
    CreditRating,
)
from portal.figures.measures import Indicator, Scope, count, in_units, total
from portal.units.models import Unit

SECTION = _l("Entrusted credit")
STOCK = _l(
    "For each commune, as of the latest period within the years whose figures the bank sent "
    "(imported by the province or by the commune; a replaced import does not count)."
)


def _latest_periods(scope: Scope):
    """Each commune of the scope with the latest period ending within the years that an import
    in force of the commune, or of its province, stands at."""
    return (
        sa.select(
            Unit.id.label("commune_id"), sa.func.max(CreditImport.period_end).label("period_end")
        )
        .join(
            CreditImport,
            sa.or_(CreditImport.unit_id == Unit.id, CreditImport.unit_id == Unit.parent_id),
        )
        .where(
            in_units(Unit.id, scope),
            CreditImport.replaced_at.is_(None),
            CreditImport.period_end.between(scope.start, scope.end),
        )
        .group_by(Unit.id)
        .subquery("latest_credit_periods")
    )


def groups(scope: Scope) -> sa.Select:
    """The savings groups the figures count: each commune's groups in the imports in force of
    its latest period within the years."""
    latest = _latest_periods(scope)
    return (
        sa.select(CreditGroupFigures)
        .join(CreditImport, CreditImport.id == CreditGroupFigures.import_id)
        .join(
            latest,
            sa.and_(
                latest.c.commune_id == CreditGroupFigures.commune_id,
                latest.c.period_end == CreditImport.period_end,
            ),
        )
        .where(CreditImport.replaced_at.is_(None), in_units(CreditGroupFigures.commune_id, scope))
    )


def _commune():
    return CreditGroupFigures.commune_id


CREDIT_INDICATORS = [
    Indicator(
        "credit_outstanding",
        _l("Entrusted credit outstanding"),
        _l(
            "Loans of the social policy bank outstanding through the union's savings-and-credit "
            "groups, in đồng. %(stock)s",
            stock=STOCK,
        ),
        groups,
        total("outstanding"),
        money=True,
        commune=_commune,
        section=SECTION,
    ),
    Indicator(
        "credit_overdue",
        _l("Entrusted credit overdue"),
        _l("The part of that outstanding amount overdue, in đồng. %(stock)s", stock=STOCK),
        groups,
        total("overdue"),
        money=True,
        commune=_commune,
        section=SECTION,
    ),
    Indicator(
        "credit_borrowers",
        _l("Borrowers through the union"),
        _l("Households with a loan in those savings groups. %(stock)s", stock=STOCK),
        groups,
        total("borrowers"),
        commune=_commune,
        section=SECTION,
    ),
    Indicator(
        "credit_groups",
        _l("Savings-and-credit groups"),
        _l("Savings-and-credit groups the union runs for the bank. %(stock)s", stock=STOCK),
        groups,
        count,
        commune=_commune,
        section=SECTION,
    ),
    Indicator(
        "credit_members",
        _l("Members of savings-and-credit groups"),
        _l("Members of those groups. %(stock)s", stock=STOCK),
        groups,
        total("members"),
        commune=_commune,
        section=SECTION,
    ),
    Indicator(
        "credit_savings",
        _l("Savings in savings-and-credit groups"),
        _l("What the groups' members have saved with the bank, in đồng. %(stock)s", stock=STOCK),
        groups,
        total("savings"),
        money=True,
        commune=_commune,
        section=SECTION,
    ),
]


def groups_by_rating(scope: Scope) -> list[tuple[str, int]]:
    """How many of those groups the bank rated Good, Fair, Average and Weak (each rating, in its
    order, also when none has it): one query."""
    sub = groups(scope).subquery()
    found = dict(
        db.session.execute(sa.select(sub.c.rating, sa.func.count()).group_by(sub.c.rating)).all()
    )
    return [(str(RATING_LABELS[r]), int(found.get(r, found.get(r.value, 0)))) for r in CreditRating]
