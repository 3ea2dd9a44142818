"""The term's targets: data, not text, so that each figure is shown with its target and the
share reached."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db
from portal.units.models import Unit


class FigureTarget(db.Model):
    """A unit's target for one indicator over a term ("each year, 135 women with start-up
    ideas supported" is yearly; "7 new cooperatives in the term" is not). None as the unit is
    the whole country's target, set by an admin."""

    __tablename__ = "figure_target"
    __table_args__ = (
        sa.UniqueConstraint(
            "unit_id", "indicator", "first_year", "last_year", name="uq_figure_target_term"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    indicator: Mapped[str] = mapped_column(sa.String(40))  # an indicator's code
    first_year: Mapped[int] = mapped_column(sa.SmallInteger)
    last_year: Mapped[int] = mapped_column(sa.SmallInteger)
    yearly: Mapped[bool] = mapped_column(default=False)  # the figure is each year's
    figure: Mapped[int] = mapped_column(sa.BigInteger)  # đồng, a count or whole per cent
    note: Mapped[str] = mapped_column(sa.Text, default="")
    set_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()
