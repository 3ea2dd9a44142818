"""The organisers' list of a competition's entries: filters, search, sort, counts, export.

The page runs the same few queries whatever the number of entries: one count, one page of
rows with their applicant, category and commune joined in, one grouped count per status.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook

from portal.applicants.models import BusinessStage, HouseholdStatus
from portal.auth.models import User
from portal.competitions.models import Competition
from portal.core.spreadsheets import inert
from portal.core.text import fold
from portal.core.time import to_vietnam
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db

SORTS = {
    "submitted": (Entry.submitted_at.desc(), Entry.id.desc()),
    "oldest": (Entry.submitted_at.asc(), Entry.id.asc()),
    "reference": (Entry.reference.asc(),),
    "title": (Entry.title.asc(), Entry.id.asc()),
    "capital": (Entry.capital_needed.desc(), Entry.id.desc()),
}


@dataclass
class EntryFilters:
    status: str | None = None
    category_id: int | None = None
    commune_id: int | None = None
    household_status: str | None = None
    ethnic_minority: str | None = None  # "yes" | "no"
    business_stage: str | None = None
    search: str | None = None
    sort: str = "submitted"


def entries_query(competition: Competition, filters: EntryFilters) -> sa.Select:
    """Entries organisers may see (never a draft: a draft is hers alone), filtered and sorted."""
    query = (
        sa.select(Entry)
        .where(Entry.competition_id == competition.id, Entry.status != EntryStatus.DRAFT)
        .options(
            sa.orm.joinedload(Entry.applicant),
            sa.orm.joinedload(Entry.category),
            sa.orm.joinedload(Entry.commune),
        )
    )
    if filters.status in {s.value for s in EntryStatus} - {"draft"}:
        query = query.where(Entry.status == EntryStatus(filters.status))
    if filters.category_id:
        query = query.where(Entry.category_id == filters.category_id)
    if filters.commune_id:
        query = query.where(Entry.commune_id == filters.commune_id)
    if filters.household_status:
        query = query.where(Entry.household_status == filters.household_status)
    if filters.ethnic_minority in ("yes", "no"):
        query = query.where(Entry.ethnic_minority.is_(filters.ethnic_minority == "yes"))
    if filters.business_stage:
        query = query.where(Entry.business_stage == filters.business_stage)
    key = fold(filters.search)
    if key:
        query = query.where(Entry.search_text.contains(key, autoescape=True))
    return query.order_by(*SORTS.get(filters.sort, SORTS["submitted"]))


def for_page(query: sa.Select) -> sa.Select:
    """The list shows neither the long texts, the team, the files nor the applicants' roles."""
    return query.options(
        sa.orm.defer(Entry.summary),
        sa.orm.defer(Entry.problem),
        sa.orm.defer(Entry.solution),
        sa.orm.defer(Entry.customers),
        sa.orm.defer(Entry.local_resources),
        sa.orm.defer(Entry.search_text),
        sa.orm.noload(Entry.team_members),
        sa.orm.noload(Entry.attachments),
        sa.orm.defaultload(Entry.applicant).noload(User.roles),
    )


def status_counts(competition: Competition) -> list[tuple[EntryStatus, int]]:
    """How many entries in each status (drafts are not counted), in the order of the states."""
    rows = dict(
        db.session.execute(
            sa.select(Entry.status, sa.func.count())
            .where(Entry.competition_id == competition.id, Entry.status != EntryStatus.DRAFT)
            .group_by(Entry.status)
        ).all()
    )
    return [(status, rows[status]) for status in EntryStatus if status in rows]


EXPORT_COLUMNS = [
    ("reference", _l("Reference")),
    ("status", _l("Status")),
    ("screening_reason", _l("Reason")),
    ("submitted_at", _l("Submitted")),
    ("applicant", _l("Applicant")),
    ("email", _l("E-mail")),
    ("phone", _l("Phone")),
    ("commune", _l("Commune or ward")),
    ("household_status", _l("Household status")),
    ("ethnic_minority", _l("Ethnic minority")),
    ("business_stage", _l("Stage of the business")),
    ("category", _l("Category")),
    ("title", _l("Title of the idea")),
    ("summary", _l("Short summary")),
    ("problem", _l("The problem")),
    ("solution", _l("The solution")),
    ("customers", _l("Customers and market")),
    ("local_resources", _l("Local resources and identity")),
    ("organisation", _l("Business, cooperative or group name")),
    ("team", _l("The team")),
    ("capital_needed", _l("Capital needed (đồng)")),
    ("jobs_for_women", _l("Jobs it will create for women")),
    ("consent_publish", _l("Consents to publish her name")),
    ("attachments", _l("Files")),
]


def _row(entry: Entry) -> list:
    applicant: User = entry.applicant
    values = {
        "reference": entry.reference,
        "status": entry.status.label,
        "screening_reason": entry.screening_reason or "",
        "submitted_at": to_vietnam(entry.submitted_at).strftime("%Y-%m-%d %H:%M")
        if entry.submitted_at
        else "",
        "applicant": applicant.full_name,
        "email": applicant.email,
        "phone": applicant.phone or "",
        "commune": entry.commune.full_name if entry.commune else "",
        "household_status": _label(HouseholdStatus, entry.household_status),
        "ethnic_minority": "" if entry.ethnic_minority is None else _yes_no(entry.ethnic_minority),
        "business_stage": _label(BusinessStage, entry.business_stage),
        "category": entry.category.name if entry.category else "",
        "title": entry.title,
        "summary": entry.summary,
        "problem": entry.problem,
        "solution": entry.solution,
        "customers": entry.customers,
        "local_resources": entry.local_resources,
        "organisation": entry.organisation,
        "team": "; ".join(f"{m.name} ({m.role})" if m.role else m.name for m in entry.team_members),
        "capital_needed": entry.capital_needed,
        "jobs_for_women": entry.jobs_for_women,
        "consent_publish": _yes_no(entry.consent_publish),
        "attachments": "; ".join(a.original_name for a in entry.attachments),
    }
    return [inert(values[name]) for name, _ in EXPORT_COLUMNS]


def _label(enum_class, value: str | None) -> str:
    """A stored choice in words, in the exporter's language (a code no longer offered as is)."""
    if not value:
        return ""
    try:
        return enum_class(value).label
    except ValueError:
        return value


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _export_rows(query: sa.Select) -> Iterator[list]:
    # Team and files are wanted here: load them in two extra queries per batch of rows.
    query = query.options(
        sa.orm.selectinload(Entry.team_members), sa.orm.selectinload(Entry.attachments)
    ).execution_options(yield_per=500)
    for entry in db.session.scalars(query):
        yield _row(entry)


def export_csv(query: sa.Select) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so that Excel opens the Vietnamese text as UTF-8
    writer = csv.writer(buffer)
    writer.writerow([str(label) for _, label in EXPORT_COLUMNS])
    for row in _export_rows(query):
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def export_xlsx(query: sa.Select) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_l("Entries")))
    sheet.append([str(label) for _, label in EXPORT_COLUMNS])
    for row in _export_rows(query):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
