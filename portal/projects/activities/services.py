"""Support activities: an organiser records one for her unit, adds who attended (a winner's
project, an applicant's account, or a name with commune and ethnic group), or imports the
sign-in sheet; the figures count people, each once."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from sqlalchemy.orm import joinedload, selectinload

from portal.applicants.ethnicities import ETHNICITIES
from portal.applicants.models import ApplicantProfile
from portal.auth.models import Role, User
from portal.core import audit, idempotency
from portal.core.errors import DomainError, NotAllowed
from portal.core.text import fold
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.projects.activities.models import ActivityKind, Attendee, SupportActivity
from portal.projects.models import SupportedProject
from portal.projects.services import scoped_query
from portal.units.models import Unit

MAX_TOPIC = 300
MAX_NAME = 200
MAX_ROWS = 2000
MAX_SHEET_BYTES = 2 * 1024 * 1024
# The sign-in sheet's columns, by their folded header (Vietnamese or English).
COLUMNS = {
    "name": ("ho va ten", "ho ten", "ten", "name", "full name"),
    "commune": ("xa", "xa/phuong", "xa phuong", "phuong", "commune"),
    "ethnicity": ("dan toc", "ethnic group", "ethnicity"),
    "phone": ("so dien thoai", "dien thoai", "sdt", "phone"),
    "email": ("email", "e-mail", "thu dien tu"),
}
_ETHNIC_BY_NAME = {fold(name): code for code, name in ETHNICITIES.items()}


class AttendeeRefused(DomainError):
    """She is on the list already."""

    status = 409


def may_manage(user: User, activity: SupportActivity) -> bool:
    return user.is_authenticated and user.can_act_on_unit(activity.unit_id)


def _person_key(user_id: int | None, name: str, commune_id: int | None) -> str:
    if user_id:
        return f"u:{user_id}"
    return f"n:{fold(name)[:200]}:{commune_id or ''}"


def create_activity(
    actor: User,
    unit_id: int | None,
    kind: str | None,
    held_on: date | None,
    topic: str,
    partner: str = "",
    commune_id: int | None = None,
    *,
    now: datetime | None = None,
    form_key: str | None = None,
) -> SupportActivity:
    """Record an activity the organiser's unit held. Commits."""
    now = now or utcnow()
    if not unit_id or not actor.can_act_on_unit(unit_id):
        raise DomainError(_l("Choose a unit you organise for."), field="unit")
    try:
        kind = ActivityKind(kind or "")
    except ValueError:
        raise DomainError(_l("Choose the kind of activity."), field="kind") from None
    if held_on is None or not date(2015, 1, 1) <= held_on <= vietnam_date(now):
        raise DomainError(_l("The date must be between 2015 and today."), field="held_on")
    topic = " ".join((topic or "").split())
    if not topic:
        raise DomainError(_l("Write the topic of the activity."), field="topic")
    if len(topic) > MAX_TOPIC:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_TOPIC), field="topic")
    partner = " ".join((partner or "").split())[:MAX_NAME]
    if commune_id is not None and db.session.get(Unit, commune_id) is None:
        raise DomainError(_l("Choose a commune from the list."), field="commune")
    claimed = idempotency.claim(form_key, kind="support_activity", actor_id=actor.id)
    activity = SupportActivity(
        unit_id=unit_id,
        kind=kind,
        held_on=held_on,
        commune_id=commune_id,
        topic=topic,
        partner=partner,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    db.session.add(activity)
    db.session.flush()
    idempotency.made(claimed, activity)
    audit.record(
        "support_activity.recorded",
        actor_id=actor.id,
        object_type="support_activity",
        object_id=activity.id,
        after={"kind": kind.value, "held_on": held_on.isoformat(), "topic": topic},
    )
    db.session.commit()
    return activity


def _attendee(
    activity: SupportActivity,
    *,
    project: SupportedProject | None = None,
    user: User | None = None,
    name: str = "",
    commune_id: int | None = None,
    ethnicity: str | None = None,
    phone: str = "",
) -> Attendee:
    """The attendee row (not added): from her project, her account, or her name."""
    if project is not None:
        user = project.owner
        commune_id = project.commune_id
    if user is not None:
        name = user.full_name
        commune_id = commune_id or user.commune_id
        profile = db.session.get(ApplicantProfile, user.id)
        ethnicity = ethnicity or (profile.ethnicity if profile else None)
    name = " ".join((name or "").split())
    return Attendee(
        activity_id=activity.id,
        user_id=user.id if user else None,
        project_id=project.id if project else None,
        name=name,
        commune_id=commune_id,
        ethnicity=ethnicity if ethnicity in ETHNICITIES else None,
        phone=(phone or "").strip()[:32],
        person_key=_person_key(user.id if user else None, name, commune_id),
    )


def _on_list(activity: SupportActivity) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(Attendee.person_key).where(Attendee.activity_id == activity.id)
        )
    )


def add_attendee(
    actor: User,
    activity: SupportActivity,
    *,
    project_id: int | None = None,
    name: str = "",
    commune_id: int | None = None,
    ethnicity: str | None = None,
    phone: str = "",
) -> Attendee:
    """Add one person to the activity: a project of her units, or a name. Commits."""
    if not may_manage(actor, activity):
        raise NotAllowed(_l("You cannot change activities of another unit."))
    project = None
    if project_id:
        project = db.session.scalar(scoped_query(actor).where(SupportedProject.id == project_id))
        if project is None:
            raise DomainError(_l("Choose a project from the list."), field="project")
    elif not " ".join((name or "").split()):
        raise DomainError(_l("Choose her project, or write her name."), field="name")
    if len((name or "").strip()) > MAX_NAME:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_NAME), field="name")
    if ethnicity and ethnicity not in ETHNICITIES:
        raise DomainError(_l("Choose from the list."), field="ethnicity")
    attendee = _attendee(
        activity,
        project=project,
        name=name,
        commune_id=commune_id,
        ethnicity=ethnicity,
        phone=phone,
    )
    if attendee.person_key in _on_list(activity):
        raise AttendeeRefused(_l("%(name)s is on the list already.", name=attendee.name))
    db.session.add(attendee)
    db.session.flush()
    audit.record(
        "support_activity.attendee_added",
        actor_id=actor.id,
        object_type="support_activity",
        object_id=activity.id,
        after={"name": attendee.name, "project_id": attendee.project_id},
    )
    db.session.commit()
    return attendee


def remove_attendee(actor: User, attendee: Attendee) -> None:
    """Take off someone added by mistake; the audit log keeps who it was. Commits."""
    activity = attendee.activity
    if not may_manage(actor, activity):
        raise NotAllowed(_l("You cannot change activities of another unit."))
    audit.record(
        "support_activity.attendee_removed",
        actor_id=actor.id,
        object_type="support_activity",
        object_id=activity.id,
        before={"name": attendee.name, "project_id": attendee.project_id},
    )
    db.session.delete(attendee)
    db.session.commit()


# --- The sign-in sheet ---------------------------------------------------------------------------


@dataclass
class SheetReport:
    added: int = 0
    already: list[str] = field(default_factory=list)  # names on the list before
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row, what is wrong)


def _rows(data: bytes, filename: str) -> list[list[str]]:
    if data[:2] == b"PK":  # an XLSX file is a zip
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook is the same refusal
            raise DomainError(_l("The file could not be read."), field="sheet") from None
        sheet = book.worksheets[0]
        return [
            ["" if v is None else str(v).strip() for v in row]
            for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1)
        ]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(
            _l("Save the sheet as CSV (UTF-8) or XLSX, then try again."), field="sheet"
        ) from None
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, title in enumerate(header):
        key = fold(title).strip(" :*")
        for column, names in COLUMNS.items():
            if key in names and column not in found:
                found[column] = index
    return found


def import_sheet(
    actor: User, activity: SupportActivity, upload: tuple[bytes, str] | None
) -> SheetReport:
    """Add the people of a sign-in sheet (CSV or XLSX; a header row naming at least the name
    column). A woman is linked to her account (by e-mail or phone) and to her project when she
    has one in the organiser's units; her commune and ethnic group are read by name. All or
    nothing: with any row wrong, nothing is added and the report says which. Commits."""
    if not may_manage(actor, activity):
        raise NotAllowed(_l("You cannot change activities of another unit."))
    if upload is None or not upload[0]:
        raise DomainError(_l("Choose the sign-in sheet."), field="sheet")
    if len(upload[0]) > MAX_SHEET_BYTES:
        raise DomainError(_l("The sheet is larger than 2 MB."), field="sheet")
    rows = [r for r in _rows(*upload) if any(r)]
    if not rows:
        raise DomainError(_l("The sheet is empty."), field="sheet")
    columns = _columns(rows[0])
    if "name" not in columns:
        raise DomainError(
            _l("The first row must name the columns, at least “Họ và tên”."), field="sheet"
        )
    if len(rows) - 1 > MAX_ROWS:
        raise DomainError(_l("At most %(num)d people at a time.", num=MAX_ROWS), field="sheet")
    province_id = activity.unit.province_id
    communes = {
        fold(u.name): u.id
        for u in db.session.scalars(sa.select(Unit).where(Unit.parent_id == province_id))
    }
    projects_by_owner = {
        p.owner_id: p
        for p in db.session.scalars(scoped_query(actor).options(joinedload(SupportedProject.owner)))
    }
    report = SheetReport()
    seen = _on_list(activity)
    new = []

    def cell(row: list[str], column: str) -> str:
        index = columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    for number, row in enumerate(rows[1:], start=2):
        name = " ".join(cell(row, "name").split())
        if not name:
            report.errors.append((number, str(_l("The name is missing."))))
            continue
        if len(name) > MAX_NAME:
            report.errors.append((number, str(_l("The name is too long."))))
            continue
        commune_text = cell(row, "commune")
        commune_id = None
        if commune_text:
            key = fold(commune_text)
            commune_id = communes.get(key) or communes.get(
                next((k for k in communes if k.endswith(key) or key.endswith(k)), "")
            )
            if commune_id is None:
                report.errors.append(
                    (number, str(_l("Commune not found: %(name)s", name=commune_text)))
                )
                continue
        ethnic_text = cell(row, "ethnicity")
        ethnicity = _ETHNIC_BY_NAME.get(fold(ethnic_text)) if ethnic_text else None
        if ethnic_text and ethnicity is None:
            report.errors.append(
                (number, str(_l("Ethnic group not found: %(name)s", name=ethnic_text)))
            )
            continue
        email, phone = cell(row, "email").lower(), cell(row, "phone")
        user = None
        if email or phone:
            conditions = []
            if email:
                conditions.append(sa.func.lower(User.email) == email)
            if phone:
                conditions.append(User.phone == phone)
            user = db.session.scalar(
                sa.select(User)
                .where(sa.or_(*conditions), User.roles.any(role=Role.APPLICANT))
                .options(selectinload(User.roles))
                .limit(1)
            )
        project = projects_by_owner.get(user.id) if user else None
        attendee = _attendee(
            activity,
            project=project,
            user=user if project is None else None,
            name=name,
            commune_id=commune_id,
            ethnicity=ethnicity,
            phone=phone,
        )
        if attendee.person_key in seen:
            report.already.append(attendee.name)
            continue
        seen.add(attendee.person_key)
        new.append(attendee)
    if report.errors:
        return report  # nothing added
    db.session.add_all(new)
    report.added = len(new)
    audit.record(
        "support_activity.sheet_imported",
        actor_id=actor.id,
        object_type="support_activity",
        object_id=activity.id,
        after={"added": report.added, "already": len(report.already), "file": upload[1]},
    )
    db.session.commit()
    return report


# --- Reading and counting ------------------------------------------------------------------------


def activities_query(user: User) -> sa.Select:
    """The activities of the units she acts on (all for an admin), newest first."""
    query = sa.select(SupportActivity)
    if not user.has_role(Role.ADMIN):
        scope = [u.id for u in user.organiser_units()]
        query = query.where(
            sa.or_(
                SupportActivity.unit_id.in_(scope),
                SupportActivity.unit_id.in_(sa.select(Unit.id).where(Unit.parent_id.in_(scope))),
            )
            if scope
            else sa.false()
        )
    return query.order_by(SupportActivity.held_on.desc(), SupportActivity.id.desc())


@dataclass
class YearFigures:
    year: int
    activities: int
    attendances: int
    people: int  # each woman once, whatever she attended
    trained: int  # each woman once among the trainings


def figures(user: User) -> list[YearFigures]:
    """Per year, in her units: activities, attendances, and the women counted once each."""
    listed = activities_query(user).order_by(None).with_only_columns(SupportActivity.id)
    year = sa.extract("year", SupportActivity.held_on)
    rows = db.session.execute(
        sa.select(
            year,
            sa.func.count(sa.distinct(SupportActivity.id)),
            sa.func.count(Attendee.id),
            sa.func.count(sa.distinct(Attendee.person_key)),
            sa.func.count(
                sa.distinct(
                    sa.case((SupportActivity.kind == ActivityKind.TRAINING, Attendee.person_key))
                )
            ),
        )
        .select_from(SupportActivity)
        .outerjoin(Attendee, Attendee.activity_id == SupportActivity.id)
        .where(SupportActivity.id.in_(listed))
        .group_by(year)
        .order_by(year.desc())
    )
    return [YearFigures(int(y), a, n, p, t) for y, a, n, p, t in rows]


_SUPPORT = (
    sa.select(SupportActivity)
    .join(Attendee, Attendee.activity_id == SupportActivity.id)
    .where(
        sa.or_(
            Attendee.project_id == sa.bindparam("project_id"),
            Attendee.user_id == sa.bindparam("owner_id"),
        )
    )
    .distinct()
    .order_by(SupportActivity.held_on.desc(), SupportActivity.id.desc())
)  # built once (docs/performance.md)


def support_of(project: SupportedProject) -> list[SupportActivity]:
    """The activities the project's owner attended (for the project, or in her own name)."""
    return list(
        db.session.scalars(_SUPPORT, {"project_id": project.id, "owner_id": project.owner_id})
    )
