"""In-kind support through its agreement's page: a value beyond what is left comes back with
what was typed; an item reversed with its reason; the winner reads what she received and her
signed receipts, with nothing to change; completed support has no form left."""

import html
import io
from datetime import date

import pytest

from portal.capital.in_kind import services as in_kind
from portal.capital.models import AgreementStatus
from portal.extensions import db
from tests.awards.payments.test_services import PNG
from tests.capital.in_kind.test_in_kind import approved_support, item
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("frozen_time")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_beyond_what_is_left_comes_back_as_typed(client, published):
    _source, agreement = approved_support(published, amount=5_000_000)
    item(published, agreement, 4_000_000)
    login(client, published.organiser)
    answer = client.post_form(
        f"/capital/agreements/{agreement.id}/in-kind",
        {
            "in-kind-kind": "packaging_branding",
            "in-kind-description": "Hộp giấy in logo",
            "in-kind-quantity": "500",
            "in-kind-unit_of_measure": "hộp",
            "in-kind-value": "2.000.000",
            "in-kind-delivered_on": "2026-04-02",
            "in-kind-receipt": (io.BytesIO(PNG), "phieu.png"),
            "form_key": "a" * 32,
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    page = text(answer)
    assert "Hộp giấy in logo" in page and 'value="2.000.000"' in page
    assert "nhiều hơn phần hỗ trợ còn lại (1.000.000)" in page
    assert in_kind.delivered(agreement) == 4_000_000


def test_an_item_reversed_through_the_page_with_its_reason(client, published):
    _source, agreement = approved_support(published, amount=5_000_000)
    recorded = item(published, agreement, 5_000_000)
    assert agreement.status is AgreementStatus.COMPLETED
    login(client, published.organiser)
    url = f"/capital/agreements/{agreement.id}"
    page = text(client.get(url))
    assert f"{url}/in-kind" not in page  # nothing is left to hand over
    reverse = f"/capital/in-kind/{recorded.id}/reverse"
    assert reverse in page
    no_reason = client.post_form(reverse, {f"reverse-item-{recorded.id}-reason": ""})
    assert no_reason.status_code == 302
    db.session.refresh(recorded)
    assert recorded.reversed_at is None
    done = client.post_form(reverse, {f"reverse-item-{recorded.id}-reason": "Ghi nhầm số lượng"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"{url}#in-kind")
    db.session.refresh(recorded)
    db.session.refresh(agreement)
    assert recorded.reversed_at is not None and agreement.status is AgreementStatus.ACTIVE
    page = text(client.get(url))
    assert "Đã huỷ ngày" in page and "Ghi nhầm số lượng" in page
    assert reverse not in page and f"{url}/in-kind" in page


def test_the_winner_reads_what_she_received_and_changes_nothing(client, published):
    _source, agreement = approved_support(published)
    recorded = item(published, agreement, 6_000_000, delivered_on=date(2026, 3, 1))
    login(client, published.applicants[0])
    page = text(client.get(f"/capital/agreements/{agreement.id}"))
    assert "Lợn nái Móng Cái" in page and "6.000.000" in page
    assert f"/capital/in-kind/{recorded.id}/receipt" in page
    assert "/reverse" not in page and f"/capital/agreements/{agreement.id}/in-kind" not in page
    assert client.get(f"/capital/in-kind/{recorded.id}/receipt").data == PNG
