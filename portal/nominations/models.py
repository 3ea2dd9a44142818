"""Nominations: a higher competition (regional, national) takes the best entries of the
competitions below it, and the woman's entry is carried up."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.competitions.models import Competition, CompetitionLevel
from portal.core.enums import enum_column
from portal.core.time import UTCDateTime, utcnow
from portal.entries.models import Entry
from portal.extensions import db
from portal.units.models import Unit


class NominationSource(db.Model):
    """Who may nominate to a higher competition, and how many entries each may send: one
    competition named, or every competition of a level (of one province, or of all the
    provinces the higher competition draws from)."""

    __tablename__ = "nomination_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competition.id"), index=True)
    source_competition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("competition.id"))
    level: Mapped[CompetitionLevel | None] = mapped_column(enum_column(CompetitionLevel))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    quota: Mapped[int] = mapped_column(sa.SmallInteger)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    competition: Mapped[Competition] = relationship(foreign_keys=[competition_id])
    source_competition: Mapped[Competition | None] = relationship(
        foreign_keys=[source_competition_id]
    )
    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "(source_competition_id IS NULL) <> (level IS NULL)",
            name="nomination_source_competition_or_level",
        ),
        sa.CheckConstraint("quota > 0", name="nomination_source_quota_positive"),
    )


class NominationStatus(enum.StrEnum):
    PROPOSED = "proposed"  # by an organiser of the competition below
    APPROVED = "approved"  # by a second organiser: she is asked to confirm
    ACCEPTED = "accepted"  # she confirmed: her entry is in the higher competition
    DECLINED = "declined"  # she said no
    WITHDRAWN = "withdrawn"  # taken back by the organisers before she answered

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    NominationStatus.PROPOSED: _l("Proposed, awaiting a second organiser"),
    NominationStatus.APPROVED: _l("Approved, awaiting her answer"),
    NominationStatus.ACCEPTED: _l("Confirmed by her"),
    NominationStatus.DECLINED: _l("Declined by her"),
    NominationStatus.WITHDRAWN: _l("Withdrawn"),
}
# A nomination that takes one of the competition's places.
HOLDING_A_PLACE = (NominationStatus.PROPOSED, NominationStatus.APPROVED, NominationStatus.ACCEPTED)


class Nomination(db.Model):
    """An entry of a competition below, nominated to a higher one."""

    __tablename__ = "nomination"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competition.id"), index=True)
    from_competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competition.id"), index=True)
    from_entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entry.id"), index=True)
    status: Mapped[NominationStatus] = mapped_column(
        enum_column(NominationStatus), default=NominationStatus.PROPOSED
    )
    version: Mapped[int] = mapped_column(default=0)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # Her entry in the higher competition, once she confirmed.
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entry.id"), unique=True)

    competition: Mapped[Competition] = relationship(foreign_keys=[competition_id])
    from_competition: Mapped[Competition] = relationship(foreign_keys=[from_competition_id])
    from_entry: Mapped[Entry] = relationship(foreign_keys=[from_entry_id])
    entry: Mapped[Entry | None] = relationship(foreign_keys=[entry_id])
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    __table_args__ = (
        # An entry is nominated to a competition once; a withdrawn nomination is proposed again.
        sa.UniqueConstraint("competition_id", "from_entry_id", name="uq_nomination_entry"),
    )
