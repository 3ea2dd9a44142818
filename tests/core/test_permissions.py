"""The permission helpers of portal.core, on a throw-away route."""

import pytest
from flask import Blueprint
from flask_login import login_user
from werkzeug.exceptions import HTTPException

from portal.auth.models import Role, User
from portal.core.permissions import (
    STAFF_ROLES,
    found_or_404,
    load_or_404,
    require_unit,
    roles_required,
)
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


def test_the_staff_roles_are_the_organisers_and_admins():
    assert set(STAFF_ROLES) == {Role.ORGANISER, Role.ADMIN}


def test_load_or_404_says_404_for_what_is_missing_or_hidden_and_403_for_what_is_not_allowed(
    app, units
):
    user = UserFactory(roles=[Role.APPLICANT])
    with app.test_request_context():
        login_user(user)  # the checks receive the logged-in user first, then the object
        assert load_or_404(User, user.id) is user
        assert load_or_404(User, user.id, allowed=lambda me, u: me.id == u.id) is user
        with pytest.raises(HTTPException) as refused:
            load_or_404(User, 999_999, visible=lambda me, u: True)
        assert refused.value.code == 404
        with pytest.raises(HTTPException) as refused:
            load_or_404(User, user.id, visible=lambda me, u: False, allowed=lambda me, u: False)
        assert refused.value.code == 404  # hidden is said before forbidden
        with pytest.raises(HTTPException) as refused:
            load_or_404(User, user.id, allowed=lambda me, u: False)
        assert refused.value.code == 403
        with pytest.raises(HTTPException) as refused:
            found_or_404(None)
        assert refused.value.code == 404


def test_each_refusal_has_the_status_its_pages_answer_with():
    from portal.auth.tokens import InvalidLink
    from portal.core.errors import INVALID, DomainError
    from portal.core.idempotency import AlreadySent, StillSending
    from portal.entries.services import StaleEntry
    from portal.entries.team import WrongAccount

    assert DomainError.status == INVALID == 422
    assert InvalidLink.status == 400
    assert WrongAccount.status == 403
    assert StaleEntry.status == AlreadySent.status == StillSending.status == 409
