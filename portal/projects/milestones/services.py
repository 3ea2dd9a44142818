"""Milestones: recorded by the winner or an organiser, verified or returned by an organiser of
the project's unit; the kinds, kept by an admin."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.models import Role, User
from portal.core import audit, idempotency, storage
from portal.core.errors import DomainError, NotAllowed
from portal.core.text import required_text
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.projects.milestones.models import (
    Milestone,
    MilestoneFile,
    MilestoneKind,
    MilestoneStatus,
)
from portal.projects.milestones.status import change_milestone_status
from portal.projects.models import LegalForm, SupportedProject
from portal.projects.services import may_manage_project

MAX_NOTE = 2000
MAX_LINK = 500
MAX_FILES = 5
MAX_NUMBER = 64
EARLIEST = date(2000, 1, 1)
_LINK = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.IGNORECASE)


class MilestoneConflict(DomainError):
    """Another organiser verified or returned it, or it was changed, since the page was shown."""

    status = 409


@dataclass
class MilestoneData:
    kind_id: int | None
    reached_on: date | None
    note: str = ""
    evidence_link: str = ""
    registration_number: str = ""
    legal_form: str | None = None
    files: list[tuple[bytes, str]] = field(default_factory=list)


# --- Who may ---------------------------------------------------------------------------------


def may_record(user: User, project: SupportedProject) -> bool:
    """The winner records her milestones; the organisers of the project's unit record them too."""
    return user.is_authenticated and (
        project.owner_id == user.id or may_manage_project(user, project)
    )


def may_change(user: User, milestone: Milestone) -> bool:
    """Until it is verified, whoever may record on the project may correct it."""
    return milestone.status is not MilestoneStatus.VERIFIED and may_record(user, milestone.project)


def may_decide(user: User, milestone: Milestone) -> bool:
    """Verifying and returning: the organisers of the project's unit."""
    return may_manage_project(user, milestone.project)


def may_see_file(user: User, file: MilestoneFile) -> bool:
    milestone = db.session.get(Milestone, file.milestone_id)
    return milestone is not None and may_record(user, milestone.project)


# --- Kinds -------------------------------------------------------------------------------------


def kinds(*, include: int | None = None, include_retired: bool = False) -> list[MilestoneKind]:
    """The kinds offered on the form, in their order; a retired kind only when it is `include`
    (the kind of the milestone being corrected), or on the admins' page."""
    query = sa.select(MilestoneKind).order_by(MilestoneKind.position, MilestoneKind.id)
    return [k for k in db.session.scalars(query) if k.active or k.id == include or include_retired]


def save_kind(
    actor: User,
    kind: MilestoneKind | None,
    *,
    label_vi: str,
    label_en: str,
    is_registration: bool,
    active: bool,
) -> MilestoneKind:
    """Add a kind of milestone (kind=None) or rename, retire or bring back one. Admins only.
    A kind is never deleted: the milestones recorded with it keep their name. Commits."""
    if not actor.has_role(Role.ADMIN):
        raise DomainError(_l("Only an administrator can change the kinds of milestones."))
    label_vi, label_en = " ".join(label_vi.split()), " ".join(label_en.split())
    if not label_vi:
        raise DomainError(_l("Write the name in Vietnamese."), field="label_vi")
    if not label_en:
        raise DomainError(_l("Write the name in English."), field="label_en")
    for name, value in (("label_vi", label_vi), ("label_en", label_en)):
        if len(value) > 120:
            raise DomainError(_l("Write at most %(num)d characters.", num=120), field=name)
    clash = db.session.scalar(
        sa.select(MilestoneKind).where(
            sa.func.lower(MilestoneKind.label_vi) == label_vi.lower(),
            MilestoneKind.id != (kind.id if kind else 0),
        )
    )
    if clash is not None:
        raise DomainError(_l("A kind with this name exists already."), field="label_vi")
    before = None
    if kind is None:
        last = db.session.scalar(sa.select(sa.func.max(MilestoneKind.position))) or 0
        count = db.session.scalar(sa.select(sa.func.count(MilestoneKind.id))) or 0
        kind = MilestoneKind(code=f"custom_{count + 1}", position=last + 1)
        db.session.add(kind)
    else:
        before = _describe_kind(kind)
    kind.label_vi, kind.label_en = label_vi, label_en
    kind.is_registration, kind.active = is_registration, active
    db.session.flush()
    audit.record(
        "milestone_kind.saved",
        actor_id=actor.id,
        object_type="milestone_kind",
        object_id=kind.id,
        before=before,
        after=_describe_kind(kind),
    )
    db.session.commit()
    return kind


def _describe_kind(kind: MilestoneKind) -> dict:
    return {
        "label_vi": kind.label_vi,
        "label_en": kind.label_en,
        "is_registration": kind.is_registration,
        "active": kind.active,
    }


# --- Recording and correcting -------------------------------------------------------------------


def _checked(data: MilestoneData, *, now: datetime, current_kind: int | None = None) -> tuple:
    """The kind, the fields cleaned, and the files read; or a refusal naming the field."""
    kind = db.session.get(MilestoneKind, data.kind_id) if data.kind_id else None
    if kind is None or not (kind.active or kind.id == current_kind):
        raise DomainError(_l("Choose what the project reached."), field="kind")
    today = vietnam_date(now)
    if data.reached_on is None:
        raise DomainError(_l("Write the date it happened."), field="reached_on")
    if not EARLIEST <= data.reached_on <= today:
        raise DomainError(_l("The date must be between 2000 and today."), field="reached_on")
    note = (data.note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_NOTE), field="note")
    link = (data.evidence_link or "").strip()
    if link and (len(link) > MAX_LINK or not _LINK.match(link)):
        raise DomainError(
            _l("Write a full link that starts with http:// or https://."), field="evidence_link"
        )
    number = " ".join((data.registration_number or "").split())
    legal_form = None
    if kind.is_registration:
        try:
            legal_form = LegalForm(data.legal_form or "")
        except ValueError:
            raise DomainError(
                _l("Choose what the business was registered as."), field="legal_form"
            ) from None
        if not number:
            raise DomainError(
                _l("Write the registration number on the certificate."),
                field="registration_number",
            )
        if len(number) > MAX_NUMBER:
            raise DomainError(
                _l("Write at most %(num)d characters.", num=MAX_NUMBER),
                field="registration_number",
            )
    else:
        number = ""
    files = [f for f in data.files if f and f[0]]
    if len(files) > MAX_FILES:
        raise DomainError(_l("Attach at most %(num)d files.", num=MAX_FILES), field="files")
    read = [
        storage.read_document(
            f,
            field="files",
            wrong_type=_l("A photo or a document must be a JPEG, PNG or PDF file."),
            too_large=_l("A file is larger than 10 MB."),
            default_name="evidence",
        )
        for f in files
    ]
    return kind, note, link, number or None, legal_form, read


def _add_files(milestone: Milestone, read: list, actor_id: int) -> None:
    for data, name, mime in read:
        stored = storage.new_name()
        milestone.files.append(
            MilestoneFile(
                stored_name=stored, filename=name, content_type=mime, uploaded_by_id=actor_id
            )
        )
        storage.store(data, stored)  # removed again if the transaction does not commit


def _describe(milestone: Milestone) -> dict:
    return {
        "project_id": milestone.project_id,
        "kind": milestone.kind.code if milestone.kind else None,
        "reached_on": milestone.reached_on.isoformat(),
        "note": milestone.note,
        "evidence_link": milestone.evidence_link,
        "registration_number": milestone.registration_number,
        "legal_form": milestone.legal_form.value if milestone.legal_form else None,
        "files": [f.filename for f in milestone.files],
    }


def record_milestone(
    actor: User,
    project: SupportedProject,
    data: MilestoneData,
    *,
    now: datetime | None = None,
    form_key: str | None = None,
) -> Milestone:
    """Record what the project reached, with its evidence; it waits for an organiser to verify
    it. The same form sent twice records it once. Commits."""
    now = now or utcnow()
    if not may_record(actor, project):
        raise NotAllowed(_l("You cannot record milestones of this project."))
    kind, note, link, number, legal_form, read = _checked(data, now=now)
    claimed = idempotency.claim(form_key, kind="milestone", actor_id=actor.id)
    milestone = Milestone(
        project_id=project.id,
        kind=kind,
        reached_on=data.reached_on,
        note=note,
        evidence_link=link,
        registration_number=number,
        legal_form=legal_form,
        status=MilestoneStatus.RECORDED,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    db.session.add(milestone)
    _add_files(milestone, read, actor.id)
    db.session.flush()
    idempotency.made(claimed, milestone)
    audit.record(
        "milestone.recorded",
        actor_id=actor.id,
        object_type="milestone",
        object_id=milestone.id,
        after=_describe(milestone),
    )
    db.session.commit()
    return milestone


def correct_milestone(
    actor: User,
    milestone: Milestone,
    data: MilestoneData,
    *,
    expected_version: int,
    remove_files: list[int] | None = None,
    now: datetime | None = None,
) -> Milestone:
    """Correct a milestone not yet verified; a returned one goes back to the organisers.
    Refused (409) when it was verified, returned or changed since the form was opened."""
    now = now or utcnow()
    if not may_change(actor, milestone):
        if milestone.status is MilestoneStatus.VERIFIED:
            raise MilestoneConflict(_l("This milestone is verified: it can no longer change."))
        raise NotAllowed(_l("You cannot record milestones of this project."))
    if milestone.version != expected_version:
        raise MilestoneConflict(
            _l(
                "This milestone was changed since you opened it. Your changes are below; "
                "check them against the milestone and save again."
            )
        )
    kind, note, link, number, legal_form, read = _checked(
        data, now=now, current_kind=milestone.kind_id
    )
    removing = [f for f in milestone.files if f.id in set(remove_files or [])]
    if len(milestone.files) - len(removing) + len(read) > MAX_FILES:
        raise DomainError(_l("Attach at most %(num)d files.", num=MAX_FILES), field="files")
    before = _describe(milestone)
    was_returned = milestone.status is MilestoneStatus.RETURNED
    milestone.kind = kind
    milestone.reached_on = data.reached_on
    milestone.note, milestone.evidence_link = note, link
    milestone.registration_number, milestone.legal_form = number, legal_form
    for f in removing:
        milestone.files.remove(f)
        storage.discard(f.stored_name)  # once the commit has happened
    _add_files(milestone, read, actor.id)
    db.session.flush()
    after = _describe(milestone)
    if was_returned:
        moved = change_milestone_status(
            actor.id,
            milestone,
            MilestoneStatus.RECORDED,
            expected_version=expected_version,
            after=after,
        )
    else:
        moved = _bump_version(milestone, expected_version)
        if moved:
            audit.record(
                "milestone.corrected",
                actor_id=actor.id,
                object_type="milestone",
                object_id=milestone.id,
                before=before,
                after=after,
            )
    if not moved:
        db.session.rollback()
        raise MilestoneConflict(
            _l(
                "This milestone was changed since you opened it. Your changes are below; "
                "check them against the milestone and save again."
            )
        )
    db.session.commit()
    return milestone


def _bump_version(milestone: Milestone, expected_version: int) -> bool:
    """Raise the version if still at the one the form was opened at (a save that is not a move)."""
    milestone_id = milestone.id
    result = db.session.execute(
        sa.update(Milestone)
        .where(
            Milestone.id == milestone_id,
            Milestone.version == expected_version,
            Milestone.status != MilestoneStatus.VERIFIED,
        )
        .values(version=Milestone.version + 1),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(milestone)
    return result.rowcount == 1


# --- Verifying and returning --------------------------------------------------------------------


def verify_milestone(
    actor: User, milestone: Milestone, *, expected_version: int, now: datetime | None = None
) -> Milestone:
    """An organiser of the project's unit confirms the milestone from its evidence. A verified
    registration sets the project's legal form and registration number. The same click twice
    verifies once; a milestone changed or returned meanwhile is refused (409). Commits."""
    now = now or utcnow()
    project = milestone.project
    if not may_manage_project(actor, project):
        raise NotAllowed(_l("Only the organisers of the project's unit can verify it."))
    if milestone.status is MilestoneStatus.VERIFIED:
        return milestone  # the same answer again
    if milestone.status is not MilestoneStatus.RECORDED:
        raise MilestoneConflict(_l("This milestone was returned; it waits for a correction."))
    after = {"decided_by": actor.id}
    if milestone.kind.is_registration:
        after |= {
            "legal_form": milestone.legal_form.value,
            "registration_number": milestone.registration_number,
        }
        project.legal_form = milestone.legal_form
        project.registration_number = milestone.registration_number
    if not change_milestone_status(
        actor.id,
        milestone,
        MilestoneStatus.VERIFIED,
        expected_version=expected_version,
        after=after,
        decided_by_id=actor.id,
        decided_at=now,
        return_reason="",
    ):
        db.session.rollback()
        db.session.refresh(milestone)
        if milestone.status is MilestoneStatus.VERIFIED:
            return milestone
        raise MilestoneConflict(
            _l("This milestone changed since you opened the page: check it again.")
        )
    db.session.commit()
    return milestone


def return_milestone(
    actor: User,
    milestone: Milestone,
    reason: str,
    *,
    expected_version: int,
    now: datetime | None = None,
) -> Milestone:
    """Send a milestone back to be corrected, with the reason its recorder will read. Commits."""
    now = now or utcnow()
    if not may_manage_project(actor, milestone.project):
        raise NotAllowed(_l("Only the organisers of the project's unit can return it."))
    reason = required_text(
        reason, field="reason", missing=_l("Write what should be corrected."), limit=MAX_NOTE
    )
    if milestone.status is MilestoneStatus.RETURNED and milestone.return_reason == reason:
        return milestone  # the same form twice
    if milestone.status is not MilestoneStatus.RECORDED or not change_milestone_status(
        actor.id,
        milestone,
        MilestoneStatus.RETURNED,
        expected_version=expected_version,
        after={"reason": reason},
        decided_by_id=actor.id,
        decided_at=now,
        return_reason=reason,
    ):
        db.session.rollback()
        raise MilestoneConflict(
            _l("This milestone changed since you opened the page: check it again.")
        )
    db.session.commit()
    return milestone


# Built once (docs/performance.md); with their files, or without when the project's page
# knows it has none (a query that finds nothing still costs its round trip).
_MILESTONES = (
    sa.select(Milestone)
    .where(Milestone.project_id.in_(sa.bindparam("project_ids", expanding=True)))
    .order_by(Milestone.reached_on.desc(), Milestone.id.desc())
)
_WITH_FILES = _MILESTONES.options(sa.orm.selectinload(Milestone.files))
_WITHOUT_FILES = _MILESTONES.options(sa.orm.noload(Milestone.files))


def milestones_of(project_ids: list[int], files: bool = True) -> dict[int, list[Milestone]]:
    """Each project's milestones, latest first, with their files (`files=False`: none held)."""
    found: dict[int, list[Milestone]] = {i: [] for i in project_ids}
    if not project_ids:
        return found
    rows = db.session.scalars(
        _WITH_FILES if files else _WITHOUT_FILES, {"project_ids": project_ids}
    )
    for row in rows:
        found[row.project_id].append(row)
    return found
