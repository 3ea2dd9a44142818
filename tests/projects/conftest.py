"""Supported projects after a published decision: entries 0–9 won prizes (see
tests/awards/conftest.py), each is a supported project of Điện Biên."""

import pytest
import sqlalchemy as sa

from portal.awards.models import ExternalAward
from portal.competitions.models import CompetitionLevel
from portal.core.time import utcnow
from portal.extensions import db
from portal.projects.models import SupportedProject
from tests.awards.conftest import AwardsWorld, make_awards, publish_directly

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def published(units) -> AwardsWorld:
    world = make_awards(units)
    publish_directly(world)
    return world


def project_of(entry) -> SupportedProject:
    return db.session.scalar(
        sa.select(SupportedProject).where(SupportedProject.entry_id == entry.id)
    )


def add_external(world: AwardsWorld, entry, **overrides) -> ExternalAward:
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
