"""The organisers' list of a competition's entries: filters, search, sort, counts, export.

A view does no work over the whole competition, so that it costs the same at 1,000 entries as at
100,000: its counts by status and the number of entries behind its pages are read from
`competition_entry_count` (one row per category and status, kept by the database: models.py);
its 50 rows are read in the order of an index that the ORDER BY matches exactly and the read
stops there (models.Entry's indexes); a search or a filter the counts do not know is not
counted (list_page says why). The page reads its columns as rows, never whole entries. The
export reads whole entries, in the same order.
"""

import csv
import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook

from portal.applicants.models import BusinessStage, HouseholdStatus
from portal.auth.models import User
from portal.competitions.models import Competition
from portal.core import i18n
from portal.core.pages import page_numbers
from portal.core.spreadsheets import inert
from portal.core.text import contains_key, fold
from portal.core.time import to_vietnam
from portal.entries.models import CompetitionEntryCount, Entry, EntryStatus
from portal.extensions import db
from portal.units.models import Unit, UnitKind

# Each sort is the order of two indexes of models.Entry, read forwards or backwards: NULLs are
# placed where PostgreSQL's index puts them (last going up, first coming down; only an entry
# withdrawn before it was ever submitted has no date, reference or capital), and SQLite is told
# the same, so both give the same order.
SORTS = {
    "submitted": (Entry.submitted_at.desc().nulls_first(), Entry.id.desc()),
    "oldest": (Entry.submitted_at.asc().nulls_last(), Entry.id.asc()),
    "reference": (Entry.reference.asc().nulls_last(), Entry.id.asc()),
    "title": (Entry.title.asc(), Entry.id.asc()),
    "capital": (Entry.capital_needed.desc().nulls_first(), Entry.id.desc()),
}
PER_PAGE = 50
LISTED = [status for status in EntryStatus if status is not EntryStatus.DRAFT]


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

    @property
    def status_filter(self) -> EntryStatus | None:
        return EntryStatus(self.status) if self.status in {s.value for s in LISTED} else None

    @property
    def counted(self) -> bool:
        """True when competition_entry_count knows how many entries match (status, category)."""
        return not (
            self.commune_id
            or self.household_status
            or self.ethnic_minority in ("yes", "no")
            or self.business_stage
            or fold(self.search)
        )


def _conditions(competition: Competition, filters: EntryFilters) -> list:
    """Entries organisers may see (never a draft: a draft is hers alone), filtered."""
    status = filters.status_filter
    found = [
        Entry.competition_id == competition.id,
        # 'draft' written in the statement, not sent as a parameter: PostgreSQL then knows in
        # every plan that the indexes without drafts (models.NOT_DRAFT) hold every row wanted.
        Entry.status == status if status else Entry.status != sa.literal_column("'draft'"),
    ]
    if filters.category_id:
        found.append(Entry.category_id == filters.category_id)
    if filters.commune_id:
        found.append(Entry.commune_id == filters.commune_id)
    if filters.household_status:
        found.append(Entry.household_status == filters.household_status)
    if filters.ethnic_minority in ("yes", "no"):
        found.append(Entry.ethnic_minority.is_(filters.ethnic_minority == "yes"))
    if filters.business_stage:
        found.append(Entry.business_stage == filters.business_stage)
    search = _searched(filters)
    if search is not None:
        found.append(search)
    return found


def _searched(filters: EntryFilters) -> sa.ColumnElement | None:
    """The entries whose search text holds the search, folded as the search text is."""
    key = fold(filters.search)
    return contains_key(Entry.search_text, key) if key else None


def _order(filters: EntryFilters) -> tuple:
    return SORTS.get(filters.sort, SORTS["submitted"])


def load_competition(competition_id: int) -> Competition | None:
    """The competition of the list with its unit and categories in one query (the page shows
    them); its rounds, which the page does not show, are left to be read if asked for. 0.9 ms of
    CPU where `session.get` took 1.9 (three queries)."""
    return (
        db.session.scalars(
            sa.select(Competition)
            .where(Competition.id == competition_id)
            .options(sa.orm.lazyload(Competition.rounds), sa.orm.joinedload(Competition.categories))
        )
        .unique()
        .one_or_none()
    )


def commune_choices(competition: Competition) -> list[tuple[int, str]]:
    """The communes an entry of the competition may come from, as (id, name): its own unit when
    it is a commune's, else the province's communes."""
    unit = competition.unit
    if unit.parent_id:
        return [(unit.id, unit.name)]
    return list(
        db.session.execute(
            sa.select(Unit.id, Unit.name)
            .where(Unit.kind == UnitKind.COMMUNE, Unit.parent_id == unit.id)
            .order_by(Unit.name_folded)
        ).tuples()
    )


def moment_writer() -> Callable[[datetime | None], str]:
    """Writes the moments of the rows as the `datetime` filter does. In Vietnamese its pattern
    (HH:mm, dd/MM/yyyy) is a strftime, a third of the filter's time for 50 rows; in another
    language, the filter itself."""
    if (i18n.current_locale() or i18n.DEFAULT_LOCALE).language != "vi":
        return lambda moment: i18n.format_moment(moment, "d MMM yyyy, HH:mm") if moment else ""
    return lambda moment: to_vietnam(moment).strftime("%H:%M, %d/%m/%Y") if moment else ""


def entries_query(competition: Competition, filters: EntryFilters) -> sa.Select:
    """The matching entries, whole, in the list's order (the export)."""
    return (
        sa.select(Entry)
        .where(*_conditions(competition, filters))
        .options(
            sa.orm.joinedload(Entry.applicant),
            sa.orm.joinedload(Entry.category),
            sa.orm.joinedload(Entry.commune),
        )
        .order_by(*_order(filters))
    )


def page_rows(competition: Competition, filters: EntryFilters, number: int) -> list[sa.Row]:
    """The rows of page `number`, and the first row of the next page when there is one: only
    the columns the page shows, the applicant's name and the commune's joined in."""
    return list(
        db.session.execute(
            sa.select(
                Entry.id,
                Entry.reference,
                Entry.title,
                Entry.status,
                Entry.submitted_at,
                Entry.category_id,
                User.full_name.label("applicant"),
                Unit.name.label("commune"),
            )
            .join(User, User.id == Entry.applicant_id)
            .outerjoin(Unit, Unit.id == Entry.commune_id)
            .where(*_conditions(competition, filters))
            .order_by(*_order(filters))
            .limit(PER_PAGE + 1)
            .offset((number - 1) * PER_PAGE)
        )
    )


def counts(competition: Competition) -> dict[tuple[int | None, EntryStatus], int]:
    """How many entries the competition has, by (category id, status), drafts left out."""
    rows = db.session.execute(
        sa.select(
            CompetitionEntryCount.category_id,
            CompetitionEntryCount.status,
            CompetitionEntryCount.count,
        ).where(
            CompetitionEntryCount.competition_id == competition.id,
            CompetitionEntryCount.status != EntryStatus.DRAFT,
            CompetitionEntryCount.count != 0,
        )
    )
    return {(category or None, status): count for category, status, count in rows}


def status_counts(
    counted: dict[tuple[int | None, EntryStatus], int],
) -> list[tuple[EntryStatus, int]]:
    """How many entries in each status, in the order of the states (none shown for a status
    that has no entry)."""
    by_status = dict.fromkeys(LISTED, 0)
    for (_category, status), count in counted.items():
        by_status[status] += count
    return [(status, count) for status, count in by_status.items() if count]


def counted_total(counted: dict[tuple[int | None, EntryStatus], int], filters: EntryFilters) -> int:
    """How many entries match a status and a category (filters.counted), from the counts."""
    status = filters.status_filter
    return sum(
        count
        for (category, entry_status), count in counted.items()
        if (status is None or entry_status is status)
        and (not filters.category_id or category == filters.category_id)
    )


@dataclass
class Page:
    """A page of the list: its rows, and how many entries match when that is known. Shaped for
    the pagination macro (`page`, `pages`, `iter_pages`)."""

    page: int
    rows: list
    has_next: bool
    total: int | None  # None: more than `at_least`, how many are not counted

    @property
    def at_least(self) -> int:
        return (self.page - 1) * PER_PAGE + len(self.rows)

    @property
    def pages(self) -> int:
        if self.total is not None:
            return max(math.ceil(self.total / PER_PAGE), 1)
        return self.page + 1 if self.has_next else self.page

    def iter_pages(self) -> Iterator[int | None]:
        return page_numbers(self.page, self.pages)


def list_page(
    competition: Competition, filters: EntryFilters, number: int
) -> tuple[Page, list[tuple[EntryStatus, int]]]:
    """The page of the list and the counts by status, in two small queries whatever the number
    of entries: the counts and the rows.

    The number of entries behind the pages is the counts' for a status and a category. A search
    or a filter on her commune, household, ethnicity or stage is not counted: the page says how
    many when they end on it, else "more than" the entries up to it, and leads on page by page.
    An organiser searches to find an entry or a woman, a handful of rows told exactly; counting
    every match of a common word read them all (at 20,000 entries 5.4 ms of the database for the
    1,386 entries of "ruou"; counting up to 501 of them, 2 ms at 20,000 and 3.8 to 7.5 ms at
    100,000 entries), for a number the status and category counts, the figures and the export
    already give."""
    counted = counts(competition)
    rows = page_rows(competition, filters, number)
    has_next = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    if filters.counted:
        total = counted_total(counted, filters)
    elif not has_next and (rows or number == 1):
        total = (number - 1) * PER_PAGE + len(rows)  # they end on this page
    else:
        total = None
    return Page(number, rows, has_next, total), status_counts(counted)


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
