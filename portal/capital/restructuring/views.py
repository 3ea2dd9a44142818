"""A loan's restructuring on its page: proposed by one organiser, approved or not by a second."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.capital import bp
from portal.capital.forms import RejectRestructuringForm, RestructureForm
from portal.capital.loans import services as loans
from portal.capital.models import Loan, Restructuring
from portal.capital.restructuring import services as restructuring
from portal.capital.views import agreement_page
from portal.core import idempotency
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.permissions import STAFF_ROLES, load_or_404, roles_required
from portal.core.time import utcnow


def _back(loan: Loan):
    return redirect(url_for("capital.agreement", agreement_id=loan.agreement_id) + "#hardship")


@bp.route("/capital/loans/<int:loan_id>/restructurings", methods=["POST"], endpoint="restructure")
@roles_required(*STAFF_ROLES)
def restructure(loan_id: int):
    loan = load_or_404(Loan, loan_id, allowed=lambda user, loan: loans.may_manage(user, loan))
    form = RestructureForm(prefix="restructure")
    refusal = None
    if form.validate_on_submit():
        try:
            restructuring.propose_restructuring(
                current_user,
                loan,
                reason=form.reason.data,
                effective_on=form.effective_on.data,
                periods=form.periods.data,
                grace=form.grace.data,
                now=utcnow(),
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            return _back(loan)
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(
                _("The new schedule is proposed: a second organiser of the unit must approve it."),
                "success",
            )
            return _back(loan)
    return agreement_page(loan.agreement, restructure=form), form_status(form, refusal)


def _decided(user, found: Restructuring) -> bool:
    return restructuring.may_decide(user, found)


@bp.route(
    "/capital/restructurings/<int:restructuring_id>/approve",
    methods=["POST"],
    endpoint="approve_restructuring",
)
@roles_required(*STAFF_ROLES)
def approve_restructuring(restructuring_id: int):
    found = load_or_404(Restructuring, restructuring_id, allowed=_decided)
    try:
        restructuring.approve_restructuring(current_user, found, now=utcnow())
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(_("The new schedule is approved and in force."), "success")
    return _back(found.loan)


@bp.route(
    "/capital/restructurings/<int:restructuring_id>/reject",
    methods=["POST"],
    endpoint="reject_restructuring",
)
@roles_required(*STAFF_ROLES)
def reject_restructuring(restructuring_id: int):
    found = load_or_404(Restructuring, restructuring_id, allowed=_decided)
    form = RejectRestructuringForm(prefix="restructuring-reject")
    refusal = None
    if form.validate_on_submit():
        try:
            restructuring.reject_restructuring(current_user, found, form.reason.data, now=utcnow())
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The new schedule is not approved."), "info")
            return _back(found.loan)
    return agreement_page(found.loan.agreement, reject_restructuring=form), form_status(
        form, refusal
    )
