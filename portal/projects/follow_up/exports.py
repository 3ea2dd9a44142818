"""The follow-up list as a spreadsheet: one row per report or milestone, CSV or XLSX."""

from collections.abc import Iterator
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.core.spreadsheets import as_csv, as_xlsx
from portal.extensions import db
from portal.projects.follow_up import services
from portal.projects.reports.schedule import late_from
from portal.projects.reports.services import state_of

COLUMNS = [
    _l("Kind"),
    _l("Project"),
    _l("Owner"),
    _l("Phone"),
    _l("Commune or ward"),
    _l("Year"),
    _l("What"),
    _l("Due on"),
    _l("Status"),
    _l("Days late"),
]


def rows(user: User, filters: services.FollowUpFilters, today: date) -> Iterator[list]:
    if services.shows(filters, "reports"):
        for report in db.session.scalars(services.reports_query(user, filters, today)).unique():
            project = report.project
            state = state_of(report, today)
            late = (today - late_from(report.due_on)).days if state.value == "late" else ""
            yield [
                str(_l("Progress report")),
                project.title,
                project.owner.full_name,
                project.owner.phone or "",
                project.commune.name if project.commune else "",
                project.year,
                str(_l("Report %(number)d", number=report.number))
                + f" ({report.period_start:%d/%m/%Y} – {report.period_end:%d/%m/%Y})",
                report.due_on.strftime("%d/%m/%Y"),
                state.label,
                late,
            ]
    if services.shows(filters, "milestones"):
        for milestone in db.session.scalars(services.milestones_query(user, filters)).unique():
            project = milestone.project
            yield [
                str(_l("Milestone")),
                project.title,
                project.owner.full_name,
                project.owner.phone or "",
                project.commune.name if project.commune else "",
                project.year,
                milestone.kind.label,
                "",
                milestone.status.label,
                "",
            ]


def export_csv(user: User, filters: services.FollowUpFilters, today: date) -> str:
    return as_csv(COLUMNS, rows(user, filters, today))


def export_xlsx(user: User, filters: services.FollowUpFilters, today: date) -> bytes:
    return as_xlsx(str(_l("Follow-up")), COLUMNS, rows(user, filters, today))
