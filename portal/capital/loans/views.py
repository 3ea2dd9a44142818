"""A loan's write-off (proposed by one organiser, approved by a second) and the recoveries after
it, on the loan's page."""

from flask import flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.capital import bp
from portal.capital.forms import RecoveryForm, WriteOffForm
from portal.capital.loans import receipts, writeoff
from portal.capital.loans import services as loans
from portal.capital.models import Loan, Repayment
from portal.capital.views import agreement_page
from portal.core import idempotency
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.permissions import STAFF_ROLES, load_or_404, roles_required
from portal.core.time import utcnow


def _managed(loan_id: int) -> Loan:
    return load_or_404(Loan, loan_id, allowed=lambda user, loan: loans.may_manage(user, loan))


def _back(loan: Loan):
    return redirect(url_for("capital.agreement", agreement_id=loan.agreement_id) + "#hardship")


@bp.route("/capital/loans/<int:loan_id>/write-off", methods=["POST"], endpoint="write_off")
@roles_required(*STAFF_ROLES)
def write_off(loan_id: int):
    loan = _managed(loan_id)
    form = WriteOffForm(prefix="write-off")
    refusal = None
    if form.validate_on_submit():
        try:
            writeoff.propose_write_off(current_user, loan, form.reason.data)
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(
                _("The write-off is proposed: a second organiser of the unit must approve it."),
                "success",
            )
            return _back(loan)
    return agreement_page(loan.agreement, write_off=form), form_status(form, refusal)


@bp.route(
    "/capital/loans/<int:loan_id>/write-off/approve",
    methods=["POST"],
    endpoint="approve_write_off",
)
@roles_required(*STAFF_ROLES)
def approve_write_off(loan_id: int):
    loan = load_or_404(Loan, loan_id, allowed=writeoff.may_approve)
    try:
        writeoff.approve_write_off(current_user, loan, now=utcnow())
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(_("The loan is written off; the loss is in the ledger."), "info")
    return _back(loan)


@bp.route("/capital/loans/<int:loan_id>/recoveries", methods=["POST"], endpoint="recover")
@roles_required(*STAFF_ROLES)
def recover(loan_id: int):
    loan = _managed(loan_id)
    form = RecoveryForm(prefix="recovery")
    refusal = None
    if form.validate_on_submit():
        try:
            writeoff.record_recovery(
                current_user,
                loan,
                form.amount.data,
                form.received_on.data,
                now=utcnow(),
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            return _back(loan)
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The recovery is recorded."), "success")
            return _back(loan)
    return agreement_page(loan.agreement, recover=form), form_status(form, refusal)


@bp.route("/capital/repayments/<int:repayment_id>/receipt.pdf", endpoint="repayment_receipt")
@login_required
def repayment_receipt(repayment_id: int):
    """The receipt of a repayment, in Vietnamese: the borrower's and her organisers'."""
    repayment = load_or_404(Repayment, repayment_id, allowed=loans.may_see_receipt)
    response = make_response(receipts.receipt_pdf(repayment))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{receipts.file_name(repayment)}"'
    return response
