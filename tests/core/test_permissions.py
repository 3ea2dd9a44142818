"""The permission helpers of portal.core, on a throw-away route."""

import pytest
from flask import Blueprint

from portal.auth.models import Role
from portal.core.permissions import require_unit, roles_required
from tests.conftest import login
from tests.factories import UserFactory

# Each test adds a throw-away route, which an app takes only before its first request.
pytestmark = pytest.mark.fresh_app


@pytest.fixture
def scoped_app(app):
    bp = Blueprint("probe", __name__)

    @bp.route("/probe/unit/<int:unit_id>")
    @roles_required(Role.ORGANISER, Role.ADMIN)
    def unit_page(unit_id):
        require_unit(unit_id)
        return "ok"

    app.register_blueprint(bp)
    return app


@pytest.mark.parametrize(
    ("scope", "target", "status"),
    [
        ("dien_bien", "muong_phang", 200),
        ("dien_bien", "dien_bien", 200),
        ("dien_bien", "sa_pa", 403),
        ("muong_phang", "dien_bien", 403),
        ("muong_phang", "dien_bien_phu", 403),
    ],
)
def test_require_unit_follows_the_organisers_scope(scoped_app, units, scope, target, status):
    client = scoped_app.test_client()
    login(client, UserFactory(roles=[(Role.ORGANISER, units[scope])]))
    assert client.get(f"/probe/unit/{units[target].id}").status_code == status


def test_roles_required_refuses_other_roles_and_asks_strangers_to_log_in(scoped_app, units):
    client = scoped_app.test_client()
    url = f"/probe/unit/{units['sa_pa'].id}"
    assert client.get(url).location.startswith("/login")
    login(client, UserFactory(roles=[Role.JUDGE, Role.APPLICANT]))
    assert client.get(url).status_code == 403


def test_an_admin_acts_on_every_unit(scoped_app, units):
    client = scoped_app.test_client()
    login(client, UserFactory(roles=[Role.ADMIN]))
    assert client.get(f"/probe/unit/{units['sa_pa'].id}").status_code == 200
