"""The ledger's pages: the trial balance of her units with every account and source in words,
debits equal to credits, as of a day and for a unit; each account's lines with the balance after
each and what moved it; closing a month (once, though sent twice), and a repayment dated in a
closed month refused on its form with what was typed kept. Another province's organiser sees
none of it."""

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.capital.loans import services as loans
from portal.capital.models import Repayment
from portal.extensions import db
from portal.ledger import services as ledger
from portal.ledger.models import ClosedMonth
from tests.capital.loans.test_services import approved_loan
from tests.conftest import login
from tests.factories import UserFactory
from tests.ledger.test_closed_months import NOW, other_units_source

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026

RAW = re.compile(
    r"capital_cash|capital_contributions|loans_receivable|interest_income|grants_expense"
    r"|in_kind_expense|loan_losses|loan_recoveries|prizes_payable|capital:\d|loan_repayment"
)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def shown(response) -> str:
    """What she reads on the page: the main part, without its tags and links."""
    main = text(response).split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", " ", main)


def totals(page: str) -> list[str]:
    return re.findall(r'id="total-(?:debit|credit)">([^<]+)<', page)


def table(response) -> list[list[str]]:
    """The cells of the account's lines, as she reads them."""
    body = text(response).split('id="account-lines"', 1)[1].split("<tbody>", 1)[1]
    body = body.split("</tbody>", 1)[0]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.fixture
def lent(published):
    """A source of Điện Biên (100,000,000 in on 2 January), a loan of 6,000,000 disbursed on
    10 January and its first instalment repaid on 9 February."""
    source, agreement = approved_loan(published)
    loan = loans.disburse(published.organiser, agreement, date(2026, 1, 10), now=NOW)
    loans.record_repayment(
        published.organiser, loan, paid_on=date(2026, 2, 9), amount=2_030_000, method="cash"
    )
    return source, agreement, loan


def test_the_trial_balance_names_every_account_and_source_and_balances(client, published, lent):
    source, _, _ = lent
    login(client, published.organiser)
    response = client.get("/ledger")
    assert response.status_code == 200
    page = shown(response)
    assert not RAW.search(page), RAW.search(page)
    for label in ("Tiền của nguồn vốn", "Vốn đã nhận", "Dư nợ cho vay", source.name):
        assert label in page
    assert totals(text(response)) == ["100.030.000\xa0₫", "100.030.000\xa0₫"]
    # Each account links to its lines, of that source.
    assert re.search(
        rf'href="/ledger/accounts/capital_cash\?source=capital(:|%3A){source.id}"', text(response)
    )

    before = text(client.get("/ledger?as_of=2026-01-09"))
    assert totals(before) == ["100.000.000\xa0₫", "100.000.000\xa0₫"]
    assert "Dư nợ cho vay" not in shown(client.get("/ledger?as_of=2026-01-09"))
    assert totals(text(client.get("/ledger?as_of=not-a-day"))) == totals(text(response))


def test_an_admin_sees_every_unit_and_chooses_one(client, published, units, lent):
    source, _, _ = lent
    _, other = other_units_source(units)
    login(client, UserFactory(roles=[Role.ADMIN]))
    page = shown(client.get("/ledger"))
    assert source.name in page and other.name in page
    lao_cai = client.get(f"/ledger?unit={units['lao_cai'].id}")
    assert other.name in shown(lao_cai) and source.name not in shown(lao_cai)
    assert totals(text(lao_cai)) == ["5.000.000\xa0₫", "5.000.000\xa0₫"]
    assert f'value="{units["lao_cai"].id}" selected' in text(lao_cai)
    closing = text(lao_cai).split('id="close-title"')[1]
    assert "Lào Cai" in closing and "Điện Biên" in closing  # an admin may close any unit's


def test_another_provinces_organiser_sees_none_of_it(client, published, units, lent):
    source, _, _ = lent
    organiser, other = other_units_source(units)
    login(client, organiser)
    page = shown(client.get("/ledger"))
    assert other.name in page and source.name not in page
    assert totals(text(client.get("/ledger"))) == ["5.000.000\xa0₫", "5.000.000\xa0₫"]
    # Asking for Điện Biên narrows nothing: still only her own.
    assert source.name not in shown(client.get(f"/ledger?unit={units['dien_bien'].id}"))
    lines = client.get(f"/ledger/accounts/capital_cash?source={source.ledger_tag}")
    assert lines.status_code == 200
    assert source.name not in shown(lines) and "100.000.000" not in shown(lines)
    assert [len(row) for row in table(lines)] == [1]  # "No line."
    everything = shown(client.get("/ledger/accounts/capital_cash"))
    assert other.name in everything and source.name not in everything
    # Her closing form offers her units only; another unit is refused.
    assert "Điện Biên" not in text(client.get("/ledger")).split('id="close-title"')[1]
    refused = client.post_form(
        "/ledger/months", {"unit": str(source.unit_id), "month": "2026-02-01"}
    )
    assert refused.status_code == 422
    assert not ledger.is_closed(source.unit_id, date(2026, 2, 1))


def test_an_accounts_lines_say_what_moved_them_and_the_balance_after(client, published, lent):
    source, agreement, _ = lent
    login(client, published.organiser)
    response = client.get(f"/ledger/accounts/capital_cash?source={source.ledger_tag}")
    assert response.status_code == 200
    page = shown(response)
    assert not RAW.search(page), RAW.search(page)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", text(response), re.S).group(1)
    assert "Tiền của nguồn vốn" in heading and source.name in heading
    rows = table(response)
    # Date, description, what moved it, debit, credit, the balance after it.
    assert [row[-1].split("₫")[0].strip() for row in rows] == [
        "100.000.000",
        "94.000.000",
        "96.030.000",
    ]
    assert [(row[3], row[4]) for row in rows] == [
        ("100.000.000 ₫", ""),
        ("", "6.000.000 ₫"),
        ("2.030.000 ₫", ""),
    ]
    assert source.name in rows[0][2]
    assert agreement.reference in rows[1][2] and agreement.reference in rows[2][2]
    assert f'href="/capital/agreements/{agreement.id}"' in text(response)
    # Without a source, each line says its source.
    assert source.name in table(client.get("/ledger/accounts/capital_cash"))[0][2]
    assert client.get("/ledger/accounts/not_an_account").status_code == 404
    assert client.get("/ledger/accounts/capital_cash?page=abc").status_code == 200


def count_queries(client, url) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_the_pages_run_the_same_queries_whatever_their_length(client, published, units, lent):
    source, _, loan = lent
    login(client, published.organiser)
    url = f"/ledger/accounts/capital_cash?source={source.ledger_tag}"
    for unit in ("dien_bien", "muong_phang"):
        ledger.close_month(published.organiser, units[unit].id, date(2025, 12, 1), now=NOW)
    few = (count_queries(client, url), count_queries(client, "/ledger"))
    repayment = db.session.scalar(sa.select(Repayment))
    loans.reverse_repayment(published.organiser, repayment, "Nhầm", now=NOW)
    for paid_on, amount in (
        (date(2026, 2, 9), 2_030_000),
        (date(2026, 3, 9), 2_020_000),
        (date(2026, 4, 9), 2_010_000),
    ):
        loans.record_repayment(
            published.organiser, loan, paid_on=paid_on, amount=amount, method="cash"
        )
    for unit in ("dien_bien", "muong_phang", "dien_bien_phu"):
        ledger.close_month(published.organiser, units[unit].id, date(2026, 1, 1), now=NOW)
    assert (count_queries(client, url), count_queries(client, "/ledger")) == few


def test_closing_a_month_on_the_trial_balance_page(client, published):
    unit_id = published.competition.unit_id
    login(client, published.organiser)
    page = text(client.get("/ledger"))
    months = re.findall(r'<option value="(\d{4}-\d\d-01)"', page)
    assert months[0] == "2026-04-01" and "2026-05-01" not in months  # the months that are over
    form = {"unit": str(unit_id), "month": "2026-03-01"}
    assert client.post_form("/ledger/months", form).status_code == 302
    assert client.post_form("/ledger/months", form).status_code == 302  # sent twice: one month
    assert db.session.scalar(sa.select(sa.func.count(ClosedMonth.id))) == 1
    closed = shown(client.get("/ledger")).split("03/2026")[-1]
    assert "Điện Biên" in closed
    this_month = client.post_form("/ledger/months", {"unit": str(unit_id), "month": "2026-05-01"})
    assert this_month.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(ClosedMonth.id))) == 1


def test_a_repayment_dated_in_a_closed_month_is_refused_on_its_form(client, published):
    source, agreement = approved_loan(published)
    loan = loans.disburse(published.organiser, agreement, date(2026, 1, 10), now=NOW)
    ledger.close_month(published.organiser, source.unit_id, date(2026, 2, 1), now=NOW)
    login(client, published.organiser)
    refused = client.post_form(
        f"/capital/loans/{loan.id}/repayments",
        {
            "amount": "2.030.000",
            "paid_on": "2026-02-09",
            "method": "bank_transfer",
            "reference": "UNC 0042",
            "form_key": "7" * 32,
        },
    )
    assert refused.status_code == 409
    page = text(refused)
    error = re.search(r'id="paid_on-error"[^>]*>([^<]+)<', page)
    assert error and "02/2026" in error.group(1)
    assert 'value="2.030.000"' in page and 'value="UNC 0042"' in page
    assert 'value="2026-02-09"' in page
    assert db.session.scalar(sa.select(sa.func.count(Repayment.id))) == 0
    # The same form dated in March goes through.
    sent = client.post_form(
        f"/capital/loans/{loan.id}/repayments",
        {
            "amount": "2.030.000",
            "paid_on": "2026-03-02",
            "method": "bank_transfer",
            "form_key": "8" * 32,
        },
    )
    assert sent.status_code == 302
