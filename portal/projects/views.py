"""Supported projects: the organisers' list and export, a project's page, the winner's projects,
and the prizes an entry won at rounds run by other bodies."""

from flask import (
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage
from wtforms.fields.choices import SelectChoice

from portal.competitions import services as competition_services
from portal.competitions.models import DEFAULT_CATEGORIES
from portal.core import cache, idempotency, storage
from portal.core.errors import DomainError
from portal.core.forms import INVALID, show_error
from portal.core.inputs import bounded_int, page_number
from portal.core.pages import Page, shown_page
from portal.core.permissions import STAFF_ROLES, found_or_404, load_or_404, roles_required
from portal.core.time import to_vietnam, utcnow, vietnam_date
from portal.entries.models import Entry
from portal.projects import bp, exports, services, summary
from portal.projects.forms import DeleteExternalAwardForm, ExternalAwardForm, ProjectFilterForm
from portal.projects.milestones.forms import ReturnMilestoneForm
from portal.projects.milestones.models import MilestoneStatus
from portal.projects.models import ExternalAward
from portal.projects.ocop.forms import RevokeRatingForm
from portal.projects.page import ProjectPage, load_page, may_read_page, project_page
from portal.projects.reports import services as report_services

PER_PAGE = 50


def _as_int(value: str | None) -> int | None:
    return bounded_int(value)


def _filters() -> tuple[ProjectFilterForm, services.ProjectFilters]:
    form = ProjectFilterForm(request.args)
    options = services.filter_options(current_user)
    everything = SelectChoice("", _("All"))
    form.year.choices = [everything] + [SelectChoice(str(y), str(y)) for y in options.years]
    form.unit.choices = [everything] + [
        SelectChoice(str(u.id), u.name if u.parent_id is None else f"— {u.name}")
        for u in options.units
    ]
    form.category.choices = [everything] + [
        SelectChoice(code, label) for code, label in DEFAULT_CATEGORIES.items()
    ]
    form.commune.choices = [everything] + [
        SelectChoice(str(c.id), c.full_name) for c in options.communes
    ]
    form.validate()
    for name in ("year", "unit", "category", "commune"):
        if form[name].errors:  # a value no longer offered (an old link): not filtered on
            form[name].data, form[name].errors = "", []
    filters = services.ProjectFilters(
        year=_as_int(form.year.data),
        unit_id=_as_int(form.unit.data),
        category=form.category.data if form.category.data in DEFAULT_CATEGORIES else None,
        commune_id=_as_int(form.commune.data),
        won_elsewhere=bool(form.won.data),
        search=form.q.data if not form.q.errors else None,
    )
    return form, filters


@bp.route("/projects/", endpoint="index")
@roles_required(*STAFF_ROLES)
@cache.kept_per_account
def index():
    form, filters = _filters()
    query = services.projects_query(current_user, filters)
    year = to_vietnam(utcnow()).year
    totals, out_of_poverty = summary.list_summary(current_user, filters, year)
    # How many are listed is in the kept totals (each listed project holds a valid prize or is
    # set aside), not counted again over every project on each view.
    total = totals.projects + totals.set_aside
    number = shown_page(page_number(), total, PER_PAGE)
    page = Page(services.listed_projects(query, number, PER_PAGE), number, PER_PAGE, total)
    entry_ids = [p.entry_id for p in page.items]
    awards = services.awards_of(entry_ids)
    external = services.external_awards_of(entry_ids)
    return render_template(
        "projects/index.html",
        form=form,
        page=page,
        totals=totals,
        this_year=year,
        out_of_poverty=out_of_poverty,
        awards=awards,
        external=external,
        set_aside=services.set_aside(awards, external),
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.route("/projects/export.<any(csv, xlsx):kind>", endpoint="export")
@roles_required(*STAFF_ROLES)
def export(kind: str):
    _, filters = _filters()
    query = services.projects_query(current_user, filters)
    stamp = to_vietnam(utcnow()).strftime("%Y%m%d")
    name = f"supported-projects-{stamp}.{kind}"
    if kind == "csv":
        body, mimetype = exports.export_csv(query), "text/csv; charset=utf-8"
    else:
        body = exports.export_xlsx(query)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/projects/<int:project_id>", endpoint="detail")
@login_required
@cache.kept_per_account
def detail(project_id: int):
    return _detail_page(found_or_404(load_page(project_id), allowed=may_read_page))


def _detail_page(found: ProjectPage, delete_forms: dict | None = None):
    context = project_page(current_user, found, vietnam_date(utcnow()))
    delete_forms = delete_forms or {}
    if context["manages"]:
        for x in context["external"]:
            delete_forms.setdefault(
                x.id, DeleteExternalAwardForm(formdata=None, prefix=f"remove-{x.id}")
            )
        # A form only where the page shows one: a milestone awaiting its decision, a rating
        # still in force (a form costs about 0.1 ms to build).
        context["return_forms"] = {
            m.id: ReturnMilestoneForm(formdata=None, prefix=f"return-{m.id}", version=m.version)
            for m in context["milestones"]
            if m.status is MilestoneStatus.RECORDED
        }
        context["revoke_forms"] = {
            r.id: RevokeRatingForm(formdata=None, prefix=f"revoke-{r.id}")
            for r, _product in context["ratings"]
            if not r.revoked_at
        }
    return render_template("projects/detail.html", delete_forms=delete_forms, **context)


@bp.route("/my/projects", endpoint="mine")
@login_required
def mine():
    projects = services.projects_of(current_user)
    entry_ids = [p.entry_id for p in projects]
    today = vietnam_date(utcnow())
    reports = report_services.reports_of([p.id for p in projects if p.owner_id == current_user.id])
    # What she has to do: the reports to send (due, late, returned) and the next one coming.
    to_do = {}
    for project_id, rows in reports.items():
        states = [(r, report_services.state_of(r, today)) for r in rows]
        waiting = [(r, s) for r, s in states if s.value in ("due", "late", "returned")]
        coming = [(r, s) for r, s in states if s.value == "upcoming"][:1]
        to_do[project_id] = waiting + coming
    return render_template(
        "projects/mine.html",
        projects=projects,
        awards=services.awards_of(entry_ids),
        external=services.external_awards_of(entry_ids),
        to_do=to_do,
    )


def _manages(user, entry: Entry) -> bool:
    return competition_services.may_manage_competition(user, entry.competition)


@bp.route(
    "/projects/entries/<int:entry_id>/external-awards",
    methods=["GET", "POST"],
    endpoint="add_external_award",
)
@roles_required(*STAFF_ROLES)
def add_external_award(entry_id: int):
    entry = load_or_404(Entry, entry_id, allowed=_manages)
    form = ExternalAwardForm()
    status = 200
    if request.method == "GET":
        form.year.data = to_vietnam(utcnow()).year
    elif form.validate_on_submit():
        upload = form.evidence.data
        evidence = None
        if isinstance(upload, FileStorage) and upload.filename:
            evidence = (upload.read(), upload.filename)
        try:
            services.record_external_award(
                current_user,
                entry,
                form.level.data,
                form.body.data,
                form.prize.data,
                form.year.data,
                form.cash_value.data,
                form.evidence_note.data or "",
                evidence,
                now=utcnow(),
                form_key=request.form.get("form_key"),
            )
        except idempotency.AlreadySent:
            flash(_("This prize won elsewhere was already recorded, once."), "info")
            project = services.project_of(entry.id)
            return redirect(url_for("projects.detail", project_id=project.id))
        except DomainError as error:
            show_error(form, error)
            status = error.status
        else:
            flash(_("The prize won elsewhere has been recorded."), "success")
            project = services.project_of(entry.id)
            return redirect(url_for("projects.detail", project_id=project.id))
    else:
        status = INVALID
    chosen = getattr(form.evidence.data, "filename", "")
    if status != 200 and chosen and not form.evidence.errors:
        # A browser cannot keep a chosen file across pages: say so next to the field.
        form.evidence.errors = [_("Choose the evidence file again.")]
    project = services.project_of(entry.id)
    return render_template(
        "projects/external_award.html",
        entry=entry,
        project=project,
        external=services.external_awards_of([entry.id])[entry.id],
        form=form,
    ), status


@bp.route(
    "/projects/external-awards/<int:external_id>/delete",
    methods=["POST"],
    endpoint="delete_external_award",
)
@roles_required(*STAFF_ROLES)
def delete_external_award(external_id: int):
    external = load_or_404(
        ExternalAward, external_id, allowed=lambda user, x: _manages(user, x.entry)
    )
    entry = external.entry
    form = DeleteExternalAwardForm(prefix=f"remove-{external.id}")
    status = INVALID
    if form.validate_on_submit():
        try:
            services.delete_external_award(current_user, external, form.reason.data)
        except DomainError as error:
            show_error(form, error)
            status = error.status
        else:
            flash(_("The prize won elsewhere has been removed."), "info")
            project = services.project_of(entry.id)
            if project is None:
                return redirect(url_for("projects.add_external_award", entry_id=entry.id))
            return redirect(url_for("projects.detail", project_id=project.id))
    project = services.project_of(entry.id)
    if project is None:
        flash(_("Write why this prize is removed."), "danger")
        return redirect(url_for("projects.add_external_award", entry_id=entry.id))
    return _detail_page(load_page(project.id), delete_forms={external.id: form}), status


@bp.route("/projects/external-awards/<int:external_id>/evidence", endpoint="external_evidence")
@login_required
def external_evidence(external_id: int):
    """The evidence of a prize won elsewhere, for the competition's managers and the owner."""
    external = load_or_404(ExternalAward, external_id, allowed=services.may_see_evidence)
    return storage.send_stored(
        external.evidence_stored_name,
        external.evidence_content_type,
        external.evidence_filename,
        "evidence",
    )
