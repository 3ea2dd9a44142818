"""Writing postings. A posting is never changed: a mistake is undone by a reversing posting."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.auth.models import Role, User
from portal.core import audit
from portal.core.errors import DomainError, NotAllowed
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.ledger.models import ClosedMonth, Posting, PostingLine
from portal.units.models import Unit, UnitKind

# What the pages call each account, each source and each object that moved money: the features
# that post fill these in when they are imported (capital/common.py, awards/payments/services.py),
# as the ledger is built before them and cannot import them. A registry rather than a list of
# known names here, so that an account is named where it is defined and a new feature names its
# own. The pages show no account that no one named (404), never its stored name.
ACCOUNT_LABELS: dict[str, object] = {}
SOURCE_NAMERS: list = []  # each: (tags) -> {tag: name} for the tags it knows
# each: (pairs) -> {(object_type, object_id): (name, url or None)} for the pairs it knows
OBJECT_NAMERS: list = []


class UnbalancedPosting(ValueError):
    """A programming error: the lines of a posting must sum to zero."""


class MonthClosed(DomainError):
    """The unit's books of that month are closed."""

    status = 409


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def is_closed(unit_id: int | None, day: date) -> bool:
    """Whether the unit's books of the month of `day` are closed."""
    if unit_id is None:
        return False
    return (
        db.session.scalar(
            sa.select(ClosedMonth.id).where(
                ClosedMonth.unit_id == unit_id, ClosedMonth.month == first_of_month(day)
            )
        )
        is not None
    )


def require_open(unit_id: int | None, day: date, *, field: str | None = None) -> None:
    """Refuse a movement dated in a closed month, saying where a correction goes."""
    if is_closed(unit_id, day):
        raise MonthClosed(
            _l(
                "The books of %(month)s are closed: no movement can be dated in that month. "
                "Record a correction in an open month.",
                month=f"{day:%m/%Y}",
            ),
            field=field,
        )


def post(
    *,
    actor_id: int,
    occurred_on: date,
    description: str,
    source: str,
    object_type: str,
    object_id: int,
    lines: list[tuple[str, int]],
    unit_id: int | None = None,
) -> Posting:
    """Add one balanced posting (account, amount) to the session, in the books of `unit_id`;
    refused when that month of its books is closed. The caller commits."""
    require_open(unit_id, occurred_on)
    if len(lines) < 2 or any(amount == 0 for _, amount in lines):
        raise UnbalancedPosting("a posting needs at least two non-zero lines")
    if sum(amount for _, amount in lines) != 0:
        raise UnbalancedPosting(f"lines sum to {sum(a for _, a in lines)}, not 0")
    posting = Posting(
        occurred_on=occurred_on,
        description=description[:300],
        source=source,
        unit_id=unit_id,
        object_type=object_type,
        object_id=object_id,
        created_by_id=actor_id,
        lines=[PostingLine(account=account, amount=amount) for account, amount in lines],
    )
    db.session.add(posting)
    db.session.flush()
    return posting


def reverse(
    posting: Posting,
    *,
    actor_id: int,
    occurred_on: date,
    description: str,
    object_type: str,
    object_id: int,
) -> Posting:
    """The posting that undoes `posting`: the same lines with the opposite sign."""
    return post(
        actor_id=actor_id,
        occurred_on=occurred_on,
        description=description,
        source=posting.source,
        object_type=object_type,
        object_id=object_id,
        lines=[(line.account, -line.amount) for line in posting.lines],
        unit_id=posting.unit_id,
    )


def balance(account: str, *, source: str | None = None) -> int:
    """The sum of an account's lines (đồng), optionally for one source."""
    query = sa.select(sa.func.coalesce(sa.func.sum(PostingLine.amount), 0)).where(
        PostingLine.account == account
    )
    if source is not None:
        query = query.join(Posting).where(Posting.source == source)
    return int(db.session.scalar(query))


def close_month(
    actor: User, unit_id: int | None, month: date | None, *, now: datetime | None = None
) -> ClosedMonth:
    """Close a month of a unit's books once it is over: nothing may be dated in it afterwards.
    Closing it again (a double submit, a second organiser) changes nothing. Commits."""
    now = now or utcnow()
    if not unit_id or not actor.can_act_on_unit(unit_id):
        raise NotAllowed(_l("You cannot close the books of another unit."))
    if month is None:
        raise DomainError(_l("Choose the month to close."), field="month")
    month = first_of_month(month)
    if month >= first_of_month(vietnam_date(now)):
        raise DomainError(_l("A month is closed once it is over."), field="month")
    found = _closed(unit_id, month)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():  # the same month closed at the same moment: one row
            closed = ClosedMonth(unit_id=unit_id, month=month, closed_by_id=actor.id, closed_at=now)
            db.session.add(closed)
            db.session.flush()
    except IntegrityError:  # the savepoint is undone; the other request's row stands
        return _closed(unit_id, month)
    audit.record(
        "ledger.month_closed",
        actor_id=actor.id,
        object_type="unit",
        object_id=unit_id,
        after={"month": month.isoformat()},
    )
    db.session.commit()
    return closed


def _closed(unit_id: int, month: date) -> ClosedMonth | None:
    return db.session.scalar(
        sa.select(ClosedMonth).where(ClosedMonth.unit_id == unit_id, ClosedMonth.month == month)
    )


def closed_months(unit_ids: list[int] | None) -> list[ClosedMonth]:
    """The closed months of those units (all for None), the latest first, with their units."""
    query = (
        sa.select(ClosedMonth)
        .options(selectinload(ClosedMonth.unit).selectinload(Unit.parent))
        .order_by(ClosedMonth.month.desc(), ClosedMonth.unit_id)
    )
    if unit_ids is not None:
        query = query.where(ClosedMonth.unit_id.in_(unit_ids))
    return list(db.session.scalars(query))


def book_units(user: User) -> list[Unit]:
    """The units whose books she keeps, by name: an organiser's units and their communes; for an
    admin, every province and every unit with a posting or a closed month."""
    if user.has_role(Role.ADMIN):
        units = db.session.scalars(
            sa.select(Unit)
            .options(selectinload(Unit.parent))
            .where(
                sa.or_(
                    Unit.kind == UnitKind.PROVINCE,
                    Unit.id.in_(sa.select(Posting.unit_id)),
                    Unit.id.in_(sa.select(ClosedMonth.unit_id)),
                )
            )
        )
    else:
        found: dict[int, Unit] = {}
        for unit in user.organiser_units():
            found[unit.id] = unit
            found.update((child.id, child) for child in unit.children)
        units = found.values()
    return sorted(units, key=lambda u: u.full_name)


def scope(user: User, unit_id: int | None = None) -> list[int] | None:
    """The units whose postings she sees (None: all, for an admin), narrowed to `unit_id` and its
    communes when she keeps its books; a unit not hers narrows nothing."""
    if user.has_role(Role.ADMIN):
        if not unit_id:
            return None
        return list(
            db.session.scalars(
                sa.select(Unit.id).where(sa.or_(Unit.id == unit_id, Unit.parent_id == unit_id))
            )
        )
    units = book_units(user)
    if unit_id and any(u.id == unit_id for u in units):
        return [u.id for u in units if unit_id in (u.id, u.parent_id)]
    return [u.id for u in units]


@dataclass(frozen=True)
class Balance:
    source: str
    account: str
    amount: int  # debit > 0, credit < 0

    @property
    def debit(self) -> int:
        return max(self.amount, 0)

    @property
    def credit(self) -> int:
        return max(-self.amount, 0)


def trial_balance(unit_ids: list[int] | None = None, as_of: date | None = None) -> list[Balance]:
    """Every account's balance by source, in order: of the postings of those units (all for
    None) dated up to `as_of` (all for None). One query."""
    query = (
        sa.select(Posting.source, PostingLine.account, sa.func.sum(PostingLine.amount))
        .join(PostingLine, PostingLine.posting_id == Posting.id)
        .group_by(Posting.source, PostingLine.account)
        .order_by(Posting.source, PostingLine.account)
    )
    if unit_ids is not None:
        query = query.where(Posting.unit_id.in_(unit_ids))
    if as_of is not None:
        query = query.where(Posting.occurred_on <= as_of)
    return [
        Balance(source, account, int(total)) for source, account, total in db.session.execute(query)
    ]


@dataclass(frozen=True)
class Line:
    posting: Posting
    amount: int
    running: int  # the account's balance after this line


PER_PAGE = 100


def account_lines(
    account: str,
    *,
    source: str | None,
    unit_ids: list[int] | None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> tuple[list[Line], int]:
    """One account's lines (of one source, or all), of the postings of those units (all for
    None), the oldest first, each with the balance after it, and how many there are: one page
    of them in two queries, whatever the length of the account."""
    running = sa.func.sum(PostingLine.amount).over(
        order_by=(Posting.occurred_on, Posting.id, PostingLine.id)
    )
    query = (
        sa.select(Posting, PostingLine.amount, running.label("running"))
        .join(PostingLine, PostingLine.posting_id == Posting.id)
        .where(PostingLine.account == account)
    )
    if source is not None:
        query = query.where(Posting.source == source)
    if unit_ids is not None:
        query = query.where(Posting.unit_id.in_(unit_ids))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.order_by(Posting.occurred_on, Posting.id, PostingLine.id)
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    )
    return [Line(posting, int(amount), int(after)) for posting, amount, after in rows], total


def source_names(tags: list[str]) -> dict[str, str]:
    """What the pages call each source tag, as the features name them."""
    names: dict[str, str] = {}
    for namer in SOURCE_NAMERS:
        names.update(namer(tags))
    return {tag: names.get(tag, tag) for tag in tags}


def object_names(pairs: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[str, str | None]]:
    """What moved each posting, in words, and the page where it is (or None), as the features
    name them; one query or a few per kind of object, whatever their number."""
    names: dict[tuple[str, int], tuple[str, str | None]] = {}
    for namer in OBJECT_NAMERS:
        names.update(namer(pairs))
    shown = {}
    for pair in pairs:
        kind = audit.object_label(pair[0])
        name, url = names.get(pair, ("", None))
        shown[pair] = (f"{kind}: {name}" if name else kind, url)
    return shown


def is_named(account: str) -> bool:
    return account in ACCOUNT_LABELS


def account_label(account: str) -> str:
    return str(ACCOUNT_LABELS.get(account, account))
