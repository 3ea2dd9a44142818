"""Money forms sent at the same moment against the live server on PostgreSQL: the same repayment
twice makes one; two different repayments at once are written one after the other (the loan's
row is locked), and the ledger still agrees; the same disbursement twice makes one."""

from datetime import date
from functools import partial

import pytest
import sqlalchemy as sa

from portal.capital.agreements import services as agreements
from portal.capital.loans import services as loans
from portal.capital.models import Loan, Repayment
from portal.capital.sources import services as sources
from portal.extensions import db
from portal.ledger.cli import problems
from portal.ledger.models import Posting
from tests.concurrency import Visitor, at_once
from tests.factories import PASSWORD, project_of

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def approved(published):
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
    return agreement


def tab(server, email) -> Visitor:
    visitor = Visitor(server)
    visitor.log_in(email, PASSWORD)
    return visitor


def test_the_same_disbursement_and_repayment_twice_at_once_make_one(
    published, approved, concurrent_server
):
    organiser = tab(concurrent_server, published.organiser.email)
    page = f"/capital/agreements/{approved.id}"
    action = f"{page}/disburse"
    fields = organiser.form(page, action) | {"disbursed_on": "2026-01-10"}
    at_once([partial(organiser.post, action, fields)] * 4)
    db.session.remove()
    loan = db.session.scalar(sa.select(Loan))
    assert loan.disbursed_on == date(2026, 1, 10)
    assert (
        db.session.scalar(sa.select(sa.func.count(Posting.id)).where(Posting.object_type == "loan"))
        == 1
    )

    action = f"/capital/loans/{loan.id}/repayments"
    fields = organiser.form(page, action) | {
        "amount": "2.030.000",
        "paid_on": "2026-02-09",
        "method": "cash",
    }
    answers = at_once([partial(organiser.post, action, fields)] * 6)
    assert {a.status for a in answers} <= {302, 409}
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count(Repayment.id))) == 1
    assert problems() == []


def test_two_repayments_at_once_are_both_allocated_in_turn(published, approved, concurrent_server):
    loan = loans.disburse(published.organiser, approved, date(2026, 1, 10))
    loan_id = loan.id
    db.session.commit()
    tabs = [tab(concurrent_server, published.organiser.email) for _ in range(2)]
    page = f"/capital/agreements/{approved.id}"
    action = f"/capital/loans/{loan_id}/repayments"
    calls = []
    for visitor in tabs:
        fields = visitor.form(page, action) | {
            "amount": "1.000.000",
            "paid_on": "2026-02-09",
            "method": "cash",
        }
        calls.append(partial(visitor.post, action, fields))
    answers = at_once(calls)
    assert [a.status for a in answers] == [302, 302]
    db.session.remove()
    loan = db.session.get(Loan, loan_id)
    assert loan.instalments[0].paid_interest == 30_000
    assert sum(i.paid_principal + i.paid_interest for i in loan.instalments) == 2_000_000
    assert problems() == []


def test_the_same_loan_book_import_confirmed_twice_at_once_imports_once(
    published, concurrent_server
):
    source = sources.create_source(
        published.organiser, published.competition.unit_id, "Quỹ", "support_fund"
    )
    organiser = tab(concurrent_server, published.organiser.email)
    fields = organiser.form("/capital/import") | {
        "form_key": "7" * 32,
        "loans_csv": "reference,project,source,principal,rate,periods,grace,frequency,method,"
        f"disbursed_on\nVAY-9,{published.entries[0].reference},{source.id},3000000,0.5,3,0,"
        "monthly,flat,2026-01-10\n",
        "repayments_csv": "loan,paid_on,amount\nVAY-9,2026-02-10,1015000\n",
        "openings_csv": "",
    }
    answers = at_once([partial(organiser.post, "/capital/import/confirm", fields)] * 4)
    assert {a.status for a in answers} <= {302, 409}
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count(Loan.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Repayment.id))) == 1
    assert problems() == []


def test_the_same_contribution_and_tranche_payment_twice_at_once_make_one(
    published, concurrent_server
):
    from portal.capital.models import Tranche
    from portal.capital.tranches import services as tranches

    source = sources.create_source(
        published.organiser, published.competition.unit_id, "Quỹ", "support_fund"
    )
    grant = agreements.propose(
        published.organiser,
        project_of(published.entries[0]),
        kind="grant",
        source_id=source.id,
        amount=5_000_000,
        purpose="Bao bì",
    )
    agreements.approve(published.second_organiser, grant, expected_version=1)
    tranche = tranches.add_tranche(
        published.organiser, grant, amount=5_000_000, planned_on=date(2026, 5, 1)
    )
    tranches.release(published.organiser, tranche, expected_version=1)
    source_id, grant_id, tranche_id = source.id, grant.id, tranche.id
    db.session.commit()
    organiser = tab(concurrent_server, published.organiser.email)
    action = f"/capital/sources/{source_id}/contributions"
    fields = organiser.form("/capital/sources", action) | {
        f"source-{source_id}-amount": "20.000.000",
        f"source-{source_id}-received_on": "2026-05-01",
    }
    answers = at_once([partial(organiser.post, action, fields)] * 4)
    assert {a.status for a in answers} <= {302, 409}
    page = f"/capital/agreements/{grant_id}"
    action = f"/capital/tranches/{tranche_id}/pay"
    fields = organiser.form(page, action) | {f"pay-{tranche_id}-paid_on": "2026-05-02"}
    answers = at_once([partial(organiser.post, action, fields)] * 4)
    assert {a.status for a in answers} <= {302, 409}
    db.session.remove()
    assert sources.available(db.session.get(type(source), source_id)) == 15_000_000
    assert db.session.get(Tranche, tranche_id).paid_on == date(2026, 5, 2)
    assert problems() == []
