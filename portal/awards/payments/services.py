"""Prize payments: a cash award is paid, in one or more movements, from pending to paid.

Rows of PrizePayment are only ever added: a mistaken payment is undone by a REVERSAL row naming
it, never by changing or deleting it. Every movement posts one balanced entry to the ledger
(source "prize_budget") and writes an audit row, in the same transaction.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from portal.auth.messages import tell
from portal.auth.models import User
from portal.awards.common import decision_of
from portal.awards.models import (
    PRIZE_ORDER,
    Award,
    AwardDecision,
    AwardStatus,
    PaymentKind,
    PaymentMethod,
    Prize,
    PrizePayment,
)
from portal.competitions.models import Competition
from portal.competitions.services import may_manage_competition
from portal.core import audit, idempotency, storage
from portal.core.errors import DomainError
from portal.core.money import format_vnd, is_amount
from portal.core.time import to_vietnam, utcnow, vietnam_date
from portal.core.urls import external_url
from portal.entries.models import Entry
from portal.extensions import db
from portal.ledger import services as ledger

SOURCE = "prize_budget"
OBJECT_TYPE = "prize_payment"
PAYABLE = "prizes_payable"
ACCOUNT_OF_METHOD = {PaymentMethod.CASH: "cash", PaymentMethod.BANK_TRANSFER: "bank"}
ledger.ACCOUNT_LABELS.update(
    {
        PAYABLE: _l("Prizes payable"),
        "cash": _l("Cash (prizes)"),
        "bank": _l("Bank account (prizes)"),
    }
)
ledger.SOURCE_NAMERS.append(
    lambda tags: {SOURCE: str(_l("Prize budget"))} if SOURCE in tags else {}
)
# The same form sent twice (a double click, a reload) within this time records one payment.
MAX_REFERENCE = 120
MAX_NOTE = 2000


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    PART_PAID = "part_paid"
    PAID = "paid"
    REVOKED = "revoked"  # the award was revoked: nothing more is owed

    @property
    def label(self) -> str:
        return str(PAYMENT_STATUS_LABELS[self])


PAYMENT_STATUS_LABELS = {
    PaymentStatus.PENDING: _l("Not yet paid"),
    PaymentStatus.PART_PAID: _l("Partly paid"),
    PaymentStatus.PAID: _l("Paid"),
    PaymentStatus.REVOKED: _l("Award revoked: nothing more is paid"),
}


class PaymentConflict(DomainError):
    """Someone else changed the same money first (the view answers 409 Conflict)."""

    status = 409  # the award changed since the form was shown


class Money:
    """An amount shown in the reader's language when a message is read (not when it is made)."""

    def __init__(self, amount: int):
        self.amount = amount

    def __str__(self) -> str:
        return format_vnd(self.amount, str(get_locale() or "vi"))


def status_for(paid: int, cash_value: int) -> PaymentStatus:
    if paid <= 0:
        return PaymentStatus.PENDING
    if paid >= cash_value:
        return PaymentStatus.PAID
    return PaymentStatus.PART_PAID


# --- What a winner (and the organisers' list) sees ---------------------------------------------


@dataclass
class WinnerPayments:
    """The state of one award's prize money."""

    award: Award
    payments: list[PrizePayment] = field(default_factory=list)  # payments and reversals, in order
    paid: int = 0  # net đồng
    outstanding: int = 0
    status: PaymentStatus = PaymentStatus.PENDING

    @property
    def reversed_ids(self) -> set[int]:
        return {p.reverses_id for p in self.payments if p.reverses_id is not None}

    def may_reverse(self, payment: PrizePayment) -> bool:
        return payment.kind is PaymentKind.PAYMENT and payment.id not in self.reversed_ids


def winner_view(award: Award) -> WinnerPayments:
    """The award's movements in order with the net paid, what is left, and the status.

    Reads `award.payments` (eager-load it on list pages)."""
    movements = sorted(award.payments, key=lambda p: p.id)
    paid = sum(p.signed_amount for p in movements)
    if award.status is AwardStatus.REVOKED:
        return WinnerPayments(award, movements, paid, 0, PaymentStatus.REVOKED)
    return WinnerPayments(
        award=award,
        payments=movements,
        paid=paid,
        outstanding=max(award.cash_value - paid, 0),
        status=status_for(paid, award.cash_value),
    )


def _signed() -> sa.ColumnElement:
    return sa.case(
        (PrizePayment.kind == PaymentKind.PAYMENT, PrizePayment.amount),
        else_=-PrizePayment.amount,
    )


def net_paid(award: Award) -> int:
    """The net amount paid for an award, summed in the database (payments − reversals)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(_signed()), 0)).where(
                PrizePayment.award_id == award.id
            )
        )
    )


def _state(award: Award, paid: int) -> dict:
    return {
        "paid": paid,
        "outstanding": max(award.cash_value - paid, 0),
        "status": status_for(paid, award.cash_value).value,
    }


# --- Totals and the organisers' list -----------------------------------------------------------


@dataclass
class PaymentTotals:
    awarded_count: int = 0  # valid published awards
    awarded_cash: int = 0  # their cash value, đồng
    paid: int = 0  # net paid to valid awards
    outstanding: int = 0  # still to pay on valid awards
    paid_on_revoked: int = 0  # net paid on awards revoked since (money to look into)


def _published(competition: Competition) -> AwardDecision | None:
    decision = decision_of(competition)
    return decision if decision is not None and decision.published else None


def is_payable(award: Award) -> bool:
    """An award of a published decision, given to an entry (revoked or not)."""
    return (
        award.entry_id is not None
        and award.certificate_code is not None
        and _published(award.competition) is not None
    )


def totals(competition: Competition) -> PaymentTotals:
    """Prizes awarded, paid and outstanding for a competition, in one aggregate query."""
    if _published(competition) is None:
        return PaymentTotals()
    net = (
        sa.select(PrizePayment.award_id, sa.func.sum(_signed()).label("net"))
        .group_by(PrizePayment.award_id)
        .subquery()
    )
    net_amount = sa.func.coalesce(net.c.net, 0)
    valid = Award.status == AwardStatus.ACTIVE
    row = db.session.execute(
        sa.select(
            sa.func.count(sa.case((valid, Award.id))),
            sa.func.coalesce(sa.func.sum(sa.case((valid, Award.cash_value), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((valid, net_amount), else_=0)), 0),
            sa.func.coalesce(
                sa.func.sum(sa.case((valid, Award.cash_value - net_amount), else_=0)), 0
            ),
            sa.func.coalesce(sa.func.sum(sa.case((valid, 0), else_=net_amount)), 0),
        )
        .select_from(Award)
        .outerjoin(net, net.c.award_id == Award.id)
        .where(
            Award.competition_id == competition.id,
            Award.entry_id.is_not(None),
            Award.certificate_code.is_not(None),
        )
    ).one()
    return PaymentTotals(*(int(value) for value in row))


def cash_awards(competition: Competition) -> list[Award]:
    """The published awards with a cash value (valid first, then revoked), with their movements,
    winners and prizes, in a constant number of queries."""
    return list(
        db.session.scalars(
            sa.select(Award)
            .join(Prize, Prize.id == Award.tier_id)
            .where(
                Award.competition_id == competition.id,
                Award.entry_id.is_not(None),
                Award.certificate_code.is_not(None),
                Award.cash_value > 0,
            )
            .options(
                joinedload(Award.entry).joinedload(Entry.applicant),
                selectinload(Award.payments).joinedload(PrizePayment.recorded_by),
            )
            .order_by(
                sa.case((Award.status == AwardStatus.ACTIVE, 0), else_=1),
                *PRIZE_ORDER,
                Award.slot,
            )
        ).unique()
    )


# --- Recording and reversing -------------------------------------------------------------------


def _require_manager(actor: User, award: Award) -> None:
    if not may_manage_competition(actor, award.competition):
        raise DomainError(_l("Only the organisers of this competition can record prize payments."))


def _lock(award: Award) -> None:
    """Serialise movements of one award (PostgreSQL row lock; SQLite writes one at a time)."""
    db.session.execute(sa.select(Award.id).where(Award.id == award.id).with_for_update())


def _winner_url(award: Award) -> str:
    return external_url("awards.my_award", award_id=award.id)


def record_payment(
    actor: User,
    award: Award,
    *,
    amount: int,
    paid_on: date,
    method: PaymentMethod | str,
    reference: str = "",
    note: str = "",
    receipt: tuple[bytes, str] | None = None,
    now: datetime | None = None,
    form_key: str | None = None,
) -> PrizePayment:
    """Record money paid to the winner of a cash award.

    The same form sent again — a double click, a second organiser, a retry — records nothing
    more (idempotency.AlreadySent); the same amount from a new form is another instalment.

    Managers of the competition only; a valid award of a published decision; a whole positive
    number of đồng, never more than is still owed (a prize is never overpaid); paid on a day that
    is neither in the future (Vietnam's date) nor before the results were published; by cash or
    bank transfer, a transfer with its reference; an optional receipt (PDF, JPEG or PNG).
    """
    now = now or utcnow()
    _require_manager(actor, award)
    decision = _published(award.competition)
    if decision is None or not is_payable(award):
        raise DomainError(_l("Prize payments start when the results are published."))
    if award.status is AwardStatus.REVOKED:
        raise DomainError(_l("This award has been revoked: no payment can be recorded for it."))
    if award.cash_value <= 0:
        raise DomainError(_l("This prize has no cash value to pay."))
    try:
        method = PaymentMethod(method)
    except ValueError:
        raise DomainError(_l("Choose cash or bank transfer."), field="method") from None
    reference = (reference or "").strip()
    note = (note or "").strip()
    if not is_amount(amount):
        raise DomainError(_l("Enter an amount of 1 đồng or more."), field="amount")
    if paid_on > vietnam_date(now):
        raise DomainError(_l("The payment date cannot be in the future."), field="paid_on")
    published_on = to_vietnam(decision.published_at).date() if decision.published_at else None
    if published_on is not None and paid_on < published_on:
        raise DomainError(
            _l(
                "The payment date cannot be before the results were published (%(day)s).",
                day=published_on.strftime("%d/%m/%Y"),
            ),
            field="paid_on",
        )
    if method is PaymentMethod.BANK_TRANSFER and not reference:
        raise DomainError(_l("Write the bank transfer's reference."), field="reference")
    if len(reference) > MAX_REFERENCE:
        raise DomainError(
            _l("Write at most %(num)d characters.", num=MAX_REFERENCE), field="reference"
        )
    if len(note) > MAX_NOTE:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_NOTE), field="note")
    checked_receipt = storage.read_document(
        receipt,
        field="receipt",
        wrong_type=_l("The receipt must be a PDF, JPEG or PNG file."),
        too_large=_l("The receipt is larger than 10 MB."),
        default_name="receipt",
    )

    _lock(award)
    claimed = idempotency.claim(form_key, kind="prize_payment", actor_id=actor.id)
    paid = net_paid(award)
    outstanding = award.cash_value - paid
    if amount > outstanding:
        raise DomainError(
            _l(
                "Only %(amount)s is still to be paid for this prize: a prize is never overpaid.",
                amount=Money(max(outstanding, 0)),
            ),
            field="amount",
        )

    stored_name = storage.new_name() if checked_receipt else None
    try:
        payment = PrizePayment(
            award_id=award.id,
            kind=PaymentKind.PAYMENT,
            amount=amount,
            paid_on=paid_on,
            method=method,
            reference=reference,
            note=note,
            receipt_stored_name=stored_name,
            receipt_filename=checked_receipt[1] if checked_receipt else None,
            receipt_content_type=checked_receipt[2] if checked_receipt else None,
            recorded_by_id=actor.id,
            recorded_at=now,
        )
        db.session.add(payment)
        db.session.flush()
        if checked_receipt:
            # Written once its row is in; a transaction that does not commit removes it.
            storage.store(checked_receipt[0], stored_name)
        idempotency.made(claimed, payment)
        entry = award.entry
        posting = ledger.post(
            actor_id=actor.id,
            occurred_on=paid_on,
            description=str(
                _l(
                    "Prize payment: %(prize)s — %(entry)s",
                    prize=award.tier.name,
                    entry=entry.reference or entry.id,
                )
            ),
            source=SOURCE,
            object_type=OBJECT_TYPE,
            object_id=payment.id,
            lines=[(PAYABLE, amount), (ACCOUNT_OF_METHOD[method], -amount)],
            unit_id=entry.competition.unit_id,
        )
        payment.posting_id = posting.id
        after = _state(award, paid + amount)
        audit.record(
            "prize_payment.recorded",
            actor_id=actor.id,
            object_type="award",
            object_id=award.id,
            before=_state(award, paid),
            after={
                **after,
                "payment_id": payment.id,
                "amount": amount,
                "paid_on": paid_on.isoformat(),
                "method": method.value,
                "reference": reference,
                "posting_id": posting.id,
            },
        )
        winner = entry.applicant
        tell(
            winner,
            "prize_paid",
            _l("Prize money paid: %(prize)s", prize=award.tier.name),
            award=award,
            entry=entry,
            payment=payment,
            paid=after["paid"],
            outstanding=after["outstanding"],
            award_url=_winner_url(award),
        )
        db.session.commit()
    except Exception:
        db.session.rollback()  # which removes the receipt it wrote
        raise
    return payment


def reversal_of(payment: PrizePayment) -> PrizePayment | None:
    return db.session.scalar(sa.select(PrizePayment).where(PrizePayment.reverses_id == payment.id))


ALREADY_REVERSED = _l("This payment has already been reversed.")


def reverse_payment(
    actor: User,
    payment: PrizePayment,
    *,
    reason: str,
    now: datetime | None = None,
    form_key: str | None = None,
) -> PrizePayment:
    """Undo a mistaken payment with a reversal row of the same amount; the payment stays as it was.

    Managers only; a written reason; a payment is reversed at most once, and a reversal is never
    reversed (a new payment is recorded instead). Also allowed on a revoked award, whose money
    may have to be taken back.
    """
    now = now or utcnow()
    award = payment.award
    _require_manager(actor, award)
    reason = (reason or "").strip()
    if payment.kind is PaymentKind.REVERSAL:
        raise DomainError(
            _l("A reversal cannot be reversed: record a new payment instead."), field="reason"
        )
    if not reason:
        raise DomainError(_l("Write why this payment is reversed."), field="reason")
    if len(reason) > MAX_NOTE:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_NOTE), field="reason")
    _lock(award)
    claimed = idempotency.claim(form_key, kind="prize_payment_reversal", actor_id=actor.id)
    if reversal_of(payment) is not None:
        raise PaymentConflict(ALREADY_REVERSED)
    paid = net_paid(award)
    today = vietnam_date(now)
    reversal = PrizePayment(
        award_id=award.id,
        kind=PaymentKind.REVERSAL,
        amount=payment.amount,
        paid_on=today,
        method=payment.method,
        reference=payment.reference,
        note=reason,
        reverses_id=payment.id,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    try:
        db.session.add(reversal)
        db.session.flush()
        idempotency.made(claimed, reversal)
    except IntegrityError:
        # Another organiser reversed it between our check and our write.
        db.session.rollback()
        raise PaymentConflict(ALREADY_REVERSED) from None
    try:
        description = str(_l("Reversal of prize payment no. %(number)d", number=payment.id))
        if payment.posting is not None:
            posting = ledger.reverse(
                payment.posting,
                actor_id=actor.id,
                occurred_on=today,
                description=description,
                object_type=OBJECT_TYPE,
                object_id=reversal.id,
            )
        else:  # a payment recorded before it had a posting: post the opposite lines
            posting = ledger.post(
                actor_id=actor.id,
                occurred_on=today,
                description=description,
                source=SOURCE,
                object_type=OBJECT_TYPE,
                object_id=reversal.id,
                lines=[
                    (PAYABLE, -payment.amount),
                    (ACCOUNT_OF_METHOD[payment.method], payment.amount),
                ],
                unit_id=award.entry.competition.unit_id,
            )
        reversal.posting_id = posting.id
        audit.record(
            "prize_payment.reversed",
            actor_id=actor.id,
            object_type="award",
            object_id=award.id,
            before=_state(award, paid),
            after={
                **_state(award, paid - payment.amount),
                "payment_id": reversal.id,
                "reverses_id": payment.id,
                "amount": payment.amount,
                "reason": reason,
                "posting_id": posting.id,
            },
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise PaymentConflict(ALREADY_REVERSED) from None
    except Exception:
        db.session.rollback()
        raise
    return reversal


# --- Who may see what --------------------------------------------------------------------------


def may_see_receipt(user: User, payment: PrizePayment) -> bool:
    """The winner of that award, or the competition's organisers and admins."""
    if not user.is_authenticated:
        return False
    award = payment.award
    if award.entry is not None and award.entry.applicant_id == user.id:
        return True
    return may_manage_competition(user, award.competition)
