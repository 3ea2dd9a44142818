"""Double-entry postings: the lines of a posting sum to zero (debits positive, credits negative)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db
from portal.units.models import Unit


class Posting(db.Model):
    __tablename__ = "ledger_posting"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_on: Mapped[date] = mapped_column(sa.Date)
    description: Mapped[str] = mapped_column(sa.String(300))
    # Where the money comes from (a capital source such as "prize_budget").
    source: Mapped[str] = mapped_column(sa.String(40), index=True)
    # The unit whose books it is in: its closed months refuse it, its organisers see it.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    # What moved it, for example ("prize_payment", 12).
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int] = mapped_column()
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list["PostingLine"]] = relationship(
        back_populates="posting", cascade="all, delete-orphan", order_by="PostingLine.id"
    )

    __table_args__ = (sa.Index("ix_ledger_posting_object", "object_type", "object_id"),)


class PostingLine(db.Model):
    __tablename__ = "ledger_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_posting.id"), index=True)
    account: Mapped[str] = mapped_column(sa.String(80), index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)  # đồng; debit > 0, credit < 0

    posting: Mapped[Posting] = relationship(back_populates="lines")


class ClosedMonth(db.Model):
    """A month of a unit's books that an organiser closed: no posting of that unit may be dated in
    it; a correction goes into the open month."""

    __tablename__ = "ledger_closed_month"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    month: Mapped[date] = mapped_column(sa.Date)  # its first day
    closed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()

    __table_args__ = (sa.UniqueConstraint("unit_id", "month", name="uq_ledger_closed_month"),)
