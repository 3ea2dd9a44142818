"""The loan portfolio as of any day: each loan's outstanding and overdue amounts, its days past
due and bucket, and PAR30 (the CGAP definition: the outstanding principal of loans more than 30
days past due ÷ all outstanding principal), from the repayments dated up to that day (a reversed
repayment was a mistake and never counts). A few queries whatever the number of loans."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal.capital.loans.allocation import BUCKETS, Owed, arrears
from portal.capital.models import Loan, Repayment, RepaymentPart, SupportAgreement
from portal.extensions import db
from portal.projects.models import SupportedProject
from portal.units.models import Unit

PAR_DAYS = 30


@dataclass(frozen=True)
class LoanRow:
    loan: str  # the agreement's reference
    project: str  # the project's entry reference
    source: int
    disbursed_on: date
    principal: int
    outstanding_principal: int
    overdue_principal: int
    overdue_interest: int
    days_past_due: int
    bucket: str


@dataclass(frozen=True)
class Summary:
    loans: int
    outstanding_principal: int
    par30_principal: int
    loans_past_due: int

    @property
    def par30_ratio(self) -> Decimal:
        if not self.outstanding_principal:
            return Decimal("0.0000")
        ratio = Decimal(self.par30_principal) / Decimal(self.outstanding_principal)
        return ratio.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def portfolio(
    as_of: date,
    *,
    unit_code: int | None = None,
    source_id: int | None = None,
    projects: sa.Select | None = None,
) -> list[LoanRow]:
    """One row per loan disbursed by `as_of`, ordered by its reference; `projects` (a select of
    project ids) narrows it to an organiser's units."""
    query = (
        sa.select(Loan)
        .join(SupportAgreement, SupportAgreement.id == Loan.agreement_id)
        .join(SupportedProject, SupportedProject.id == SupportAgreement.project_id)
        .where(
            Loan.disbursed_on.is_not(None),
            Loan.disbursed_on <= as_of,
            # A written-off loan leaves the portfolio on the day of its write-off.
            sa.or_(Loan.written_off_on.is_(None), Loan.written_off_on > as_of),
        )
        .options(
            selectinload(Loan.instalments),
            joinedload(Loan.agreement)
            .joinedload(SupportAgreement.project)
            .joinedload(SupportedProject.entry),
        )
        .order_by(SupportAgreement.reference)
    )
    if source_id is not None:
        query = query.where(SupportAgreement.source_id == source_id)
    if projects is not None:
        query = query.where(SupportAgreement.project_id.in_(projects))
    if unit_code is not None:
        units = sa.select(Unit.id).where(Unit.code == unit_code)
        query = query.where(
            sa.or_(
                SupportedProject.unit_id.in_(units),
                SupportedProject.unit_id.in_(sa.select(Unit.id).where(Unit.parent_id.in_(units))),
            )
        )
    loans = list(db.session.scalars(query).unique())
    paid: dict[tuple[int, int], tuple[int, int]] = {}
    if loans:
        rows = db.session.execute(
            sa.select(
                Repayment.loan_id,
                RepaymentPart.number,
                sa.func.sum(RepaymentPart.principal),
                sa.func.sum(RepaymentPart.interest),
            )
            .join(RepaymentPart, RepaymentPart.repayment_id == Repayment.id)
            .where(
                Repayment.loan_id.in_([loan.id for loan in loans]),
                Repayment.paid_on <= as_of,
                Repayment.reversed_at.is_(None),
            )
            .group_by(Repayment.loan_id, RepaymentPart.number)
        )
        paid = {(loan_id, number): (int(p), int(i)) for loan_id, number, p, i in rows}
    found = []
    for loan in loans:
        instalments = [
            Owed(
                i.number,
                i.due_on,
                i.principal,
                i.interest,
                *paid.get((loan.id, i.number), (0, 0)),
            )
            for i in loan.instalments
        ]
        state = arrears(instalments, loan.principal, as_of)
        agreement = loan.agreement
        found.append(
            LoanRow(
                loan=agreement.reference,
                project=agreement.project.entry.reference or "",
                source=agreement.source_id,
                disbursed_on=loan.disbursed_on,
                principal=loan.principal,
                outstanding_principal=state.outstanding_principal,
                overdue_principal=state.overdue_principal,
                overdue_interest=state.overdue_interest,
                days_past_due=state.days_past_due,
                bucket=state.bucket,
            )
        )
    return found


def summarise(rows: list[LoanRow]) -> Summary:
    return Summary(
        loans=len(rows),
        outstanding_principal=sum(r.outstanding_principal for r in rows),
        par30_principal=sum(r.outstanding_principal for r in rows if r.days_past_due > PAR_DAYS),
        loans_past_due=sum(1 for r in rows if r.days_past_due > 0),
    )


@dataclass(frozen=True)
class BucketLine:
    bucket: str
    loans: int
    outstanding_principal: int


def by_bucket(rows: list[LoanRow]) -> list[BucketLine]:
    """Every bucket in order, with its loans and their outstanding principal (0 when none)."""
    return [
        BucketLine(
            name,
            sum(1 for r in rows if r.bucket == name),
            sum(r.outstanding_principal for r in rows if r.bucket == name),
        )
        for name in BUCKETS
    ]
