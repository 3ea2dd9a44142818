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


def _project(row) -> list:
    return [
        row.project_title,
        row.owner_name,
        row.owner_phone or "",
        row.commune or "",
        row.project_year,
    ]


def rows(user: User, filters: services.FollowUpFilters, today: date) -> Iterator[list]:
    if services.shows(filters, "reports"):
        for row in db.session.execute(services.reports_query(user, filters, today)):
            state = state_of(row, today)
            late = (today - late_from(row.due_on)).days if state.value == "late" else ""
            yield [
                str(_l("Progress report")),
                *_project(row),
                str(_l("Report %(number)d", number=row.number))
                + f" ({row.period_start:%d/%m/%Y} – {row.period_end:%d/%m/%Y})",
                row.due_on.strftime("%d/%m/%Y"),
                state.label,
                late,
            ]
    if services.shows(filters, "milestones"):
        for row in db.session.execute(services.milestones_query(user, filters)):
            yield [
                str(_l("Milestone")),
                *_project(row),
                row.kind,
                "",
                row.status.label,
                "",
            ]


def export_csv(user: User, filters: services.FollowUpFilters, today: date) -> str:
    return as_csv(COLUMNS, rows(user, filters, today))


def export_xlsx(user: User, filters: services.FollowUpFilters, today: date) -> bytes:
    return as_xlsx(str(_l("Follow-up")), COLUMNS, rows(user, filters, today))
