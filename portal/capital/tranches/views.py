"""A grant's tranches on its page: planned with their condition, released once it holds, paid
(one posting) and, when paid by mistake, reversed."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.capital import bp
from portal.capital.common import may_manage_unit
from portal.capital.forms import PayTrancheForm, ReverseTrancheForm
from portal.capital.models import SupportAgreement, Tranche
from portal.capital.tranches import services as tranches
from portal.capital.views import agreement_page, tranche_form
from portal.core import idempotency
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.inputs import bounded_int
from portal.core.permissions import STAFF_ROLES, load_or_404, roles_required
from portal.core.time import utcnow


def _manages(user, tranche: Tranche) -> bool:
    return may_manage_unit(user, tranche.agreement.project.unit_id)


def _back(agreement_id: int):
    return redirect(url_for("capital.agreement", agreement_id=agreement_id) + "#tranches")


@bp.route(
    "/capital/agreements/<int:agreement_id>/tranches", methods=["POST"], endpoint="add_tranche"
)
@roles_required(*STAFF_ROLES)
def add_tranche(agreement_id: int):
    agreement = load_or_404(
        SupportAgreement, agreement_id, allowed=lambda u, a: may_manage_unit(u, a.project.unit_id)
    )
    form = tranche_form(prefix="tranche")
    refusal = None
    if form.validate_on_submit():
        try:
            tranches.add_tranche(
                current_user,
                agreement,
                amount=form.amount.data,
                planned_on=form.planned_on.data,
                condition=form.condition.data,
                milestone_kind_id=bounded_int(form.milestone_kind.data),
                report_number=form.report_number.data,
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            return _back(agreement.id)
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The tranche is planned."), "success")
            return _back(agreement.id)
    return agreement_page(agreement, tranche=form), form_status(form, refusal)


@bp.route(
    "/capital/tranches/<int:tranche_id>/release", methods=["POST"], endpoint="release_tranche"
)
@roles_required(*STAFF_ROLES)
def release_tranche(tranche_id: int):
    tranche = load_or_404(Tranche, tranche_id, allowed=_manages)
    try:
        tranches.release(
            current_user, tranche, expected_version=bounded_int(request.form.get("version")) or 0
        )
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(_("The tranche is released for payment."), "success")
    return _back(tranche.agreement_id)


@bp.route("/capital/tranches/<int:tranche_id>/pay", methods=["POST"], endpoint="pay_tranche")
@roles_required(*STAFF_ROLES)
def pay_tranche(tranche_id: int):
    tranche = load_or_404(Tranche, tranche_id, allowed=_manages)
    form = PayTrancheForm(prefix=f"pay-{tranche.id}")
    refusal = None
    if form.validate_on_submit():
        try:
            tranches.pay(
                current_user,
                tranche,
                form.paid_on.data,
                now=utcnow(),
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            return _back(tranche.agreement_id)
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The tranche is paid; the payment is in the ledger."), "success")
            return _back(tranche.agreement_id)
    return agreement_page(tranche.agreement, pay_forms={tranche.id: form}), form_status(
        form, refusal
    )


@bp.route(
    "/capital/tranches/<int:tranche_id>/reverse", methods=["POST"], endpoint="reverse_tranche"
)
@roles_required(*STAFF_ROLES)
def reverse_tranche(tranche_id: int):
    tranche = load_or_404(Tranche, tranche_id, allowed=_manages)
    form = ReverseTrancheForm(prefix=f"reverse-tranche-{tranche.id}")
    if form.validate_on_submit():
        try:
            tranches.reverse_payment(current_user, tranche, form.reason.data, now=utcnow())
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(_("The payment is reversed; the reversal is in the ledger."), "info")
    else:
        flash(_("Write why it is reversed."), "danger")
    return _back(tranche.agreement_id)
