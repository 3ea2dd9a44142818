"""A loan's money: its disbursement, its repayments (allocated by loans/allocation.py) and their
reversal. Each is one posting of the ledger tagged with the loan's source; the loan's row is
locked while a movement is written, so that two at once are written one after the other."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.capital.agreements.services import tell_the_winner
from portal.capital.agreements.status import change_agreement_status
from portal.capital.common import CASH, INTEREST_INCOME, LOANS_RECEIVABLE, may_manage_unit
from portal.capital.loans.allocation import (
    AllocationError,
    Owed,
    allocate,
    allocate_early,
    apply,
    reprice_after,
)
from portal.capital.loans.schedule import Terms, schedule
from portal.capital.models import (
    AgreementStatus,
    CapitalSource,
    Instalment,
    Loan,
    Repayment,
    RepaymentMethod,
    RepaymentPart,
    Restructuring,
    RestructuringStatus,
    SupportAgreement,
)
from portal.capital.sources.services import require_available
from portal.core import audit, idempotency, storage
from portal.core.errors import DomainError, NotAllowed
from portal.core.money import is_amount
from portal.core.text import required_text
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.ledger import services as ledger
from portal.ledger.models import Posting

MAX_REFERENCE = 120


class LoanConflict(DomainError):
    status = 409


def terms_of(loan: Loan) -> Terms:
    return Terms(
        loan.principal,
        loan.rate,
        loan.periods,
        loan.grace,
        loan.frequency,
        loan.method,
        loan.disbursed_on,
    )


def may_manage(user: User, loan: Loan) -> bool:
    return may_manage_unit(user, loan.agreement.project.unit_id)


def locked_loan(loan_id: int) -> Loan:
    """The loan, locked until the transaction ends: its movements are written one at a time."""
    return _locked(Loan, loan_id)


def _locked(model, obj_id: int):
    """The row, locked until the transaction ends (PostgreSQL; SQLite writes one at a time)."""
    return db.session.scalar(
        sa.select(model)
        .where(model.id == obj_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def disburse(
    actor: User,
    agreement: SupportAgreement,
    disbursed_on: date | None,
    *,
    now: datetime | None = None,
    form_key: str | None = None,
) -> Loan:
    """The approved loan leaves its source: one posting (loans receivable up, the source's cash
    down), the schedule counted from that day, the agreement under way. Refused when the source
    has less available than the principal. Commits."""
    now = now or utcnow()
    if not may_manage_unit(actor, agreement.project.unit_id):
        raise NotAllowed(_l("You cannot manage the capital of another unit."))
    loan = agreement.loan
    if loan is None:
        raise DomainError(_l("Only a loan is disbursed; a grant is paid in tranches."))
    if agreement.status is not AgreementStatus.APPROVED:
        raise LoanConflict(_l("Only an approved loan, not yet disbursed, can be disbursed."))
    if disbursed_on is None or disbursed_on > vietnam_date(now):
        raise DomainError(
            _l("Write the day the money was handed over, not in the future."),
            field="disbursed_on",
        )
    ledger.require_open(agreement.source.unit_id, disbursed_on, field="disbursed_on")
    claimed = idempotency.claim(form_key, kind="loan_disbursement", actor_id=actor.id)
    source = _locked(CapitalSource, agreement.source_id)  # one disbursement of a source at a time
    require_available(source, loan.principal)
    if not change_agreement_status(
        actor.id,
        agreement,
        AgreementStatus.ACTIVE,
        after={"disbursed_on": disbursed_on.isoformat()},
    ):
        db.session.rollback()
        raise LoanConflict(_l("This loan was disbursed or changed in the meantime."))
    post_disbursement(actor, agreement, disbursed_on)
    idempotency.made(claimed, loan)
    db.session.commit()
    return loan


def post_disbursement(actor: User, agreement: SupportAgreement, disbursed_on: date) -> Loan:
    """Write a disbursement whose checks are done and whose agreement is now under way: the
    schedule counted from that day, one posting, the audit. The caller commits (the loan-book
    import writes through here too, so that an imported loan is one entered by hand)."""
    loan = agreement.loan
    source = agreement.source
    loan.disbursed_on = disbursed_on
    for row in schedule(terms_of(loan)):
        loan.instalments.append(
            Instalment(
                number=row.number,
                due_on=row.due_on,
                principal=row.principal,
                interest=row.interest,
            )
        )
    posting = ledger.post(
        actor_id=actor.id,
        occurred_on=disbursed_on,
        description=str(_l("Loan %(reference)s disbursed", reference=agreement.reference)),
        source=source.ledger_tag,
        unit_id=source.unit_id,
        object_type="loan",
        object_id=loan.id,
        lines=[(LOANS_RECEIVABLE, loan.principal), (CASH, -loan.principal)],
    )
    audit.record(
        "loan.disbursed",
        actor_id=actor.id,
        object_type="loan",
        object_id=loan.id,
        after={"principal": loan.principal, "on": disbursed_on.isoformat(), "posting": posting.id},
    )
    return loan


def owed_of(loan: Loan) -> list[Owed]:
    return [
        Owed(i.number, i.due_on, i.principal, i.interest, i.paid_principal, i.paid_interest)
        for i in loan.instalments
    ]


def record_repayment(
    actor: User,
    loan: Loan,
    *,
    paid_on: date | None,
    amount: int | None,
    method: str | None,
    reference: str = "",
    early: bool = False,
    receipt: tuple[bytes, str] | None = None,
    now: datetime | None = None,
    form_key: str | None = None,
) -> Repayment:
    """Money paid back: allocated oldest instalment first, interest before principal (or, early,
    principal from the last instalment back, the future interest recomputed); one posting (cash
    up; loans receivable and interest income for their parts). The same form twice records one
    repayment. Commits."""
    now = now or utcnow()
    if not may_manage(actor, loan):
        raise NotAllowed(_l("You cannot manage the capital of another unit."))
    if loan.disbursed_on is None:
        raise LoanConflict(_l("This loan has not been disbursed."))
    if paid_on is None or not loan.disbursed_on <= paid_on <= vietnam_date(now):
        raise DomainError(
            _l("The day paid is between the disbursement and today."), field="paid_on"
        )
    if not is_amount(amount):
        raise DomainError(_l("Write the amount in whole đồng, above zero."), field="amount")
    try:
        method = RepaymentMethod(method or "")
    except ValueError:
        raise DomainError(_l("Choose how it was paid."), field="method") from None
    reference = " ".join((reference or "").split())[:MAX_REFERENCE]
    checked_receipt = storage.read_document(
        receipt,
        field="receipt",
        wrong_type=_l("The receipt must be a PDF, JPEG or PNG file."),
        too_large=_l("The receipt is larger than 10 MB."),
        default_name="receipt",
    )
    ledger.require_open(loan.agreement.source.unit_id, paid_on, field="paid_on")
    claimed = idempotency.claim(form_key, kind="loan_repayment", actor_id=actor.id)
    loan = _locked(Loan, loan.id)  # repayments of a loan are written one after the other
    agreement = loan.agreement
    if agreement.status is not AgreementStatus.ACTIVE:
        raise LoanConflict(_l("This loan is not under way: nothing can be repaid."))
    repayment = post_repayment(
        actor,
        loan,
        paid_on=paid_on,
        amount=amount,
        method=method,
        reference=reference,
        early=early,
        now=now,
    )
    if checked_receipt:
        repayment.receipt_stored_name = storage.new_name()
        _content, repayment.receipt_filename, repayment.receipt_content_type = checked_receipt
        # Written once its row is in; a transaction that does not commit leaves no file named.
        storage.store(checked_receipt[0], repayment.receipt_stored_name)
    idempotency.made(claimed, repayment)
    if agreement.status is AgreementStatus.REPAID:
        tell_the_winner(
            agreement,
            "loan_repaid",
            _l("Your loan is repaid: %(title)s", title=agreement.project.title),
        )
    db.session.commit()
    return repayment


def may_see_receipt(user: User, repayment: Repayment) -> bool:
    """The borrower and the organisers who manage the loan."""
    project = repayment.loan.agreement.project
    return user.is_authenticated and (
        project.owner_id == user.id or may_manage(user, repayment.loan)
    )


def post_repayment(
    actor: User,
    loan: Loan,
    *,
    paid_on: date,
    amount: int,
    method: RepaymentMethod,
    reference: str,
    early: bool,
    now: datetime,
) -> Repayment:
    """Write a checked repayment of a locked loan under way: allocated, one posting, audited,
    the loan repaid when nothing is left. Refused (before anything is written) when it is more
    than the loan owes. The caller commits (the loan-book import writes through here too)."""
    agreement = loan.agreement
    instalments = owed_of(loan)
    try:
        parts = (allocate_early if early else allocate)(instalments, amount)
    except AllocationError:
        still = (
            sum(i.principal_left for i in instalments)
            if early
            else sum(i.left for i in instalments)
        )
        raise DomainError(
            _l(
                "This is more than the loan still owes (%(owed)s).",
                owed=f"{still:,}".replace(",", "."),
            ),
            field="amount",
        ) from None
    after = apply(instalments, parts)
    repriced = {}
    if early:
        repriced_rows = reprice_after(after, terms_of(loan).period_rate, loan.method, paid_on)
        repriced = {
            str(new.number): old.interest
            for old, new in zip(after, repriced_rows, strict=True)
            if new.interest != old.interest
        }
        after = repriced_rows
    for row, state in zip(loan.instalments, after, strict=True):
        row.paid_principal, row.paid_interest = state.paid_principal, state.paid_interest
        row.interest = state.interest
    principal = sum(p.principal for p in parts)
    interest = sum(p.interest for p in parts)
    source = agreement.source
    lines = [(CASH, amount), (LOANS_RECEIVABLE, -principal)] if principal else [(CASH, amount)]
    if interest:
        lines.append((INTEREST_INCOME, -interest))
    repayment = Repayment(
        loan_id=loan.id,
        paid_on=paid_on,
        amount=amount,
        principal=principal,
        interest=interest,
        early=early,
        method=method,
        reference=reference,
        repriced=repriced,
        recorded_by_id=actor.id,
        recorded_at=now,
        parts=[
            RepaymentPart(number=p.number, principal=p.principal, interest=p.interest)
            for p in parts
        ],
    )
    db.session.add(repayment)
    db.session.flush()
    posting = ledger.post(
        actor_id=actor.id,
        occurred_on=paid_on,
        description=str(_l("Repayment of loan %(reference)s", reference=agreement.reference)),
        source=source.ledger_tag,
        unit_id=source.unit_id,
        object_type="loan_repayment",
        object_id=repayment.id,
        lines=lines,
    )
    repayment.posting_id = posting.id
    audit.record(
        "loan.repayment",
        actor_id=actor.id,
        object_type="loan",
        object_id=loan.id,
        after={
            "repayment": repayment.id,
            "amount": amount,
            "principal": principal,
            "interest": interest,
            "early": early,
        },
    )
    if all(s.left == 0 for s in after):
        change_agreement_status(actor.id, agreement, AgreementStatus.REPAID)
    return repayment


def reverse_repayment(
    actor: User, repayment: Repayment, reason: str, *, now: datetime | None = None
) -> Repayment:
    """Undo a mistaken repayment: its parts taken off the instalments (and the interest an early
    repayment recomputed put back), and a reversing posting that names it. Only a loan's latest
    repayment not yet reversed can be undone (the later ones were allocated after it). Commits."""
    now = now or utcnow()
    loan = repayment.loan
    if not may_manage(actor, loan):
        raise NotAllowed(_l("You cannot manage the capital of another unit."))
    reason = required_text(reason, field="reason", missing=_l("Write why it is reversed."))
    loan = _locked(Loan, loan.id)
    db.session.refresh(repayment)
    if repayment.reversed_at is not None:
        return repayment
    latest = db.session.scalar(
        sa.select(sa.func.max(Repayment.id)).where(
            Repayment.loan_id == loan.id, Repayment.reversed_at.is_(None)
        )
    )
    if latest != repayment.id:
        raise LoanConflict(
            _l("Reverse the later repayments of this loan first: they were allocated after it.")
        )
    restructured = db.session.scalar(
        sa.select(Restructuring.id).where(
            Restructuring.loan_id == loan.id,
            Restructuring.status == RestructuringStatus.APPROVED,
            Restructuring.decided_at > repayment.recorded_at,
        )
    )
    if restructured is not None:
        raise LoanConflict(
            _l(
                "The loan was restructured after this repayment, on the schedule it paid: record "
                "a correction instead."
            )
        )
    by_number = {p.number: p for p in repayment.parts}
    for row in loan.instalments:
        part = by_number.get(row.number)
        if part:
            row.paid_principal -= part.principal
            row.paid_interest -= part.interest
        if str(row.number) in repayment.repriced:
            row.interest = repayment.repriced[str(row.number)]
    agreement = loan.agreement
    original = db.session.get(Posting, repayment.posting_id)
    reversal = ledger.reverse(
        original,
        actor_id=actor.id,
        occurred_on=vietnam_date(now),
        description=str(
            _l("Reversal of a repayment of loan %(reference)s", reference=agreement.reference)
        ),
        object_type="loan_repayment",
        object_id=repayment.id,
    )
    repayment.reversed_at = now
    repayment.reversal_posting_id = reversal.id
    repayment.reversal_reason = reason
    audit.record(
        "loan.repayment_reversed",
        actor_id=actor.id,
        object_type="loan",
        object_id=loan.id,
        after={"repayment": repayment.id, "reason": reason, "posting": reversal.id},
    )
    if agreement.status is AgreementStatus.REPAID:
        change_agreement_status(actor.id, agreement, AgreementStatus.ACTIVE)
    db.session.commit()
    return repayment


def repayments_of(loan: Loan) -> list[Repayment]:
    """A loan's repayments in the order they were recorded, reversed ones included."""
    return list(
        db.session.scalars(
            sa.select(Repayment).where(Repayment.loan_id == loan.id).order_by(Repayment.id)
        )
    )
