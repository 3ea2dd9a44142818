"""The dashboard of the union's figures for a unit and a range of years, and the records behind
each figure."""

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from portal.auth.models import Role
from portal.awards.models import Award
from portal.capital.models import Loan, SupportAgreement, Tranche
from portal.competitions.models import Competition
from portal.core.inputs import bounded_int
from portal.core.permissions import STAFF_ROLES, roles_required
from portal.core.time import utcnow, vietnam_date
from portal.entries.models import Entry
from portal.extensions import db
from portal.figures import bp
from portal.figures import indicators as figures
from portal.projects.milestones.models import Milestone
from portal.projects.models import SupportedProject

MAX_ROWS = 500
FIRST_YEAR = 2000


def _scope():
    """The units and years asked for, within hers: her units (and their communes) by default,
    the whole country for an admin; this year by default."""
    this_year = vietnam_date(utcnow()).year
    first = bounded_int(request.args.get("from")) or this_year
    last = bounded_int(request.args.get("to")) or first
    first, last = (max(FIRST_YEAR, min(y, this_year + 1)) for y in (first, last))
    first, last = min(first, last), max(first, last)
    mine = sorted(current_user.organiser_units(), key=lambda u: u.full_name)
    asked = bounded_int(request.args.get("unit"))
    if current_user.has_role(Role.ADMIN) and not mine:
        units = [asked] if asked else None
    else:
        allowed = {u.id for u in mine}
        units = [asked] if asked in allowed else sorted(allowed)
    unit_ids = figures.units_within(units) if units is not None else None
    return figures.Scope(unit_ids, first, last), mine, asked


def _params(scope, asked) -> dict:
    return {"unit": asked or "", "from": scope.first_year, "to": scope.last_year}


@bp.route("/figures", endpoint="dashboard")
@roles_required(*STAFF_ROLES)
def dashboard():
    scope, units, asked = _scope()
    return render_template(
        "figures/dashboard.html",
        scope=scope,
        units=units,
        asked=asked,
        params=_params(scope, asked),
        indicators=figures.INDICATORS,
        values=figures.values(scope),
    )


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
    Tranche: (
        lambda: [_("Grant"), _("Project"), _("Paid on"), _("Amount")],
        lambda t: [t.agreement.reference, t.agreement.project.title, t.paid_on, t.amount],
        (joinedload(Tranche.agreement).joinedload(SupportAgreement.project),),
    ),
}


@bp.route("/figures/<indicator>", endpoint="records")
@roles_required(*STAFF_ROLES)
def records(indicator: str):
    indicator = figures.BY_CODE.get(indicator)
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
