"""Setting the term's targets, and reading a figure against its target."""

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.models import Role, User
from portal.core import audit
from portal.core.errors import DomainError, NotAllowed
from portal.core.time import utcnow
from portal.extensions import db
from portal.figures import indicators as figures
from portal.figures.measures import Scope, share
from portal.figures.models import FigureTarget

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_NOTE = 300


def may_set(user: User, unit_id: int | None) -> bool:
    """An organiser for her units (and their communes); an admin for any, and the country's."""
    if user.has_role(Role.ADMIN):
        return True
    return unit_id is not None and user.can_act_on_unit(unit_id)


def set_target(
    actor: User,
    unit_id: int | None,
    indicator: str,
    first_year: int | None,
    last_year: int | None,
    figure: int | None,
    *,
    yearly: bool = False,
    note: str = "",
) -> FigureTarget:
    """Set (or change) a unit's target for an indicator over a term. Commits. Setting the same
    target twice is one target."""
    if not may_set(actor, unit_id):
        raise NotAllowed(_l("You cannot set the targets of another unit."))
    if indicator not in figures.by_code():
        raise DomainError(_l("Choose one of the figures."), field="indicator")
    if not first_year or not FIRST_YEAR <= first_year <= LAST_YEAR:
        raise DomainError(_l("Write the term's first year."), field="first_year")
    if not last_year or not first_year <= last_year <= LAST_YEAR:
        raise DomainError(
            _l("Write the term's last year, the same as the first or later."), field="last_year"
        )
    if figure is None or figure <= 0:
        raise DomainError(_l("Write the target, a whole number above zero."), field="figure")
    if figures.by_code()[indicator].percent and figure > 100:
        raise DomainError(_l("A share is at most 100 per cent."), field="figure")
    note = " ".join((note or "").split())[:MAX_NOTE]
    key = {
        "unit_id": unit_id,
        "indicator": indicator,
        "first_year": first_year,
        "last_year": last_year,
    }
    target = _find(**key)
    before = None if target is None else {"figure": target.figure, "yearly": target.yearly}
    if target is None:
        try:
            with db.session.begin_nested():
                target = FigureTarget(**key, figure=figure, set_by_id=actor.id)
                db.session.add(target)
        except sa.exc.IntegrityError:  # set at the same moment by another request
            target = _find(**key)
    target.figure, target.yearly, target.note = figure, yearly, note
    target.set_by_id, target.set_at = actor.id, utcnow()
    db.session.flush()
    audit.record(
        "figure_target.set",
        actor_id=actor.id,
        object_type="figure_target",
        object_id=target.id,
        before=before,
        after={"indicator": indicator, "figure": figure, "yearly": yearly, **key},
    )
    db.session.commit()
    return target


def _find(**key) -> FigureTarget | None:
    query = sa.select(FigureTarget).filter_by(**key)
    return db.session.scalar(query)


def remove_target(actor: User, target: FigureTarget) -> None:
    """Commits."""
    if not may_set(actor, target.unit_id):
        raise NotAllowed(_l("You cannot set the targets of another unit."))
    audit.record(
        "figure_target.removed",
        actor_id=actor.id,
        object_type="figure_target",
        object_id=target.id,
        before={"indicator": target.indicator, "figure": target.figure},
    )
    db.session.delete(target)
    db.session.commit()


def targets_of(unit_ids: list[int | None]) -> list[FigureTarget]:
    """The targets of these units (None: the country's), newest term first."""
    units = [u for u in unit_ids if u is not None]
    query = sa.select(FigureTarget).where(
        sa.or_(
            FigureTarget.unit_id.in_(units),
            FigureTarget.unit_id.is_(None) if None in unit_ids else sa.false(),
        )
    )
    return list(
        db.session.scalars(
            query.order_by(FigureTarget.last_year.desc(), FigureTarget.first_year.desc())
        )
    )


@dataclass(frozen=True)
class Progress:
    target: FigureTarget
    figure: int  # the target for the years shown: a yearly target times their number
    reached: Decimal  # the figure so far ÷ the target, in per cent


def progress(
    unit_id: int | None, scope: Scope, found: dict[str, int | Decimal]
) -> dict[str, Progress]:
    """For each indicator with a target of the unit whose term covers the years: the target
    for those years and the share of it reached by the figures `found`."""
    query = sa.select(FigureTarget).where(
        FigureTarget.unit_id.is_(None) if unit_id is None else FigureTarget.unit_id == unit_id,
        FigureTarget.first_year <= scope.first_year,
        FigureTarget.last_year >= scope.last_year,
    )
    shown: dict[str, Progress] = {}
    for target in db.session.scalars(query.order_by(FigureTarget.first_year.desc())):
        if target.indicator in shown or target.indicator not in found:
            continue
        years = scope.last_year - scope.first_year + 1
        figure = target.figure * years if target.yearly else target.figure
        shown[target.indicator] = Progress(
            target, figure, share(int(found[target.indicator] * 100), figure * 100)
        )
    return shown
