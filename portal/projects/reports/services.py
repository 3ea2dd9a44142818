"""Progress reports: the schedule an organiser sets, the draft the winner keeps on the server,
her submission, and the organiser's review (accept, return with a comment, skip)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.applicants.models import HouseholdStatus
from portal.auth.messages import tell
from portal.auth.models import User
from portal.core import audit, storage
from portal.core.errors import DomainError, NotAllowed
from portal.core.money import MAX_VND
from portal.core.text import required_text
from portal.core.time import utcnow, vietnam_date
from portal.core.urls import external_url
from portal.extensions import db
from portal.projects.models import LegalForm, SupportedProject
from portal.projects.poverty.models import StatusSource
from portal.projects.poverty.services import add_status_record
from portal.projects.reports.models import (
    ProgressReport,
    ReportPhoto,
    ReportSchedule,
    ReportState,
    ReportStatus,
    SupportNeed,
)
from portal.projects.reports.schedule import LATE_AFTER_DUE, PLANS, late_from, periods
from portal.projects.reports.status import change_report_status
from portal.projects.services import may_manage_project

MAX_TEXT = 4000
MAX_COUNT = 100_000  # people: jobs, members
MAX_PHOTOS = 6
# A schedule may start a year before the competition (a project already running) and at most a
# year ahead.
SCHEDULE_WINDOW = timedelta(days=366)
# The answers a report keeps, as the columns of ProgressReport.
ANSWERS = (
    "revenue",
    "costs",
    "products_sold",
    "jobs_total",
    "jobs_women",
    "jobs_ethnic_women",
    "members",
    "household_status",
    "needs",
    "needs_other",
    "went_well",
    "was_hard",
)
STALE = _l(
    "This report was changed in another window or on another device since you opened it. "
    "What you typed is below: check it, then save or send it again."
)


class ReportConflict(DomainError):
    """The report was saved, sent or reviewed elsewhere since the page was shown."""

    status = 409


@dataclass
class ReportData:
    revenue: int | None = None
    costs: int | None = None
    products_sold: str = ""
    jobs_total: int | None = None
    jobs_women: int | None = None
    jobs_ethnic_women: int | None = None
    members: int | None = None
    household_status: str | None = None
    needs: list[str] = field(default_factory=list)
    needs_other: str = ""
    went_well: str = ""
    was_hard: str = ""
    photos: list[tuple[bytes, str]] = field(default_factory=list)
    remove_photos: list[int] = field(default_factory=list)


def differences(report: ProgressReport, data: ReportData) -> list[str]:
    """The answers (ReportData's names) whose saved value is not what the form holds: what a
    stale form is shown beside what is saved now."""
    saved = {
        "household_status": report.household_status.value if report.household_status else None,
        "needs": sorted(report.needs or []),
    }
    typed = {"needs": sorted(data.needs)}
    changed = []
    for name in ANSWERS:
        now = saved.get(name, getattr(report, name))
        mine = typed.get(name, getattr(data, name))
        if isinstance(now, str) or isinstance(mine, str):
            now, mine = (now or "").strip(), (mine or "").strip()
        if now != mine:
            changed.append(name)
    return changed


# --- Who may ---------------------------------------------------------------------------------


def may_fill(user: User, report: ProgressReport) -> bool:
    """The winner fills her project's reports."""
    return user.is_authenticated and report.project.owner_id == user.id


def may_review(user: User, report: ProgressReport) -> bool:
    return may_manage_project(user, report.project)


def may_read(user: User, report: ProgressReport) -> bool:
    return may_fill(user, report) or may_review(user, report)


def may_see_photo(user: User, photo: ReportPhoto) -> bool:
    report = db.session.get(ProgressReport, photo.report_id)
    return report is not None and may_read(user, report)


# --- Where a report stands ---------------------------------------------------------------------


def state_of(report: ProgressReport, today: date) -> ReportState:
    """Upcoming until the last day of its period, then due; late from 14 days after its due
    date while not sent. A sent report is what was done with it."""
    if report.status is not ReportStatus.OPEN:
        return ReportState(report.status.value)
    if today < report.period_end:
        return ReportState.UPCOMING
    if today < late_from(report.due_on):
        return ReportState.DUE
    return ReportState.LATE


def state_clause(state: ReportState, today: date) -> sa.ColumnElement[bool]:
    """SQL: the reports in `state` on `today` (the same rule as `state_of`)."""
    report = ProgressReport
    is_open = report.status == ReportStatus.OPEN
    if state is ReportState.UPCOMING:
        return sa.and_(is_open, report.period_end > today)
    if state is ReportState.DUE:
        return sa.and_(is_open, report.period_end <= today, report.due_on > today - LATE_AFTER_DUE)
    if state is ReportState.LATE:
        return sa.and_(is_open, report.due_on <= today - LATE_AFTER_DUE)
    return report.status == ReportStatus(state.value)


def is_late_submission(report: ProgressReport) -> bool:
    return bool(report.submitted_at) and vietnam_date(report.submitted_at) > report.due_on


# --- The schedule --------------------------------------------------------------------------------


_SCHEDULE = sa.select(ReportSchedule).where(ReportSchedule.project_id == sa.bindparam("p"))


def schedule_of(project: SupportedProject) -> ReportSchedule | None:
    return db.session.scalar(_SCHEDULE, {"p": project.id})


def set_schedule(
    actor: User,
    project: SupportedProject,
    plan_code: str,
    starts_on: date | None,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ReportSchedule:
    """Set or change how often the project reports. The reports already sent (submitted,
    accepted, returned, skipped) and those with a saved draft are kept; the new plan's periods
    continue after the last of them. Organisers of the project's unit. Commits."""
    now = now or utcnow()
    if not may_manage_project(actor, project):
        raise NotAllowed(_l("Only the organisers of the project's unit can set its reports."))
    plan = PLANS.get(plan_code or "")
    if plan is None:
        raise DomainError(_l("Choose how often the project reports."), field="plan")
    today = vietnam_date(now)
    earliest = date(project.year - 1, 1, 1)
    if starts_on is None or not earliest <= starts_on <= today + SCHEDULE_WINDOW:
        raise DomainError(
            _l(
                "The first period must start between %(first)s and %(last)s.",
                first=earliest.strftime("%d/%m/%Y"),
                last=(today + SCHEDULE_WINDOW).strftime("%d/%m/%Y"),
            ),
            field="starts_on",
        )
    schedule = schedule_of(project)
    if schedule is not None and expected_version not in (None, schedule.version):
        raise ReportConflict(
            _l("Another organiser changed the schedule since you opened it: check it again.")
        )
    before = None
    if schedule is None:
        schedule = ReportSchedule(project_id=project.id, version=1)
        db.session.add(schedule)
    else:
        before = {"plan": schedule.plan, "starts_on": schedule.starts_on.isoformat()}
    schedule.plan, schedule.starts_on = plan.code, starts_on
    schedule.set_by_id, schedule.set_at = actor.id, now

    reports = list(
        db.session.scalars(sa.select(ProgressReport).where(ProgressReport.project_id == project.id))
    )
    kept = [r for r in reports if r.status is not ReportStatus.OPEN or r.draft_saved_at]
    for report in reports:
        if report not in kept:
            db.session.delete(report)
    last_end = max((r.period_end for r in kept), default=None)
    number = max((r.number for r in kept), default=0)
    try:
        db.session.flush()  # the deletes first: the new reports may take their numbers
        for period in periods(plan, starts_on):
            if last_end is not None and period.end <= last_end:
                continue
            number += 1
            db.session.add(
                ProgressReport(
                    project_id=project.id,
                    number=number,
                    period_start=period.start,
                    period_end=period.end,
                    due_on=period.due_on,
                    status=ReportStatus.OPEN,
                )
            )
        db.session.flush()
    except (IntegrityError, StaleDataError):
        # Another organiser set the schedule at the same moment: hers stands.
        db.session.rollback()
        raise ReportConflict(
            _l("Another organiser changed the schedule since you opened it: check it again.")
        ) from None
    audit.record(
        "report_schedule.set",
        actor_id=actor.id,
        object_type="report_schedule",
        object_id=schedule.id,
        before=before,
        after={
            "project_id": project.id,
            "plan": plan.code,
            "starts_on": starts_on.isoformat(),
            "kept": len(kept),
            "reports": number,
        },
    )
    db.session.commit()
    return schedule


# --- Her draft and her submission ----------------------------------------------------------------


def _clean(data: ReportData) -> dict:
    """The answers checked for what can be wrong in a draft too (a negative figure, more women
    than jobs, a text too long); what is missing is checked on sending."""
    values = {}
    for name in ("revenue", "costs"):
        amount = getattr(data, name)
        if amount is not None and not 0 <= amount <= MAX_VND:
            raise DomainError(_l("Write an amount of đồng, 0 or more."), field=name)
        values[name] = amount
    for name in ("jobs_total", "jobs_women", "jobs_ethnic_women", "members"):
        count = getattr(data, name)
        if count is not None and not 0 <= count <= MAX_COUNT:
            raise DomainError(_l("Write a number of people, 0 or more."), field=name)
        values[name] = count
    if None not in (data.jobs_total, data.jobs_women) and data.jobs_women > data.jobs_total:
        raise DomainError(
            _l("The jobs held by women cannot be more than all the jobs."), field="jobs_women"
        )
    if (
        None not in (data.jobs_women, data.jobs_ethnic_women)
        and data.jobs_ethnic_women > data.jobs_women
    ):
        raise DomainError(
            _l("The jobs held by ethnic-minority women cannot be more than those held by women."),
            field="jobs_ethnic_women",
        )
    try:
        values["household_status"] = (
            HouseholdStatus(data.household_status) if data.household_status else None
        )
    except ValueError:
        raise DomainError(_l("Choose one of the statuses."), field="household_status") from None
    needs = []
    for need in data.needs:
        try:
            needs.append(SupportNeed(need).value)
        except ValueError:
            raise DomainError(_l("Choose from the list."), field="needs") from None
    values["needs"] = sorted(set(needs), key=[n.value for n in SupportNeed].index)
    for name in ("products_sold", "needs_other", "went_well", "was_hard"):
        text = (getattr(data, name) or "").strip()
        if len(text) > MAX_TEXT:
            raise DomainError(_l("Write at most %(num)d characters.", num=MAX_TEXT), field=name)
        values[name] = text
    return values


def _missing(values: dict, project: SupportedProject) -> tuple[str, object] | None:
    """The first answer a report cannot be sent without, as (field, message)."""
    required = [
        ("revenue", _l("Write the revenue of the period, 0 if there was none.")),
        ("costs", _l("Write the costs of the period, 0 if there were none.")),
        ("jobs_total", _l("Write how many people work in the project, 0 if none.")),
        ("jobs_women", _l("Write how many of them are women.")),
        ("jobs_ethnic_women", _l("Write how many of them are ethnic-minority women.")),
        ("household_status", _l("Choose the household's status today.")),
    ]
    if project.legal_form in (LegalForm.COOPERATIVE, LegalForm.COOPERATIVE_GROUP):
        required.append(("members", _l("Write how many members the group has.")))
    for name, message in required:
        if values.get(name) is None:
            return name, message
    return None


def _photos(report: ProgressReport, data: ReportData) -> list[tuple[bytes, str, str]]:
    removing = set(data.remove_photos)
    remaining = len([p for p in report.photos if p.id not in removing])
    uploads = [p for p in data.photos if p and p[0]]
    if remaining + len(uploads) > MAX_PHOTOS:
        raise DomainError(_l("Attach at most %(num)d photos.", num=MAX_PHOTOS), field="photos")
    return [
        storage.read_document(
            upload,
            field="photos",
            wrong_type=_l("A photo must be a JPEG or PNG file (or a PDF)."),
            too_large=_l("A photo is larger than 10 MB."),
            default_name="photo",
        )
        for upload in uploads
    ]


def _apply_photos(report: ProgressReport, data: ReportData, read: list) -> None:
    removing = set(data.remove_photos)
    for photo in [p for p in report.photos if p.id in removing]:
        report.photos.remove(photo)
        storage.discard(photo.stored_name)  # once the commit has happened
    for content, name, mime in read:
        stored = storage.new_name()
        report.photos.append(ReportPhoto(stored_name=stored, filename=name, content_type=mime))
        storage.store(content, stored)


def _same(report: ProgressReport, values: dict, data: ReportData) -> bool:
    """The report already holds exactly these answers (the same form sent twice)."""
    if data.remove_photos or any(p and p[0] for p in data.photos):
        return False
    return all(getattr(report, name) == value for name, value in values.items())


def _fillable(actor: User, report: ProgressReport) -> None:
    if not may_fill(actor, report):
        raise NotAllowed(_l("Only the owner of the project fills its reports."))
    if report.status not in (ReportStatus.OPEN, ReportStatus.RETURNED):
        raise ReportConflict(
            _l(
                "This report was already sent (%(state)s): what you typed below was not saved.",
                state=ReportState(report.status.value).label,
            )
        )


def save_draft(
    actor: User,
    report: ProgressReport,
    data: ReportData,
    *,
    expected_version: int,
    now: datetime | None = None,
) -> ProgressReport:
    """Keep what she typed on the server, to finish on any device. Nothing is checked for being
    missing; what is wrong (a negative figure) is refused with the field named. A save from an
    older copy of the page is refused (409) and her text comes back. Commits."""
    now = now or utcnow()
    _fillable(actor, report)
    values = _clean(data)
    if report.version != expected_version:
        if _same(report, values, data):
            return report
        raise ReportConflict(STALE)
    read = _photos(report, data)
    for name, value in values.items():
        setattr(report, name, value)
    _apply_photos(report, data, read)
    report.draft_saved_at = now
    report.version = expected_version + 1
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        db.session.refresh(report)
        if _same(report, values, data):
            return report  # the same form, sent twice at once: one save
        raise ReportConflict(STALE) from None
    return report


def submit_report(
    actor: User,
    report: ProgressReport,
    data: ReportData,
    *,
    expected_version: int,
    now: datetime | None = None,
) -> ProgressReport:
    """Send the report to the organisers. Every figure is needed (0 is an answer); a report
    sent after its due date, or after it turned late, is still taken. The same form sent twice
    sends it once. Commits."""
    now = now or utcnow()
    if report.status is ReportStatus.SUBMITTED and may_fill(actor, report):
        values = _clean(data)
        if _same(report, values, data):
            return report  # sent already, with these very answers
    _fillable(actor, report)
    values = _clean(data)
    if vietnam_date(now) < report.period_end:
        raise DomainError(
            _l(
                "This report covers the period up to %(day)s: it can be sent from that day. "
                "Save it as a draft until then.",
                day=report.period_end.strftime("%d/%m/%Y"),
            )
        )
    read = _photos(report, data)
    missing = _missing(values, report.project)
    if missing is not None:
        raise DomainError(missing[1], field=missing[0])
    _apply_photos(report, data, read)
    db.session.flush()
    moved = change_report_status(
        actor.id,
        report,
        ReportStatus.SUBMITTED,
        expected_version=expected_version,
        after={"late": vietnam_date(now) > report.due_on},
        submitted_at=now,
        submitted_by_id=actor.id,
        draft_saved_at=now,
        **values,
    )
    if not moved:
        db.session.rollback()
        db.session.refresh(report)
        if report.status is ReportStatus.SUBMITTED and _same(report, values, data):
            return report  # the same form, sent twice at once: sent once
        raise ReportConflict(STALE)
    db.session.commit()
    return report


# --- The organiser's review ----------------------------------------------------------------------


def _reviewer(actor: User, report: ProgressReport) -> None:
    if not may_review(actor, report):
        raise NotAllowed(_l("Only the organisers of the project's unit review its reports."))


def _conflict() -> ReportConflict:
    return ReportConflict(_l("This report changed since you opened the page: check it again."))


def accept_report(
    actor: User, report: ProgressReport, *, expected_version: int, now: datetime | None = None
) -> ProgressReport:
    """Accept a submitted report. The household's status it gives joins the household's
    history. The same click twice accepts once. Commits."""
    now = now or utcnow()
    _reviewer(actor, report)
    if report.status is ReportStatus.ACCEPTED:
        return report
    if report.status is not ReportStatus.SUBMITTED:
        raise _conflict()
    status, period_end, project_id = report.household_status, report.period_end, report.project_id
    if not change_report_status(
        actor.id,
        report,
        ReportStatus.ACCEPTED,
        expected_version=expected_version,
        reviewed_at=now,
        reviewed_by_id=actor.id,
        comment="",
    ):
        db.session.rollback()
        db.session.refresh(report)
        if report.status is ReportStatus.ACCEPTED:
            return report
        raise _conflict()
    if status is not None:
        add_status_record(
            actor.id,
            project_id,
            status,
            as_of=period_end,
            source=StatusSource.PROGRESS_REPORT,
            report_id=report.id,
        )
    db.session.commit()
    return report


def return_report(
    actor: User,
    report: ProgressReport,
    comment: str,
    *,
    expected_version: int,
    now: datetime | None = None,
) -> ProgressReport:
    """Send a submitted report back for changes, with a comment the winner reads on the report
    and in a mail in her language; it is due again. Commits."""
    now = now or utcnow()
    _reviewer(actor, report)
    comment = required_text(
        comment, field="comment", missing=_l("Write what should be changed."), limit=MAX_TEXT
    )
    if report.status is ReportStatus.RETURNED and report.comment == comment:
        return report
    if report.status is not ReportStatus.SUBMITTED or not change_report_status(
        actor.id,
        report,
        ReportStatus.RETURNED,
        expected_version=expected_version,
        after={"comment": comment},
        reviewed_at=now,
        reviewed_by_id=actor.id,
        comment=comment,
    ):
        db.session.rollback()
        raise _conflict()
    project = report.project
    owner = project.owner
    tell(
        owner,
        "report_returned",
        _l("Your progress report was returned for changes: %(title)s", title=project.title),
        project=project,
        report=report,
        comment=comment,
        report_url=external_url("projects.report", report_id=report.id),
    )
    db.session.commit()
    return report


def skip_report(
    actor: User,
    report: ProgressReport,
    reason: str,
    *,
    expected_version: int,
    now: datetime | None = None,
) -> ProgressReport:
    """Waive a report not sent (or returned), with the reason; it is no longer asked for."""
    now = now or utcnow()
    _reviewer(actor, report)
    reason = required_text(
        reason, field="reason", missing=_l("Write why this report is skipped."), limit=MAX_TEXT
    )
    if report.status is ReportStatus.SKIPPED:
        return report
    if report.status not in (ReportStatus.OPEN, ReportStatus.RETURNED) or not (
        change_report_status(
            actor.id,
            report,
            ReportStatus.SKIPPED,
            expected_version=expected_version,
            after={"reason": reason},
            reviewed_at=now,
            reviewed_by_id=actor.id,
            skip_reason=reason,
        )
    ):
        db.session.rollback()
        raise _conflict()
    db.session.commit()
    return report


# --- Reading -------------------------------------------------------------------------------------


_OF_PROJECTS = ProgressReport.project_id.in_(sa.bindparam("project_ids", expanding=True))
_IN_ORDER = (ProgressReport.project_id, ProgressReport.number)
# Built once (docs/performance.md).
_REPORTS = (
    sa.select(ProgressReport)
    .where(_OF_PROJECTS)
    .order_by(*_IN_ORDER)
    .options(selectinload(ProgressReport.photos))
)
# What a list of reports shows of each (the follow-up list, a project's page), read as columns.
LINE_COLUMNS = (
    ProgressReport.id,
    ProgressReport.project_id,
    ProgressReport.number,
    ProgressReport.period_start,
    ProgressReport.period_end,
    ProgressReport.due_on,
    ProgressReport.status,
)
_REPORT_LINES = (
    sa.select(
        *LINE_COLUMNS,
        ProgressReport.submitted_at,
        ProgressReport.revenue,
        ProgressReport.jobs_total,
    )
    .where(_OF_PROJECTS)
    .order_by(*_IN_ORDER)
)


def _by_project(
    statement: sa.Select, project_ids: list[int], rows: Callable[..., Iterable]
) -> dict[int, list]:
    found: dict[int, list] = {i: [] for i in project_ids}
    if project_ids:
        for row in rows(statement, {"project_ids": project_ids}):
            found[row.project_id].append(row)
    return found


def reports_of(project_ids: list[int]) -> dict[int, list[ProgressReport]]:
    """Each project's reports in their order, with their photos."""
    return _by_project(_REPORTS, project_ids, db.session.scalars)


def report_lines_of(project_ids: list[int]) -> dict[int, list[sa.Row]]:
    """Each project's reports in their order, as the columns a list of them shows (a project's
    page: the period, due day and status, and the revenue and jobs its chart draws), read as
    rows: made into objects of 27 columns, a project's ten reports cost nearly twice as much."""
    return _by_project(_REPORT_LINES, project_ids, db.session.execute)
