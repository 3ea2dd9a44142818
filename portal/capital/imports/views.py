"""The loan-book import on a page: upload the files, read the preview (or the problems by line),
then confirm; what is imported is checked again when confirmed."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.capital import bp
from portal.capital.imports import services as imports
from portal.capital.imports.forms import ConfirmForm, UploadForm
from portal.capital.loans.schedule import FREQUENCY_LABELS, METHOD_LABELS
from portal.core import idempotency
from portal.core.errors import DomainError
from portal.core.forms import INVALID
from portal.core.permissions import STAFF_ROLES, roles_required
from portal.core.time import utcnow

EMPTY_REPAYMENTS = ",".join(imports.REPAYMENT_COLUMNS) + "\n"


def _text(upload) -> str | None:
    """A file's text; None when it is not UTF-8 (a spreadsheet saved in another encoding)."""
    if not upload:
        return ""
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _page(form: UploadForm, confirm: ConfirmForm | None = None, book=None, status=200):
    return render_template(
        "capital/import.html",
        form=form,
        confirm=confirm,
        book=book,
        method_labels=METHOD_LABELS,
        frequency_labels=FREQUENCY_LABELS,
        files={
            imports.LOANS: _("Loans"),
            imports.REPAYMENTS: _("Repayments"),
            imports.OPENINGS: _("Opening balances"),
        },
    ), status


@bp.route("/capital/import", methods=["GET", "POST"], endpoint="import_loans")
@roles_required(*STAFF_ROLES)
def import_loans():
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(form, status=INVALID if form.is_submitted() else 200)
    texts = [_text(form.loans.data), _text(form.repayments.data), _text(form.openings.data)]
    if None in texts:
        form.form_errors.append(_("Save the files as CSV in UTF-8 (in Excel: CSV UTF-8)."))
        return _page(form, status=INVALID)
    loans_csv, repayments_csv, openings_csv = texts
    repayments_csv = repayments_csv or EMPTY_REPAYMENTS
    book = imports.check_loan_book(
        current_user, loans_csv, repayments_csv, openings_csv or None, now=utcnow()
    )
    confirm = ConfirmForm(
        formdata=None,
        data={
            "loans_csv": loans_csv,
            "repayments_csv": repayments_csv,
            "openings_csv": openings_csv,
        },
    )
    return _page(form, confirm if book.ok else None, book, 200 if book.ok else INVALID)


@bp.route("/capital/import/confirm", methods=["POST"], endpoint="confirm_import")
@roles_required(*STAFF_ROLES)
def confirm_import():
    confirm = ConfirmForm()
    if not confirm.validate_on_submit():
        flash(_("Choose the files again: the preview had expired."), "warning")
        return redirect(url_for("capital.import_loans"))
    try:
        book = imports.import_loan_book(
            current_user,
            confirm.loans_csv.data,
            confirm.repayments_csv.data or EMPTY_REPAYMENTS,
            confirm.openings_csv.data or None,
            now=utcnow(),
            form_key=request.form.get("form_key"),
        )
    except idempotency.AlreadySent:
        return redirect(url_for("capital.portfolio"))
    except DomainError as error:  # the same import still being written by another request
        form = UploadForm(formdata=None)
        form.form_errors.append(error.message)
        return _page(form, status=error.status)
    if not book.ok:  # something changed since the preview
        return _page(UploadForm(formdata=None), None, book, INVALID)
    flash(
        ngettext("%(num)d loan imported.", "%(num)d loans imported.", len(book.loans)),
        "success",
    )
    return redirect(url_for("capital.portfolio"))
