"""The portfolio as of past days: outstanding and overdue amounts, days past due and buckets,
PAR30, a reversed repayment never counting; and `flask capital portfolio` printing the same."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from portal.capital import portfolio
from portal.capital.loans import services as loans
from tests.capital.loans.test_services import approved_loan

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def loan(published):
    """6,000,000 over 3 months at 0.5 %, disbursed 10 January: due 10 Feb, 10 Mar, 10 Apr."""
    _, agreement = approved_loan(published)
    loan = loans.disburse(published.organiser, agreement, date(2026, 1, 10))
    loans.record_repayment(
        published.organiser, loan, paid_on=date(2026, 2, 9), amount=2_030_000, method="cash"
    )
    return loan


def test_the_loan_as_of_several_days(published, loan):
    by_day = {
        day: portfolio.portfolio(day)[0]
        for day in (date(2026, 2, 10), date(2026, 3, 11), date(2026, 5, 10))
    }
    assert portfolio.portfolio(date(2026, 1, 9)) == []  # not disbursed yet
    on_time = by_day[date(2026, 2, 10)]
    assert (on_time.outstanding_principal, on_time.days_past_due, on_time.bucket) == (
        4_000_000,
        0,
        "current",
    )
    late = by_day[date(2026, 3, 11)]
    assert (late.overdue_principal, late.overdue_interest, late.days_past_due, late.bucket) == (
        2_000_000,
        20_000,
        1,
        "1-30",
    )
    today = by_day[date(2026, 5, 10)]
    assert (today.days_past_due, today.bucket, today.overdue_principal) == (61, "61-90", 4_000_000)
    summary = portfolio.summarise([today])
    assert (summary.par30_principal, summary.par30_ratio, summary.loans_past_due) == (
        4_000_000,
        Decimal("1.0000"),
        1,
    )


def test_several_days_read_at_once_are_each_day_read_alone(published, loan):
    """The union's figures read the book at the end of each year in one pass: the same rows as
    one reading per day, repayments counted only from the day they were paid."""
    loans.record_repayment(
        published.organiser, loan, paid_on=date(2026, 3, 20), amount=1_000_000, method="cash"
    )
    days = [
        date(2026, 1, 9),
        date(2026, 2, 10),
        date(2026, 3, 11),
        date(2026, 3, 20),
        date(2026, 5, 10),
    ]
    at_once = portfolio.portfolios(days)
    assert at_once == {day: portfolio.portfolio(day) for day in days}
    assert [len(at_once[d]) for d in days] == [0, 1, 1, 1, 1]
    assert at_once[date(2026, 3, 11)][0].days_past_due == 1
    march_11, march_20 = at_once[date(2026, 3, 11)][0], at_once[date(2026, 3, 20)][0]
    assert march_11.overdue_principal == 2_000_000  # the payment of the 20th is not counted yet
    assert march_20.overdue_principal < 2_000_000


def test_one_day_read_alone_agrees_with_the_days_read_together(published, loan):
    """A page of the portfolio reads one day with each instalment's repaid sums from the
    database; the figures read every day together with each repayment dated. Through partial,
    late and reversed repayments, and a day on which two were paid, they agree on every day."""
    organiser = published.organiser
    for paid_on, amount in ((date(2026, 3, 12), 500_000), (date(2026, 3, 12), 1_000_000)):
        loans.record_repayment(organiser, loan, paid_on=paid_on, amount=amount, method="cash")
    mistake = loans.record_repayment(
        organiser, loan, paid_on=date(2026, 3, 30), amount=2_000_000, method="cash"
    )
    loans.reverse_repayment(organiser, mistake, "Nhầm khoản vay")
    loans.record_repayment(
        organiser, loan, paid_on=date(2026, 4, 15), amount=1_000_000, method="bank_transfer"
    )
    days = [date(2026, 1, 10), date(2026, 3, 11), date(2026, 3, 12), date(2026, 3, 31)]
    days += [date(2026, 4, 10), date(2026, 4, 11), date(2026, 4, 15), date(2026, 5, 10)]
    together = portfolio.portfolios(days)
    assert {day: portfolio.portfolios([day])[day] for day in days} == together
    assert len({(r.overdue_principal, r.overdue_interest) for d in days for r in together[d]}) > 3


def test_a_reversed_repayment_never_counts(published, loan):
    second = loans.record_repayment(
        published.organiser, loan, paid_on=date(2026, 3, 10), amount=2_020_000, method="cash"
    )
    assert portfolio.portfolio(date(2026, 3, 20))[0].days_past_due == 0
    loans.reverse_repayment(published.organiser, second, "Nhầm khoản vay")
    assert portfolio.portfolio(date(2026, 3, 20))[0].days_past_due == 10


def test_the_command_prints_the_rows_and_the_summary(app, published, loan):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["capital", "portfolio", "--as-of", "2026-03-11"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == [
        "loan",
        "project",
        "source",
        "disbursed_on",
        "principal",
        "outstanding_principal",
        "overdue_principal",
        "overdue_interest",
        "days_past_due",
        "bucket",
    ]
    reference = loan.agreement.reference
    assert rows[1] == [
        reference,
        published.entries[0].reference,
        str(loan.agreement.source_id),
        "2026-01-10",
        "6000000",
        "4000000",
        "2000000",
        "20000",
        "1",
        "1-30",
    ]
    result = runner.invoke(args=["capital", "portfolio", "--as-of", "2026-03-11", "--summary"])
    assert result.output.splitlines() == [
        "loans,outstanding_principal,par30_principal,par30_ratio,loans_past_due",
        "1,4000000,0,0.0000,1",
    ]
    other = runner.invoke(args=["capital", "portfolio", "--as-of", "2026-03-11", "--source", "999"])
    assert other.output.splitlines() == [",".join(rows[0])]
    unit = published.competition.unit.code
    assert (
        len(
            runner.invoke(
                args=["capital", "portfolio", "--as-of", "2026-03-11", "--unit", str(unit)]
            ).output.splitlines()
        )
        == 2
    )


def test_the_portfolio_page_and_its_export(client, published, loan):
    import html

    from openpyxl import load_workbook

    from tests.conftest import login

    login(client, published.organiser)
    page = html.unescape(client.get("/capital/portfolio?as_of=2026-03-11").get_data(as_text=True))
    assert "1 khoản vay" in page and "dư nợ gốc 4.000.000" in page
    ageing = page.split('id="ageing"')[1].split("</table>")[0]
    assert "1–30 ngày</th><td>1</td>" in ageing.replace("\n", "")
    sheet = load_workbook(
        io.BytesIO(client.get("/capital/portfolio.xlsx?as_of=2026-03-11").data)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Khoản vay" and rows[1][5] == 4_000_000 and rows[1][9] == "1–30 ngày"
    assert "PAR30" in page and client.get("/capital/portfolio?as_of=not-a-day").status_code == 200


def test_each_source_as_of_a_day_with_its_grants_and_in_kind_support(client, published, loan):
    from portal.capital.agreements import services as agreements
    from portal.capital.in_kind import services as in_kind
    from portal.capital.models import CapitalSource
    from portal.capital.tranches import services as tranches
    from portal.extensions import db
    from tests.awards.payments.test_services import PNG
    from tests.conftest import login
    from tests.factories import project_of

    source = db.session.get(CapitalSource, loan.agreement.source_id)
    project = project_of(published.entries[0])
    grant = agreements.propose(
        published.organiser,
        project,
        kind="grant",
        source_id=source.id,
        amount=9_000_000,
        purpose="Khung dệt",
    )
    agreements.approve(published.second_organiser, grant, expected_version=1)
    first = tranches.add_tranche(
        published.organiser, grant, amount=4_000_000, planned_on=date(2026, 3, 1)
    )
    tranches.add_tranche(published.organiser, grant, amount=5_000_000, planned_on=date(2026, 9, 1))
    tranches.release(published.organiser, first, expected_version=1)
    tranches.pay(published.organiser, first, date(2026, 3, 2))
    goods = agreements.propose(
        published.organiser,
        project,
        kind="in_kind",
        source_id=source.id,
        amount=3_000_000,
        purpose="Giống",
    )
    agreements.approve(published.second_organiser, goods, expected_version=1)
    in_kind.record_item(
        published.organiser,
        goods,
        kind="seed_stock",
        description="Ngô giống",
        quantity="40",
        unit_of_measure="kg",
        value=2_500_000,
        delivered_on=date(2026, 4, 1),
        receipt=(PNG, "a.png"),
    )

    def line(day):
        (found,) = portfolio.by_source(portfolio.portfolio(day), [source], day)
        return found

    march = line(date(2026, 3, 11))
    assert (march.loans, march.disbursed, march.repaid, march.outstanding) == (
        1,
        6_000_000,
        2_000_000,
        4_000_000,
    )
    assert march.by_bucket["1-30"] == 4_000_000 and march.par30 == 0
    assert (march.grants_paid, march.grants_planned, march.in_kind) == (4_000_000, 5_000_000, 0)
    february = line(date(2026, 2, 10))
    assert (february.grants_paid, february.grants_planned) == (0, 9_000_000)
    may = line(date(2026, 5, 10))
    assert (may.in_kind, may.par30, may.par30_ratio) == (2_500_000, 4_000_000, Decimal("1.0000"))

    login(client, published.organiser)
    page = client.get("/capital/portfolio?as_of=2026-03-11").get_data(as_text=True)
    assert 'id="by-source"' in page and "4.000.000" in page and "5.000.000" in page
    sheet = client.get("/capital/portfolio/sources.csv?as_of=2026-05-10").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(sheet.lstrip("\ufeff"))))
    assert rows[1][0] == source.name and rows[1][-1] == "2500000"
    other_unit = client.get(
        f"/capital/portfolio?unit={published.competition.unit_id + 999}"
    ).get_data(as_text=True)
    assert "HT-" not in other_unit


def test_a_stopped_grant_plans_nothing_more_and_a_commune_sees_the_province_fund(
    client, published, units, loan
):
    import html

    from openpyxl import load_workbook

    from portal.capital import exports
    from portal.capital.agreements import services as agreements
    from portal.capital.models import CapitalSource
    from portal.capital.tranches import services as tranches
    from portal.extensions import db
    from tests.conftest import login

    source = db.session.get(CapitalSource, loan.agreement.source_id)
    project = loan.agreement.project
    grant = agreements.propose(
        published.organiser,
        project,
        kind="grant",
        source_id=source.id,
        amount=10_000_000,
        purpose="Khung dệt",
    )
    agreements.approve(published.second_organiser, grant, expected_version=1)
    paid = tranches.add_tranche(
        published.organiser, grant, amount=3_000_000, planned_on=date(2026, 3, 1)
    )
    tranches.add_tranche(published.organiser, grant, amount=7_000_000, planned_on=date(2026, 8, 1))
    tranches.release(published.organiser, paid, expected_version=1)
    tranches.pay(published.organiser, paid, date(2026, 3, 2))
    refused = agreements.propose(
        published.organiser,
        project,
        kind="grant",
        source_id=source.id,
        amount=4_000_000,
        purpose="Bao bì",
    )
    tranches.add_tranche(
        published.organiser, refused, amount=4_000_000, planned_on=date(2026, 6, 1)
    )
    (line,) = portfolio.by_source([], [source], date(2026, 4, 1))
    assert (line.grants_paid, line.grants_planned) == (3_000_000, 11_000_000)
    agreements.reject(
        published.second_organiser, refused, "Trùng hỗ trợ", expected_version=refused.version
    )
    agreements.close(published.organiser, grant, "Dự án dừng", expected_version=grant.version)
    (line,) = portfolio.by_source([], [source], date(2026, 4, 1))
    assert (line.grants_paid, line.grants_planned) == (3_000_000, 0)  # what was paid stays

    # The project is a commune's; the province's fund behind it has its line for that commune.
    project.unit_id = units["muong_phang"].id
    db.session.commit()
    login(client, published.organiser)
    commune = f"unit={units['muong_phang'].id}&as_of=2026-03-11"
    page = html.unescape(client.get(f"/capital/portfolio?{commune}").get_data(as_text=True))
    by_source = page.split('id="by-source"')[1].split("</table>")[0]
    assert source.name in by_source and "4.000.000" in by_source and "3.000.000" in by_source
    other = html.unescape(
        client.get(f"/capital/portfolio?unit={units['dien_bien_phu'].id}").get_data(as_text=True)
    )
    assert loan.agreement.reference not in other
    sheet = load_workbook(
        io.BytesIO(client.get(f"/capital/portfolio/sources.xlsx?{commune}").data)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [str(c) for c in exports.SOURCE_COLUMNS]
    assert rows[1][0] == source.name and rows[1][5] == 4_000_000 and rows[1][-3] == 3_000_000


def test_the_portfolio_page_lists_its_loans_a_page_at_a_time(client, published, monkeypatch):
    """Only a page of loans is worked out on each view, in the list's order; the figures above
    count them all, and a loan written off is neither listed nor counted."""
    import html

    from portal.capital import views
    from portal.capital.agreements import services as agreements
    from portal.capital.loans import writeoff
    from tests.conftest import login
    from tests.factories import project_of

    source, first = approved_loan(published)
    made = [loans.disburse(published.organiser, first, date(2026, 1, 10))]
    for entry in published.entries[1:4]:
        agreement = agreements.propose(
            published.organiser,
            project_of(entry),
            kind="loan",
            source_id=source.id,
            amount=3_000_000,
            purpose="Mua máy dệt",
            loan=agreements.LoanTerms("0.5", 3, 0, "monthly", "declining"),
        )
        agreements.approve(published.second_organiser, agreement, expected_version=1)
        made.append(loans.disburse(published.organiser, agreement, date(2026, 1, 10)))
    writeoff.propose_write_off(published.organiser, made[2], "Lũ cuốn trôi xưởng")
    writeoff.approve_write_off(published.second_organiser, made[2])
    listed = sorted(
        (loan for loan in made if loan is not made[2]), key=lambda x: x.agreement.reference
    )
    monkeypatch.setattr(views, "PER_PAGE", 2)
    login(client, published.organiser)
    pages = [
        html.unescape(client.get(f"/capital/portfolio?page={n}").get_data(as_text=True))
        for n in (1, 2)
    ]
    shown = [
        [
            loan.agreement.reference
            for loan in listed
            if loan.agreement.reference in page.split('id="loans-title"')[1]
        ]
        for page in pages
    ]
    assert shown == [
        [listed[0].agreement.reference, listed[1].agreement.reference],
        [listed[2].agreement.reference],
    ]
    assert made[2].agreement.reference not in pages[0] + pages[1]
    assert "3 khoản vay" in pages[0] and "3 khoản vay" in pages[1]  # the figures count them all
    assert 'aria-current="page">2<' in pages[1]
