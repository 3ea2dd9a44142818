"""The loans' reminders, each once: the borrower 5 days before an instalment is due and 7 days
after it when it is still unpaid, in her language; an instalment paid ahead or a stage missed
gets none; the organisers a weekly list of the loans in arrears; a written-off loan nothing."""

from datetime import UTC, datetime

import pytest

from portal.capital.loans import services as loans
from portal.capital.loans import writeoff
from portal.projects.reminders.services import send_reminders
from tests.capital.loans.test_services import approved_loan
from tests.conftest import mails_to

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 2, 0, tzinfo=UTC)  # 9:00 in Vietnam


@pytest.fixture
def loan(published):
    """6,000,000 over 3 months, disbursed 10 March: due 10 April, 10 May, 10 June."""
    from datetime import date

    _, agreement = approved_loan(published)
    return loans.disburse(published.organiser, agreement, date(2026, 3, 10))


def subjects(address: str) -> list[str]:
    """The subjects of the loan reminders she was sent (not the mail telling her of the loan)."""
    return [m.subject for m in mails_to(address) if m.subject.startswith("Kỳ trả nợ")]


def test_five_days_before_and_seven_days_late_each_once(published, loan):
    borrower = published.applicants[0]
    send_reminders(at(4, 4))  # six days before the first: too early
    assert subjects(borrower.email) == []
    send_reminders(at(4, 5))
    send_reminders(at(4, 5))
    assert subjects(borrower.email) == ["Kỳ trả nợ của chị đến hạn ngày 10/04/2026"]
    assert "2.030.000" in mails_to(borrower.email)[-1].body_text
    send_reminders(at(4, 12))  # late, but not 7 days late yet
    assert len(subjects(borrower.email)) == 1
    send_reminders(at(4, 17))
    send_reminders(at(4, 18))
    assert subjects(borrower.email)[1:] == ["Kỳ trả nợ ngày 10/04/2026 của chị chưa được trả"]


def test_an_instalment_paid_ahead_or_a_stage_missed_gets_none(published, loan):
    from datetime import date

    borrower = published.applicants[0]
    loans.record_repayment(
        published.organiser, loan, paid_on=date(2026, 4, 1), amount=2_030_000, method="cash"
    )
    send_reminders(at(4, 6))
    assert subjects(borrower.email) == []
    send_reminders(at(5, 12))  # the second's "due in 5 days" was missed: not sent late
    assert subjects(borrower.email) == []


def test_the_organisers_weekly_list_of_loans_in_arrears(published, loan):
    organiser = published.organiser
    send_reminders(at(4, 20))
    send_reminders(at(4, 21))  # the same week
    lists = [m for m in mails_to(organiser.email) if "quá hạn" in m.subject]
    assert len(lists) == 1
    assert loan.agreement.reference in lists[0].body_text
    assert "quá hạn 10 ngày" in lists[0].body_text
    send_reminders(at(4, 27))  # the next week
    assert len([m for m in mails_to(organiser.email) if "quá hạn" in m.subject]) == 2


def test_a_written_off_loan_gets_no_reminder(published, loan):
    writeoff.propose_write_off(published.organiser, loan, "Chuyển đi")
    writeoff.approve_write_off(published.second_organiser, loan)
    send_reminders(at(6, 6))
    assert subjects(published.applicants[0].email) == []
    assert [m for m in mails_to(published.organiser.email) if "quá hạn" in m.subject] == []
