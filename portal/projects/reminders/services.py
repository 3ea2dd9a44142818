"""Reminders that arrive once: `flask reminders send` runs this, every hour from cron or a
systemd timer.

To the winner, in her language: 7 days before a report is due, on its due date, and when it is
14 days late. To each organiser, once a week: the late reports and the milestones waiting for
verification in the projects of her units. To the owner of an OCOP product and the organisers
of its project's unit: 30 days and 7 days before its rating expires. Each reminder is written in the outbox with a row of
`sent_reminder` whose key is unique, in the same savepoint: of two runs at the same moment, the
second waits for the first and finds the key taken, so a reminder is queued once however often
and however many times at once the command runs.

A stage is sent only while it is the current one: a command that did not run for a week does
not send "due in 7 days" on the due date, nor "14 days late" a month later.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.auth.messages import tell
from portal.auth.models import Role, RoleGrant, User
from portal.core.time import utcnow, vietnam_date
from portal.core.urls import external_url
from portal.extensions import db
from portal.projects.milestones.models import Milestone, MilestoneStatus
from portal.projects.models import SupportedProject
from portal.projects.ocop.models import OcopProduct, OcopRating
from portal.projects.reminders.models import SentReminder
from portal.projects.reports.models import ProgressReport, ReportState, ReportStatus
from portal.projects.reports.schedule import late_from
from portal.projects.reports.services import state_clause
from portal.projects.services import scoped_query
from portal.projects.signals import reminders_collected
from portal.units.models import Unit

BEFORE = timedelta(days=7)
# The last stage is sent for a week after it is reached; after that the report is in the
# organisers' digest, and a mail about it would only be noise.
STAGE_KEPT = timedelta(days=7)


@dataclass
class Reminder:
    key: str
    recipient: User
    template: str
    subject: object  # a lazy string, read in the recipient's language
    context: dict = field(default_factory=dict)


def report_stage(due_on: date, today: date) -> str | None:
    """Which reminder of a report not yet sent is current on `today`, if any."""
    late = late_from(due_on)
    if due_on - BEFORE <= today < due_on:
        return "before"
    if due_on <= today < min(late, due_on + STAGE_KEPT):
        return "due"
    if late <= today < late + STAGE_KEPT:
        return "late"
    return None


REPORT_SUBJECTS = {
    "before": lambda title: _l("Your progress report is due in 7 days: %(title)s", title=title),
    "due": lambda title: _l("Your progress report is due today: %(title)s", title=title),
    "late": lambda title: _l("Your progress report is 14 days late: %(title)s", title=title),
}


def _report_reminders(today: date) -> Iterator[Reminder]:
    """The winners' reminders current today: open reports whose due date is near or past."""
    window_start = today - (timedelta(days=14) + STAGE_KEPT)
    reports = db.session.scalars(
        sa.select(ProgressReport)
        .join(SupportedProject, SupportedProject.id == ProgressReport.project_id)
        .where(
            ProgressReport.status == ReportStatus.OPEN,
            ProgressReport.due_on.between(window_start, today + BEFORE),
        )
        .options(joinedload(ProgressReport.project).joinedload(SupportedProject.owner))
        .order_by(ProgressReport.id)
    )
    for report in reports:
        stage = report_stage(report.due_on, today)
        owner = report.project.owner
        if stage is None or not owner.active:
            continue
        yield Reminder(
            key=f"report:{report.id}:{stage}",
            recipient=owner,
            template="report_reminder",
            subject=REPORT_SUBJECTS[stage](report.project.title),
            context={
                "stage": stage,
                "report": report,
                "project": report.project,
                "report_url": external_url("projects.report", report_id=report.id),
            },
        )


def _organisers() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.active.is_(True),
                User.id.in_(sa.select(RoleGrant.user_id).where(RoleGrant.role == Role.ORGANISER)),
            )
            .order_by(User.id)
        )
    )


def _digests(today: date) -> Iterator[Reminder]:
    """Each organiser's weekly digest, when her units have late reports or milestones waiting."""
    year, week, _ = today.isocalendar()
    for organiser in _organisers():
        projects = scoped_query(organiser).order_by(None).with_only_columns(SupportedProject.id)
        late = list(
            db.session.scalars(
                sa.select(ProgressReport)
                .where(
                    ProgressReport.project_id.in_(projects),
                    state_clause(ReportState.LATE, today),
                )
                .options(joinedload(ProgressReport.project))
                .order_by(ProgressReport.due_on, ProgressReport.id)
            )
        )
        waiting = list(
            db.session.scalars(
                sa.select(Milestone)
                .where(
                    Milestone.project_id.in_(projects),
                    Milestone.status == MilestoneStatus.RECORDED,
                )
                .options(joinedload(Milestone.project))
                .order_by(Milestone.recorded_at, Milestone.id)
            )
        )
        if not late and not waiting:
            continue
        yield Reminder(
            key=f"digest:{organiser.id}:{year}-W{week:02d}",
            recipient=organiser,
            template="follow_up_digest",
            subject=_l(
                "Follow-up of supported projects: the week of %(day)s",
                day=today.strftime("%d/%m/%Y"),
            ),
            context={
                "late": late,
                "waiting": waiting,
                "today": today,
                "follow_up_url": external_url("projects.follow_up"),
            },
        )


EXPIRY_STAGES = (30, 7)  # days before a rating's last valid day


def expiry_stage(valid_until: date, today: date) -> int | None:
    """Which expiry alert of a rating is current on `today`, if any."""
    left = (valid_until - today).days
    if 7 < left <= 30:
        return 30
    if 0 <= left <= 7:
        return 7
    return None


def _unit_organisers(unit_ids: set[int]) -> dict[int, list[User]]:
    """The active organisers of each unit (of its own role, or of its province's)."""
    parents = dict(
        db.session.execute(sa.select(Unit.id, Unit.parent_id).where(Unit.id.in_(unit_ids))).all()
    )
    wanted = unit_ids | {p for p in parents.values() if p}
    grants = db.session.execute(
        sa.select(RoleGrant.unit_id, User)
        .join(User, User.id == RoleGrant.user_id)
        .where(
            RoleGrant.role == Role.ORGANISER, RoleGrant.unit_id.in_(wanted), User.active.is_(True)
        )
        .order_by(User.id)
    ).tuples()
    by_unit: dict[int, list[User]] = {}
    for unit_id, user in grants:
        by_unit.setdefault(unit_id, []).append(user)
    return {
        unit_id: by_unit.get(unit_id, []) + by_unit.get(parents.get(unit_id), [])
        for unit_id in unit_ids
    }


def _ocop_alerts(today: date) -> Iterator[Reminder]:
    """Ratings that are the current one of their product and expire within 30 days."""
    latest = (
        sa.select(sa.func.max(OcopRating.id))
        .where(OcopRating.revoked_at.is_(None))
        .group_by(OcopRating.product_id)
    )
    ratings = list(
        db.session.scalars(
            sa.select(OcopRating)
            .where(
                OcopRating.id.in_(latest),
                OcopRating.valid_until.between(today, today + timedelta(days=30)),
            )
            .options(
                joinedload(OcopRating.product)
                .joinedload(OcopProduct.project)
                .joinedload(SupportedProject.owner)
            )
            .order_by(OcopRating.id)
        )
    )
    organisers = _unit_organisers({r.product.project.unit_id for r in ratings})
    for rating in ratings:
        stage = expiry_stage(rating.valid_until, today)
        if stage is None:
            continue
        project = rating.product.project
        context = {
            "rating": rating,
            "product": rating.product,
            "project": project,
            "project_url": external_url("projects.detail", project_id=project.id) + "#ocop",
        }
        subject = _l(
            "The OCOP rating of %(product)s expires on %(day)s",
            product=rating.product.name,
            day=rating.valid_until.strftime("%d/%m/%Y"),
        )
        recipients = [(project.owner, "ocop_expiring")] + [
            (user, "follow_up_ocop_expiring") for user in organisers[project.unit_id]
        ]
        seen = set()
        for user, template in recipients:
            if user.id in seen or not user.active:
                continue
            seen.add(user.id)
            yield Reminder(
                key=f"ocop:{rating.id}:{stage}:{user.id}",
                recipient=user,
                template=template,
                subject=subject,
                context=context,
            )


def _queue_once(reminder: Reminder) -> bool:
    """Claim the reminder's key and queue its mail in one savepoint; False when another run
    claimed it first (or had already)."""
    try:
        with db.session.begin_nested():
            db.session.add(SentReminder(key=reminder.key, recipient_id=reminder.recipient.id))
            db.session.flush()
            tell(reminder.recipient, reminder.template, reminder.subject, **reminder.context)
    except IntegrityError:
        return False
    return True


def send_reminders(now: datetime | None = None) -> dict[str, int]:
    """Queue every reminder current now that was not queued before. Commits once."""
    today = vietnam_date(now or utcnow())
    candidates = [*_report_reminders(today), *_digests(today), *_ocop_alerts(today)]
    for _receiver, theirs in reminders_collected.send(None, today=today):
        candidates += list(theirs or [])
    taken = (
        set(
            db.session.scalars(
                sa.select(SentReminder.key).where(SentReminder.key.in_([r.key for r in candidates]))
            )
        )
        if candidates
        else set()
    )
    counts = {"queued": 0, "already": len(taken)}
    for reminder in candidates:
        if reminder.key in taken:
            continue
        if _queue_once(reminder):
            counts["queued"] += 1
        else:
            counts["already"] += 1
    db.session.commit()
    return counts
