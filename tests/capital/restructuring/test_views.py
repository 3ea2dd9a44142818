"""The hardship of a loan through its page: a new schedule proposed and approved by a second
organiser, a write-off proposed and approved, a recovery recorded once though sent twice."""

import html
from datetime import date

import pytest

from portal.capital.models import Loan, Recovery, RestructuringStatus
from portal.capital.restructuring.services import restructurings_of
from portal.extensions import db
from tests.capital.restructuring.test_services import a_loan
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("frozen_time")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_new_schedule_then_a_write_off_through_the_pages(client, published):
    loan = a_loan(published)
    loan_id, url = loan.id, f"/capital/agreements/{loan.agreement_id}"
    login(client, published.organiser)
    refused = client.post_form(
        f"/capital/loans/{loan_id}/restructurings",
        {
            "restructure-reason": "Lũ",
            "restructure-effective_on": "2026-03-05",
            "restructure-periods": "0",
            "restructure-grace": "0",
        },
    )
    assert refused.status_code == 422
    assert 'value="2026-03-05"' in refused.get_data(as_text=True)  # what she typed is kept
    proposed = client.post_form(
        f"/capital/loans/{loan_id}/restructurings",
        {
            "restructure-reason": "Lũ cuốn chuồng",
            "restructure-effective_on": "2026-03-05",
            "restructure-periods": "12",
            "restructure-grace": "2",
            "form_key": "a" * 32,
        },
    )
    assert proposed.status_code == 302
    page = text(client.get(url))
    assert "Lịch trả nợ mới đang chờ phê duyệt" in page and 'id="new-schedule"' in page
    (restructuring,) = restructurings_of(db.session.get(Loan, loan_id))
    # The proposer sees no approval button; the second organiser approves.
    assert f"/capital/restructurings/{restructuring.id}/approve" not in page
    assert (
        client.post_form(f"/capital/restructurings/{restructuring.id}/approve").status_code == 403
    )
    login(client, published.second_organiser)
    assert (
        client.post_form(f"/capital/restructurings/{restructuring.id}/approve").status_code == 302
    )
    db.session.refresh(restructuring)
    assert restructuring.status is RestructuringStatus.APPROVED
    page = text(client.get(url))
    assert "Cơ cấu lại từ" in page
    assert '<details><summary class="small">Các kỳ đã được thay thế</summary>' in page

    assert (
        client.post_form(
            f"/capital/loans/{loan_id}/write-off", {"write-off-reason": "Chủ hộ chuyển đi"}
        ).status_code
        == 302
    )
    assert (
        client.post_form(f"/capital/loans/{loan_id}/write-off/approve").status_code == 403
    )  # she proposed it
    login(client, published.organiser)
    assert client.post_form(f"/capital/loans/{loan_id}/write-off/approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(Loan, loan_id).written_off_on == date(2026, 5, 10)
    form = {
        "recovery-amount": "500.000",
        "recovery-received_on": "2026-05-10",
        "form_key": "b" * 32,
    }
    assert client.post_form(f"/capital/loans/{loan_id}/recoveries", form).status_code == 302
    assert client.post_form(f"/capital/loans/{loan_id}/recoveries", form).status_code == 302
    assert db.session.query(Recovery).count() == 1
    assert "500.000" in text(client.get(url))


def test_what_each_organiser_sees_of_a_hardship(client, published):
    loan = a_loan(published)
    loan_id, url = loan.id, f"/capital/agreements/{loan.agreement_id}"
    login(client, published.organiser)
    client.post_form(
        f"/capital/loans/{loan_id}/restructurings",
        {
            "restructure-reason": "Dê bị bệnh",
            "restructure-effective_on": "2026-03-05",
            "restructure-periods": "6",
            "restructure-grace": "1",
            "form_key": "c" * 32,
        },
    )
    (proposed,) = restructurings_of(db.session.get(Loan, loan_id))
    page = text(client.get(url))
    # The proposer sees the reason, the terms and the schedule it would give, and waits.
    assert "Dê bị bệnh" in page
    # Nothing paid: the 8,000,000 of the instalments due after 5 March rescheduled (the four
    # due before stay, overdue), one period of grace, then five of 1,600,000.
    assert "8.000.000" in page and page.count("1.600.000") == 5
    assert "Chờ một cán bộ khác của đơn vị phê duyệt." in page
    assert f"/capital/restructurings/{proposed.id}/reject" not in page

    # The second organiser: without a reason her "no" comes back with the form, then stands.
    login(client, published.second_organiser)
    page = text(client.get(url))
    assert f"/capital/restructurings/{proposed.id}/approve" in page
    assert f"/capital/restructurings/{proposed.id}/reject" in page
    refused = client.post_form(
        f"/capital/restructurings/{proposed.id}/reject", {"restructuring-reject-reason": ""}
    )
    assert refused.status_code == 422
    rejected = client.post_form(
        f"/capital/restructurings/{proposed.id}/reject",
        {"restructuring-reject-reason": "Hộ vẫn trả được"},
    )
    assert rejected.status_code == 302
    db.session.refresh(proposed)
    assert proposed.status is RestructuringStatus.REJECTED
    assert "không được phê duyệt: Hộ vẫn trả được" in text(client.get(url))

    # A write-off proposed shows its reason; the proposer has no button, the other organiser has.
    client.post_form(f"/capital/loans/{loan_id}/write-off", {"write-off-reason": "Chuyển đi xa"})
    page = text(client.get(url))
    assert "Đề xuất xoá nợ đang chờ phê duyệt" in page and "Chuyển đi xa" in page
    assert f"/capital/loans/{loan_id}/write-off/approve" not in page
    login(client, published.organiser)
    assert f"/capital/loans/{loan_id}/write-off/approve" in text(client.get(url))
    client.post_form(f"/capital/loans/{loan_id}/write-off/approve")
    page = text(client.get(url))
    # After it: the principal lost, nothing recovered yet, and the form to record a recovery.
    assert "Tổn thất 12.000.000" in page and "Đã thu hồi từ đó" in page
    assert f"/capital/loans/{loan_id}/recoveries" in page
