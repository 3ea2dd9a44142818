"""What an entry's page shows, read as columns: the entry with its competition, category,
applicant and commune in one row, then its team and files in one more query (and its versions
when an organiser compares two submissions).

The page is an organiser's most frequent first view (a different entry each time, so nothing
kept helps). Loaded as mapped objects it cost about 3 ms of CPU a view more than as rows
(`docs/performance.md`): six objects and their default relations, three queries, and each
statement built and keyed anew. These statements are built once, with the entry's id bound.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.auth.models import User
from portal.competitions.models import (
    Category,
    Competition,
    CompetitionStatus,
    Round,
    category_name,
)
from portal.entries.attachments import may_see_entry_of
from portal.entries.models import Attachment, Entry, EntryStatus, EntryVersion, TeamMember
from portal.entries.services import editable, personal_deadline, version_changes
from portal.extensions import db
from portal.units.models import Unit, unit_full_name


@dataclass(frozen=True, slots=True)
class Named:
    """A team member (name, role) or a file (id, name) as the page lists them."""

    id: int
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class EntryPage:
    id: int
    competition_id: int
    applicant_id: int
    status: EntryStatus
    reference: str | None
    title: str
    summary: str
    problem: str
    solution: str
    customers: str
    local_resources: str
    organisation: str
    capital_needed: int | None
    jobs_for_women: int | None
    has_unsubmitted_changes: bool
    submitted_at: datetime | None
    extension_until: datetime | None
    screening_reason: str | None
    competition_title: str
    competition_unit_id: int | None
    competition_status: CompetitionStatus
    closes_at: datetime
    category_name: str | None
    applicant_name: str
    applicant_email: str | None  # None for an account by number alone
    applicant_phone: str | None
    commune_name: str | None
    versions: int
    # On an idea's path up the competitions (portal.nominations): nominated, or carried up.
    in_cascade: bool
    team: list[Named]
    files: list[Named]

    def can_edit(self, now: datetime) -> bool:
        deadline = personal_deadline(self.closes_at, self.extension_until)
        return editable(self.status, self.competition_status, deadline, now)


_province = aliased(Unit)
_ENTRY_ID = sa.bindparam("entry_id")

_ROW = (
    sa.select(
        Entry.id,
        Entry.competition_id,
        Entry.applicant_id,
        Entry.status,
        Entry.reference,
        Entry.title,
        Entry.summary,
        Entry.problem,
        Entry.solution,
        Entry.customers,
        Entry.local_resources,
        Entry.organisation,
        Entry.capital_needed,
        Entry.jobs_for_women,
        Entry.has_unsubmitted_changes,
        Entry.submitted_at,
        Entry.extension_until,
        Entry.screening_reason,
        sa.or_(Entry.nominated, Entry.origin_entry_id.is_not(None)).label("in_cascade"),
        Competition.title.label("competition_title"),
        Competition.unit_id.label("competition_unit_id"),
        Competition.status.label("competition_status"),
        # The first round takes the entries: its closing time is the deadline.
        sa.select(Round.closes_at)
        .where(Round.competition_id == Entry.competition_id)
        .order_by(Round.position)
        .limit(1)
        .scalar_subquery()
        .label("closes_at"),
        Category.code.label("category_code"),
        Category.custom_name.label("category_custom_name"),
        Entry.category_id,
        User.full_name.label("applicant_name"),
        User.email.label("applicant_email"),
        User.phone.label("applicant_phone"),
        Unit.name.label("commune"),
        _province.name.label("province"),
        sa.select(sa.func.count(EntryVersion.id))
        .where(EntryVersion.entry_id == Entry.id)
        .scalar_subquery()
        .label("versions"),
    )
    .join(Competition, Competition.id == Entry.competition_id)
    .join(User, User.id == Entry.applicant_id)
    .outerjoin(Category, Category.id == Entry.category_id)
    .outerjoin(Unit, Unit.id == Entry.commune_id)
    .outerjoin(_province, _province.id == Unit.parent_id)
    .where(Entry.id == _ENTRY_ID)
)

# Her team (kind 0, in the order she gave) and her files (kind 1, in the order sent).
_LISTS = sa.union_all(
    sa.select(
        sa.literal(0).label("kind"),
        TeamMember.position.label("position"),
        TeamMember.id,
        TeamMember.name,
        TeamMember.role,
    ).where(TeamMember.entry_id == _ENTRY_ID),
    sa.select(
        sa.literal(1), Attachment.id, Attachment.id, Attachment.original_name, sa.literal("")
    ).where(Attachment.entry_id == _ENTRY_ID),
).order_by("kind", "position")

_VERSIONS = (
    sa.select(EntryVersion).where(EntryVersion.entry_id == _ENTRY_ID).order_by(EntryVersion.number)
)


def entry_page(entry_id: int) -> EntryPage | None:
    row = db.session.execute(_ROW, {"entry_id": entry_id}).first()
    if row is None:
        return None
    team: list[Named] = []
    files: list[Named] = []
    for kind, _position, id_, name, role in db.session.execute(_LISTS, {"entry_id": entry_id}):
        (files if kind else team).append(Named(id_, name, role or ""))
    return EntryPage(
        id=row.id,
        competition_id=row.competition_id,
        applicant_id=row.applicant_id,
        status=row.status,
        reference=row.reference,
        title=row.title,
        summary=row.summary,
        problem=row.problem,
        solution=row.solution,
        customers=row.customers,
        local_resources=row.local_resources,
        organisation=row.organisation,
        capital_needed=row.capital_needed,
        jobs_for_women=row.jobs_for_women,
        has_unsubmitted_changes=row.has_unsubmitted_changes,
        submitted_at=row.submitted_at,
        extension_until=row.extension_until,
        screening_reason=row.screening_reason,
        competition_title=row.competition_title,
        competition_unit_id=row.competition_unit_id,
        competition_status=row.competition_status,
        closes_at=row.closes_at,
        category_name=(
            category_name(row.category_code, row.category_custom_name)
            if row.category_id is not None
            else None
        ),
        applicant_name=row.applicant_name,
        applicant_email=row.applicant_email,
        applicant_phone=row.applicant_phone,
        commune_name=unit_full_name(row.commune, row.province) if row.commune else None,
        versions=row.versions,
        in_cascade=bool(row.in_cascade),
        team=team,
        files=files,
    )


def may_see(user: User, page: EntryPage) -> bool:
    return may_see_entry_of(user, page.applicant_id, page.competition_unit_id)


def changes_between_versions(page: EntryPage) -> list[dict]:
    """What changed between her submissions; read only when there were two or more."""
    if page.versions < 2:
        return []
    return version_changes(db.session.scalars(_VERSIONS, {"entry_id": page.id}).all())
