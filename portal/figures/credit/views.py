"""The entrusted-credit pages: the imports and their history, the bank's file uploaded, checked
and previewed (or its problems by line), then confirmed; an import's groups and totals; the
template file. Organisers of the unit (or its province) and admins."""

from datetime import date

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from portal.core import idempotency
from portal.core.errors import DomainError
from portal.core.forms import INVALID, show_error
from portal.core.inputs import bounded_int, page_number
from portal.core.money import format_vnd
from portal.core.permissions import STAFF_ROLES, found_or_404, roles_required
from portal.core.spreadsheets import as_csv, as_xlsx
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.figures import bp
from portal.figures.credit import services as credit
from portal.figures.credit import sheet
from portal.figures.credit.forms import ConfirmForm, UploadForm
from portal.figures.credit.models import CreditGroupFigures
from portal.figures.views import LISTS

PER_PAGE = 50
ROWS_PER_PAGE = 100
PREVIEW_ROWS = 200


def _money(amount: int) -> str:
    return format_vnd(amount, str(get_locale()))


# The records behind the entrusted-credit figures (figures/records.html): money written out here,
# as the records page formats only the columns it knows.
LISTS[CreditGroupFigures] = (
    lambda: [
        _("Savings group"),
        _("Commune or ward"),
        _("Group leader"),
        _("Figures as of"),
        _("Members"),
        _("Borrowers"),
        _("Outstanding"),
        _("Overdue"),
        _("Savings"),
        _("Rating"),
    ],
    lambda g: [
        g.group_name,
        g.commune.name,
        g.leader,
        g.credit_import.period_end,
        g.members,
        g.borrowers,
        _money(g.outstanding),
        _money(g.overdue),
        _money(g.savings),
        g.rating.label,
    ],
    (joinedload(CreditGroupFigures.commune), joinedload(CreditGroupFigures.credit_import)),
)


def _upload_form(formdata=True) -> UploadForm:
    form = UploadForm() if formdata else UploadForm(formdata=None)
    form.unit.choices = [
        SelectChoice(str(u.id), u.full_name) for u in credit.units_for(current_user)
    ]
    if len(form.unit.choices) == 1 and not form.unit.data:
        form.unit.data = form.unit.choices[0].value
    return form


def _page(form: UploadForm, confirm: ConfirmForm | None = None, batch=None, status=200):
    return render_template(
        "figures/credit/upload.html",
        form=form,
        confirm=confirm,
        batch=batch,
        preview_rows=PREVIEW_ROWS,
        headers=sheet.HEADERS,
        column_labels=sheet.COLUMN_LABELS,
    ), status


def _confirm_form(batch: credit.Batch, file_name: str, lines, reason: str = "") -> ConfirmForm:
    return ConfirmForm(
        formdata=None,
        data={
            "unit": str(batch.unit.id),
            "period": batch.period_end.isoformat(),
            "file_name": file_name,
            "lines": sheet.lines_to_json(lines),
            "replaces": str(batch.in_force.id) if batch.in_force else "",
            "reason": reason,
        },
    )


@bp.route("/figures/credit/imports", endpoint="credit_imports")
@roles_required(*STAFF_ROLES)
def imports():
    page = db.paginate(
        credit.imports_query(current_user), page=page_number(), per_page=PER_PAGE, error_out=False
    )
    return render_template(
        "figures/credit/imports.html",
        page=page,
        totals=credit.totals_of([i.id for i in page.items]),
        may_upload=bool(credit.units_for(current_user)),
    )


@bp.route("/figures/credit/imports/new", methods=["GET", "POST"], endpoint="credit_upload")
@roles_required(*STAFF_ROLES)
def upload():
    form = _upload_form()
    if request.method == "GET":
        return _page(_upload_form(formdata=False))
    if not form.validate_on_submit():
        return _page(form, status=INVALID)
    upload = form.file.data
    try:
        read = sheet.read_sheet(upload.read(sheet.MAX_BYTES + 1))
        batch = credit.check(
            current_user,
            bounded_int(form.unit.data),
            form.period.data,
            read.lines,
            today=vietnam_date(utcnow()),
        )
    except DomainError as error:
        show_error(form, error)
        return _page(form, status=error.status)
    if read.problems:
        batch.problems = read.problems
    if not batch.ok:
        return _page(form, None, batch, INVALID)
    confirm = _confirm_form(batch, credit.clean_file_name(upload.filename), read.lines)
    return _page(form, confirm, batch)


def _period(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


@bp.route("/figures/credit/imports/confirm", methods=["POST"], endpoint="credit_confirm")
@roles_required(*STAFF_ROLES)
def confirm():
    confirm = ConfirmForm()
    lines = sheet.lines_from_json(confirm.lines.data) if confirm.validate_on_submit() else None
    if lines is None:
        flash(_("Choose the file again: the preview had expired."), "warning")
        return redirect(url_for("figures.credit_upload"))
    unit_id, period = bounded_int(confirm.unit.data), _period(confirm.period.data)
    try:
        batch = credit.import_period(
            current_user,
            unit_id,
            period,
            confirm.file_name.data,
            lines,
            reason=confirm.reason.data,
            replaces_id=bounded_int(confirm.replaces.data),
            now=utcnow(),
            form_key=request.form.get("form_key"),
        )
    except idempotency.AlreadySent as sent:
        if sent.earlier.object_id:
            return redirect(url_for("figures.credit_import", import_id=sent.earlier.object_id))
        return redirect(url_for("figures.credit_imports"))
    except DomainError as error:
        form = _upload_form(formdata=False)
        if error.field == "reason":
            # The preview again, the reason asked for beside its field.
            batch = credit.check(current_user, unit_id, period, lines, today=vietnam_date(utcnow()))
            again = _confirm_form(batch, confirm.file_name.data or "", lines, confirm.reason.data)
            show_error(again, error)
            return _page(form, again, batch, error.status)
        form.form_errors.append(error.message)
        return _page(form, status=error.status)
    if not batch.ok:  # something changed since the preview
        return _page(_upload_form(formdata=False), None, batch, INVALID)
    flash(
        ngettext(
            "The figures of %(num)d savings group are imported.",
            "The figures of %(num)d savings groups are imported.",
            len(batch.groups),
        ),
        "success",
    )
    return redirect(url_for("figures.credit_import", import_id=batch.written.id))


@bp.route("/figures/credit/imports/<int:import_id>", endpoint="credit_import")
@roles_required(*STAFF_ROLES)
def import_page(import_id: int):
    found = found_or_404(credit.load_import(import_id), allowed=credit.may_read_import)
    rows = db.paginate(
        credit.rows_query(found), page=page_number(), per_page=ROWS_PER_PAGE, error_out=False
    )
    by_commune = credit.by_commune(found)
    return render_template(
        "figures/credit/import.html",
        credit_import=found,
        rows=rows,
        by_commune=by_commune,
        totals=credit.totals_of([found.id])[found.id],
        replaced=found.replaces,
    )


@bp.route("/figures/credit/template.<any(csv, xlsx):kind>", endpoint="credit_template")
@roles_required(*STAFF_ROLES)
def template(kind: str):
    """An empty sheet with the column names the import reads, in Vietnamese as the bank writes
    them."""
    header = [sheet.HEADERS[c] for c in sheet.COLUMNS]
    if kind == "csv":
        data, mimetype = as_csv(header, []), "text/csv; charset=utf-8"
    else:
        data = as_xlsx("Tổ TK&VV", header, [])
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = make_response(data)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="to-tkvv-mau.{kind}"'
    return response
