"""Grants in tranches: an organiser plans the tranches of an approved or proposed grant (never
more than the grant), each with an optional condition — a milestone of a given kind verified, or a
progress report accepted; a tranche is released only when its condition holds, then paid (one
posting from the source); a mistaken payment is undone by a reversal that names it."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from portal.auth.models import User
from portal.capital.agreements.status import change_agreement_status
from portal.capital.common import CASH, GRANTS_EXPENSE, may_manage_unit
from portal.capital.models import (
    AgreementKind,
    AgreementStatus,
    CapitalSource,
    SupportAgreement,
    Tranche,
    TrancheCondition,
    TrancheStatus,
)
from portal.capital.sources.services import require_available
from portal.capital.tranches.status import change_tranche_status
from portal.core import audit, idempotency
from portal.core.errors import DomainError, NotAllowed
from portal.core.money import is_amount
from portal.core.text import required_text
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.ledger import services as ledger
from portal.ledger.models import Posting
from portal.projects.milestones.models import Milestone, MilestoneKind, MilestoneStatus
from portal.projects.reports.models import ProgressReport, ReportStatus


class TrancheConflict(DomainError):
    status = 409


def _manager(actor: User, agreement: SupportAgreement) -> None:
    if not may_manage_unit(actor, agreement.project.unit_id):
        raise NotAllowed(_l("You cannot manage the capital of another unit."))


def add_tranche(
    actor: User,
    agreement: SupportAgreement,
    *,
    amount: int | None,
    planned_on: date | None,
    condition: str | None = None,
    milestone_kind_id: int | None = None,
    report_number: int | None = None,
    form_key: str | None = None,
) -> Tranche:
    """Plan one more tranche of a grant. The same form sent twice plans it once. Commits."""
    _manager(actor, agreement)
    if agreement.kind is not AgreementKind.GRANT:
        raise DomainError(_l("Only a grant is paid in tranches."))
    if agreement.status not in (
        AgreementStatus.PROPOSED,
        AgreementStatus.APPROVED,
        AgreementStatus.ACTIVE,
    ):
        raise TrancheConflict(_l("This grant is closed: no tranche can be added."))
    # The grant's row locked: two tranches planned at once cannot both pass the total.
    db.session.execute(
        sa.select(SupportAgreement.id).where(SupportAgreement.id == agreement.id).with_for_update()
    )
    planned = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Tranche.amount), 0)).where(
            Tranche.agreement_id == agreement.id
        )
    )
    if not is_amount(amount):
        raise DomainError(_l("Write the amount in whole đồng, above zero."), field="amount")
    if planned + amount > agreement.amount:
        raise DomainError(
            _l(
                "The tranches would be more than the grant (%(left)s left to plan).",
                left=f"{agreement.amount - planned:,}".replace(",", "."),
            ),
            field="amount",
        )
    if planned_on is None:
        raise DomainError(_l("Write the planned date."), field="planned_on")
    try:
        condition = TrancheCondition(condition or "none")
    except ValueError:
        raise DomainError(_l("Choose from the list."), field="condition") from None
    if condition is TrancheCondition.MILESTONE and (
        not milestone_kind_id or db.session.get(MilestoneKind, milestone_kind_id) is None
    ):
        raise DomainError(_l("Choose the milestone that releases it."), field="milestone_kind")
    if condition is TrancheCondition.REPORT and not (report_number and report_number > 0):
        raise DomainError(
            _l("Write the number of the report that releases it."), field="report_number"
        )
    claimed = idempotency.claim(form_key, kind="grant_tranche_planned", actor_id=actor.id)
    number = (
        db.session.scalar(
            sa.select(sa.func.max(Tranche.number)).where(Tranche.agreement_id == agreement.id)
        )
        or 0
    ) + 1
    tranche = Tranche(
        agreement_id=agreement.id,
        number=number,
        amount=amount,
        planned_on=planned_on,
        condition=condition,
        milestone_kind_id=milestone_kind_id if condition is TrancheCondition.MILESTONE else None,
        report_number=report_number if condition is TrancheCondition.REPORT else None,
        status=TrancheStatus.PLANNED,
    )
    db.session.add(tranche)
    db.session.flush()
    idempotency.made(claimed, tranche)
    audit.record(
        "grant_tranche.planned",
        actor_id=actor.id,
        object_type="grant_tranche",
        object_id=tranche.id,
        after={"agreement_id": agreement.id, "amount": amount, "condition": condition.value},
    )
    db.session.commit()
    return tranche


def condition_holds(tranche: Tranche) -> bool:
    project_id = tranche.agreement.project_id
    if tranche.condition is TrancheCondition.MILESTONE:
        return bool(
            db.session.scalar(
                sa.select(sa.func.count(Milestone.id)).where(
                    Milestone.project_id == project_id,
                    Milestone.kind_id == tranche.milestone_kind_id,
                    Milestone.status == MilestoneStatus.VERIFIED,
                )
            )
        )
    if tranche.condition is TrancheCondition.REPORT:
        return bool(
            db.session.scalar(
                sa.select(sa.func.count(ProgressReport.id)).where(
                    ProgressReport.project_id == project_id,
                    ProgressReport.number == tranche.report_number,
                    ProgressReport.status == ReportStatus.ACCEPTED,
                )
            )
        )
    return True


def release(actor: User, tranche: Tranche, *, expected_version: int) -> Tranche:
    """Release a tranche of an approved grant for payment, once its condition holds. Commits."""
    agreement = tranche.agreement
    _manager(actor, agreement)
    if agreement.status not in (AgreementStatus.APPROVED, AgreementStatus.ACTIVE):
        raise TrancheConflict(_l("The grant must be approved before a tranche is released."))
    if tranche.status is TrancheStatus.APPROVED:
        return tranche
    if not condition_holds(tranche):
        raise DomainError(_l("Its condition does not hold yet: it cannot be released."))
    if tranche.status is not TrancheStatus.PLANNED or not change_tranche_status(
        actor.id, tranche, TrancheStatus.APPROVED, expected_version=expected_version
    ):
        db.session.rollback()
        raise TrancheConflict(_l("This tranche changed since you opened it: check it again."))
    if agreement.status is AgreementStatus.COMPLETED:
        change_agreement_status(actor.id, agreement, AgreementStatus.ACTIVE)
    db.session.commit()
    return tranche


def pay(
    actor: User,
    tranche: Tranche,
    paid_on: date | None,
    *,
    now: datetime | None = None,
    form_key: str | None = None,
) -> Tranche:
    """Pay a released tranche from the grant's source: one posting. Refused beyond what the
    source has. The grant is under way with its first tranche, completed with its last. Commits."""
    now = now or utcnow()
    agreement = tranche.agreement
    _manager(actor, agreement)
    if paid_on is None or paid_on > vietnam_date(now):
        raise DomainError(_l("Write the day it was paid, not in the future."), field="paid_on")
    ledger.require_open(agreement.source.unit_id, paid_on, field="paid_on")
    claimed = idempotency.claim(form_key, kind="grant_tranche", actor_id=actor.id)
    source = db.session.scalar(
        sa.select(CapitalSource).where(CapitalSource.id == agreement.source_id).with_for_update()
    )
    if agreement.status not in (AgreementStatus.APPROVED, AgreementStatus.ACTIVE):
        # A stopped grant pays nothing more: what was paid stays hers.
        raise TrancheConflict(_l("This grant is closed: no tranche can be paid."))
    require_available(source, tranche.amount)
    if tranche.status is not TrancheStatus.APPROVED:
        raise TrancheConflict(_l("Only a released tranche, not yet paid, can be paid."))
    posting = ledger.post(
        actor_id=actor.id,
        occurred_on=paid_on,
        description=str(
            _l(
                "Tranche %(number)d of grant %(reference)s",
                number=tranche.number,
                reference=agreement.reference,
            )
        ),
        source=source.ledger_tag,
        unit_id=source.unit_id,
        object_type="grant_tranche",
        object_id=tranche.id,
        lines=[(GRANTS_EXPENSE, tranche.amount), (CASH, -tranche.amount)],
    )
    if not change_tranche_status(
        actor.id, tranche, TrancheStatus.PAID, paid_on=paid_on, posting_id=posting.id
    ):
        db.session.rollback()
        raise TrancheConflict(_l("This tranche was paid in the meantime."))
    idempotency.made(claimed, tranche)
    if agreement.status is AgreementStatus.APPROVED:
        change_agreement_status(actor.id, agreement, AgreementStatus.ACTIVE)
    db.session.flush()
    unpaid = db.session.scalar(
        sa.select(sa.func.count(Tranche.id)).where(
            Tranche.agreement_id == agreement.id, Tranche.status != TrancheStatus.PAID
        )
    )
    paid = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Tranche.amount), 0)).where(
            Tranche.agreement_id == agreement.id, Tranche.status == TrancheStatus.PAID
        )
    )
    db.session.refresh(agreement)
    if not unpaid and paid == agreement.amount and agreement.status is AgreementStatus.ACTIVE:
        change_agreement_status(actor.id, agreement, AgreementStatus.COMPLETED)
    db.session.commit()
    return tranche


def reverse_payment(
    actor: User, tranche: Tranche, reason: str, *, now: datetime | None = None
) -> Tranche:
    """Undo a mistaken payment: a reversing posting that names the tranche; it is released
    again, to be paid right. Commits."""
    now = now or utcnow()
    agreement = tranche.agreement
    _manager(actor, agreement)
    reason = required_text(reason, field="reason", missing=_l("Write why it is reversed."))
    if tranche.status is not TrancheStatus.PAID:
        raise TrancheConflict(_l("Only a paid tranche can be reversed."))
    original = db.session.get(Posting, tranche.posting_id)
    reversal = ledger.reverse(
        original,
        actor_id=actor.id,
        occurred_on=vietnam_date(now),
        description=str(
            _l(
                "Reversal of tranche %(number)d of grant %(reference)s",
                number=tranche.number,
                reference=agreement.reference,
            )
        ),
        object_type="grant_tranche",
        object_id=tranche.id,
    )
    if not change_tranche_status(
        actor.id,
        tranche,
        TrancheStatus.APPROVED,
        after={"reason": reason, "reversal": reversal.id},
        paid_on=None,
        posting_id=None,
    ):
        db.session.rollback()
        raise TrancheConflict(_l("This tranche changed since you opened it: check it again."))
    if agreement.status is AgreementStatus.COMPLETED:
        change_agreement_status(actor.id, agreement, AgreementStatus.ACTIVE)
    db.session.commit()
    return tranche


@dataclass(frozen=True)
class TrancheLine:
    tranche: Tranche
    holds: bool  # its condition holds today


def tranches_of(agreement: SupportAgreement) -> list[TrancheLine]:
    """A grant's tranches in order, each with whether its condition holds now."""
    found = db.session.scalars(
        sa.select(Tranche)
        .where(Tranche.agreement_id == agreement.id)
        .options(joinedload(Tranche.milestone_kind))
        .order_by(Tranche.number)
    )
    return [TrancheLine(t, condition_holds(t)) for t in found]
