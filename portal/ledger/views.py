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


def _close_form(units) -> CloseMonthForm:
    """The form (bound to what was sent, on a POST) with her units and the months that are over,
    the last one first."""
    form = CloseMonthForm()
    form.unit.choices = [SelectChoice(str(u.id), u.full_name) for u in units]
    this_month = vietnam_date(utcnow()).replace(day=1)
    form.month.choices = [
        SelectChoice(m.isoformat(), format_date(m, "MM/yyyy"))
        for m in (this_month - relativedelta(months=n) for n in range(1, MONTHS_OFFERED + 1))
    ]
    return form


def _as_of() -> date | None:
    """The day asked; an old or mistyped link shows every posting."""
    with suppress(ValueError):
        return date.fromisoformat(request.args.get("as_of", "")[:10])
    return None


def _page(form: CloseMonthForm, units, status: int = 200):
    unit_id = bounded_int(request.args.get("unit"))
    unit_ids = ledger.scope(current_user, unit_id)
    as_of = _as_of()
    rows = ledger.trial_balance(unit_ids, as_of)
    return render_template(
        "ledger/trial_balance.html",
        rows=rows,
        as_of=as_of,
        units=units,
        unit_id=unit_id if any(u.id == unit_id for u in units) else None,
        names=ledger.source_names(sorted({r.source for r in rows})),
        label=ledger.account_label,
        debits=sum(r.debit for r in rows),
        credits=sum(r.credit for r in rows),
        closed=ledger.closed_months(ledger.scope(current_user)),
        form=form,
    ), status


@bp.route("/ledger", endpoint="trial_balance")
@roles_required(*STAFF_ROLES)
def trial_balance():
    units = ledger.book_units(current_user)
    return _page(_close_form(units), units)


@bp.route("/ledger/months", methods=["POST"], endpoint="close_month")
@roles_required(*STAFF_ROLES)
def close_month():
    units = ledger.book_units(current_user)
    form = _close_form(units)
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
    return _page(form, units, form_status(form, refusal))


@bp.route("/ledger/accounts/<account>", endpoint="account")
@roles_required(*STAFF_ROLES)
def account(account: str):
    if not ledger.is_named(account):  # no page shows an account no feature posts to
        abort(404)
    unit_ids = ledger.scope(current_user, bounded_int(request.args.get("unit")))
    source = request.args.get("source", "")[:40] or None
    page = bounded_int(request.args.get("page"), maximum=100_000) or 1
    lines, total = ledger.account_lines(account, source=source, unit_ids=unit_ids, page=page)
    # A source is named only when she sees its lines: another unit's source stays unnamed.
    tags = sorted(
        {line.posting.source for line in lines} | ({source} if source and total else set())
    )
    return render_template(
        "ledger/account.html",
        account=account,
        label=ledger.account_label(account),
        source=source,
        names=ledger.source_names(tags),
        objects=ledger.object_names(
            sorted({(line.posting.object_type, line.posting.object_id) for line in lines})
        ),
        lines=lines,
        total=total,
        page=page,
        pages=max(1, -(-total // ledger.PER_PAGE)),
        unit=request.args.get("unit") or None,
    )
