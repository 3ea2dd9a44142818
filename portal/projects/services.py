"""Supported projects: created when an entry wins, followed for years."""

import sqlalchemy as sa

from portal.core import audit
from portal.core.text import fold
from portal.entries.models import Entry
from portal.extensions import db
from portal.projects.models import SupportedProject


def project_of(entry_id: int) -> SupportedProject | None:
    return db.session.scalar(
        sa.select(SupportedProject).where(SupportedProject.entry_id == entry_id)
    )


def ensure_project(entry: Entry, *, actor_id: int) -> SupportedProject:
    """The project of an awarded entry, created the first time; the caller commits."""
    project = project_of(entry.id)
    if project is not None:
        return project
    category = entry.category
    project = SupportedProject(
        entry_id=entry.id,
        owner_id=entry.applicant_id,
        unit_id=entry.competition.unit_id,
        commune_id=entry.commune_id,
        title=entry.title,
        category_code=category.code if category else None,
        category_name=(category.custom_name or "") if category else "",
        year=entry.competition.year,
        search_text=fold(" ".join([entry.title, entry.reference or "", entry.applicant.full_name])),
    )
    db.session.add(project)
    db.session.flush()
    audit.record(
        "project.created",
        actor_id=actor_id,
        object_type="supported_project",
        object_id=project.id,
        after={"entry_id": entry.id, "title": entry.title},
    )
    return project
