"""The household's status as a history: recorded from her application, the commune's annual
review, an accepted progress report or an organiser; never overwritten."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.applicants.models import HouseholdStatus
from portal.auth.models import User
from portal.core import audit
from portal.core.errors import DomainError, NotAllowed
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.projects.models import SupportedProject
from portal.projects.poverty.models import HouseholdStatusRecord, StatusSource
from portal.projects.poverty.rules import left_poverty
from portal.projects.services import may_manage_project

MAX_NOTE = 2000
# What an organiser records by hand; the others come from the application and the reports.
BY_HAND = (StatusSource.COMMUNE_REVIEW, StatusSource.ORGANISER)


def add_status_record(
    actor_id: int,
    project_id: int,
    status: HouseholdStatus,
    *,
    as_of: date,
    source: StatusSource,
    report_id: int | None = None,
    note: str = "",
) -> HouseholdStatusRecord:
    """Add one record to the household's history and audit it; does not commit."""
    record = HouseholdStatusRecord(
        project_id=project_id,
        status=status,
        as_of=as_of,
        source=source,
        report_id=report_id,
        note=note,
        recorded_by_id=actor_id,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        "household_status.recorded",
        actor_id=actor_id,
        object_type="household_status_record",
        object_id=record.id,
        after={
            "project_id": project_id,
            "status": status.value,
            "as_of": as_of.isoformat(),
            "source": source.value,
        },
    )
    return record


def record_status(
    actor: User,
    project: SupportedProject,
    status: str | None,
    as_of: date | None,
    source: str | None,
    note: str = "",
    *,
    now: datetime | None = None,
) -> HouseholdStatusRecord:
    """An organiser records the household's status (the commune's annual review, or what she
    learnt herself), with its date. Commits."""
    now = now or utcnow()
    if not may_manage_project(actor, project):
        raise NotAllowed(_l("Only the organisers of the project's unit can record this."))
    try:
        status = HouseholdStatus(status or "")
    except ValueError:
        raise DomainError(_l("Choose the household's status."), field="status") from None
    try:
        source = StatusSource(source or "")
    except ValueError:
        source = None
    if source not in BY_HAND:
        raise DomainError(_l("Choose where the status comes from."), field="source")
    if as_of is None or not date(2000, 1, 1) <= as_of <= vietnam_date(now):
        raise DomainError(_l("The date must be between 2000 and today."), field="as_of")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_NOTE), field="note")
    record = add_status_record(actor.id, project.id, status, as_of=as_of, source=source, note=note)
    db.session.commit()
    return record


_HISTORY = (
    sa.select(HouseholdStatusRecord)
    .where(HouseholdStatusRecord.project_id.in_(sa.bindparam("project_ids", expanding=True)))
    .order_by(HouseholdStatusRecord.as_of, HouseholdStatusRecord.id)
)  # built once (docs/performance.md)


def history_of(project_ids: list[int]) -> dict[int, list[HouseholdStatusRecord]]:
    """Each project's household history, oldest first."""
    found: dict[int, list[HouseholdStatusRecord]] = {i: [] for i in project_ids}
    if not project_ids:
        return found
    rows = db.session.scalars(_HISTORY, {"project_ids": project_ids})
    for row in rows:
        found[row.project_id].append(row)
    return found


def households_out_of_poverty(projects: sa.Select, start: date, end: date) -> int:
    """How many of the households of `projects` (a select of project ids) left poverty between
    `start` and `end` and did not return (rules.left_poverty)."""
    return len(households_left_poverty(projects, start, end))


def households_left_poverty(projects: sa.Select, start: date, end: date) -> list[int]:
    """The projects of `projects` (a select of ids) whose household left poverty between
    `start` and `end` and did not return: one query, whatever their number."""
    rows = db.session.execute(
        sa.select(
            HouseholdStatusRecord.project_id,
            HouseholdStatusRecord.as_of,
            HouseholdStatusRecord.status,
        )
        .where(HouseholdStatusRecord.project_id.in_(projects), HouseholdStatusRecord.as_of <= end)
        .order_by(
            HouseholdStatusRecord.project_id, HouseholdStatusRecord.as_of, HouseholdStatusRecord.id
        )
    )
    histories: dict[int, list] = {}
    for project_id, as_of, status in rows:
        histories.setdefault(project_id, []).append((as_of, status))
    return [i for i, history in histories.items() if left_poverty(history, start, end)]
