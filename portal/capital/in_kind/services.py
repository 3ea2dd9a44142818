"""In-kind support: what an approved in-kind agreement hands over (seed stock, breeding animals,
equipment, training, packaging and branding), item by item — its quantity, its value in đồng,
the day it was delivered and the receipt she signed, as a photo. Each item is one posting (the
source's cash to in-kind expense) and counts in the source's and the project's totals; the
agreement is under way with its first item and completed when the items reach its amount. A
mistake is undone by a reversal that names the item."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.capital.agreements.status import change_agreement_status
from portal.capital.common import CASH, IN_KIND_EXPENSE, may_manage_unit
from portal.capital.models import (
    AgreementKind,
    AgreementStatus,
    CapitalSource,
    InKindItem,
    InKindKind,
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

MAX_DESCRIPTION = 200
MAX_UNIT = 30


class InKindConflict(DomainError):
    status = 409


def _manager(actor: User, agreement: SupportAgreement) -> None:
    if not may_manage_unit(actor, agreement.project.unit_id):
        raise NotAllowed(_l("You cannot manage the capital of another unit."))


def delivered(agreement: SupportAgreement) -> int:
    """The value of the items delivered and not reversed (đồng)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(InKindItem.value), 0)).where(
                InKindItem.agreement_id == agreement.id, InKindItem.reversed_at.is_(None)
            )
        )
    )


def _quantity(value) -> Decimal | None:
    try:
        quantity = Decimal(str(value).replace(",", ".")) if value not in (None, "") else None
    except InvalidOperation:
        return None
    if quantity is None or not quantity.is_finite() or not 0 < quantity < Decimal("1e10"):
        return None
    return quantity.quantize(Decimal("0.01"))


def record_item(
    actor: User,
    agreement: SupportAgreement,
    *,
    kind: str | None,
    description: str,
    quantity,
    unit_of_measure: str,
    value: int | None,
    delivered_on: date | None,
    receipt: tuple[bytes, str] | None,
    now: datetime | None = None,
    form_key: str | None = None,
) -> InKindItem:
    """Record goods or a service handed over: one posting, the signed receipt kept. Commits."""
    now = now or utcnow()
    _manager(actor, agreement)
    if agreement.kind is not AgreementKind.IN_KIND:
        raise DomainError(_l("Only in-kind support is delivered item by item."))
    if agreement.status not in (AgreementStatus.APPROVED, AgreementStatus.ACTIVE):
        raise InKindConflict(_l("The support must be approved, and not completed, to deliver."))
    try:
        kind = InKindKind(kind or "")
    except ValueError:
        raise DomainError(_l("Choose what was handed over."), field="kind") from None
    description = required_text(
        description,
        field="description",
        missing=_l("Write what it was, for example: 20 Mong Cai sows."),
        limit=MAX_DESCRIPTION,
    )
    quantity = _quantity(quantity)
    if quantity is None:
        raise DomainError(_l("Write the quantity, a number above zero."), field="quantity")
    unit_of_measure = " ".join((unit_of_measure or "").split())[:MAX_UNIT]
    if not is_amount(value):
        raise DomainError(_l("Write the value in whole đồng, above zero."), field="value")
    if delivered_on is None or delivered_on > vietnam_date(now):
        raise DomainError(
            _l("Write the day it was handed over, not in the future."), field="delivered_on"
        )
    checked = storage.read_document(
        receipt,
        field="receipt",
        wrong_type=_l("The receipt must be a PDF, JPEG or PNG file."),
        too_large=_l("The receipt is larger than 10 MB."),
        default_name="receipt",
    )
    if checked is None:
        raise DomainError(_l("Add the photo of the receipt she signed."), field="receipt")
    ledger.require_open(agreement.source.unit_id, delivered_on, field="delivered_on")
    claimed = idempotency.claim(form_key, kind="in_kind_item", actor_id=actor.id)
    source = db.session.scalar(
        sa.select(CapitalSource).where(CapitalSource.id == agreement.source_id).with_for_update()
    )
    left = agreement.amount - delivered(agreement)
    if value > left:
        raise DomainError(
            _l(
                "This is more than is left of the support (%(left)s).",
                left=f"{left:,}".replace(",", "."),
            ),
            field="value",
        )
    require_available(source, value)
    item = InKindItem(
        agreement_id=agreement.id,
        kind=kind,
        description=description,
        quantity=quantity,
        unit_of_measure=unit_of_measure,
        value=value,
        delivered_on=delivered_on,
        receipt_stored_name=storage.new_name(),
        receipt_filename=checked[1],
        receipt_content_type=checked[2],
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    db.session.add(item)
    db.session.flush()
    storage.store(checked[0], item.receipt_stored_name)
    posting = ledger.post(
        actor_id=actor.id,
        occurred_on=delivered_on,
        description=str(
            _l(
                "In-kind support %(reference)s: %(what)s",
                reference=agreement.reference,
                what=description,
            )
        ),
        source=source.ledger_tag,
        unit_id=source.unit_id,
        object_type="in_kind_item",
        object_id=item.id,
        lines=[(IN_KIND_EXPENSE, value), (CASH, -value)],
    )
    item.posting_id = posting.id
    idempotency.made(claimed, item)
    audit.record(
        "in_kind_item.delivered",
        actor_id=actor.id,
        object_type="support_agreement",
        object_id=agreement.id,
        after={"item": item.id, "kind": kind.value, "value": value, "posting": posting.id},
    )
    if agreement.status is AgreementStatus.APPROVED:
        change_agreement_status(actor.id, agreement, AgreementStatus.ACTIVE)
        db.session.refresh(agreement)
    if value == left:  # this item hands over the rest
        change_agreement_status(actor.id, agreement, AgreementStatus.COMPLETED)
    db.session.commit()
    return item


def reverse_item(
    actor: User, item: InKindItem, reason: str, *, now: datetime | None = None
) -> InKindItem:
    """Undo an item recorded by mistake: a reversing posting that names it. Commits."""
    now = now or utcnow()
    agreement = item.agreement
    _manager(actor, agreement)
    reason = required_text(reason, field="reason", missing=_l("Write why it is reversed."))
    db.session.refresh(item, with_for_update=True)
    if item.reversed_at is not None:
        return item
    reversal = ledger.reverse(
        db.session.get(Posting, item.posting_id),
        actor_id=actor.id,
        occurred_on=vietnam_date(now),
        description=str(
            _l("Reversal of in-kind support %(reference)s", reference=agreement.reference)
        ),
        object_type="in_kind_item",
        object_id=item.id,
    )
    item.reversed_at, item.reversal_posting_id, item.reversal_reason = now, reversal.id, reason
    audit.record(
        "in_kind_item.reversed",
        actor_id=actor.id,
        object_type="support_agreement",
        object_id=agreement.id,
        after={"item": item.id, "reason": reason, "posting": reversal.id},
    )
    if agreement.status is AgreementStatus.COMPLETED:
        change_agreement_status(actor.id, agreement, AgreementStatus.ACTIVE)
    db.session.commit()
    return item


def items_of(agreement: SupportAgreement) -> list[InKindItem]:
    return list(
        db.session.scalars(
            sa.select(InKindItem)
            .where(InKindItem.agreement_id == agreement.id)
            .order_by(InKindItem.delivered_on, InKindItem.id)
        )
    )


def may_see_receipt(user: User, item: InKindItem) -> bool:
    project = item.agreement.project
    return user.is_authenticated and (
        project.owner_id == user.id or may_manage_unit(user, project.unit_id)
    )
