"""The organisers' export of supported projects: one row per project, CSV or XLSX.

Text a spreadsheet would run as a formula is neutralised with the entries' export helper.
"""

from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, noload

from portal.auth.models import User
from portal.awards.models import Award, AwardStatus
from portal.competitions.models import Competition
from portal.core.spreadsheets import as_csv, as_xlsx, inert
from portal.entries.models import Entry
from portal.extensions import db
from portal.projects import services
from portal.projects.models import ExternalAward, SupportedProject
from portal.units.models import Unit

BATCH = 500

COLUMNS = [
    ("id", _l("Project number")),
    ("reference", _l("Reference")),
    ("title", _l("Title")),
    ("owner", _l("Owner")),
    ("email", _l("E-mail")),
    ("phone", _l("Phone")),
    ("team", _l("Team members")),
    ("category", _l("Category")),
    ("commune", _l("Commune or ward")),
    ("province", _l("Province")),
    ("year", _l("Year")),
    ("competition", _l("Competition")),
    ("awards", _l("Awards won at the competition")),
    ("external", _l("Prizes won at regional and national rounds")),
    ("cash", _l("Prize money in total (đồng)")),
    # The figures' rule (services.holds_valid_prize): a sum of this column matches the page.
    ("counted", _l("Counted in the figures")),
]


def _award_text(award: Award) -> str:
    text = award.tier.name
    if award.status is AwardStatus.REVOKED:
        text += f" ({award.status.label})"
    return text


def _external_text(external: ExternalAward) -> str:
    return f"{external.level.label}: {external.prize}, {external.body}, {external.year}"


def _province(project: SupportedProject) -> str:
    place = project.commune.parent if project.commune else None
    if place is None:
        place = project.unit.parent or project.unit
    return place.name


def _row(project: SupportedProject, awards: list[Award], external: list[ExternalAward]) -> list:
    entry = project.entry
    owner: User = project.owner
    cash = sum(a.cash_value for a in awards if a.is_valid)
    cash += sum(x.cash_value or 0 for x in external)
    values = {
        "id": project.id,
        "reference": entry.reference or "",
        "title": project.title,
        "owner": owner.full_name,
        "email": owner.email,
        "phone": owner.phone or "",
        "team": "; ".join(f"{m.name} ({m.role})" if m.role else m.name for m in entry.team_members),
        "category": project.category_label,
        "commune": project.commune.name if project.commune else "",
        "province": _province(project),
        "year": project.year,
        "competition": entry.competition.title,
        "awards": "; ".join(_award_text(a) for a in awards),
        "external": "; ".join(_external_text(x) for x in external),
        "cash": cash,
        "counted": str(
            _l("Yes") if services.holds_valid_prize(awards, external) else _l("No valid award")
        ),
    }
    return [inert(values[name]) for name, _ in COLUMNS]


def header() -> list[str]:
    return [inert(str(label)) for _, label in COLUMNS]


def rows(query: sa.Select) -> Iterator[list]:
    """The rows of the projects `query` lists, a few queries per batch of projects."""
    ids = list(db.session.scalars(query.with_only_columns(SupportedProject.id)))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        projects = db.session.scalars(
            sa.select(SupportedProject)
            .where(SupportedProject.id.in_(chunk))
            .options(
                joinedload(SupportedProject.owner).noload(User.roles),
                joinedload(SupportedProject.unit).joinedload(Unit.parent),
                joinedload(SupportedProject.commune).joinedload(Unit.parent),
                joinedload(SupportedProject.entry)
                .joinedload(Entry.competition)
                .options(noload(Competition.categories), noload(Competition.rounds)),
                joinedload(SupportedProject.entry).noload(Entry.attachments),
                joinedload(SupportedProject.entry).selectinload(Entry.team_members),
            )
        ).unique()
        by_id = {p.id: p for p in projects}
        entry_ids = [p.entry_id for p in by_id.values()]
        awards = services.awards_of(entry_ids)
        external = services.external_awards_of(entry_ids)
        for project_id in chunk:
            project = by_id[project_id]
            yield _row(project, awards[project.entry_id], external[project.entry_id])


def export_csv(query: sa.Select) -> str:
    return as_csv(header(), rows(query))


def export_xlsx(query: sa.Select) -> bytes:
    return as_xlsx(str(_l("Supported projects")), header(), rows(query))
