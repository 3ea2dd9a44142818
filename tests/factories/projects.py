"""Supported projects: a winner's project, and prizes it won elsewhere."""

import factory
import sqlalchemy as sa

from portal.competitions.models import CompetitionLevel
from portal.core.time import utcnow
from portal.extensions import db
from portal.projects.models import ExternalAward, SupportedProject
from portal.projects.services import ensure_project

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
# A whole 1×1 PNG: evidence that is an image must decode.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082"
)


def project_of(entry) -> SupportedProject:
    return db.session.scalar(
        sa.select(SupportedProject).where(SupportedProject.entry_id == entry.id)
    )


class SupportedProjectFactory(factory.Factory):
    """`SupportedProjectFactory()`: the project of an entry that won a prize (an AwardFactory
    award by default; `entry=` for an entry of yours), made by the service as publishing does."""

    class Meta:
        model = SupportedProject

    entry = factory.LazyFunction(lambda: _awarded_entry())

    @classmethod
    def _create(cls, model_class, *, entry):
        project = ensure_project(entry, actor_id=entry.competition.created_by_id)
        db.session.commit()
        return project

    _build = _create


def _awarded_entry():
    from tests.factories.awards import AwardFactory

    return AwardFactory().entry


def add_external(world, entry, **overrides) -> ExternalAward:
    """A prize won elsewhere, written straight into the table (the service has its own tests)."""
    values = {
        "entry_id": entry.id,
        "level": CompetitionLevel.NATIONAL,
        "body": "Trung ương Hội LHPN Việt Nam",
        "prize": "Giải Nhì",
        "year": world.competition.year,
        "cash_value": 20_000_000,
        "evidence_note": "Quyết định số 123/QĐ-ĐCT ngày 10/10",
        "recorded_by_id": world.organiser.id,
        "recorded_at": utcnow(),
    }
    values.update(overrides)
    external = ExternalAward(**values)
    db.session.add(external)
    db.session.commit()
    return external


def kind(code: str):
    """A default kind of milestone (written into the table the first time)."""
    from portal.projects.milestones.kinds import add_default_kinds
    from portal.projects.milestones.models import MilestoneKind

    add_default_kinds()
    return db.session.scalar(sa.select(MilestoneKind).where(MilestoneKind.code == code))


def ocop_scheme():
    """The default OCOP scheme (written into the table the first time)."""
    from portal.projects.ocop.models import OcopScheme
    from portal.projects.ocop.schemes import add_default_schemes

    add_default_schemes()
    return db.session.scalar(sa.select(OcopScheme).order_by(OcopScheme.id))
