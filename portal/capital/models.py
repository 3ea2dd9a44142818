"""Follow-on capital: where the money comes from (capital sources), what a project is given
(support agreements: grants in tranches, soft loans, in-kind support), and the loans' schedules
and repayments. Every đồng that moves is a posting of the ledger, tagged with its source; no
balance is stored here."""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.capital.loans.schedule import Frequency, Method
from portal.core.enums import enum_column
from portal.core.storage import STORED_FILE
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db
from portal.projects.milestones.models import MilestoneKind
from portal.projects.models import SupportedProject
from portal.units.models import Unit


class SourceKind(enum.StrEnum):
    SUPPORT_FUND = "support_fund"  # the provincial Women's Development Support Fund
    INTERNAL_SAVINGS = "internal_savings"  # members' savings
    PARTNER_FUND = "partner_fund"
    BANK_PROGRAMME = "bank_programme"
    PRIZE_BUDGET = "prize_budget"

    @property
    def label(self) -> str:
        return str(SOURCE_KIND_LABELS[self])


SOURCE_KIND_LABELS = {
    SourceKind.SUPPORT_FUND: _l("Women's development support fund"),
    SourceKind.INTERNAL_SAVINGS: _l("Members' internal savings"),
    SourceKind.PARTNER_FUND: _l("Partner fund"),
    SourceKind.BANK_PROGRAMME: _l("Bank programme"),
    SourceKind.PRIZE_BUDGET: _l("Prize budget"),
}


class CapitalSource(db.Model):
    __tablename__ = "capital_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[SourceKind] = mapped_column(enum_column(SourceKind))
    partner: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()

    @property
    def ledger_tag(self) -> str:
        """The `source` of its postings in the ledger."""
        return f"capital:{self.id}"


class AgreementKind(enum.StrEnum):
    GRANT = "grant"
    LOAN = "loan"
    IN_KIND = "in_kind"

    @property
    def label(self) -> str:
        return str(AGREEMENT_KIND_LABELS[self])


AGREEMENT_KIND_LABELS = {
    AgreementKind.GRANT: _l("Grant"),
    AgreementKind.LOAN: _l("Soft loan"),
    AgreementKind.IN_KIND: _l("In-kind support"),
}


class AgreementStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"  # by a second organiser of the unit, never the proposer
    REJECTED = "rejected"
    ACTIVE = "active"  # money or goods have started to move
    COMPLETED = "completed"  # a grant paid in full, in-kind support delivered
    REPAID = "repaid"  # a loan repaid in full
    CLOSED = "closed"
    WRITTEN_OFF = "written_off"

    @property
    def label(self) -> str:
        return str(AGREEMENT_STATUS_LABELS[self])


AGREEMENT_STATUS_LABELS = {
    AgreementStatus.PROPOSED: _l("Proposed, waiting for approval"),
    AgreementStatus.APPROVED: _l("Approved"),
    AgreementStatus.REJECTED: _l("Not approved"),
    AgreementStatus.ACTIVE: _l("Under way"),
    AgreementStatus.COMPLETED: _l("Completed"),
    AgreementStatus.REPAID: _l("Repaid"),
    AgreementStatus.CLOSED: _l("Closed"),
    AgreementStatus.WRITTEN_OFF: _l("Written off"),
}


class SupportAgreement(db.Model):
    __tablename__ = "support_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(32), unique=True)  # "HT-2026-0007"
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("supported_project.id"), index=True)
    source_id: Mapped[int] = mapped_column(sa.ForeignKey("capital_source.id"), index=True)
    kind: Mapped[AgreementKind] = mapped_column(enum_column(AgreementKind))
    amount: Mapped[int] = mapped_column(sa.BigInteger)  # đồng: the grant, the principal, the goods
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[AgreementStatus] = mapped_column(
        enum_column(AgreementStatus), default=AgreementStatus.PROPOSED, index=True
    )
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closing_reason: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[SupportedProject] = relationship()
    source: Mapped[CapitalSource] = relationship()
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    loan: Mapped["Loan | None"] = relationship(back_populates="agreement", uselist=False)


class Loan(db.Model):
    """A soft loan's terms (loans/schedule.py) and its instalments as they stand."""

    __tablename__ = "loan"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("support_agreement.id"), unique=True)
    principal: Mapped[int] = mapped_column(sa.BigInteger)
    rate: Mapped[Decimal] = mapped_column(sa.Numeric(6, 3))  # percent a month
    periods: Mapped[int] = mapped_column(sa.SmallInteger)
    grace: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency))
    method: Mapped[Method] = mapped_column(enum_column(Method))
    disbursed_on: Mapped[date | None]  # set when the money leaves the source
    version: Mapped[int] = mapped_column(default=1)
    # A write-off, proposed by one organiser with its reason, approved by a second.
    write_off_reason: Mapped[str] = mapped_column(sa.Text, default="")
    write_off_proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    written_off_on: Mapped[date | None]
    written_off_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # the principal lost

    agreement: Mapped[SupportAgreement] = relationship(back_populates="loan")
    instalments: Mapped[list["Instalment"]] = relationship(
        order_by="Instalment.number", cascade="all, delete-orphan"
    )


class Instalment(db.Model):
    __tablename__ = "loan_instalment"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loan.id"), index=True)
    number: Mapped[int] = mapped_column(sa.SmallInteger)
    due_on: Mapped[date]
    principal: Mapped[int] = mapped_column(sa.BigInteger)
    interest: Mapped[int] = mapped_column(sa.BigInteger)
    paid_principal: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    paid_interest: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    __table_args__ = (sa.UniqueConstraint("loan_id", "number", name="uq_loan_instalment_number"),)


class RepaymentMethod(enum.StrEnum):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"

    @property
    def label(self) -> str:
        return str(REPAYMENT_METHOD_LABELS[self])


REPAYMENT_METHOD_LABELS = {
    RepaymentMethod.CASH: _l("Cash"),
    RepaymentMethod.BANK_TRANSFER: _l("Bank transfer"),
}


class Repayment(db.Model):
    """Money a borrower paid back: one posting, its parts spread over the instalments. Never
    changed; a mistake is undone by a reversal (its own posting) that names it."""

    __tablename__ = "loan_repayment"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loan.id"), index=True)
    paid_on: Mapped[date]
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    principal: Mapped[int] = mapped_column(sa.BigInteger)
    interest: Mapped[int] = mapped_column(sa.BigInteger)
    early: Mapped[bool] = mapped_column(default=False)
    method: Mapped[RepaymentMethod] = mapped_column(enum_column(RepaymentMethod))
    reference: Mapped[str] = mapped_column(sa.String(120), default="")
    # The paper she was given or the bank's slip, as a photo or a PDF.
    receipt_stored_name: Mapped[str | None] = mapped_column(sa.String(64), info=STORED_FILE)
    receipt_filename: Mapped[str | None] = mapped_column(sa.String(200))
    receipt_content_type: Mapped[str | None] = mapped_column(sa.String(100))
    # The interest of later instalments before an early repayment recomputed it, by number:
    # what a reversal puts back.
    repriced: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Set in the same transaction, once the repayment has the id its posting names.
    posting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_posting.id"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversal_posting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_posting.id"))
    reversal_reason: Mapped[str] = mapped_column(sa.Text, default="")

    loan: Mapped[Loan] = relationship()
    parts: Mapped[list["RepaymentPart"]] = relationship(
        order_by="RepaymentPart.number", cascade="all, delete-orphan"
    )


class RepaymentPart(db.Model):
    """What one repayment paid of one instalment."""

    __tablename__ = "loan_repayment_part"

    id: Mapped[int] = mapped_column(primary_key=True)
    repayment_id: Mapped[int] = mapped_column(sa.ForeignKey("loan_repayment.id"))
    number: Mapped[int] = mapped_column(sa.SmallInteger)  # the instalment's
    principal: Mapped[int] = mapped_column(sa.BigInteger)
    interest: Mapped[int] = mapped_column(sa.BigInteger)

    # The portfolio sums the parts of a page's repayments: with the amounts in the index,
    # PostgreSQL reads them there rather than hashing every part of every loan (28-58 → 1.3 ms
    # at 10,000 loans).
    __table_args__ = (
        sa.Index(
            "ix_loan_repayment_part_repayment_id",
            "repayment_id",
            postgresql_include=["number", "principal", "interest"],
        ),
    )


class TrancheCondition(enum.StrEnum):
    NONE = "none"
    MILESTONE = "milestone"  # a milestone of a given kind verified
    REPORT = "report"  # a given progress report accepted

    @property
    def label(self) -> str:
        return str(TRANCHE_CONDITION_LABELS[self])


TRANCHE_CONDITION_LABELS = {
    TrancheCondition.NONE: _l("No condition"),
    TrancheCondition.MILESTONE: _l("A milestone verified"),
    TrancheCondition.REPORT: _l("A progress report accepted"),
}


class TrancheStatus(enum.StrEnum):
    PLANNED = "planned"
    APPROVED = "approved"  # its condition holds; released for payment
    PAID = "paid"

    @property
    def label(self) -> str:
        return str(TRANCHE_STATUS_LABELS[self])


TRANCHE_STATUS_LABELS = {
    TrancheStatus.PLANNED: _l("Planned"),
    TrancheStatus.APPROVED: _l("Released"),
    TrancheStatus.PAID: _l("Paid"),
}


class Tranche(db.Model):
    """One part of a grant, paid when its condition holds."""

    __tablename__ = "grant_tranche"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("support_agreement.id"), index=True)
    number: Mapped[int] = mapped_column(sa.SmallInteger)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    planned_on: Mapped[date]
    condition: Mapped[TrancheCondition] = mapped_column(
        enum_column(TrancheCondition), default=TrancheCondition.NONE
    )
    milestone_kind_id: Mapped[int | None] = mapped_column(sa.ForeignKey("milestone_kind.id"))
    report_number: Mapped[int | None] = mapped_column(sa.SmallInteger)
    status: Mapped[TrancheStatus] = mapped_column(
        enum_column(TrancheStatus), default=TrancheStatus.PLANNED
    )
    paid_on: Mapped[date | None]
    posting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_posting.id"))
    version: Mapped[int] = mapped_column(default=1)

    agreement: Mapped[SupportAgreement] = relationship()
    milestone_kind: Mapped[MilestoneKind | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "number", name="uq_grant_tranche_number"),
    )


class Recovery(db.Model):
    """Money recovered on a written-off loan: one posting (cash in, recoveries income)."""

    __tablename__ = "loan_recovery"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loan.id"), index=True)
    received_on: Mapped[date]
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    posting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_posting.id"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RestructuringStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"  # by a second organiser of the unit; the new schedule is in force
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return str(RESTRUCTURING_STATUS_LABELS[self])


RESTRUCTURING_STATUS_LABELS = {
    RestructuringStatus.PROPOSED: _l("Proposed, waiting for approval"),
    RestructuringStatus.APPROVED: _l("Approved"),
    RestructuringStatus.REJECTED: _l("Not approved"),
}


class Restructuring(db.Model):
    """A new schedule for what a loan still owes after a hardship (a flood, a sick animal): the
    instalments due after `effective_on` are replaced by `periods` new ones (the first `grace` of
    them interest only), at the loan's rate and method; what was due before stays as it was."""

    __tablename__ = "loan_restructuring"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loan.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    effective_on: Mapped[date]
    periods: Mapped[int] = mapped_column(sa.SmallInteger)
    grace: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    status: Mapped[RestructuringStatus] = mapped_column(
        enum_column(RestructuringStatus), default=RestructuringStatus.PROPOSED
    )
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Set on approval: the principal rescheduled and the instalments it replaced, as they were.
    principal: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    replaced: Mapped[list] = mapped_column(sa.JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)

    loan: Mapped[Loan] = relationship()
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class InKindKind(enum.StrEnum):
    SEED_STOCK = "seed_stock"
    BREEDING_ANIMALS = "breeding_animals"
    EQUIPMENT = "equipment"
    TRAINING = "training"
    PACKAGING_BRANDING = "packaging_branding"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(IN_KIND_KIND_LABELS[self])


IN_KIND_KIND_LABELS = {
    InKindKind.SEED_STOCK: _l("Seed stock"),
    InKindKind.BREEDING_ANIMALS: _l("Breeding animals"),
    InKindKind.EQUIPMENT: _l("Equipment"),
    InKindKind.TRAINING: _l("Training"),
    InKindKind.PACKAGING_BRANDING: _l("Packaging and branding"),
    InKindKind.OTHER: _l("Other"),
}


class InKindItem(db.Model):
    """Goods or a service handed over under in-kind support: one posting (in-kind expense, the
    source's cash), the receipt she signed as a photo. A mistake is undone by a reversal."""

    __tablename__ = "in_kind_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("support_agreement.id"), index=True)
    kind: Mapped[InKindKind] = mapped_column(enum_column(InKindKind))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    unit_of_measure: Mapped[str] = mapped_column(sa.String(30), default="")  # "con", "kg"
    value: Mapped[int] = mapped_column(sa.BigInteger)  # đồng
    delivered_on: Mapped[date]
    receipt_stored_name: Mapped[str | None] = mapped_column(sa.String(64), info=STORED_FILE)
    receipt_filename: Mapped[str | None] = mapped_column(sa.String(200))
    receipt_content_type: Mapped[str | None] = mapped_column(sa.String(100))
    posting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_posting.id"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reversal_posting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_posting.id"))
    reversal_reason: Mapped[str] = mapped_column(sa.Text, default="")

    agreement: Mapped[SupportAgreement] = relationship()
