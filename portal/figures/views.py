"""The dashboard of the union's figures for a unit and a range of years, and the records behind
each figure."""

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from portal.auth.forms import ActionForm
from portal.auth.models import Role
from portal.awards.models import Award
from portal.capital.models import Loan, SupportAgreement, Tranche
from portal.competitions.models import Competition
from portal.core import cache
from portal.core.errors import DomainError
from portal.core.forms import form_status, show_error
from portal.core.inputs import bounded_int
from portal.core.money import format_vnd
from portal.core.permissions import STAFF_ROLES, load_or_404, roles_required
from portal.core.spreadsheets import as_csv
from portal.core.time import utcnow, vietnam_date
from portal.entries.models import Entry
from portal.extensions import db
from portal.figures import bp, breakdowns, charts, open_data, report, targets
from portal.figures import indicators as figures
from portal.figures.forms import TargetForm
from portal.figures.measures import Scope, units_within
from portal.figures.models import FigureTarget
from portal.projects.milestones.models import Milestone
from portal.projects.models import ExternalAward, SupportedProject
from portal.projects.ocop.models import OcopProduct
from portal.projects.reports.models import ProgressReport
from portal.units.models import Unit, UnitKind

MAX_ROWS = 500
FIRST_YEAR = 2000


@bp.app_template_global("reads_whole_country")
def reads_whole_country(user) -> bool:
    """An admin without units of her own, and the Central Women's Union (which reports the
    country's figures), read the whole country by default."""
    mine = user.organiser_units()
    return (user.has_role(Role.ADMIN) and not mine) or any(u.is_nation for u in mine)


def _scope():
    """The units and years asked for, within hers: her units (and their communes) by default,
    the whole country for an admin and the national unit; this year by default."""
    this_year = vietnam_date(utcnow()).year
    first = bounded_int(request.args.get("from")) or this_year
    last = bounded_int(request.args.get("to")) or first
    first, last = (max(FIRST_YEAR, min(y, this_year + 1)) for y in (first, last))
    first, last = min(first, last), max(first, last)
    mine = sorted(current_user.organiser_units(), key=lambda u: u.full_name)
    asked = bounded_int(request.args.get("unit"))
    if reads_whole_country(current_user):
        # The whole country, or the province she picks.
        choices = list(
            db.session.scalars(
                sa.select(Unit).where(Unit.kind == UnitKind.PROVINCE).order_by(Unit.name)
            )
        )
        asked = asked if asked and db.session.get(Unit, asked) else None
        units = [asked] if asked else None
    else:
        choices = mine
        allowed = {u.id for u in mine}
        asked = asked if asked in allowed else None
        units = [asked] if asked else sorted(allowed)
    unit_ids = units_within(units) if units is not None else None
    return Scope(unit_ids, first, last), choices, asked


def _params(scope, asked) -> dict:
    return {"unit": asked or "", "from": scope.first_year, "to": scope.last_year}


def sections(catalogue: list) -> list[tuple[str, list]]:
    """The indicators by section, in the catalogue's order."""
    found: dict[str, list] = {}
    for indicator in catalogue:
        found.setdefault(str(indicator.section), []).append(indicator)
    return list(found.items())


@bp.route("/figures", endpoint="dashboard")
@roles_required(*STAFF_ROLES)
@cache.kept_per_account
def dashboard():
    scope, units, asked = _scope()
    params = _params(scope, asked)
    target_unit = _target_unit(scope, units, asked)
    key = ("dashboard", scope.unit_ids, scope.first_year, scope.last_year, asked, target_unit)
    body = cache.remember(
        (*key, str(get_locale())), lambda: _dashboard_body(scope, params, target_unit)
    )
    return render_template(
        "figures/dashboard.html",
        scope=scope,
        units=units,
        asked=asked,
        params=params,
        body=Markup(body),
    )


def _dashboard_body(scope: Scope, params: dict, target_unit: int | None) -> str:
    """Everything the dashboard computes: the figures, their targets, charts and breakdowns."""
    with figures.reading():
        figures.read_books(scope, breakdowns.year_ends(scope))  # one pass for every year
        parts = breakdowns.entry_breakdowns(scope)
        found = figures.values(scope)
        return render_template(
            "figures/_dashboard_body.html",
            scope=scope,
            params=params,
            sections=sections(figures.catalogue()),
            values=found,
            breakdowns=parts,
            sources=breakdowns.capital_by_source(scope),
            charts=_charts(scope, parts),
            targets=targets.progress(target_unit, scope, found),
        )


def number(value) -> str:
    return format_decimal(value, "#,##0")


def percent(value) -> str:
    return format_decimal(value, "#,##0.00") + "\u00a0%"


def vnd(amount: int) -> str:
    return format_vnd(amount, str(get_locale()))


def _charts(scope, parts) -> list:
    by_year = breakdowns.by_year(scope, ["entries", "prizes"])
    names, outstanding, at_risk = breakdowns.sources_by_year(scope)
    parts = {p.code: p for p in parts}
    return [
        charts.bar_chart(
            _("Ideas and prizes by year"),
            [_("Ideas submitted"), _("Prizes awarded")],
            [(str(year), [found["entries"], found["prizes"]]) for year, found in by_year],
            written=number,
        ),
        charts.bar_chart(
            _("Loans outstanding by source, at the end of each year"),
            names,
            [(str(year), found) for year, found in outstanding],
            written=vnd,
        ),
        charts.bar_chart(
            _("Portfolio at risk (PAR30) by source, at the end of each year"),
            names,
            [(str(year), found) for year, found in at_risk],
            written=percent,
        ),
        *(
            charts.bar_chart(
                parts[code].title,
                [_("Number")],
                [(part.label, [part.figure]) for part in parts[code].parts],
                written=number,
            )
            for code in ("projects_by_legal_form", "ocop_by_stars")
        ),
    ]


# What the records page shows of each kind of record (the model an indicator's query selects):
# its columns and its cells, and what to load with the rows so that a page is a constant number
# of queries.
LISTS = {
    Competition: (
        lambda: [_("Competition"), _("Year"), _("Unit")],
        lambda c: [c.title, c.year, c.unit.full_name],
        (),
    ),
    Entry: (
        lambda: [_("Reference"), _("Idea"), _("Applicant")],
        lambda e: [e.reference, e.title, e.applicant.full_name],
        (joinedload(Entry.applicant),),
    ),
    Award: (
        lambda: [_("Prize"), _("Reference"), _("Idea"), _("Cash value")],
        lambda a: [a.tier.name, a.entry.reference, a.entry.title, a.cash_value],
        (joinedload(Award.entry),),
    ),
    SupportedProject: (
        lambda: [_("Project"), _("Owner"), _("Year")],
        lambda p: [p.title, p.owner.full_name, p.year],
        (joinedload(SupportedProject.owner),),
    ),
    Milestone: (
        lambda: [_("Milestone"), _("Project"), _("Reached on")],
        lambda m: [m.kind.label, m.project.title, m.reached_on],
        (joinedload(Milestone.project),),
    ),
    Loan: (
        lambda: [_("Loan"), _("Project"), _("Disbursed on"), _("Principal")],
        lambda loan: [
            loan.agreement.reference,
            loan.agreement.project.title,
            loan.disbursed_on,
            loan.principal,
        ],
        (joinedload(Loan.agreement).joinedload(SupportAgreement.project),),
    ),
    ExternalAward: (
        lambda: [_("Prize"), _("Level"), _("Round run by"), _("Year"), _("Idea")],
        lambda a: [a.prize, a.level.label, a.body, a.year, a.entry.title],
        (joinedload(ExternalAward.entry),),
    ),
    OcopProduct: (
        lambda: [_("Product"), _("Project"), _("Owner")],
        lambda p: [p.name, p.project.title, p.project.owner.full_name],
        (joinedload(OcopProduct.project).joinedload(SupportedProject.owner),),
    ),
    ProgressReport: (
        lambda: [_("Project"), _("Report"), _("Period ends"), _("Jobs for women")],
        lambda r: [r.project.title, r.number, r.period_end, r.jobs_women],
        (joinedload(ProgressReport.project),),
    ),
    Tranche: (
        lambda: [_("Grant"), _("Project"), _("Paid on"), _("Amount")],
        lambda t: [t.agreement.reference, t.agreement.project.title, t.paid_on, t.amount],
        (joinedload(Tranche.agreement).joinedload(SupportAgreement.project),),
    ),
}


@bp.route("/figures/<indicator>", endpoint="records")
@roles_required(*STAFF_ROLES)
def records(indicator: str):
    indicator = figures.by_code().get(indicator)
    if indicator is None:
        abort(404)
    scope, units, asked = _scope()
    query = indicator.records(scope)
    columns, cells, options = LISTS[query.column_descriptions[0]["entity"]]
    rows = list(db.session.scalars(query.options(*options).limit(MAX_ROWS)).unique())
    return render_template(
        "figures/records.html",
        indicator=indicator,
        value=figures.value(indicator, scope),
        scope=scope,
        params=_params(scope, asked),
        columns=columns(),
        rows=[cells(row) for row in rows],
        shown=len(rows),
        money_columns={_("Cash value"), _("Principal"), _("Amount")},
    )


def _unit_name(scope: Scope, units, asked) -> str:
    if asked:
        return db.session.get(Unit, asked).full_name
    if scope.unit_ids is None:
        return _("the whole country")
    return ", ".join(u.full_name for u in units)


def _target_unit(scope: Scope, units, asked) -> int | None:
    """Whose targets the figures are read against: the unit asked for, her one unit, the
    country's (None) for the whole country; no one's (0) for several units together."""
    if asked:
        return asked
    if scope.unit_ids is None:
        return None
    return units[0].id if len(units) == 1 else 0


@bp.route("/figures/report", endpoint="term_report")
@roles_required(*STAFF_ROLES)
@cache.kept_per_account
def term_report():
    scope, units, asked = _scope()
    params = _params(scope, asked)
    unit_name = _unit_name(scope, units, asked)
    key = ("report", scope.unit_ids, scope.first_year, scope.last_year, unit_name, asked)
    body = cache.remember((*key, str(get_locale())), lambda: _report_body(scope, params, unit_name))
    return render_template(
        "figures/report.html",
        scope=scope,
        units=units,
        asked=asked,
        params=params,
        heading=report.heading(scope, unit_name),
        body=Markup(body),
    )


def _report_body(scope: Scope, params: dict, unit_name: str) -> str:
    """The report's text and tables: everything it computes."""
    drafted = report.term_report(scope, unit_name)
    return render_template(
        "figures/_report_body.html",
        report=drafted,
        sentences=[
            (
                paragraph.title,
                report.sentence_html(
                    drafted,
                    paragraph,
                    lambda code: url_for("figures.records", indicator=code, **params),
                ),
            )
            for paragraph in drafted.paragraphs
        ],
        written=report.written,
    )


FILES = {
    "docx": (
        report.as_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (report.as_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@bp.route("/figures/report.<any(docx, xlsx):kind>", endpoint="term_report_file")
@roles_required(*STAFF_ROLES)
def term_report_file(kind: str):
    """The term report as a Word file or an Excel workbook."""
    scope, units, asked = _scope()
    drafted = report.term_report(scope, _unit_name(scope, units, asked))
    write, mimetype = FILES[kind]
    return _download(
        write(drafted), mimetype, f"term-report-{scope.first_year}-{scope.last_year}.{kind}"
    )


def _download(content: bytes, mimetype: str, name: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _target_form() -> TargetForm:
    form = TargetForm()
    units = current_user.organiser_units()
    form.unit.choices = [SelectChoice(str(u.id), u.full_name) for u in units]
    if current_user.has_role(Role.ADMIN):
        form.unit.choices.insert(0, SelectChoice("country", _("The whole country")))
    form.indicator.choices = [SelectChoice(i.code, str(i.name)) for i in figures.catalogue()]
    return form


def _targets_page(form, status=200):
    scope, units, asked = _scope()
    unit_ids = [u.id for u in units]
    if current_user.has_role(Role.ADMIN):
        unit_ids.append(None)
    return render_template(
        "figures/targets.html",
        form=form,
        targets=targets.targets_of(unit_ids),
        names={i.code: i.name for i in figures.catalogue()},
        params=_params(scope, asked),
    ), status


@bp.route("/figures/targets", methods=["GET", "POST"], endpoint="targets")
@roles_required(*STAFF_ROLES)
def targets_page():
    form = _target_form()
    refusal = None
    if form.validate_on_submit():
        unit = None if form.unit.data == "country" else bounded_int(form.unit.data)
        try:
            targets.set_target(
                current_user,
                unit,
                form.indicator.data,
                form.first_year.data,
                form.last_year.data,
                form.figure.data,
                yearly=form.yearly.data,
                note=form.note.data or "",
            )
        except DomainError as error:
            show_error(form, error)
            refusal = error
        else:
            flash(_("The target is set."), "success")
            return redirect(url_for("figures.targets"))
    return _targets_page(form, form_status(form, refusal) if request.method == "POST" else 200)


@bp.route("/figures/targets/<int:target_id>/remove", methods=["POST"], endpoint="remove_target")
@roles_required(*STAFF_ROLES)
def remove_target(target_id: int):
    target = load_or_404(
        FigureTarget, target_id, allowed=lambda user, t: targets.may_set(user, t.unit_id)
    )
    form = ActionForm()
    if form.validate_on_submit():
        targets.remove_target(current_user, target)
        flash(_("The target is removed."), "success")
    return redirect(url_for("figures.targets"))


def _open_year() -> int:
    this_year = vietnam_date(utcnow()).year
    year = bounded_int(request.args.get("year")) or this_year
    return max(FIRST_YEAR, min(year, this_year))


@bp.route("/open-data", endpoint="open_data")
def open_data_page():
    """Anyone's: the figures of every province for a year."""
    year = _open_year()
    this_year = vietnam_date(utcnow()).year
    return render_template(
        "figures/open_data.html",
        table=open_data.by_province(year),
        year=year,
        years=list(range(this_year, this_year - 6, -1)),
    )


@bp.route("/open-data.csv", endpoint="open_data_csv")
def open_data_csv():
    table = open_data.by_province(_open_year())
    header = [_("Province code"), _("Province"), *[str(i.name) for i in table.indicators]]
    rows = [
        [row.code, row.name, *[row.values[i.code] for i in table.indicators]] for row in table.rows
    ]
    response = Response(as_csv(header, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="open-data-{table.year}.csv"'
    return response
