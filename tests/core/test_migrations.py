"""The migrations build exactly the schema the models describe."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.extensions import db
from tests.conftest import WorkerConfig


@pytest.fixture
def empty_database(worker, tmp_path):
    """A database with nothing in it: a new SQLite file, or a new schema in the worker's
    PostgreSQL database."""
    url = WorkerConfig.SQLALCHEMY_DATABASE_URI
    if url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}", {}
        return
    schema = f"migration_check_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield url, {"connect_args": {"options": f"-csearch_path={schema}"}}
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def test_the_migrations_and_the_models_agree(empty_database):
    url, engine_options = empty_database

    class Config(WorkerConfig):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ENGINE_OPTIONS = engine_options

    app = create_app(Config)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"


def test_published_awards_get_their_certificate_text_from_the_records(empty_database):
    """The migration that froze a certificate's text fills it in for awards already published
    (a commune's unit named with its province), and leaves lines without a certificate empty."""
    from tests.factories import AwardFactory
    from tests.factories.units import CommuneFactory, UnitFactory

    url, engine_options = empty_database

    class Config(WorkerConfig):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ENGINE_OPTIONS = engine_options

    app = create_app(Config)
    with app.app_context():
        upgrade()
        province = UnitFactory(name="Điện Biên")
        commune = CommuneFactory(name="Xã Mường Phăng", parent=province)
        award = AwardFactory(tier__competition__unit=commune)
        award_id, entry = award.id, award.entry
        expected = (
            entry.applicant.full_name,
            entry.title,
            award.tier.name,
            award.competition.title,
            "Xã Mường Phăng, Điện Biên",
        )
        line = AwardFactory(tier=award.tier, certificate_code=None, issued_at=None)
        line_id = line.id
        db.session.commit()
        db.session.remove()
        downgrade(revision="d4e2b3c5f6a7")  # as the database was before the migration
        upgrade()
        columns = "winner_name, entry_title, prize_name, competition_title, unit_name"
        with db.engine.connect() as conn:
            frozen = conn.execute(sa.text(f"SELECT {columns} FROM award WHERE id = {award_id}"))
            empty = conn.execute(sa.text(f"SELECT {columns} FROM award WHERE id = {line_id}"))
            assert tuple(frozen.one()) == expected
            assert tuple(empty.one()) == (None,) * 5
        db.engine.dispose()
