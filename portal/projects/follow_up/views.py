"""The organisers' follow-up list and its export."""

from flask import make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.core import cache
from portal.core.inputs import bounded_int, page_number
from portal.core.pages import Page, shown_page
from portal.core.permissions import STAFF_ROLES, roles_required
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.projects import bp
from portal.projects import services as project_services
from portal.projects.follow_up import exports, services
from portal.projects.reports.forms import FollowUpFilterForm
from portal.projects.reports.models import ReportState
from portal.projects.reports.services import state_of

PER_PAGE = 50


def _filters() -> tuple[FollowUpFilterForm, services.FollowUpFilters]:
    form = FollowUpFilterForm(request.args)
    options = project_services.filter_options(current_user)
    everything = SelectChoice("", _("All"))
    form.year.choices = [everything] + [SelectChoice(str(y), str(y)) for y in options.years]
    form.commune.choices = [everything] + [
        SelectChoice(str(c.id), c.full_name) for c in options.communes
    ]
    form.state.choices = [SelectChoice("", _("Needing action"))] + [
        SelectChoice(s.value, s.label) for s in ReportState
    ]
    form.kind.choices = [SelectChoice("", _("Reports and milestones"))] + [
        SelectChoice(code, label) for code, label in services.KINDS.items()
    ]
    form.validate()
    for name in ("year", "commune", "state", "kind"):
        if form[name].errors:  # a value no longer offered (an old link): not filtered on
            form[name].data, form[name].errors = "", []
    filters = services.FollowUpFilters(
        year=bounded_int(form.year.data),
        commune_id=bounded_int(form.commune.data),
        state=ReportState(form.state.data) if form.state.data else None,
        kind=form.kind.data or None,
    )
    return form, filters


@bp.route("/projects/follow-up", endpoint="follow_up")
@roles_required(*STAFF_ROLES)
@cache.kept_per_account
def follow_up():
    form, filters = _filters()
    today = vietnam_date(utcnow())
    totals = services.commune_totals(current_user, filters, today)
    reports = milestones = None
    # The numbers of pages come from the totals (kept between views), not from a count of
    # every report of her units on each view.
    if services.shows(filters, "reports"):
        total = sum(sum(t.counts.values()) for t in totals)
        number = shown_page(page_number(), total, PER_PAGE)
        query = services.reports_query(current_user, filters, today)
        rows = db.session.execute(query.limit(PER_PAGE).offset((number - 1) * PER_PAGE)).all()
        reports = Page(rows, number, PER_PAGE, total)
    if services.shows(filters, "milestones"):
        query = services.milestones_query(current_user, filters).limit(PER_PAGE)
        rows = db.session.execute(query).all()
        milestones = Page(rows, 1, PER_PAGE, sum(t.milestones for t in totals))
    return render_template(
        "projects/follow_up.html",
        form=form,
        reports=reports,
        states={r.id: state_of(r, today) for r in (reports.items if reports else [])},
        milestones=milestones,
        totals=totals,
        shown_states=[filters.state] if filters.state else list(services.NEEDS_ACTION),
        shows_milestones=services.shows(filters, "milestones"),
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.route("/projects/follow-up.<any(csv, xlsx):kind>", endpoint="follow_up_export")
@roles_required(*STAFF_ROLES)
def follow_up_export(kind: str):
    _, filters = _filters()
    today = vietnam_date(utcnow())
    name = f"follow-up-{today:%Y%m%d}.{kind}"
    if kind == "csv":
        body = exports.export_csv(current_user, filters, today)
        mimetype = "text/csv; charset=utf-8"
    else:
        body = exports.export_xlsx(current_user, filters, today)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
