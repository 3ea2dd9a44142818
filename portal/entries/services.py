"""The rules of entries: drafts, submission and eligibility, versions, withdrawal, screening.

A draft may be incomplete; everything is checked at submission, at the moment of the write.
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from portal.applicants.ethnicities import is_ethnic_minority
from portal.applicants.models import Gender
from portal.applicants.services import age_on, get_profile, missing_fields
from portal.auth.messages import tell
from portal.auth.models import Role, User
from portal.auth.services import normalise_email
from portal.competitions.models import Competition, CompetitionStatus
from portal.core import audit, idempotency, storage
from portal.core.errors import DomainError
from portal.core.text import fold
from portal.core.time import to_vietnam, utcnow
from portal.core.urls import external_url
from portal.entries import team
from portal.entries.models import (
    Attachment,
    Entry,
    EntryStatus,
    EntryVersion,
    TeamMember,
)
from portal.entries.status import change_entry_status
from portal.extensions import db

# Whatever happens before results: she may still withdraw.
BEFORE_RESULTS = {
    EntryStatus.DRAFT,
    EntryStatus.SUBMITTED,
    EntryStatus.ELIGIBLE,
    EntryStatus.INELIGIBLE,
    EntryStatus.IN_JUDGING,
}
SUBMITTED = {EntryStatus.SUBMITTED, EntryStatus.ELIGIBLE, EntryStatus.INELIGIBLE}
TEXT_FIELDS = (
    "title",
    "summary",
    "problem",
    "solution",
    "customers",
    "local_resources",
    "organisation",
)
MAX_TEAM = 10


class StaleEntry(DomainError):
    """The entry changed since the form was opened (another tab, another device)."""

    status = 409


class DeadlinePassed(DomainError):
    """A submitted entry is no longer changed after the deadline."""


STALE_SAVE = _l(
    "This entry was changed in another window or on another device after you opened it. Your "
    "text is in the form, not saved yet; what is saved now is shown above it. Keep what you "
    "want, then save again."
)


@dataclass
class TeamMemberData:
    name: str
    role: str = ""
    user_id: int | None = None
    email: str = ""  # an address to invite: she is linked only when she accepts (team.py)
    phone: str = ""


@dataclass
class EntryData:
    """What she typed; a draft may leave any of it empty."""

    title: str = ""
    category_id: int | None = None
    summary: str = ""
    problem: str = ""
    solution: str = ""
    customers: str = ""
    local_resources: str = ""
    organisation: str = ""  # her business, cooperative or group, if any
    capital_needed: int | None = None
    jobs_for_women: int | None = None
    consent_publish: bool = False
    team: list[TeamMemberData] = field(default_factory=list)


def deadline_for(entry: Entry) -> datetime:
    return personal_deadline(entry.competition.closes_at, entry.extension_until)


def personal_deadline(closes_at: datetime, extension_until: datetime | None) -> datetime:
    """The competition's deadline, or her personal extension when it is later."""
    if extension_until and extension_until > closes_at:
        return extension_until
    return closes_at


def can_edit(entry: Entry, now: datetime) -> bool:
    return editable(entry.status, entry.competition.status, deadline_for(entry), now)


def editable(
    status: EntryStatus, competition_status: CompetitionStatus, deadline: datetime, now: datetime
) -> bool:
    """She may still change it, sent or not: while the competition is open, before her
    deadline."""
    return (
        status in {EntryStatus.DRAFT, EntryStatus.SUBMITTED}
        and competition_status is CompetitionStatus.OPEN
        and now < deadline
    )


def require_owner(applicant: User, entry: Entry) -> None:
    if entry.applicant_id != applicant.id:
        raise DomainError(_l("This is not your entry."))


def _active_entries(applicant: User, competition: Competition) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Entry.id)).where(
            Entry.applicant_id == applicant.id,
            Entry.competition_id == competition.id,
            Entry.status != EntryStatus.WITHDRAWN,
        )
    )


def start_entry(applicant: User, competition: Competition, *, form_key: str | None = None) -> Entry:
    """A new draft, while the competition accepts entries and she has entries left. The same
    button pressed twice makes one draft (idempotency.AlreadySent)."""
    now = utcnow()
    if not applicant.has_role(Role.APPLICANT):
        raise DomainError(_l("Only applicants can enter a competition."))
    if not competition.accepts_entries(now):
        raise DomainError(_l("This competition is not accepting entries."))
    if _active_entries(applicant, competition) >= competition.max_entries_per_applicant:
        raise DomainError(
            _l(
                "You already have %(num)d entries in this competition, the most it allows.",
                num=competition.max_entries_per_applicant,
            )
        )
    claimed = idempotency.claim(form_key, kind="entry", actor_id=applicant.id)
    entry = Entry(competition=competition, applicant_id=applicant.id, status=EntryStatus.DRAFT)
    db.session.add(entry)
    db.session.flush()
    idempotency.made(claimed, entry)
    audit.record("entry.created", actor_id=applicant.id, object_type="entry", object_id=entry.id)
    db.session.commit()
    return entry


def save_draft(applicant: User, entry: Entry, data: EntryData, expected_version: int) -> Entry:
    """Keep what she typed. A save from an older copy of the form is refused, never merged.

    A draft is hers alone, so after the deadline it is still saved (she must not lose what she
    typed), though it can no longer be submitted. A submitted entry is what the organisers, the
    export and the judges read: after the deadline it is never changed (DeadlinePassed), and her
    text comes back on the page.
    """
    require_owner(applicant, entry)
    if entry.status not in {EntryStatus.DRAFT, EntryStatus.SUBMITTED}:
        raise DomainError(_l("This entry can no longer be changed."))
    if entry.status is EntryStatus.SUBMITTED and not can_edit(entry, utcnow()):
        raise DeadlinePassed(
            _l(
                "The deadline has passed (%(when)s): your entry stays as you submitted it, and "
                "the changes below were not saved. Keep a copy of them if you need them.",
                when=to_vietnam(deadline_for(entry)).strftime("%H:%M %d/%m/%Y"),
            )
        )
    if expected_version != entry.version:
        if _same_content(entry, data):
            return entry  # the same form sent twice (a double click): nothing to save
        raise StaleEntry(STALE_SAVE)
    if data.category_id is not None and data.category_id not in {
        c.id for c in entry.competition.categories
    }:
        raise DomainError(_l("Choose one of the competition's categories."), field="category")
    for name in TEXT_FIELDS:
        setattr(entry, name, (getattr(data, name) or "").strip())
    entry.category_id = data.category_id
    entry.capital_needed = data.capital_needed
    entry.jobs_for_women = data.jobs_for_women
    entry.consent_publish = data.consent_publish
    entry.team_members = _team(entry, data.team)
    entry.version += 1
    entry.updated_at = utcnow()
    if entry.status is EntryStatus.SUBMITTED:
        entry.has_unsubmitted_changes = True
    _refresh_search(entry)
    try:
        db.session.commit()
    except StaleDataError:
        # Another save of this entry was written between our read and our write.
        db.session.rollback()
        if _same_content(entry, data):
            return entry  # it was this same form, sent twice at once: one save
        raise StaleEntry(STALE_SAVE) from None
    return entry


def differences(entry: Entry, data: EntryData) -> list[str]:
    """The fields (EntryData's names) whose saved value is not what the form holds: what a
    stale form is shown beside what is saved now ("team" for the team as a whole)."""
    changed = [
        name for name in TEXT_FIELDS if (getattr(data, name) or "").strip() != getattr(entry, name)
    ]
    changed += [
        name
        for name in ("category_id", "capital_needed", "jobs_for_women", "consent_publish")
        if getattr(data, name) != getattr(entry, name)
    ]
    team = [_member_key(m.name, m.role, m.email, m.phone) for m in data.team if m.name.strip()]
    saved = [_member_key(m.name, m.role, m.email or "", m.phone) for m in entry.team_members]
    return changed + (["team"] if team != saved else [])


def _same_content(entry: Entry, data: EntryData) -> bool:
    """True when the form holds exactly what the entry already has."""
    same_fields = all(
        (getattr(data, name) or "").strip() == getattr(entry, name) for name in TEXT_FIELDS
    )
    team = [_member_key(m.name, m.role, m.email, m.phone) for m in data.team if m.name.strip()]
    return (
        same_fields
        and data.category_id == entry.category_id
        and data.capital_needed == entry.capital_needed
        and data.jobs_for_women == entry.jobs_for_women
        and data.consent_publish == entry.consent_publish
        and team
        == [_member_key(m.name, m.role, m.email or "", m.phone) for m in entry.team_members]
    )


def _member_key(name: str, role: str, email: str, phone: str) -> tuple[str, str, str, str]:
    return (name.strip(), role.strip(), normalise_email(email), phone.strip())


def _team(entry: Entry, rows: list[TeamMemberData]) -> list[TeamMember]:
    """The members as typed, in order. A member is never linked by her address alone: only the
    account that accepted the invitation to that address is (team.link_from_invitations)."""
    kept = {m.email: m for m in entry.team_members if m.email}
    members = []
    for row in [r for r in rows if r.name.strip()][:MAX_TEAM]:
        email = normalise_email(row.email) or None
        member = kept.pop(email, None) if email else None
        member = member or TeamMember()
        member.position = len(members)
        member.name, member.role = row.name.strip(), row.role.strip()
        member.email, member.phone = email, row.phone.strip()
        members.append(member)
    team.link_from_invitations(entry, members)
    return members


def _refresh_search(entry: Entry) -> None:
    entry.search_text = fold(
        " ".join(filter(None, [entry.reference, entry.title, entry.applicant.full_name]))
    )


def problems(entry: Entry) -> list[str]:
    """Everything that stops a submission, in plain words; empty when she may submit."""
    competition = entry.competition
    found: list[str] = []
    required = {
        "title": _l("Give your idea a title."),
        "summary": _l("Write a short summary."),
        "problem": _l("Describe the problem your idea solves."),
        "solution": _l("Describe your solution."),
        "customers": _l("Describe your customers and market."),
    }
    for name, message in required.items():
        if not getattr(entry, name).strip():
            found.append(message)
    if entry.category_id is None:
        found.append(_l("Choose a category."))
    if entry.capital_needed is None:
        found.append(_l("Say how much capital you need (0 if none)."))
    if entry.jobs_for_women is None:
        found.append(_l("Say how many jobs for women your idea will create (0 if none)."))
    if competition.business_plan_required and entry.business_plan is None:
        found.append(_l("Attach your business plan (PDF, DOCX or ODT)."))
    if len(entry.photos) < competition.photos_required:
        found.append(_l("Attach at least %(num)d photos.", num=competition.photos_required))
    found.extend(eligibility_problems(entry.applicant, entry.competition))
    return [str(message) for message in found]


def eligibility_problems(applicant: User, competition: Competition) -> list:
    """The competition's rules about who may enter, checked against her profile (also before
    she is nominated to it)."""
    profile = get_profile(applicant)
    missing = missing_fields(applicant)
    if missing:
        return [
            _l(
                "Complete your applicant profile: %(fields)s.",
                fields=", ".join(str(m) for m in missing),
            )
        ]
    found = []
    if competition.women_only and profile.gender != Gender.FEMALE:
        found.append(_l("This competition is for women: the lead applicant must be a woman."))
    if competition.residents_only:
        unit = competition.unit
        home = applicant.commune
        region = competition.region if unit.is_nation else None
        if not unit.is_nation:
            lives_there = home is not None and (home.id == unit.id or home.parent_id == unit.id)
        else:  # the whole country, or for a regional round its region
            lives_there = region is None or (
                home is not None and home.parent_id in {p.id for p in region.provinces}
            )
        if not lives_there:
            where = region.name if region is not None else unit.full_name
            found.append(_l("This competition is for residents of %(unit)s.", unit=where))
    deadline_day = to_vietnam(competition.closes_at).date()
    age = age_on(profile.date_of_birth, deadline_day)
    if competition.min_age is not None and age < competition.min_age:
        found.append(
            _l("This competition is for women aged %(min)d or more.", min=competition.min_age)
        )
    if competition.max_age is not None and age > competition.max_age:
        found.append(
            _l("This competition is for women aged %(max)d or less.", max=competition.max_age)
        )
    return found


def snapshot(entry: Entry) -> dict:
    """The submitted content, as organisers will compare it between versions."""
    data = asdict(
        EntryData(
            title=entry.title,
            category_id=entry.category_id,
            summary=entry.summary,
            problem=entry.problem,
            solution=entry.solution,
            customers=entry.customers,
            local_resources=entry.local_resources,
            organisation=entry.organisation,
            capital_needed=entry.capital_needed,
            jobs_for_women=entry.jobs_for_women,
            consent_publish=entry.consent_publish,
            team=[
                TeamMemberData(m.name, m.role, m.user_id, m.email or "", m.phone)
                for m in entry.team_members
            ],
        )
    )
    data["category"] = entry.category.name if entry.category else ""
    data["attachments"] = [[a.kind.value, a.original_name] for a in entry.attachments]
    return data


def _next_reference(competition: Competition) -> str:
    """Take the next number atomically: two submissions at once never share one. A number
    another competition of the same prefix and year already gave is passed over (two
    competitions of a unit in a year, two regional rounds). On PostgreSQL the numbers of a prefix
    and year are taken one transaction at a time, so that two such competitions never give the
    same one at the same moment (SQLite writes one transaction at a time anyway)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"entry-reference:{competition.reference_prefix}-{competition.year}"},
        )
    while True:
        number = db.session.execute(
            sa.update(Competition)
            .where(Competition.id == competition.id)
            .values(last_entry_number=Competition.last_entry_number + 1)
            .returning(Competition.last_entry_number)
        ).scalar_one()
        reference = f"{competition.reference_prefix}-{competition.year}-{number:04d}"
        if db.session.scalar(sa.select(Entry.id).where(Entry.reference == reference)) is None:
            return reference


def submit(applicant: User, entry: Entry, expected_version: int) -> bool:
    """Submit (or resubmit) before the deadline; True when this made a new submission.

    The same submission sent again (a double click, two at the same moment) changes nothing,
    takes no reference number and sends no mail: it returns False. A refused submission leaves
    everything she typed in the draft.
    """
    require_owner(applicant, entry)
    now = utcnow()
    if (
        entry.status in SUBMITTED
        and not entry.has_unsubmitted_changes
        and expected_version == entry.version
    ):
        return False  # the same submission again: one submission
    if expected_version != entry.version:
        raise StaleEntry(
            _l(
                "This entry was changed in another window or on another device. Reload the page before submitting."
            )
        )
    if now >= deadline_for(entry) or entry.competition.status is not CompetitionStatus.OPEN:
        raise DomainError(
            _l(
                "The deadline has passed (%(when)s). Your entry is kept as it is, but it can no longer be submitted.",
                when=to_vietnam(deadline_for(entry)).strftime("%H:%M %d/%m/%Y"),
            )
        )
    if entry.status not in {EntryStatus.DRAFT, EntryStatus.SUBMITTED}:
        raise DomainError(_l("This entry can no longer be changed."))
    found = problems(entry)
    if found:
        raise SubmissionRefused(found)
    try:
        _record_submission(applicant, entry, now)
        db.session.commit()
    except StaleDataError:
        # The same entry was submitted (or saved) by another request between our read and
        # our write: everything here is rolled back, its reference number and mail included.
        db.session.rollback()
        if entry.status in SUBMITTED and not entry.has_unsubmitted_changes:
            return False
        raise StaleEntry(STALE_SAVE) from None
    return True


def _record_submission(applicant: User, entry: Entry, now: datetime) -> int:
    """Number, snapshot, audit and mail the submission; the caller commits. Returns its number."""
    first = entry.reference is None
    if first:
        entry.reference = _next_reference(entry.competition)
        entry.first_submitted_at = now
    profile = get_profile(applicant)
    if profile is not None:  # an entry carried up without one keeps what it had below
        entry.commune_id = applicant.commune_id
        entry.household_status = str(profile.household_status) if profile.household_status else None
        entry.ethnic_minority = is_ethnic_minority(profile.ethnicity) if profile.ethnicity else None
        entry.business_stage = str(profile.business_stage) if profile.business_stage else None
    number = len(entry.versions) + 1
    change_entry_status(applicant.id, entry, EntryStatus.SUBMITTED, after={"version": number})
    entry.submitted_at = now
    entry.has_unsubmitted_changes = False
    entry.version += 1
    _refresh_search(entry)
    entry.versions.append(EntryVersion(number=number, submitted_at=now, data=snapshot(entry)))
    tell(
        applicant,
        "entry_submitted",
        _l("Your entry %(reference)s has been received", reference=entry.reference),
        entry=entry,
        version=number,
        entry_url=external_url("entries.detail", entry_id=entry.id),
        deadline=deadline_for(entry),
    )
    return number


# What is carried up with an entry nominated to a higher competition.
CARRIED_FIELDS = (
    "commune_id",
    "household_status",
    "ethnic_minority",
    "business_stage",
    "title",
    "summary",
    "problem",
    "solution",
    "customers",
    "local_resources",
    "organisation",
    "capital_needed",
    "jobs_for_women",
    "consent_publish",
)


def carry_up(below: Entry, competition: Competition, *, now: datetime) -> Entry:
    """Her entry in a higher competition, from the one that nominated it: the answers, the team
    and copies of the files, in the category of the same name if the competition has one, then
    submitted as hers (a reference of the higher competition, a first version, her mail) when it
    meets the higher competition's rules, else kept as a draft for her to complete and submit.
    She may change it as any entry until the higher competition's deadline. The caller (the
    nomination she confirmed) has checked who and when, and commits."""
    entry = Entry(
        competition=competition,
        applicant_id=below.applicant_id,
        status=EntryStatus.DRAFT,
        nominated_from_id=below.id,
        origin_entry_id=below.origin_entry_id or below.id,
    )
    for name in CARRIED_FIELDS:
        setattr(entry, name, getattr(below, name))
    if below.category is not None:
        entry.category = next(
            (
                c
                for c in competition.categories
                if (c.code, c.custom_name) == (below.category.code, below.category.custom_name)
            ),
            None,
        )
    entry.team_members = [
        TeamMember(
            position=m.position,
            name=m.name,
            role=m.role,
            email=m.email,
            phone=m.phone,
            user_id=m.user_id,
        )
        for m in below.team_members
    ]
    for attachment in below.attachments:
        copy = Attachment(
            kind=attachment.kind,
            original_name=attachment.original_name,
            content_type=attachment.content_type,
            size=attachment.size,
            uploaded_at=attachment.uploaded_at,
            stored_name=storage.store(storage.path_of(attachment.stored_name).read_bytes()),
        )
        if attachment.public_stored_name:
            copy.public_stored_name = storage.store(
                storage.path_of(attachment.public_stored_name).read_bytes()
            )
        entry.attachments.append(copy)
    db.session.add(entry)
    db.session.flush()
    audit.record(
        "entry.carried_up",
        actor_id=below.applicant_id,
        object_type="entry",
        object_id=entry.id,
        after={"from_entry_id": below.id, "competition_id": competition.id},
    )
    # From then on the higher competition's rules hold: what they ask and the entry lacks (a
    # category of its own, a file, her profile) leaves it a draft for her to complete.
    if not problems(entry):
        _record_submission(entry.applicant, entry, now)
    return entry


class SubmissionRefused(DomainError):
    def __init__(self, reasons: list[str]):
        super().__init__(_l("Your entry was saved as a draft but not submitted yet."))
        self.reasons = reasons


def withdraw(applicant: User, entry: Entry) -> None:
    """She may withdraw at any time before results; it cannot be undone."""
    require_owner(applicant, entry)
    if entry.status not in BEFORE_RESULTS:
        raise DomainError(_l("This entry can no longer be withdrawn."))
    change_entry_status(applicant.id, entry, EntryStatus.WITHDRAWN)
    entry.withdrawn_at = utcnow()
    db.session.commit()


def entries_of(applicant: User) -> list[Entry]:
    return list(
        db.session.scalars(
            sa.select(Entry)
            .where(Entry.applicant_id == applicant.id)
            .order_by(Entry.created_at.desc(), Entry.id.desc())
        )
    )


# --- Screening and extensions (organisers) -------------------------------------------------------

SCREENABLE = {EntryStatus.SUBMITTED, EntryStatus.ELIGIBLE, EntryStatus.INELIGIBLE}


def _organises(organiser: User, entry: Entry) -> None:
    if not organiser.can_act_on_unit(entry.competition.unit_id):
        raise DomainError(_l("You cannot act on entries of another unit."))


def screen(organiser: User, entry: Entry, *, eligible: bool, reason: str) -> None:
    """Mark a submitted entry eligible or not; "not eligible" needs a reason she will read."""
    _organises(organiser, entry)
    if entry.status not in SCREENABLE:
        raise DomainError(_l("Only a submitted entry can be screened."))
    reason = (reason or "").strip()
    if not eligible and not reason:
        raise DomainError(
            _l("Write the reason, in words the applicant will understand."), field="reason"
        )
    change_entry_status(
        organiser.id,
        entry,
        EntryStatus.ELIGIBLE if eligible else EntryStatus.INELIGIBLE,
        before={"reason": entry.screening_reason},
        after={"reason": reason or None},
    )
    entry.screening_reason = reason or None
    entry.screened_at = utcnow()
    entry.screened_by_id = organiser.id
    applicant = entry.applicant
    tell(
        applicant,
        "entry_screened",
        _l("News about your entry %(reference)s", reference=entry.reference),
        entry=entry,
        eligible=eligible,
        reason=entry.screening_reason,
        entry_url=external_url("entries.detail", entry_id=entry.id),
    )
    db.session.commit()


def grant_extension(organiser: User, entry: Entry, until: datetime) -> None:
    """A personal extension of the deadline for one entry (a broken phone, a flood…)."""
    _organises(organiser, entry)
    if entry.status not in {EntryStatus.DRAFT, EntryStatus.SUBMITTED}:
        raise DomainError(_l("Only a draft or a submitted entry can get more time."))
    if until <= entry.competition.closes_at:
        raise DomainError(
            _l("The extension must end after the competition's deadline."), field="until"
        )
    before = entry.extension_until.isoformat() if entry.extension_until else None
    entry.extension_until = until
    audit.record(
        "entry.extension",
        actor_id=organiser.id,
        object_type="entry",
        object_id=entry.id,
        before={"extension_until": before},
        after={"extension_until": until.isoformat()},
    )
    db.session.commit()


# How each part of a version is named to organisers comparing two submissions.
VERSION_LABELS = {
    "title": _l("Title of the idea"),
    "category": _l("Category"),
    "summary": _l("Short summary"),
    "problem": _l("The problem"),
    "solution": _l("The solution"),
    "customers": _l("Customers and market"),
    "local_resources": _l("Local resources and identity"),
    "organisation": _l("Business, cooperative or group name"),
    "capital_needed": _l("Capital needed (đồng)"),
    "jobs_for_women": _l("Jobs it will create for women"),
    "consent_publish": _l("Consents to publish her name"),
    "team": _l("The team"),
    "attachments": _l("Files"),
}


def _readable(name: str, value) -> str:
    if name == "team":
        return "; ".join(
            f"{m['name']} ({m['role']})" if m.get("role") else m["name"] for m in value or []
        )
    if name == "attachments":
        return "; ".join(file_name for _, file_name in value or [])
    return "" if value is None else str(value)


def version_changes(versions: list[EntryVersion]) -> list[dict]:
    """For each submitted version after the first (versions in their order), the fields that
    changed: old and new text."""
    changes = []
    for earlier, later in zip(versions, versions[1:], strict=False):
        fields = [
            {
                "field": str(label),
                "before": _readable(name, earlier.data.get(name)),
                "after": _readable(name, later.data.get(name)),
            }
            for name, label in VERSION_LABELS.items()
            if earlier.data.get(name) != later.data.get(name)
        ]
        changes.append(
            {"number": later.number, "submitted_at": later.submitted_at, "fields": fields}
        )
    return changes
