"""Prize payments: the organisers' list with totals, recording and reversing a payment, receipts."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.auth.models import Role
from portal.awards import bp
from portal.awards.common import is_published
from portal.awards.models import Award, AwardStatus, PaymentKind, PrizePayment
from portal.awards.payments import services
from portal.awards.payments.forms import RecordPaymentForm, ReversePaymentForm
from portal.competitions.models import Competition
from portal.competitions.services import may_manage_competition
from portal.core import idempotency, storage
from portal.core.errors import DomainError
from portal.core.forms import INVALID, show_error
from portal.core.permissions import load_or_404, roles_required
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db

# Refusals because someone else acted first, or is acting now: the page says so with a 409.


def _managed_award(award_id: int) -> Award:
    return load_or_404(
        Award, award_id, allowed=lambda user, x: may_manage_competition(user, x.competition)
    )


def _why_not_payable(award: Award, account: services.WinnerPayments) -> str | None:
    """Why no payment can be recorded now, for the page (the service checks again on POST)."""
    if not services.is_payable(award):
        return _("Prize payments start when the results are published.")
    if award.status is AwardStatus.REVOKED:
        return _("This award has been revoked: no payment can be recorded for it.")
    if award.cash_value <= 0:
        return _("This prize has no cash value to pay.")
    if account.outstanding <= 0:
        return _("This prize has been paid in full.")
    return None


@bp.route("/awards/competitions/<int:competition_id>/payments", endpoint="payments")
@roles_required(Role.ORGANISER, Role.ADMIN)
def payments_page(competition_id: int):
    competition = load_or_404(Competition, competition_id, allowed=may_manage_competition)
    published = is_published(competition)
    accounts = (
        [services.winner_view(a) for a in services.cash_awards(competition)] if published else []
    )
    return render_template(
        "awards/payments/index.html",
        competition=competition,
        published=published,
        totals=services.totals(competition),
        accounts=accounts,
    )


@bp.route("/awards/<int:award_id>/payments/new", methods=["GET", "POST"], endpoint="record_payment")
@roles_required(Role.ORGANISER, Role.ADMIN)
def record_payment(award_id: int):
    award = _managed_award(award_id)
    account = services.winner_view(award)
    form = RecordPaymentForm()
    status = 200
    if request.method == "GET":
        form.paid_on.data = vietnam_date()
        form.amount.data = account.outstanding or None
    elif form.validate_on_submit():
        upload = form.receipt.data
        receipt = (upload.read(), upload.filename or "") if upload and upload.filename else None
        try:
            services.record_payment(
                current_user,
                award,
                amount=form.amount.data,
                paid_on=form.paid_on.data,
                method=form.method.data,
                reference=form.reference.data or "",
                note=form.note.data or "",
                receipt=receipt,
                now=utcnow(),
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            flash(
                _("This payment was already recorded: it was not recorded a second time."), "info"
            )
            return redirect(url_for("awards.payments", competition_id=award.competition_id))
        except DomainError as error:
            show_error(form, error)
            status = error.status
        else:
            flash(_("The payment has been recorded."), "success")
            return redirect(url_for("awards.payments", competition_id=award.competition_id))
    else:
        status = INVALID
    chosen = getattr(form.receipt.data, "filename", "")
    if status != 200 and chosen and not form.receipt.errors:
        # A browser cannot keep a chosen file across pages: say so next to the field.
        form.receipt.errors = [_("Choose the receipt file again.")]
    return render_template(
        "awards/payments/record.html",
        competition=award.competition,
        award=award,
        account=services.winner_view(award) if status != 200 else account,
        refusal=_why_not_payable(award, account),
        form=form,
    ), status


@bp.route(
    "/awards/payments/<int:payment_id>/reverse", methods=["GET", "POST"], endpoint="reverse_payment"
)
@roles_required(Role.ORGANISER, Role.ADMIN)
def reverse_payment(payment_id: int):
    payment = db.get_or_404(PrizePayment, payment_id)
    award = _managed_award(payment.award_id)
    form = ReversePaymentForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.reverse_payment(
                    current_user,
                    payment,
                    reason=form.reason.data,
                    now=utcnow(),
                    form_key=request.form.get("form_key"),
                )
            except idempotency.AlreadySent:
                flash(_("This payment has already been reversed."), "info")
                return redirect(url_for("awards.payments", competition_id=award.competition_id))
            except DomainError as error:
                show_error(form, error)
                status = error.status
            else:
                flash(_("The payment has been reversed."), "success")
                return redirect(url_for("awards.payments", competition_id=award.competition_id))
        else:
            status = INVALID
    if payment.kind is PaymentKind.REVERSAL:
        refusal = _("A reversal cannot be reversed: record a new payment instead.")
    elif services.reversal_of(payment) is not None:
        refusal = _("This payment has already been reversed.")
    else:
        refusal = None
    return render_template(
        "awards/payments/reverse.html",
        competition=award.competition,
        award=award,
        payment=payment,
        refusal=refusal,
        form=form,
    ), status


@bp.route("/awards/payments/<int:payment_id>/receipt", endpoint="payment_receipt")
@login_required
def payment_receipt(payment_id: int):
    """A payment's receipt, for the winner of that award and the competition's organisers."""
    payment = load_or_404(PrizePayment, payment_id, allowed=services.may_see_receipt)
    return storage.send_stored(
        payment.receipt_stored_name,
        payment.receipt_content_type,
        payment.receipt_filename,
        "receipt",
    )
