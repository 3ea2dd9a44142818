"""A loan written off by two organisers (never the proposer alone, never an admin), the loss
posted, the loan out of the portfolio from that day, a recovery after it; the ledger check
agrees throughout."""

from datetime import date

import pytest

from portal.auth.models import Role
from portal.capital import portfolio
from portal.capital.agreements.services import SamePerson
from portal.capital.common import LOAN_LOSSES, RECOVERIES
from portal.capital.loans import services as loans
from portal.capital.loans import writeoff
from portal.capital.models import AgreementStatus
from portal.core.errors import DomainError, NotAllowed
from portal.ledger import services as ledger
from portal.ledger.cli import problems
from tests.capital.loans.test_services import approved_loan
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("frozen_time")


def test_written_off_by_two_organisers_then_a_recovery(published, units):
    source, agreement = approved_loan(published)
    loan = loans.disburse(published.organiser, agreement, date(2026, 1, 10))
    loans.record_repayment(
        published.organiser, loan, paid_on=date(2026, 2, 9), amount=2_030_000, method="cash"
    )
    writeoff.propose_write_off(published.organiser, loan, "Lũ cuốn trôi chuồng trại")
    with pytest.raises(SamePerson):
        writeoff.approve_write_off(published.organiser, loan)
    with pytest.raises(NotAllowed):
        writeoff.approve_write_off(UserFactory(roles=[Role.ADMIN]), loan)
    assert len(portfolio.portfolio(date(2026, 5, 10))) == 1
    writeoff.approve_write_off(published.second_organiser, loan)
    assert agreement.status is AgreementStatus.WRITTEN_OFF
    assert ledger.balance(LOAN_LOSSES, source=source.ledger_tag) == 4_000_000
    assert portfolio.portfolio(date(2026, 5, 10)) == []  # out of the portfolio from that day
    assert len(portfolio.portfolio(date(2026, 5, 9))) == 1  # before it, still there
    assert problems() == []
    with pytest.raises(DomainError) as refused:
        writeoff.record_recovery(published.organiser, loan, 500_000, date(2026, 5, 9))
    assert refused.value.field == "received_on"
    writeoff.record_recovery(published.organiser, loan, 500_000, date(2026, 5, 10))
    assert ledger.balance(RECOVERIES, source=source.ledger_tag) == -500_000
    assert problems() == []


def test_a_loan_not_under_way_cannot_be_written_off(published):
    _, agreement = approved_loan(published)
    with pytest.raises(loans.LoanConflict):
        writeoff.propose_write_off(published.organiser, agreement.loan, "Không trả được")
