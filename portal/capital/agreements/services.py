"""Support agreements: an organiser proposes a grant, a loan or in-kind support for a project
of her unit; a second organiser of the unit — never the proposer, never an admin alone —
approves or rejects it. The winner is told by mail in her language."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from portal.auth.messages import tell
from portal.auth.models import User
from portal.capital.agreements.status import change_agreement_status
from portal.capital.common import may_manage_unit
from portal.capital.loans.schedule import Frequency, Method, Terms
from portal.capital.models import (
    AgreementKind,
    AgreementStatus,
    CapitalSource,
    Loan,
    SupportAgreement,
)
from portal.core import audit, idempotency
from portal.core.errors import DomainError, NotAllowed
from portal.core.money import is_amount
from portal.core.text import required_text
from portal.core.time import to_vietnam, utcnow
from portal.core.urls import external_url
from portal.extensions import db
from portal.projects.models import SupportedProject
from portal.projects.services import scoped_query

MAX_PURPOSE = 2000


class AgreementConflict(DomainError):
    status = 409


class SamePerson(DomainError):
    """The proposer may not approve her own proposal (403)."""

    status = 403


@dataclass
class LoanTerms:
    rate: str | Decimal | None
    periods: int | None
    grace: int | None
    frequency: str | None
    method: str | None


def may_propose(user: User, project: SupportedProject) -> bool:
    return may_manage_unit(user, project.unit_id)


def _sources_of(project: SupportedProject) -> sa.Select:
    """The sources a project may be supported from: those of the unit that follows it and of
    the province above it."""
    unit = project.unit
    units = [unit.id] + ([unit.parent_id] if unit.parent_id else [])
    return sa.select(CapitalSource).where(CapitalSource.unit_id.in_(units))


def sources_for(project: SupportedProject) -> list[CapitalSource]:
    return list(db.session.scalars(_sources_of(project).order_by(CapitalSource.name)))


def _loan_terms(amount: int, terms: LoanTerms) -> Terms:
    try:
        rate = Decimal(str(terms.rate).replace(",", ".")) if terms.rate not in (None, "") else None
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite():
        raise DomainError(_l("Write the rate in percent a month, for example 0,65."), field="rate")
    try:
        return Terms(
            principal=amount,
            rate=rate,
            periods=terms.periods or 0,
            grace=terms.grace or 0,
            frequency=Frequency(terms.frequency or "monthly"),
            method=Method(terms.method or ""),
            disbursed_on=to_vietnam(utcnow()).date(),
        )
    except ValueError:
        raise DomainError(
            _l(
                "Check the terms: a rate from 0 to 10 % a month, 1 to 360 periods, fewer grace "
                "periods than periods, and a method."
            ),
            field="periods",
        ) from None


def propose(
    actor: User,
    project: SupportedProject,
    *,
    kind: str | None,
    source_id: int | None,
    amount: int | None,
    purpose: str,
    loan: LoanTerms | None = None,
    now: datetime | None = None,
    form_key: str | None = None,
) -> SupportAgreement:
    """Propose support for the project; it waits for a second organiser. Commits."""
    now = now or utcnow()
    if not may_propose(actor, project):
        raise NotAllowed(_l("You cannot manage the capital of another unit."))
    try:
        kind = AgreementKind(kind or "")
    except ValueError:
        raise DomainError(_l("Choose a grant, a loan or in-kind support."), field="kind") from None
    source = db.session.scalar(_sources_of(project).where(CapitalSource.id == (source_id or 0)))
    if source is None:
        raise DomainError(_l("Choose the capital source."), field="source")
    if not is_amount(amount):
        raise DomainError(_l("Write the amount in whole đồng, above zero."), field="amount")
    purpose = required_text(
        purpose, field="purpose", missing=_l("Write what the support is for."), limit=MAX_PURPOSE
    )
    terms = _loan_terms(amount, loan) if kind is AgreementKind.LOAN else None
    claimed = idempotency.claim(form_key, kind="support_agreement", actor_id=actor.id)
    agreement = SupportAgreement(
        reference=f"new-{idempotency.new_key()[:24]}",  # numbered once it has its id
        project_id=project.id,
        source_id=source.id,
        kind=kind,
        amount=amount,
        purpose=purpose,
        status=AgreementStatus.PROPOSED,
        proposed_by_id=actor.id,
        proposed_at=now,
    )
    db.session.add(agreement)
    db.session.flush()
    agreement.reference = f"HT-{to_vietnam(now).year}-{agreement.id:05d}"
    if terms is not None:
        db.session.add(
            Loan(
                agreement_id=agreement.id,
                principal=amount,
                rate=terms.rate,
                periods=terms.periods,
                grace=terms.grace,
                frequency=terms.frequency,
                method=terms.method,
            )
        )
    db.session.flush()
    idempotency.made(claimed, agreement)
    audit.record(
        "support_agreement.proposed",
        actor_id=actor.id,
        object_type="support_agreement",
        object_id=agreement.id,
        after={
            "project_id": project.id,
            "kind": kind.value,
            "source_id": source.id,
            "amount": amount,
            **(
                {
                    "rate": str(terms.rate),
                    "periods": terms.periods,
                    "grace": terms.grace,
                    "frequency": terms.frequency.value,
                    "method": terms.method.value,
                }
                if terms
                else {}
            ),
        },
    )
    db.session.commit()
    return agreement


def may_decide(user: User, agreement: SupportAgreement) -> bool:
    """The second signature: an organiser of the project's unit who did not propose it."""
    try:
        _second_signature(user, agreement)
    except DomainError:
        return False
    return True


def organises_unit(user: User, unit) -> bool:
    """Her own organiser role over the unit (or its province) — being an admin as well adds
    nothing: the second signature on money is an organiser's."""
    return user.is_authenticated and any(
        scope.id in (unit.id, unit.parent_id) for scope in user.organiser_units()
    )


def _second_signature(actor: User, agreement: SupportAgreement) -> None:
    """The checker: an organiser of the unit who is not the maker. An admin who is not an
    organiser of the unit cannot be the second signature alone."""
    if not organises_unit(actor, agreement.project.unit):
        raise NotAllowed(_l("Only an organiser of the project's unit can approve support."))
    if actor.id == agreement.proposed_by_id:
        raise SamePerson(
            _l("You proposed this support: another organiser of the unit must approve it.")
        )


def tell_the_winner(agreement: SupportAgreement, template: str, subject) -> None:
    owner = agreement.project.owner
    tell(
        owner,
        template,
        subject,
        agreement=agreement,
        project=agreement.project,
        support_url=external_url("capital.my_support"),
    )


def approve(
    actor: User, agreement: SupportAgreement, *, expected_version: int, now: datetime | None = None
) -> SupportAgreement:
    """The second organiser approves. The same click twice approves once. Commits."""
    now = now or utcnow()
    _second_signature(actor, agreement)
    if agreement.status is AgreementStatus.APPROVED:
        return agreement
    if agreement.status is not AgreementStatus.PROPOSED or not change_agreement_status(
        actor.id,
        agreement,
        AgreementStatus.APPROVED,
        expected_version=expected_version,
        approved_by_id=actor.id,
        approved_at=now,
    ):
        db.session.rollback()
        db.session.refresh(agreement)
        if agreement.status is AgreementStatus.APPROVED:
            return agreement
        raise AgreementConflict(_l("This support changed since you opened it: check it again."))
    tell_the_winner(
        agreement,
        "support_approved",
        _l("Support approved for your project: %(title)s", title=agreement.project.title),
    )
    db.session.commit()
    return agreement


def reject(
    actor: User,
    agreement: SupportAgreement,
    reason: str,
    *,
    expected_version: int,
    now: datetime | None = None,
) -> SupportAgreement:
    """The second organiser does not approve, with the reason. Commits."""
    _second_signature(actor, agreement)
    reason = required_text(reason, field="reason", missing=_l("Write why it is not approved."))
    if agreement.status is not AgreementStatus.PROPOSED or not change_agreement_status(
        actor.id,
        agreement,
        AgreementStatus.REJECTED,
        expected_version=expected_version,
        after={"reason": reason},
        closing_reason=reason,
    ):
        db.session.rollback()
        raise AgreementConflict(_l("This support changed since you opened it: check it again."))
    db.session.commit()
    return agreement


def may_close(user: User, agreement: SupportAgreement) -> bool:
    """Support not yet under way, or a grant or in-kind support under way, may be stopped by
    an organiser of its unit; a loan under way ends repaid or written off."""
    return may_manage_unit(user, agreement.project.unit_id) and (
        agreement.status is AgreementStatus.APPROVED
        or (agreement.status is AgreementStatus.ACTIVE and agreement.kind is not AgreementKind.LOAN)
    )


def close(
    actor: User, agreement: SupportAgreement, reason: str, *, expected_version: int
) -> SupportAgreement:
    """Stop the support, with the reason (what was paid or handed over stays); she is told.
    Commits."""
    if not may_manage_unit(actor, agreement.project.unit_id):
        raise NotAllowed(_l("You cannot manage the capital of another unit."))
    reason = required_text(reason, field="reason", missing=_l("Write why the support stops."))
    if not may_close(actor, agreement):
        raise AgreementConflict(
            _l("Only support not yet under way, or a grant or in-kind support, can be stopped.")
        )
    if not change_agreement_status(
        actor.id,
        agreement,
        AgreementStatus.CLOSED,
        expected_version=expected_version,
        after={"reason": reason},
        closing_reason=reason,
    ):
        db.session.rollback()
        raise AgreementConflict(_l("This support changed since you opened it: check it again."))
    tell_the_winner(
        agreement,
        "support_closed",
        _l("Support for your project stopped: %(title)s", title=agreement.project.title),
    )
    db.session.commit()
    return agreement


def agreements_of(
    user: User, *, status: AgreementStatus | None = None, project_id: int | None = None
) -> list[SupportAgreement]:
    """The support of the projects she follows (her units' and their communes'; all for an admin),
    those waiting for a second signature first, then the newest; one query."""
    projects = scoped_query(user).order_by(None).with_only_columns(SupportedProject.id)
    query = (
        sa.select(SupportAgreement)
        .where(SupportAgreement.project_id.in_(projects))
        .options(
            joinedload(SupportAgreement.project),
            joinedload(SupportAgreement.source),
            joinedload(SupportAgreement.proposed_by),
        )
        .order_by(
            (SupportAgreement.status != AgreementStatus.PROPOSED).asc(),
            SupportAgreement.proposed_at.desc(),
            SupportAgreement.id.desc(),
        )
    )
    if status is not None:
        query = query.where(SupportAgreement.status == status)
    if project_id is not None:
        query = query.where(SupportAgreement.project_id == project_id)
    return list(db.session.scalars(query))
