"""A loan's money on the ledger: its disbursement (refused beyond what the source has), its
repayments allocated and posted, an early repayment, a reversal; after every step the source's
loans receivable equal the outstanding principal and every posting balances."""

import random
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.capital.agreements import services as agreements
from portal.capital.common import CASH, LOANS_RECEIVABLE
from portal.capital.loans import services as loans
from portal.capital.models import AgreementStatus
from portal.capital.sources import services as sources
from portal.capital.sources.services import NotEnoughCapital
from portal.core.errors import DomainError
from portal.core.time import utcnow
from portal.extensions import db
from portal.ledger import services as ledger
from portal.ledger.models import PostingLine
from tests.factories import project_of

pytestmark = pytest.mark.usefixtures("frozen_time")


def approved_loan(world, amount=6_000_000, method="declining", fund=100_000_000):
    source = sources.create_source(
        world.organiser, world.competition.unit_id, "Quỹ", "support_fund"
    )
    sources.contribute(world.organiser, source, fund, date(2026, 1, 2))
    agreement = agreements.propose(
        world.organiser,
        project_of(world.entries[0]),
        kind="loan",
        source_id=source.id,
        amount=amount,
        purpose="Mua giống",
        loan=agreements.LoanTerms("0.5", 3, 0, "monthly", method),
    )
    agreements.approve(world.second_organiser, agreement, expected_version=1)
    return source, agreement


def check_the_ledger(source, loan) -> None:
    total = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(PostingLine.amount), 0)))
    assert total == 0
    outstanding = loan.principal - sum(i.paid_principal for i in loan.instalments)
    assert ledger.balance(LOANS_RECEIVABLE, source=source.ledger_tag) == outstanding


def test_disbursed_repaid_early_and_reversed(published):
    source, agreement = approved_loan(published)
    organiser = published.organiser
    loan = loans.disburse(organiser, agreement, date(2026, 1, 10))
    assert agreement.status is AgreementStatus.ACTIVE
    assert [(i.due_on, i.principal, i.interest) for i in loan.instalments] == [
        (date(2026, 2, 10), 2_000_000, 30_000),
        (date(2026, 3, 10), 2_000_000, 20_000),
        (date(2026, 4, 10), 2_000_000, 10_000),
    ]
    assert ledger.balance(CASH, source=source.ledger_tag) == 94_000_000
    check_the_ledger(source, loan)

    first = loans.record_repayment(
        organiser, loan, paid_on=date(2026, 2, 9), amount=2_100_000, method="cash"
    )
    assert [(p.number, p.principal, p.interest) for p in first.parts] == [
        (1, 2_000_000, 30_000),
        (2, 50_000, 20_000),
    ]
    check_the_ledger(source, loan)
    with pytest.raises(DomainError) as refused:
        loans.record_repayment(
            organiser, loan, paid_on=date(2026, 3, 1), amount=4_000_001, method="cash"
        )
    assert refused.value.field == "amount"

    early = loans.record_repayment(
        organiser,
        loan,
        paid_on=date(2026, 3, 1),
        amount=2_950_000,
        method="bank_transfer",
        early=True,
    )
    # From the last instalment back. Period 3 owes nothing more: no interest; period 2's
    # interest was paid on 9 February already and is not taken back.
    assert [(p.number, p.principal) for p in early.parts] == [(2, 950_000), (3, 2_000_000)]
    assert [i.interest for i in loan.instalments] == [30_000, 20_000, 0]
    check_the_ledger(source, loan)

    last = loans.record_repayment(
        organiser, loan, paid_on=date(2026, 3, 9), amount=1_000_000, method="cash"
    )
    db.session.refresh(agreement)
    assert agreement.status is AgreementStatus.REPAID
    check_the_ledger(source, loan)

    with pytest.raises(loans.LoanConflict):
        loans.reverse_repayment(organiser, early, "Nhầm")
    loans.reverse_repayment(organiser, last, "Ghi nhầm số tiền")
    db.session.refresh(agreement)
    assert agreement.status is AgreementStatus.ACTIVE
    loans.reverse_repayment(organiser, early, "Ghi nhầm là trả trước hạn")
    assert [i.interest for i in loan.instalments] == [30_000, 20_000, 10_000]
    check_the_ledger(source, loan)


def test_a_loan_beyond_what_the_source_has_is_refused(published):
    _, agreement = approved_loan(published, amount=6_000_000, fund=5_000_000)
    with pytest.raises(NotEnoughCapital):
        loans.disburse(published.organiser, agreement, date(2026, 1, 10))
    assert agreement.status is AgreementStatus.APPROVED


@pytest.mark.parametrize("seed", range(6))
def test_random_sequences_of_repayments_and_reversals_keep_the_ledger_true(published, seed):
    """Random amounts, early or not, some reversed: after every step the ledger balances and
    the source's loans receivable equal the outstanding principal."""
    rng = random.Random(seed)
    method = ["flat", "declining", "annuity"][seed % 3]
    source, agreement = approved_loan(published, amount=9_000_000, method=method)
    loan = loans.disburse(published.organiser, agreement, date(2026, 1, 10))
    day = date(2026, 1, 10)
    made = []
    for _ in range(8):
        day += timedelta(days=rng.randint(0, 15))
        if day > utcnow().date():
            break
        instalments = loans.owed_of(loan)
        early = rng.random() < 0.3
        left = (
            sum(i.principal_left for i in instalments)
            if early
            else sum(i.left for i in instalments)
        )
        if left == 0:
            break
        amount = max(1, int(left * rng.uniform(0.05, 0.6)))
        made.append(
            loans.record_repayment(
                published.organiser, loan, paid_on=day, amount=amount, method="cash", early=early
            )
        )
        check_the_ledger(source, loan)
        if made and rng.random() < 0.3:
            loans.reverse_repayment(published.organiser, made.pop(), "Ghi nhầm")
            check_the_ledger(source, loan)
    for instalment in loan.instalments:
        assert 0 <= instalment.paid_principal <= instalment.principal
        assert 0 <= instalment.paid_interest <= instalment.interest
