"""Entrusted credit: the union does not keep the social policy bank's ledger, it receives the
bank's figures per savings-and-credit group (tổ tiết kiệm và vay vốn) each period. An import is
one period of one unit's figures, as the bank's spreadsheet gave them; its rows are the groups.

An import is never changed or deleted: a period sent again replaces it, with a reason, and the
replaced import keeps its rows, marked replaced, in the history. At most one import of a unit and
a period is in force (replaced_at is null), which a partial unique index holds."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.core.enums import enum_column
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db
from portal.units.models import Unit


class CreditRating(enum.StrEnum):
    """The bank's rating of a savings group."""

    GOOD = "good"  # Tốt
    FAIR = "fair"  # Khá
    AVERAGE = "average"  # Trung bình
    WEAK = "weak"  # Yếu

    @property
    def label(self) -> str:
        return str(RATING_LABELS[self])


RATING_LABELS = {
    CreditRating.GOOD: _l("Good"),
    CreditRating.FAIR: _l("Fair"),
    CreditRating.AVERAGE: _l("Average"),
    CreditRating.WEAK: _l("Weak"),
}


class CreditImport(db.Model):
    """One period of one unit's figures (a province, or a commune), from the bank's sheet."""

    __tablename__ = "credit_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    period_end: Mapped[date] = mapped_column(sa.Date)  # the day the figures stand at
    file_name: Mapped[str] = mapped_column(sa.String(255))
    imported_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The import in force it took the place of (always an earlier one).
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_import.id"), unique=True)
    # Set once, when another import of the same unit and period takes its place.
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    replaced_reason: Mapped[str] = mapped_column(sa.Text, default="")

    unit: Mapped[Unit] = relationship()
    imported_by: Mapped[User] = relationship(foreign_keys=[imported_by_id])
    replaced_by: Mapped[User | None] = relationship(foreign_keys=[replaced_by_id])
    replaces: Mapped["CreditImport | None"] = relationship(
        remote_side=[id], foreign_keys=[replaces_id], back_populates="replacement"
    )
    # The import that took its place, if any.
    replacement: Mapped["CreditImport | None"] = relationship(
        foreign_keys=[replaces_id], back_populates="replaces", uselist=False, viewonly=True
    )

    __table_args__ = (
        # One import in force per unit and period; replaced ones stay beside it.
        sa.Index(
            "uq_credit_import_in_force",
            "unit_id",
            "period_end",
            unique=True,
            postgresql_where=sa.text("replaced_at IS NULL"),
            sqlite_where=sa.text("replaced_at IS NULL"),
        ),
    )

    @property
    def in_force(self) -> bool:
        return self.replaced_at is None


class CreditGroupFigures(db.Model):
    """One savings group's figures in one import, as the bank reported them."""

    __tablename__ = "credit_group_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("credit_import.id"), index=True)
    line: Mapped[int] = mapped_column(sa.Integer)  # its line in the file
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    group_name: Mapped[str] = mapped_column(sa.String(200))
    leader: Mapped[str] = mapped_column(sa.String(200))
    members: Mapped[int] = mapped_column(sa.Integer)
    borrowers: Mapped[int] = mapped_column(sa.Integer)
    outstanding: Mapped[int] = mapped_column(sa.BigInteger)  # đồng
    overdue: Mapped[int] = mapped_column(sa.BigInteger)  # đồng, part of the outstanding
    savings: Mapped[int] = mapped_column(sa.BigInteger)  # đồng
    rating: Mapped[CreditRating] = mapped_column(enum_column(CreditRating))

    credit_import: Mapped[CreditImport] = relationship()
    commune: Mapped[Unit] = relationship()
