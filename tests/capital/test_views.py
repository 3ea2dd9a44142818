"""The capital pages in Vietnamese: an organiser records a source and a contribution, proposes
a loan (refused for a missing rate with what she typed kept) and sees its schedule; a second
organiser approves it; the winner finds it under "My support"."""

import html
from datetime import date

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


def test_a_loan_disbursed_repaid_and_a_repayment_reversed_through_the_pages(client, published):
    from portal.capital.agreements import services as agreements
    from portal.capital.models import Loan, Repayment
    from portal.capital.sources import services as sources

    source = sources.create_source(
        published.organiser, published.competition.unit_id, "Quỹ", "support_fund"
    )
    sources.contribute(published.organiser, source, 100_000_000, date(2026, 1, 2))
    agreement = agreements.propose(
        published.organiser,
        project_of(published.entries[0]),
        kind="loan",
        source_id=source.id,
        amount=6_000_000,
        purpose="Mua giống",
        loan=agreements.LoanTerms("0.5", 3, 0, "monthly", "declining"),
    )
    agreements.approve(published.second_organiser, agreement, expected_version=1)
    login(client, published.organiser)
    url = f"/capital/agreements/{agreement.id}"
    assert "Giải ngân khoản vay" in text(client.get(url))
    future = client.post_form(
        f"{url}/disburse", {"disbursed_on": "2026-06-01", "form_key": "1" * 32}
    )
    assert future.status_code == 422 and "không phải ngày trong tương lai" in text(future)
    assert (
        client.post_form(
            f"{url}/disburse", {"disbursed_on": "2026-01-10", "form_key": "2" * 32}
        ).status_code
        == 302
    )
    loan = db.session.query(Loan).one()
    page = text(client.get(url))
    assert "Giải ngân ngày" in page and "10 thg 2, 2026" in page
    too_much = client.post_form(
        f"/capital/loans/{loan.id}/repayments",
        {"amount": "7.000.000", "paid_on": "2026-02-09", "method": "cash", "form_key": "3" * 32},
    )
    assert too_much.status_code == 422 and "nhiều hơn số còn nợ (6.060.000 đồng)" in text(too_much)
    form = {"amount": "2.030.000", "paid_on": "2026-02-09", "method": "cash", "form_key": "4" * 32}
    assert client.post_form(f"/capital/loans/{loan.id}/repayments", form).status_code == 302
    assert client.post_form(f"/capital/loans/{loan.id}/repayments", form).status_code == 302  # once
    (repayment,) = db.session.query(Repayment).all()
    assert "gốc 2.000.000" in text(client.get(url))
    client.post_form(
        f"/capital/repayments/{repayment.id}/reverse", {f"reverse-{repayment.id}-reason": "Nhầm"}
    )
    db.session.refresh(repayment)
    assert repayment.reversed_at is not None
    assert "Đã huỷ ngày" in text(client.get(url))


def test_a_repayments_slip_is_kept_and_read_by_her_and_her_organisers(client, published):
    import io

    from portal.capital.agreements import services as agreements
    from portal.capital.loans import services as loans
    from portal.capital.models import Repayment
    from portal.capital.sources import services as sources
    from tests.awards.payments.test_services import PNG

    source = sources.create_source(
        published.organiser, published.competition.unit_id, "Quỹ", "support_fund"
    )
    sources.contribute(published.organiser, source, 100_000_000, date(2026, 1, 2))
    agreement = agreements.propose(
        published.organiser,
        project_of(published.entries[0]),
        kind="loan",
        source_id=source.id,
        amount=6_000_000,
        purpose="Mua giống",
        loan=agreements.LoanTerms("0.5", 3, 0, "monthly", "declining"),
    )
    agreements.approve(published.second_organiser, agreement, expected_version=1)
    loan = loans.disburse(published.organiser, agreement, date(2026, 1, 10))
    login(client, published.organiser)
    url = f"/capital/loans/{loan.id}/repayments"
    refused = client.post_form(
        url,
        {
            "amount": "",
            "paid_on": "2026-02-09",
            "method": "cash",
            "receipt": (io.BytesIO(PNG), "phieu.png"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "Hãy chọn lại tệp chứng từ." in text(refused)
    done = client.post_form(
        url,
        {
            "amount": "2.030.000",
            "paid_on": "2026-02-09",
            "method": "cash",
            "form_key": "5" * 32,
            "receipt": (io.BytesIO(PNG), "phieu.png"),
        },
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    repayment = db.session.query(Repayment).one()
    slip = f"/capital/repayments/{repayment.id}/slip"
    assert slip in text(client.get(f"/capital/agreements/{agreement.id}"))
    assert client.get(slip).data == PNG
    login(client, published.applicants[0])  # the borrower
    assert client.get(slip).data == PNG
    login(client, published.applicants[1])  # another winner
    assert client.get(slip).status_code == 403


def test_the_support_list_puts_what_waits_for_a_signature_first(client, published, units):
    from portal.auth.models import Role
    from portal.capital.agreements import services as agreements
    from portal.capital.sources import services as sources
    from tests.factories import UserFactory

    source = sources.create_source(
        published.organiser, published.competition.unit_id, "Quỹ", "support_fund"
    )
    project = project_of(published.entries[0])
    approved = agreements.propose(
        published.organiser,
        project,
        kind="grant",
        source_id=source.id,
        amount=1_000_000,
        purpose="A",
    )
    agreements.approve(published.second_organiser, approved, expected_version=1)
    waiting = agreements.propose(
        published.organiser,
        project,
        kind="grant",
        source_id=source.id,
        amount=2_000_000,
        purpose="B",
    )
    login(client, published.second_organiser)
    page = text(client.get("/capital/agreements"))
    assert page.index(waiting.reference) < page.index(approved.reference)
    only_waiting = text(client.get("/capital/agreements?status=proposed"))
    assert waiting.reference in only_waiting and approved.reference not in only_waiting
    assert f"/capital/agreements?project={project.id}" in text(
        client.get(f"/projects/{project.id}")
    )
    login(client, UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]))
    assert waiting.reference not in text(client.get("/capital/agreements"))
