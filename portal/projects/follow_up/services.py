"""The organisers' follow-up list: every report that needs someone (due, late, returned, sent
and waiting for review) and every milestone waiting for verification, across the projects of
the units she acts on, with totals per commune. The reference grant systems list only the
reports that came in: showing what is due and missing is the point."""

import json
from dataclasses import asdict, dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.models import Role, User
from portal.core import cache
from portal.extensions import db
from portal.projects.milestones.models import Milestone, MilestoneKind, MilestoneStatus
from portal.projects.models import SupportedProject
from portal.projects.reports.models import ProgressReport, ReportState, ReportStatus
from portal.projects.reports.schedule import LATE_AFTER_DUE
from portal.projects.reports.services import LINE_COLUMNS, state_clause
from portal.projects.services import scoped_query
from portal.units.models import Unit

# What the list shows unless a state is chosen: the reports someone has to act on.
NEEDS_ACTION = (ReportState.DUE, ReportState.LATE, ReportState.RETURNED, ReportState.SUBMITTED)
KINDS = {"reports": _l("Progress reports"), "milestones": _l("Milestones to verify")}


@dataclass
class FollowUpFilters:
    year: int | None = None
    commune_id: int | None = None
    state: ReportState | None = None
    kind: str | None = None  # "reports", "milestones", or both


@dataclass
class CommuneTotals:
    commune: str
    counts: dict[str, int] = field(default_factory=dict)  # state value → reports
    milestones: int = 0


def _projects(user: User, filters: FollowUpFilters) -> sa.Select:
    """The ids of the projects in her scope that pass the project filters."""
    query = scoped_query(user).order_by(None).with_only_columns(SupportedProject.id)
    if filters.year:
        query = query.where(SupportedProject.year == filters.year)
    if filters.commune_id:
        query = query.where(SupportedProject.commune_id == filters.commune_id)
    return query


def _states(filters: FollowUpFilters) -> tuple[ReportState, ...]:
    return (filters.state,) if filters.state else NEEDS_ACTION


def _project_columns() -> tuple:
    """What a row says of its project: read as columns. As mapped objects (the report or the
    milestone, its project, her account, the commune), a page of 50 made about 300 objects,
    4 ms of CPU a view; the exports read every row the same way."""
    return (
        SupportedProject.title.label("project_title"),
        SupportedProject.year.label("project_year"),
        User.full_name.label("owner_name"),
        User.phone.label("owner_phone"),
        Unit.name.label("commune"),
    )


def reports_query(user: User, filters: FollowUpFilters, today: date) -> sa.Select:
    """The reports of the list as rows, the latest first among the late, with their projects."""
    states = _states(filters)
    return (
        sa.select(*LINE_COLUMNS, *_project_columns())
        .join(SupportedProject, SupportedProject.id == ProgressReport.project_id)
        .join(User, User.id == SupportedProject.owner_id)
        .outerjoin(Unit, Unit.id == SupportedProject.commune_id)
        .where(
            ProgressReport.project_id.in_(_projects(user, filters)),
            sa.or_(*(state_clause(s, today) for s in states)),
        )
        .order_by(ProgressReport.due_on, SupportedProject.title, ProgressReport.id)
    )


def milestones_query(user: User, filters: FollowUpFilters) -> sa.Select:
    """The milestones waiting for an organiser as rows, oldest first, their kind named in her
    language."""
    return (
        sa.select(
            Milestone.id,
            Milestone.project_id,
            Milestone.reached_on,
            Milestone.recorded_at,
            Milestone.status,
            MilestoneKind.label_column().label("kind"),
            *_project_columns(),
        )
        .join(SupportedProject, SupportedProject.id == Milestone.project_id)
        .join(MilestoneKind, MilestoneKind.id == Milestone.kind_id)
        .join(User, User.id == SupportedProject.owner_id)
        .outerjoin(Unit, Unit.id == SupportedProject.commune_id)
        .where(
            Milestone.project_id.in_(_projects(user, filters)),
            Milestone.status == MilestoneStatus.RECORDED,
        )
        .order_by(Milestone.recorded_at, Milestone.id)
    )


def shows(filters: FollowUpFilters, kind: str) -> bool:
    return not filters.kind or filters.kind == kind


def _state_case(today: date) -> sa.Case:
    """SQL: the state of a report on `today`, as its value (the rule of `state_of`)."""
    report = ProgressReport
    return sa.case(
        (report.status != ReportStatus.OPEN, sa.type_coerce(report.status, sa.String)),
        (report.period_end > today, ReportState.UPCOMING.value),
        (report.due_on > today - LATE_AFTER_DUE, ReportState.DUE.value),
        else_=ReportState.LATE.value,
    )


def commune_totals(user: User, filters: FollowUpFilters, today: date) -> list[CommuneTotals]:
    """Per commune, the reports of the list in each state and the milestones waiting. They are
    work over every report of her units (100,000 in a large province), so they are kept between
    views (core.cache) until a report, a milestone or a project changes, or the day does."""
    scope = "all" if user.has_role(Role.ADMIN) else sorted(u.id for u in user.organiser_units())
    key = ("follow-up-totals", scope, asdict(filters), today)
    found = json.loads(
        cache.remember(key, lambda: json.dumps(_commune_totals(user, filters, today)))
    )
    no_commune = str(_l("No commune given"))
    totals = [
        CommuneTotals(name or no_commune, counts, milestones) for name, counts, milestones in found
    ]
    return sorted(totals, key=lambda t: t.commune)


def _commune_totals(user: User, filters: FollowUpFilters, today: date) -> list:
    """[commune's name or None, {state: reports}, milestones]: two grouped queries whatever the
    number of projects."""
    states = _states(filters)
    totals: dict[int | None, list] = {}

    def row(commune_id, name) -> list:
        return totals.setdefault(commune_id, [name, {}, 0])

    if shows(filters, "reports"):
        state = _state_case(today).label("state")
        found = db.session.execute(
            sa.select(SupportedProject.commune_id, Unit.name, state, sa.func.count())
            .select_from(ProgressReport)
            .join(SupportedProject, SupportedProject.id == ProgressReport.project_id)
            .outerjoin(Unit, Unit.id == SupportedProject.commune_id)
            .where(
                ProgressReport.project_id.in_(_projects(user, filters)),
                sa.or_(*(state_clause(s, today) for s in states)),
            )
            .group_by(SupportedProject.commune_id, Unit.name, state)
        )
        for commune_id, name, value, count in found:
            row(commune_id, name)[1][str(value)] = count
    if shows(filters, "milestones"):
        found = db.session.execute(
            sa.select(SupportedProject.commune_id, Unit.name, sa.func.count())
            .select_from(Milestone)
            .join(SupportedProject, SupportedProject.id == Milestone.project_id)
            .outerjoin(Unit, Unit.id == SupportedProject.commune_id)
            .where(
                Milestone.project_id.in_(_projects(user, filters)),
                Milestone.status == MilestoneStatus.RECORDED,
            )
            .group_by(SupportedProject.commune_id, Unit.name)
        )
        for commune_id, name, count in found:
            row(commune_id, name)[2] = count
    return list(totals.values())
