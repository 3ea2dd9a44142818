"""Writing postings. A posting is never changed: a mistake is undone by a reversing posting."""

from datetime import date

import sqlalchemy as sa

from portal.extensions import db
from portal.ledger.models import Posting, PostingLine


class UnbalancedPosting(ValueError):
    """A programming error: the lines of a posting must sum to zero."""


def post(
    *,
    actor_id: int,
    occurred_on: date,
    description: str,
    source: str,
    object_type: str,
    object_id: int,
    lines: list[tuple[str, int]],
) -> Posting:
    """Add one balanced posting (account, amount) to the session; the caller commits."""
    if len(lines) < 2 or any(amount == 0 for _, amount in lines):
        raise UnbalancedPosting("a posting needs at least two non-zero lines")
    if sum(amount for _, amount in lines) != 0:
        raise UnbalancedPosting(f"lines sum to {sum(a for _, a in lines)}, not 0")
    posting = Posting(
        occurred_on=occurred_on,
        description=description[:300],
        source=source,
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
    )


def balance(account: str, *, source: str | None = None) -> int:
    """The sum of an account's lines (đồng), optionally for one source."""
    query = sa.select(sa.func.coalesce(sa.func.sum(PostingLine.amount), 0)).where(
        PostingLine.account == account
    )
    if source is not None:
        query = query.join(Posting).where(Posting.source == source)
    return int(db.session.scalar(query))
