"""The check that a GET never writes (tests/get_never_writes.py) sees a write when there is one."""

import pytest

from portal.core import audit
from portal.extensions import db
from tests import get_never_writes


@pytest.mark.fresh_app
def test_a_get_that_writes_is_noted(app):
    def writes():
        audit.record("user.confirmed", actor_id=None, object_type="user", object_id=1)
        db.session.commit()
        return "ok"

    app.add_url_rule("/writes", "writes", writes)
    assert get_never_writes.writes_on_get == []
    app.test_client().get("/writes?x=1")
    noted, get_never_writes.writes_on_get[:] = list(get_never_writes.writes_on_get), []
    assert noted == ["GET /writes?x=1: INSERT INTO audit_log"]
