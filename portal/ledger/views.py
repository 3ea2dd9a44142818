"""The ledger's pages: the trial balance of the units she keeps the books of, each account's
lines, and closing a month that is over."""

from contextlib import suppress
from datetime import date

from dateutil.relativedelta import relativedelta
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal.auth.models import Role
from portal.core.errors import DomainError
from portal.core.forms import FlaskForm, form_status, show_error
from portal.core.inputs import bounded_int
from portal.core.permissions import STAFF_ROLES, roles_required
from portal.core.time import utcnow, vietnam_date
from portal.ledger import bp
from portal.ledger import services as ledger

MONTHS_OFFERED = 24


class CloseMonthForm(FlaskForm):
    unit = SelectField(_l("Unit"), validators=[InputRequired(_l("Choose the unit."))])
    month = SelectField(_l("Month"), validators=[InputRequired(_l("Choose the month to close."))])
    submit = SubmitField(_l("Close the month"))


def _units():
    """The units whose books she keeps: hers and their communes; None (all) for an admin."""
    if current_user.has_role(Role.ADMIN):
        return None
    found = {}
    for unit in current_user.organiser_units():
        found[unit.id] = unit
        for child in unit.children:
            found[child.id] = child
    return found


def _close_form() -> CloseMonthForm:
    """The form (bound to what was sent, on a POST) with her units and the months that are over."""
    form = CloseMonthForm()
    units = _units() or {u.id: u for u in current_user.organiser_units()}
    choices = sorted(units.values(), key=lambda u: u.full_name)
    form.unit.choices = [SelectChoice(str(u.id), u.full_name) for u in choices]
    this_month = vietnam_date(utcnow()).replace(day=1)
    form.month.choices = [
        SelectChoice(m.isoformat(), format_date(m, "MM/yyyy"))
        for m in (this_month - relativedelta(months=n) for n in range(1, MONTHS_OFFERED + 1))
    ]
    return form


def _page(form: CloseMonthForm, status: int = 200):
    units = _units()
    unit_ids = list(units) if units is not None else None
    as_of = None
    with suppress(ValueError):
        as_of = date.fromisoformat(request.args.get("as_of", "")[:10])
    rows = ledger.trial_balance(unit_ids, as_of)
    return render_template(
        "ledger/trial_balance.html",
        rows=rows,
        as_of=as_of,
        names=ledger.source_names(sorted({r.source for r in rows})),
        label=ledger.account_label,
        debits=sum(r.debit for r in rows),
        credits=sum(r.credit for r in rows),
        closed=ledger.closed_months(unit_ids),
        form=form,
    ), status


@bp.route("/ledger", endpoint="trial_balance")
@roles_required(*STAFF_ROLES)
def trial_balance():
    return _page(_close_form())


@bp.route("/ledger/months", methods=["POST"], endpoint="close_month")
@roles_required(*STAFF_ROLES)
def close_month():
    form = _close_form()
    refusal = None
    if form.validate_on_submit():
        month = None
        with suppress(ValueError):
            month = date.fromisoformat(form.month.data)
        try:
            ledger.close_month(current_user, bounded_int(form.unit.data), month, now=utcnow())
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The month is closed: nothing can be dated in it any more."), "success")
            return redirect(url_for("ledger.trial_balance"))
    return _page(form, form_status(form, refusal))


@bp.route("/ledger/accounts/<account>", endpoint="account")
@roles_required(*STAFF_ROLES)
def account(account: str):
    if len(account) > 80:
        abort(404)
    units = _units()
    source = request.args.get("source") or None
    page = bounded_int(request.args.get("page")) or 1
    lines, total = ledger.account_lines(
        account, source=source, unit_ids=list(units) if units is not None else None, page=page
    )
    return render_template(
        "ledger/account.html",
        account=account,
        label=ledger.account_label(account),
        source=source,
        source_name=ledger.source_names([source])[source] if source else None,
        lines=lines,
        total=total,
        page=page,
        pages=max(1, -(-total // 100)),
    )
