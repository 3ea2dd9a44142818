"""Support stopped by an organiser with the reason, the winner told; a loan under way cannot be
stopped (it ends repaid or written off), and when it is repaid she is told and thanked."""

from datetime import date

import pytest

from portal.capital.agreements import services as agreements
from portal.capital.agreements.services import AgreementConflict
from portal.capital.loans import services as loans
from portal.capital.models import AgreementStatus
from portal.extensions import db
from tests.capital.loans.test_services import approved_loan
from tests.conftest import login, mails_to
from tests.factories import project_of

pytestmark = pytest.mark.usefixtures("frozen_time")


def test_a_grant_stopped_through_its_page_and_she_is_told(client, published):
    source, _ = approved_loan(published)
    grant = agreements.propose(
        published.organiser,
        project_of(published.entries[0]),
        kind="grant",
        source_id=source.id,
        amount=5_000_000,
        purpose="Bao bì",
    )
    agreements.approve(published.second_organiser, grant, expected_version=1)
    login(client, published.organiser)
    url = f"/capital/agreements/{grant.id}"
    empty = client.post_form(
        f"{url}/close", {"close-version": str(grant.version), "close-reason": ""}
    )
    assert empty.status_code == 422
    done = client.post_form(
        f"{url}/close", {"close-version": str(grant.version), "close-reason": "Dự án đã giải thể"}
    )
    assert done.status_code == 302
    db.session.refresh(grant)
    assert grant.status is AgreementStatus.CLOSED and grant.closing_reason == "Dự án đã giải thể"
    assert "Dự án đã giải thể" in mails_to(published.applicants[0].email)[-1].body_text


def test_a_loan_under_way_is_not_stopped_and_when_repaid_she_is_thanked(published):
    _, agreement = approved_loan(published)
    loan = loans.disburse(published.organiser, agreement, date(2026, 1, 10))
    with pytest.raises(AgreementConflict):
        agreements.close(published.organiser, agreement, "Thôi", expected_version=agreement.version)
    loans.record_repayment(
        published.organiser,
        loan,
        paid_on=date(2026, 2, 1),
        amount=6_000_000,
        method="cash",
        early=True,
    )
    assert agreement.status is AgreementStatus.REPAID
    assert "đã trả hết" in mails_to(published.applicants[0].email)[-1].subject
