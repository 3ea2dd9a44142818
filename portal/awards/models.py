"""Awards: prize tiers, the organisers' decision, awards and their certificates, prize payments,
and prizes won at rounds run by other bodies."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.competitions.models import Competition, Round
from portal.core.enums import enum_column
from portal.core.storage import STORED_FILE
from portal.core.time import UTCDateTime, utcnow
from portal.entries.models import Entry
from portal.extensions import db
from portal.ledger.models import Posting


class PrizeKind(enum.StrEnum):
    TIER = "tier"  # first, second, third, consolation… filled in rank order
    SPECIAL = "special"  # its own eligibility rule; the best-ranked qualifying entry takes it

    @property
    def label(self) -> str:
        return str(PRIZE_KIND_LABELS[self])


PRIZE_KIND_LABELS = {PrizeKind.TIER: _l("Prize tier"), PrizeKind.SPECIAL: _l("Special prize")}


class Prize(db.Model):
    """A prize of a competition, of either kind: a tier (first, second…, filled in rank order) or
    a special prize with its own rule (portal.awards.prizes.eligibility). How many are given,
    their cash value and in-kind support.
    """

    __tablename__ = "prize_tier"  # the table keeps the name it had when only tiers existed

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competition.id"), index=True)
    kind: Mapped[PrizeKind] = mapped_column(enum_column(PrizeKind), default=PrizeKind.TIER)
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    name: Mapped[str] = mapped_column(sa.String(120))
    prize_count: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    cash_value: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # đồng, per prize
    in_kind: Mapped[str] = mapped_column(sa.Text, default="")
    rule: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    competition: Mapped[Competition] = relationship()

    @property
    def is_special(self) -> bool:
        return self.kind is PrizeKind.SPECIAL


# Prize tiers first, then special prizes, each in their own order.
PRIZE_ORDER = (sa.case((Prize.kind == PrizeKind.TIER, 0), else_=1), Prize.position)


class DecisionStatus(enum.StrEnum):
    DRAFT = "draft"  # lines may change
    FINALISED = "finalised"  # locked, waiting for a second organiser's approval
    APPROVED = "approved"  # may be published; the approval can still be withdrawn
    PUBLISHED = "published"  # applicants told, public pages show it, certificates issued

    @property
    def label(self) -> str:
        return str(DECISION_STATUS_LABELS[self])


DECISION_STATUS_LABELS = {
    DecisionStatus.DRAFT: _l("Being decided"),
    DecisionStatus.FINALISED: _l("Final, waiting for approval"),
    DecisionStatus.APPROVED: _l("Approved, ready to publish"),
    DecisionStatus.PUBLISHED: _l("Published"),
}


class AwardDecision(db.Model):
    """The organisers' decision on a competition's prizes: one per competition."""

    __tablename__ = "award_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competition.id"), unique=True)
    status: Mapped[DecisionStatus] = mapped_column(
        enum_column(DecisionStatus), default=DecisionStatus.DRAFT
    )
    # May the winner of a tier also take a special prize?
    special_with_tier: Mapped[bool] = mapped_column(default=False)
    # The round whose final ranking the proposal was drawn from.
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("competition_round.id"))
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by every change of status: a second click or a stale page is refused.
    version: Mapped[int] = mapped_column(default=0)

    competition: Mapped[Competition] = relationship()
    round: Mapped[Round | None] = relationship()
    finalised_by: Mapped[User | None] = relationship(foreign_keys=[finalised_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    @property
    def locked(self) -> bool:
        return self.status is not DecisionStatus.DRAFT

    @property
    def published(self) -> bool:
        return self.status is DecisionStatus.PUBLISHED


class AwardStatus(enum.StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return str(AWARD_STATUS_LABELS[self])


AWARD_STATUS_LABELS = {AwardStatus.ACTIVE: _l("Valid"), AwardStatus.REVOKED: _l("Revoked")}


class Award(db.Model):
    """One prize of a tier (its slot) given to an entry, or left ungiven (no entry).

    While the decision is a draft the lines change; from publication each line with an entry is
    an award with a certificate. The cash value and in-kind support are copied from the tier when
    the decision is finalised, so the record stays true if the tier is renamed later.
    """

    __tablename__ = "award"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competition.id"), index=True)
    tier_id: Mapped[int] = mapped_column(sa.ForeignKey("prize_tier.id"), index=True)
    slot: Mapped[int] = mapped_column(sa.SmallInteger)  # 1…tier.prize_count
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entry.id"), index=True)
    # What the proposal put here; a different entry needs a written reason.
    proposed_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entry.id"))
    change_reason: Mapped[str | None] = mapped_column(sa.Text)
    cash_value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    in_kind: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[AwardStatus] = mapped_column(
        enum_column(AwardStatus), default=AwardStatus.ACTIVE
    )
    certificate_code: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(sa.Text)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # What the certificate says, frozen when the results are published (`freeze`): editing her
    # profile, the entry, the competition or the unit later changes none of it. Only an audited
    # re-issue (portal.awards.certificates.reissuing) corrects the name or the title.
    winner_name: Mapped[str | None] = mapped_column(sa.String(120))
    entry_title: Mapped[str | None] = mapped_column(sa.String(200))
    prize_name: Mapped[str | None] = mapped_column(sa.String(120))
    competition_title: Mapped[str | None] = mapped_column(sa.String(200))
    unit_name: Mapped[str | None] = mapped_column(sa.String(210))
    reissued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    competition: Mapped[Competition] = relationship()
    tier: Mapped[Prize] = relationship(lazy="joined")
    entry: Mapped[Entry | None] = relationship(foreign_keys=[entry_id])
    proposed_entry: Mapped[Entry | None] = relationship(foreign_keys=[proposed_entry_id])
    payments: Mapped[list["PrizePayment"]] = relationship(
        back_populates="award", order_by="PrizePayment.id", foreign_keys="PrizePayment.award_id"
    )

    __table_args__ = (sa.UniqueConstraint("tier_id", "slot", name="uq_award_tier_slot"),)

    @property
    def changed_from_proposal(self) -> bool:
        return self.entry_id != self.proposed_entry_id

    @property
    def is_valid(self) -> bool:
        return self.status is AwardStatus.ACTIVE and self.certificate_code is not None

    def freeze(self) -> None:
        """Copy what the certificate says from the live records, at publication."""
        entry = self.entry
        self.winner_name = entry.applicant.full_name
        self.entry_title = entry.title
        self.prize_name = self.tier.name
        self.competition_title = self.competition.title
        self.unit_name = self.competition.unit.full_name


class PaymentMethod(enum.StrEnum):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"

    @property
    def label(self) -> str:
        return str(PAYMENT_METHOD_LABELS[self])


PAYMENT_METHOD_LABELS = {
    PaymentMethod.CASH: _l("Cash"),
    PaymentMethod.BANK_TRANSFER: _l("Bank transfer"),
}


class PaymentKind(enum.StrEnum):
    PAYMENT = "payment"
    REVERSAL = "reversal"  # undoes a mistaken payment; the payment itself is never changed

    @property
    def label(self) -> str:
        return str(PAYMENT_KIND_LABELS[self])


PAYMENT_KIND_LABELS = {PaymentKind.PAYMENT: _l("Payment"), PaymentKind.REVERSAL: _l("Reversal")}


class PrizePayment(db.Model):
    """A movement of prize money to the winner, or the reversal of one. Rows are only ever added.

    Each row posts one balanced entry to the ledger (portal.ledger), tagged with its source.
    """

    __tablename__ = "prize_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id"), index=True)
    kind: Mapped[PaymentKind] = mapped_column(enum_column(PaymentKind), default=PaymentKind.PAYMENT)
    amount: Mapped[int] = mapped_column(sa.BigInteger)  # đồng, always > 0; the kind gives the sign
    paid_on: Mapped[date] = mapped_column(sa.Date)
    method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod))
    reference: Mapped[str] = mapped_column(sa.String(120), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # A reversal names the payment it undoes; a payment is reversed at most once.
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("prize_payment.id"), unique=True)
    receipt_stored_name: Mapped[str | None] = mapped_column(sa.String(64), info=STORED_FILE)
    receipt_filename: Mapped[str | None] = mapped_column(sa.String(200))
    receipt_content_type: Mapped[str | None] = mapped_column(sa.String(100))
    posting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_posting.id"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    award: Mapped[Award] = relationship(back_populates="payments", foreign_keys=[award_id])
    reverses: Mapped["PrizePayment | None"] = relationship(
        remote_side=[id], foreign_keys=[reverses_id], back_populates="reversed_by"
    )
    reversed_by: Mapped["PrizePayment | None"] = relationship(
        back_populates="reverses", foreign_keys=[reverses_id], uselist=False
    )
    recorded_by: Mapped[User] = relationship()
    posting: Mapped[Posting | None] = relationship()

    @property
    def signed_amount(self) -> int:
        return self.amount if self.kind is PaymentKind.PAYMENT else -self.amount
