"""The capital pages in Vietnamese: an organiser records a source and a contribution, proposes
a loan (refused for a missing rate with what she typed kept) and sees its schedule; a second
organiser approves it; the winner finds it under "My support"."""

import html

import pytest

from portal.capital.models import AgreementStatus, CapitalSource, SupportAgreement
from portal.extensions import db
from tests.conftest import login
from tests.factories import project_of

pytestmark = pytest.mark.usefixtures("frozen_time")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_loan_from_its_source_to_her_support_page(client, published):
    organiser, second = published.organiser, published.second_organiser
    login(client, organiser)
    sent = client.post_form(
        "/capital/sources",
        {
            "unit": str(published.competition.unit_id),
            "name": "Quỹ Hỗ trợ phụ nữ phát triển",
            "kind": "support_fund",
        },
    )
    assert sent.status_code == 302
    source = db.session.query(CapitalSource).one()
    client.post_form(
        f"/capital/sources/{source.id}/contributions",
        {
            f"source-{source.id}-amount": "4.500.000.000",
            f"source-{source.id}-received_on": "2026-01-05",
            "form_key": "e" * 32,
        },
    )
    page = text(client.get("/capital/sources"))
    assert "4.500.000.000" in page and "Quỹ hỗ trợ phụ nữ phát triển" in page

    project = project_of(published.entries[0])
    url = f"/capital/projects/{project.id}/support/new"
    form = {
        "kind": "loan",
        "source": str(source.id),
        "amount": "30.000.000",
        "purpose": "Mua máy dệt",
        "periods": "12",
        "grace": "2",
        "frequency": "monthly",
        "method": "declining",
        "form_key": "f" * 32,
    }
    refused = client.post_form(url, form)
    assert refused.status_code == 422
    assert "Hãy ghi lãi suất theo % một tháng" in text(refused) and "Mua máy dệt" in text(refused)
    sent = client.post_form(url, form | {"rate": "0,65"})
    assert sent.status_code == 302
    agreement = db.session.query(SupportAgreement).one()
    page = text(client.get(f"/capital/agreements/{agreement.id}"))
    assert "Lịch trả nợ" in page and "3.000.000" in page and "195.000" in page
    assert "Chờ một cán bộ khác của đơn vị phê duyệt" in page

    login(client, second)
    assert (
        client.post_form(
            f"/capital/agreements/{agreement.id}/approve", {"version": "1"}
        ).status_code
        == 302
    )
    db.session.refresh(agreement)
    assert agreement.status is AgreementStatus.APPROVED

    login(client, published.applicants[0])
    mine = text(client.get("/my/support"))
    assert "Cho vay ưu đãi: 30.000.000" in mine and "Đã phê duyệt" in mine
