"""In-kind support on its agreement's page: each item handed over, its signed receipt, a
reversal when it was recorded by mistake."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.capital import bp
from portal.capital.common import may_manage_unit
from portal.capital.forms import InKindForm, ReverseInKindForm
from portal.capital.in_kind import services as in_kind
from portal.capital.models import InKindItem, SupportAgreement
from portal.capital.views import agreement_page, choose_again, uploaded
from portal.core import idempotency, storage
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.permissions import STAFF_ROLES, load_or_404, roles_required
from portal.core.time import utcnow


def _back(agreement_id: int):
    return redirect(url_for("capital.agreement", agreement_id=agreement_id) + "#in-kind")


@bp.route(
    "/capital/agreements/<int:agreement_id>/in-kind", methods=["POST"], endpoint="record_in_kind"
)
@roles_required(*STAFF_ROLES)
def record_in_kind(agreement_id: int):
    agreement = load_or_404(
        SupportAgreement, agreement_id, allowed=lambda u, a: may_manage_unit(u, a.project.unit_id)
    )
    form = InKindForm(prefix="in-kind")
    refusal = None
    if form.validate_on_submit():
        try:
            in_kind.record_item(
                current_user,
                agreement,
                kind=form.kind.data,
                description=form.description.data,
                quantity=form.quantity.data,
                unit_of_measure=form.unit_of_measure.data or "",
                value=form.value.data,
                delivered_on=form.delivered_on.data,
                receipt=uploaded(form.receipt.data),
                now=utcnow(),
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            return _back(agreement.id)
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("What was handed over is recorded."), "success")
            return _back(agreement.id)
    choose_again(form.receipt)
    return agreement_page(agreement, in_kind=form), form_status(form, refusal)


def _manages(user, item: InKindItem) -> bool:
    return may_manage_unit(user, item.agreement.project.unit_id)


@bp.route("/capital/in-kind/<int:item_id>/reverse", methods=["POST"], endpoint="reverse_in_kind")
@roles_required(*STAFF_ROLES)
def reverse_in_kind(item_id: int):
    item = load_or_404(InKindItem, item_id, allowed=_manages)
    form = ReverseInKindForm(prefix=f"reverse-item-{item.id}")
    if form.validate_on_submit():
        try:
            in_kind.reverse_item(current_user, item, form.reason.data, now=utcnow())
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(_("The item is reversed; the reversal is in the ledger."), "info")
    else:
        flash(_("Write why it is reversed."), "danger")
    return _back(item.agreement_id)


@bp.route("/capital/in-kind/<int:item_id>/receipt", endpoint="in_kind_receipt")
@login_required
def in_kind_receipt(item_id: int):
    """The receipt she signed: hers and her organisers'."""
    item = load_or_404(InKindItem, item_id, allowed=in_kind.may_see_receipt)
    return storage.send_stored(
        item.receipt_stored_name,
        item.receipt_content_type,
        item.receipt_filename,
        "receipt",
    )
