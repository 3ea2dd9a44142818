"""Writing postings. A posting is never changed: a mistake is undone by a reversing posting."""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.core.errors import DomainError
from portal.extensions import db
from portal.ledger.models import ClosedMonth, Posting, PostingLine


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
