"""An admin issues a token from her page: the secret is shown once and never again, only its
hash is kept; the same form sent twice is one token; she revokes it, and reads its calls."""

from functools import partial

import pytest
import sqlalchemy as sa

from portal.api.models import ApiToken
from portal.core.audit import AuditLog
from portal.extensions import db
from tests.api.conftest import bearer
from tests.concurrency import Visitor, at_once
from tests.conftest import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("frozen_time")

SECRET = "hlhpn_"


def test_issued_shown_once_used_then_revoked(client, admin, units):
    login(client, admin)
    data = {
        "name": "Trung ương Hội — báo cáo tháng",
        "unit": str(units["dien_bien"].id),
        "form_key": "a" * 32,
    }
    issued = client.post_form("/admin/api-tokens", data)
    assert issued.status_code == 201
    page = issued.get_data(as_text=True)
    secret = page.split('<code class="user-select-all text-break">')[1].split("</code>")[0]
    assert secret.startswith(SECRET)
    assert "Hãy sao chép" in page or "Copy" in page
    # Sent again (a double tap, a reload): no second token, and the secret is not shown again.
    again = client.post_form("/admin/api-tokens", data)
    assert again.status_code == 302
    assert secret not in client.get("/admin/api-tokens").get_data(as_text=True)
    token = db.session.scalar(sa.select(ApiToken))
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 1
    assert token.unit_id == units["dien_bien"].id

    assert client.get("/api/v1/projects", headers=bearer(secret)).status_code == 200
    calls = client.get(f"/admin/api-tokens/{token.id}").get_data(as_text=True)
    assert "GET /api/v1/projects" in calls
    assert client.post_form(f"/admin/api-tokens/{token.id}/revoke").status_code == 302
    assert client.get("/api/v1/projects", headers=bearer(secret)).status_code == 401
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    assert "api_token.issued" in actions and "api_token.revoked" in actions


def test_a_token_needs_a_holder_and_a_province(client, admin, units):
    login(client, admin)
    refused = client.post_form("/admin/api-tokens", {"name": " ", "unit": "country"})
    assert refused.status_code == 422
    commune = client.post_form(
        "/admin/api-tokens", {"name": "Xã", "unit": str(units["muong_phang"].id)}
    )
    assert commune.status_code == 422
    assert 'value="Xã"' in commune.get_data(as_text=True)  # what she typed stays
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_a_token_issued_twice_at_once_is_one_token(admin, concurrent_server):
    tab = Visitor(concurrent_server)
    tab.log_in(admin.email, PASSWORD)
    fields = tab.form("/admin/api-tokens", "/admin/api-tokens") | {
        "name": "Đối tác",
        "unit": "country",
    }
    answers = at_once([partial(tab.post, "/admin/api-tokens", fields)] * 4)
    assert sorted(a.status for a in answers) in ([201, 302, 302, 302], [201, 302, 302, 409])
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 1
