"""Writing a loan off, and what is recovered after: one organiser proposes the write-off with its
reason, a second organiser of the unit approves it (never the proposer, never an admin alone);
the outstanding principal goes to loan losses in one posting, and the loan leaves the portfolio
from that day. Money recovered afterwards is recorded against it (cash in, recoveries)."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.capital.agreements.services import SamePerson, organises_unit
from portal.capital.agreements.status import change_agreement_status
from portal.capital.common import CASH, LOAN_LOSSES, LOANS_RECEIVABLE, RECOVERIES
from portal.capital.loans.services import LoanConflict, locked_loan, may_manage
from portal.capital.models import AgreementStatus, Loan, Recovery
from portal.core import audit, idempotency
from portal.core.errors import DomainError, NotAllowed
from portal.core.money import is_amount
from portal.core.text import required_text
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.ledger import services as ledger


def propose_write_off(actor: User, loan: Loan, reason: str) -> Loan:
    """Ask for the loan to be written off, with the reason. Commits."""
    if not may_manage(actor, loan):
        raise NotAllowed(_l("You cannot manage the capital of another unit."))
    reason = required_text(reason, field="reason", missing=_l("Write why the loan is written off."))
    loan = locked_loan(loan.id)
    if loan.agreement.status is not AgreementStatus.ACTIVE:
        raise LoanConflict(_l("Only a loan under way can be written off."))
    loan.write_off_reason, loan.write_off_proposed_by_id = reason, actor.id
    audit.record(
        "loan.write_off_proposed",
        actor_id=actor.id,
        object_type="loan",
        object_id=loan.id,
        after={"reason": reason},
    )
    db.session.commit()
    return loan


def approve_write_off(actor: User, loan: Loan, *, now: datetime | None = None) -> Loan:
    """The second organiser approves: the outstanding principal is posted as a loss. Commits."""
    now = now or utcnow()
    loan = locked_loan(loan.id)
    agreement = loan.agreement
    if not organises_unit(actor, agreement.project.unit):
        raise NotAllowed(_l("Only an organiser of the project's unit can approve a write-off."))
    if loan.write_off_proposed_by_id is None:
        raise LoanConflict(_l("No write-off was proposed for this loan."))
    if actor.id == loan.write_off_proposed_by_id:
        raise SamePerson(_l("You proposed this write-off: another organiser must approve it."))
    if agreement.status is AgreementStatus.WRITTEN_OFF:
        return loan
    outstanding = loan.principal - sum(i.paid_principal for i in loan.instalments)
    today = vietnam_date(now)
    if not change_agreement_status(
        actor.id,
        agreement,
        AgreementStatus.WRITTEN_OFF,
        after={"reason": loan.write_off_reason, "principal_lost": outstanding},
        closing_reason=loan.write_off_reason,
    ):
        db.session.rollback()
        raise LoanConflict(_l("This loan changed in the meantime: check it again."))
    loan.written_off_on, loan.written_off_amount = today, outstanding
    if outstanding:
        ledger.post(
            actor_id=actor.id,
            occurred_on=today,
            description=str(_l("Loan %(reference)s written off", reference=agreement.reference)),
            source=agreement.source.ledger_tag,
            unit_id=agreement.source.unit_id,
            object_type="loan_write_off",
            object_id=loan.id,
            lines=[(LOAN_LOSSES, outstanding), (LOANS_RECEIVABLE, -outstanding)],
        )
    db.session.commit()
    return loan


def record_recovery(
    actor: User,
    loan: Loan,
    amount: int | None,
    received_on: date | None,
    *,
    now: datetime | None = None,
    form_key: str | None = None,
) -> Recovery:
    """Money recovered on a written-off loan. Commits."""
    now = now or utcnow()
    if not may_manage(actor, loan):
        raise NotAllowed(_l("You cannot manage the capital of another unit."))
    if loan.written_off_on is None:
        raise LoanConflict(_l("Only a written-off loan has recoveries; record a repayment."))
    if not is_amount(amount):
        raise DomainError(_l("Write the amount in whole đồng, above zero."), field="amount")
    if received_on is None or not loan.written_off_on <= received_on <= vietnam_date(now):
        raise DomainError(
            _l("The day received is between the write-off and today."), field="received_on"
        )
    ledger.require_open(loan.agreement.source.unit_id, received_on, field="received_on")
    claimed = idempotency.claim(form_key, kind="loan_recovery", actor_id=actor.id)
    recovery = Recovery(
        loan_id=loan.id, received_on=received_on, amount=amount, recorded_by_id=actor.id
    )
    db.session.add(recovery)
    db.session.flush()
    posting = ledger.post(
        actor_id=actor.id,
        occurred_on=received_on,
        description=str(_l("Recovery on loan %(reference)s", reference=loan.agreement.reference)),
        source=loan.agreement.source.ledger_tag,
        unit_id=loan.agreement.source.unit_id,
        object_type="loan_recovery",
        object_id=recovery.id,
        lines=[(CASH, amount), (RECOVERIES, -amount)],
    )
    recovery.posting_id = posting.id
    idempotency.made(claimed, recovery)
    audit.record(
        "loan.recovery",
        actor_id=actor.id,
        object_type="loan",
        object_id=loan.id,
        after={"amount": amount, "received_on": received_on.isoformat()},
    )
    db.session.commit()
    return recovery


def may_approve(user: User, loan: Loan) -> bool:
    """The second signature on a proposed write-off: an organiser of the unit, not the proposer."""
    return (
        loan.write_off_proposed_by_id is not None
        and loan.written_off_on is None
        and user.id != loan.write_off_proposed_by_id
        and organises_unit(user, loan.agreement.project.unit)
    )


def recoveries_of(loan: Loan) -> list[Recovery]:
    return list(
        db.session.scalars(
            sa.select(Recovery).where(Recovery.loan_id == loan.id).order_by(Recovery.id)
        )
    )
