"""Double-entry postings: the lines of a posting sum to zero (debits positive, credits negative)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db


class Posting(db.Model):
    __tablename__ = "ledger_posting"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_on: Mapped[date] = mapped_column(sa.Date)
    description: Mapped[str] = mapped_column(sa.String(300))
    # Where the money comes from (a capital source such as "prize_budget").
    source: Mapped[str] = mapped_column(sa.String(40), index=True)
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
