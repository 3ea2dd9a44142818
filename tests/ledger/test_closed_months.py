"""Closed months: an organiser closes a month of her unit's books once it is over; nothing of
that unit may be dated in it afterwards (a correction goes into an open month), other units
and months are unaffected; the pages show the trial balance with labels, and each account."""

import html
import re
from datetime import date

import pytest

from portal.auth.models import Role
from portal.capital.loans import services as loans
from portal.capital.sources import services as sources
from portal.core.errors import DomainError, NotAllowed
from portal.ledger import services as ledger
from portal.ledger.services import MonthClosed
from tests.capital.loans.test_services import approved_loan
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_closed_month_refuses_movements_dated_in_it(published, units):
    source, agreement = approved_loan(published)
    loan = loans.disburse(published.organiser, agreement, date(2026, 1, 10))
    unit_id = source.unit_id
    closed = ledger.close_month(published.organiser, unit_id, date(2026, 2, 14))
    assert closed.month == date(2026, 2, 1)
    assert ledger.close_month(published.organiser, unit_id, date(2026, 2, 1)).id == closed.id
    with pytest.raises(MonthClosed) as refused:
        loans.record_repayment(
            published.organiser, loan, paid_on=date(2026, 2, 9), amount=2_030_000, method="cash"
        )
    assert refused.value.field == "paid_on" and refused.value.status == 409
    loans.record_repayment(
        published.organiser, loan, paid_on=date(2026, 3, 2), amount=2_030_000, method="cash"
    )
    other = sources.create_source(
        published.organiser,
        units["dien_bien"].id if "dien_bien" in units else unit_id,
        "Quỹ khác",
        "partner_fund",
    )
    if other.unit_id != unit_id:
        sources.contribute(published.organiser, other, 1_000_000, date(2026, 2, 9))
    with pytest.raises(DomainError) as not_over:
        ledger.close_month(published.organiser, unit_id, date(2026, 5, 1))
    assert not_over.value.field == "month"
    stranger = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    with pytest.raises(NotAllowed):
        ledger.close_month(stranger, unit_id, date(2026, 3, 1))


def test_the_trial_balance_and_an_accounts_lines(client, published, units):
    source, agreement = approved_loan(published)
    loans.disburse(published.organiser, agreement, date(2026, 1, 10))
    login(client, published.organiser)
    page = text(client.get("/ledger"))
    assert (
        "Dư nợ cho vay" in page
        and "loans_receivable" not in page.split("<main")[1].split("href")[0]
    )
    assert source.name in page
    totals = re.findall(r'id="total-(?:debit|credit)">([^<]+)<', page)
    assert totals == ["100.000.000\xa0₫", "100.000.000\xa0₫"]
    lines = text(client.get(f"/ledger/accounts/capital_cash?source={source.ledger_tag}"))
    assert "94.000.000" in lines  # the balance after the disbursement
    closing = client.post_form(
        "/ledger/months", {"unit": str(source.unit_id), "month": "2026-04-01"}
    )
    assert closing.status_code == 302
    assert "04/2026" in text(client.get("/ledger"))
    refused = client.post_form(
        "/ledger/months", {"unit": str(source.unit_id), "month": "2026-05-01"}
    )
    assert refused.status_code == 422
    login(client, UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]))
    assert source.name not in text(client.get("/ledger"))
