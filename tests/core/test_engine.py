"""How the portal's connections are set up."""

import pytest
import sqlalchemy as sa

from portal.extensions import db


def test_postgresql_compiles_no_query_plans(app, worker):
    # The JIT spent 50-150 ms compiling each of the figures' aggregates and saved nothing.
    if not worker.database.is_postgres:
        pytest.skip("PostgreSQL's JIT")
    assert db.session.scalar(sa.text("SHOW jit")) == "off"
