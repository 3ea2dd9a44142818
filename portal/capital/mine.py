"""What the winner sees of her support on her phone ("My support"): what she received, her next
instalment and how much, what is overdue and since when, what she still owes, her receipts."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.auth.models import User
from portal.capital.models import (
    AgreementKind,
    InKindItem,
    Loan,
    Repayment,
    SupportAgreement,
    Tranche,
    TrancheStatus,
)
from portal.extensions import db
from portal.projects.models import SupportedProject


@dataclass
class MySupport:
    agreement: SupportAgreement
    received: int = 0  # đồng paid to her or handed over
    tranches: list[Tranche] = field(default_factory=list)
    items: list[InKindItem] = field(default_factory=list)
    loan: Loan | None = None
    next_due_on: date | None = None
    next_amount: int = 0
    overdue: int = 0
    overdue_since: date | None = None
    owed: int = 0  # all that is left to pay, principal and interest
    repayments: list[Repayment] = field(default_factory=list)


def my_support(user: User, today: date) -> list[MySupport]:
    """Her projects' support, newest first: five queries whatever how much she has."""
    agreements = list(
        db.session.scalars(
            sa.select(SupportAgreement)
            .join(SupportedProject, SupportedProject.id == SupportAgreement.project_id)
            .where(SupportedProject.owner_id == user.id)
            .options(
                selectinload(SupportAgreement.project),
                selectinload(SupportAgreement.loan).selectinload(Loan.instalments),
            )
            .order_by(SupportAgreement.proposed_at.desc(), SupportAgreement.id.desc())
        )
    )
    ids = [a.id for a in agreements]
    tranches: dict[int, list[Tranche]] = {}
    items: dict[int, list[InKindItem]] = {}
    repayments: dict[int, list[Repayment]] = {}
    if ids:
        for t in db.session.scalars(
            sa.select(Tranche).where(Tranche.agreement_id.in_(ids)).order_by(Tranche.number)
        ):
            tranches.setdefault(t.agreement_id, []).append(t)
        for i in db.session.scalars(
            sa.select(InKindItem)
            .where(InKindItem.agreement_id.in_(ids), InKindItem.reversed_at.is_(None))
            .order_by(InKindItem.delivered_on)
        ):
            items.setdefault(i.agreement_id, []).append(i)
        loan_ids = [a.loan.id for a in agreements if a.loan is not None]
        for r in db.session.scalars(
            sa.select(Repayment)
            .where(Repayment.loan_id.in_(loan_ids))
            .order_by(Repayment.paid_on, Repayment.id)
        ):
            repayments.setdefault(r.loan_id, []).append(r)
    found = []
    for agreement in agreements:
        mine = MySupport(agreement)
        if agreement.kind is AgreementKind.GRANT:
            mine.tranches = tranches.get(agreement.id, [])
            mine.received = sum(t.amount for t in mine.tranches if t.status is TrancheStatus.PAID)
        elif agreement.kind is AgreementKind.IN_KIND:
            mine.items = items.get(agreement.id, [])
            mine.received = sum(i.value for i in mine.items)
        elif agreement.loan is not None and agreement.loan.disbursed_on is not None:
            loan = mine.loan = agreement.loan
            mine.received = loan.principal
            mine.repayments = repayments.get(loan.id, [])
            if loan.written_off_on is None:
                left = [
                    (i, i.principal + i.interest - i.paid_principal - i.paid_interest)
                    for i in loan.instalments
                ]
                left = [(i, amount) for i, amount in left if amount > 0]
                mine.owed = sum(amount for _, amount in left)
                late = [(i, amount) for i, amount in left if i.due_on < today]
                mine.overdue = sum(amount for _, amount in late)
                mine.overdue_since = late[0][0].due_on if late else None
                coming = [(i, amount) for i, amount in left if i.due_on >= today]
                if coming:
                    mine.next_due_on, mine.next_amount = coming[0][0].due_on, coming[0][1]
        found.append(mine)
    return found
