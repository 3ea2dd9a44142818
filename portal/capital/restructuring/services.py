"""Restructuring a loan after a hardship (a flood, a sick animal): one organiser proposes a new
schedule for what is still owed, with the reason; a second organiser of the unit (never the
proposer, never an admin alone) approves it. Only the future changes: the instalments due on or
before the day it takes effect stay as they were, paid or overdue; those due after it are
replaced by `periods` new ones (the first `grace` of them interest only) for their unpaid
principal, at the loan's rate, frequency and method (loans/schedule.py), counted from that day.
An instalment due after that day and already partly paid is closed at what was paid. The
principal owed does not change, so nothing is posted."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.capital.agreements.services import SamePerson, organises_unit
from portal.capital.loans.schedule import Instalment as ScheduleRow
from portal.capital.loans.schedule import Terms, schedule
from portal.capital.loans.services import LoanConflict, locked_loan, may_manage
from portal.capital.models import (
    AgreementStatus,
    Instalment,
    Loan,
    Repayment,
    Restructuring,
    RestructuringStatus,
)
from portal.capital.restructuring.status import change_restructuring_status
from portal.core import audit, idempotency
from portal.core.errors import DomainError, NotAllowed
from portal.core.text import required_text
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db

MAX_PERIODS = 120


@dataclass(frozen=True)
class Plan:
    """What a restructuring does to a loan's instalments: the principal rescheduled and the new
    rows, numbered after the instalments kept."""

    principal: int
    first_number: int
    rows: list[ScheduleRow]


def plan(loan: Loan, effective_on: date, periods: int, grace: int) -> Plan:
    """The new schedule, computed from the instalments as they stand (nothing is saved)."""
    future = [i for i in loan.instalments if i.due_on > effective_on]
    kept = [i for i in loan.instalments if i.due_on <= effective_on]
    principal = sum(i.principal - i.paid_principal for i in future)
    first = max([i.number for i in kept] + [i.number for i in future if _touched(i)], default=0)
    if not principal:
        return Plan(0, first + 1, [])
    terms = Terms(principal, loan.rate, periods, grace, loan.frequency, loan.method, effective_on)
    return Plan(principal, first + 1, schedule(terms))


def _last_paid_on(loan: Loan) -> date | None:
    """The day of the loan's last repayment that stands (a reversed one was a mistake)."""
    return db.session.scalar(
        sa.select(sa.func.max(Repayment.paid_on)).where(
            Repayment.loan_id == loan.id, Repayment.reversed_at.is_(None)
        )
    )


def _touched(instalment: Instalment) -> bool:
    return bool(instalment.paid_principal or instalment.paid_interest)


def _snapshot(instalment: Instalment) -> dict:
    return {
        "number": instalment.number,
        "due_on": instalment.due_on.isoformat(),
        "principal": instalment.principal,
        "interest": instalment.interest,
        "paid_principal": instalment.paid_principal,
        "paid_interest": instalment.paid_interest,
    }


def propose_restructuring(
    actor: User,
    loan: Loan,
    *,
    reason: str,
    effective_on: date | None,
    periods: int | None,
    grace: int | None,
    now: datetime | None = None,
    form_key: str | None = None,
) -> Restructuring:
    """Propose a new schedule for the loan, with the reason. Commits."""
    now = now or utcnow()
    if not may_manage(actor, loan):
        raise NotAllowed(_l("You cannot manage the capital of another unit."))
    reason = required_text(
        reason, field="reason", missing=_l("Write why the loan is restructured.")
    )
    if loan.agreement.status is not AgreementStatus.ACTIVE or loan.disbursed_on is None:
        raise LoanConflict(_l("Only a loan under way can be restructured."))
    earliest = max(loan.disbursed_on, _last_paid_on(loan) or loan.disbursed_on)
    if effective_on is None or not earliest <= effective_on <= vietnam_date(now):
        raise DomainError(
            _l(
                "The new schedule starts between the last repayment (or the disbursement), "
                "%(day)s, and today.",
                day=f"{earliest:%d/%m/%Y}",
            ),
            field="effective_on",
        )
    if periods is None or not 1 <= periods <= MAX_PERIODS:
        raise DomainError(_l("Write from 1 to %(num)d periods.", num=MAX_PERIODS), field="periods")
    if grace is None or not 0 <= grace < periods:
        raise DomainError(_l("Grace periods are fewer than the periods."), field="grace")
    if not plan(loan, effective_on, periods, grace).principal:
        raise DomainError(
            _l("Nothing is due after that day: there is nothing to reschedule."),
            field="effective_on",
        )
    claimed = idempotency.claim(form_key, kind="loan_restructuring", actor_id=actor.id)
    loan = locked_loan(loan.id)
    if pending_of(loan) is not None:
        raise LoanConflict(_l("A restructuring of this loan is already waiting for approval."))
    restructuring = Restructuring(
        loan_id=loan.id,
        reason=reason,
        effective_on=effective_on,
        periods=periods,
        grace=grace,
        proposed_by_id=actor.id,
        proposed_at=now,
    )
    db.session.add(restructuring)
    db.session.flush()
    idempotency.made(claimed, restructuring)
    audit.record(
        "loan_restructuring.proposed",
        actor_id=actor.id,
        object_type="loan_restructuring",
        object_id=restructuring.id,
        after={
            "loan": loan.id,
            "reason": reason,
            "effective_on": effective_on.isoformat(),
            "periods": periods,
            "grace": grace,
        },
    )
    db.session.commit()
    return restructuring


def may_decide(user: User, restructuring: Restructuring) -> bool:
    """The second signature: an organiser of the loan's unit who did not propose it."""
    return (
        organises_unit(user, restructuring.loan.agreement.project.unit)
        and user.id != restructuring.proposed_by_id
    )


def _second_signature(actor: User, restructuring: Restructuring) -> None:
    if not organises_unit(actor, restructuring.loan.agreement.project.unit):
        raise NotAllowed(_l("Only an organiser of the project's unit can approve a restructuring."))
    if actor.id == restructuring.proposed_by_id:
        raise SamePerson(_l("You proposed this restructuring: another organiser must approve it."))


def approve_restructuring(
    actor: User, restructuring: Restructuring, *, now: datetime | None = None
) -> Restructuring:
    """The second organiser approves: the future instalments are replaced. Commits."""
    now = now or utcnow()
    _second_signature(actor, restructuring)
    loan = locked_loan(restructuring.loan_id)
    db.session.refresh(restructuring)
    if restructuring.status is RestructuringStatus.APPROVED:
        return restructuring
    if restructuring.status is not RestructuringStatus.PROPOSED:
        raise LoanConflict(_l("This restructuring was already decided."))
    if loan.agreement.status is not AgreementStatus.ACTIVE:
        raise LoanConflict(_l("Only a loan under way can be restructured."))
    last_paid = _last_paid_on(loan)
    if last_paid is not None and last_paid > restructuring.effective_on:
        # It paid on the old schedule after the new one would start: the proposal is out of date.
        raise LoanConflict(
            _l(
                "A repayment dated after the day the new schedule starts was recorded since it "
                "was proposed: do not approve it, and propose it again from a later day."
            )
        )
    new = plan(loan, restructuring.effective_on, restructuring.periods, restructuring.grace)
    if not new.principal:
        raise LoanConflict(
            _l("Nothing is due after that day any more: there is nothing to reschedule.")
        )
    replaced = []
    for instalment in list(loan.instalments):
        if instalment.due_on <= restructuring.effective_on:
            continue
        replaced.append(_snapshot(instalment))
        if _touched(instalment):  # closed at what was paid
            instalment.principal = instalment.paid_principal
            instalment.interest = instalment.paid_interest
        else:
            loan.instalments.remove(instalment)
    db.session.flush()  # the replaced rows go before their numbers are taken again
    for row in new.rows:
        loan.instalments.append(
            Instalment(
                number=new.first_number + row.number - 1,
                due_on=row.due_on,
                principal=row.principal,
                interest=row.interest,
            )
        )
    if not change_restructuring_status(
        actor.id,
        restructuring,
        RestructuringStatus.APPROVED,
        after={"principal": new.principal, "instalments": len(new.rows)},
        decided_by_id=actor.id,
        decided_at=now,
        principal=new.principal,
        replaced=replaced,
    ):
        db.session.rollback()
        raise LoanConflict(_l("This restructuring was decided in the meantime."))
    db.session.commit()
    return restructuring


def reject_restructuring(
    actor: User, restructuring: Restructuring, reason: str, *, now: datetime | None = None
) -> Restructuring:
    """The second organiser does not approve it, saying why. Commits."""
    now = now or utcnow()
    _second_signature(actor, restructuring)
    reason = required_text(reason, field="reason", missing=_l("Write why it is not approved."))
    if not change_restructuring_status(
        actor.id,
        restructuring,
        RestructuringStatus.REJECTED,
        after={"reason": reason},
        decided_by_id=actor.id,
        decided_at=now,
        rejection_reason=reason,
    ):
        db.session.rollback()
        raise LoanConflict(_l("This restructuring was decided in the meantime."))
    db.session.commit()
    return restructuring


def pending_of(loan: Loan) -> Restructuring | None:
    return db.session.scalar(
        sa.select(Restructuring).where(
            Restructuring.loan_id == loan.id,
            Restructuring.status == RestructuringStatus.PROPOSED,
        )
    )


def restructurings_of(loan: Loan) -> list[Restructuring]:
    return list(
        db.session.scalars(
            sa.select(Restructuring)
            .where(Restructuring.loan_id == loan.id)
            .order_by(Restructuring.id)
        )
    )
