"""A form's key is claimed once: the same form sent again finds what it made; a form still being
recorded elsewhere is waited for, then reported (409); a form without a key is served as before."""

import pytest
import sqlalchemy as sa

from portal.core import idempotency
from portal.core.idempotency import FormSubmission
from portal.extensions import db
from portal.units.models import Unit
from tests.factories import UnitFactory


def test_a_form_without_a_key_is_not_claimed(app):
    assert idempotency.claim(None, kind="x", actor_id=None) is None
    assert idempotency.claim("not a key", kind="x", actor_id=None) is None
    assert db.session.scalar(sa.select(sa.func.count(FormSubmission.id))) == 0


def test_the_same_key_again_finds_what_it_made(app):
    key = idempotency.new_key()
    claimed = idempotency.claim(key.upper(), kind="unit", actor_id=7)
    unit = UnitFactory()
    idempotency.made(claimed, unit)
    db.session.commit()
    with pytest.raises(idempotency.AlreadySent) as again:
        idempotency.claim(key, kind="unit", actor_id=8)
    assert (again.value.earlier.object_type, again.value.earlier.object_id) == ("unit", unit.id)
    assert again.value.earlier.actor_id == 7


def test_a_claim_rolled_back_leaves_the_form_free(app):
    key = idempotency.new_key()
    idempotency.claim(key, kind="unit", actor_id=None)
    db.session.rollback()  # what the form made failed: nothing was made, nothing claimed
    assert idempotency.claim(key, kind="unit", actor_id=None) is not None
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(FormSubmission.id))) == 1


def test_a_form_still_being_recorded_elsewhere_is_a_409(app, worker, monkeypatch):
    if not worker.database.is_postgres:
        pytest.skip("another connection's open transaction: PostgreSQL")
    monkeypatch.setattr(idempotency, "WAIT", "200ms")
    key = idempotency.new_key()
    with worker.database.engine.connect() as other:  # a request that has not committed yet
        other.execute(
            sa.insert(FormSubmission).values(key=key, kind="unit", created_at=sa.func.now())
        )
        with pytest.raises(idempotency.StillSending):
            idempotency.claim(key, kind="unit", actor_id=None)
        db.session.rollback()
        other.rollback()
    # It rolled back: the form is free, and this request's transaction still works.
    assert idempotency.claim(key, kind="unit", actor_id=None) is not None
    db.session.add(
        Unit(kind="province", code=999, name="Thử", division_type="tỉnh", name_folded="thu")
    )
    db.session.commit()
