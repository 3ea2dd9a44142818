"""Restructuring a loan: a second organiser's approval, only the future replaced (what was due
before stays, paid or overdue), the principal unchanged and the ledger still in agreement; an
early repayment afterwards; no reversal of a repayment the new schedule was built on."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.auth.models import Role
from portal.capital.agreements import services as agreements
from portal.capital.agreements.services import SamePerson
from portal.capital.loans import services as loans
from portal.capital.loans.schedule import Frequency, Method
from portal.capital.models import Instalment, Loan, RestructuringStatus
from portal.capital.portfolio import portfolio
from portal.capital.restructuring import services as restructuring
from portal.capital.sources import services as sources
from portal.core.errors import DomainError, NotAllowed
from portal.ledger.cli import problems
from tests.factories import UserFactory, project_of

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026


def a_loan(world, *, amount=12_000_000, periods=12, method="declining"):
    source = sources.create_source(
        world.organiser, world.competition.unit_id, "Quỹ", "support_fund"
    )
    sources.contribute(world.organiser, source, 100_000_000, date(2025, 1, 2))
    agreement = agreements.propose(
        world.organiser,
        project_of(world.entries[0]),
        kind="loan",
        source_id=source.id,
        amount=amount,
        purpose="Nuôi lợn",
        loan=agreements.LoanTerms("1", periods, 0, "monthly", method),
    )
    agreements.approve(world.second_organiser, agreement, expected_version=1)
    return loans.disburse(world.organiser, agreement, date(2025, 10, 15))


def rows(loan):
    return [
        (i.number, i.due_on, i.principal, i.interest, i.paid_principal, i.paid_interest)
        for i in loan.instalments
    ]


def test_a_flood_reschedules_what_is_due_after_it(published, units, frozen_time):
    loan = a_loan(published)
    organiser = published.organiser
    # Three instalments paid (1,000,000 and 120,000 / 110,000 / 100,000 of interest), the
    # fourth (due 15 February) not: after the flood of early March she cannot pay.
    for paid_on, amount in [
        (date(2025, 11, 14), 1_120_000),
        (date(2025, 12, 15), 1_110_000),
        (date(2026, 1, 15), 1_100_000),
    ]:
        loans.record_repayment(organiser, loan, paid_on=paid_on, amount=amount, method="cash")
    before = rows(loan)
    as_of_before = portfolio(date(2026, 3, 1))
    proposed = restructuring.propose_restructuring(
        organiser,
        loan,
        reason="Lũ cuốn trôi chuồng trại",
        effective_on=date(2026, 3, 5),
        periods=12,
        grace=2,
    )
    with pytest.raises(SamePerson):
        restructuring.approve_restructuring(organiser, proposed)
    admin = UserFactory(roles=[Role.ADMIN])
    with pytest.raises(NotAllowed):
        restructuring.approve_restructuring(admin, proposed)
    stranger = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    with pytest.raises(NotAllowed):
        restructuring.approve_restructuring(stranger, proposed)
    frozen_time.shift(60)  # a minute later
    restructuring.approve_restructuring(published.second_organiser, proposed)
    assert proposed.status is RestructuringStatus.APPROVED
    # Instalments 1–4 (due by 5 March: the 4th overdue) stay as they were; 5–12 (8,000,000 of
    # principal) are replaced by twelve from 5 April: two of interest only (1 % of 8,000,000),
    # then ten of 800,000 with the interest on the balance.
    assert rows(loan)[:4] == before[:4]
    assert proposed.principal == 8_000_000
    assert [r["number"] for r in proposed.replaced] == list(range(5, 13))
    new = rows(loan)[4:]
    assert [n[0] for n in new] == list(range(5, 17))
    assert new[0] == (5, date(2026, 4, 5), 0, 80_000, 0, 0)
    assert new[1] == (6, date(2026, 5, 5), 0, 80_000, 0, 0)
    assert new[2] == (7, date(2026, 6, 5), 800_000, 80_000, 0, 0)
    assert new[3] == (8, date(2026, 7, 5), 800_000, 72_000, 0, 0)
    assert new[-1] == (16, date(2027, 3, 5), 800_000, 8_000, 0, 0)
    assert sum(i.principal for i in loan.instalments) == 12_000_000
    assert problems() == []
    assert portfolio(date(2026, 3, 1)) == as_of_before  # the past as it was
    frozen_time.shift(60)
    # An early repayment after it recomputes only the new schedule's future interest.
    loans.record_repayment(
        organiser, loan, paid_on=date(2026, 5, 10), amount=2_000_000, method="cash", early=True
    )
    assert problems() == []
    # A repayment the new schedule was built on cannot be reversed any more.
    third = loans.repayments_of(loan)[2]
    latest = loans.repayments_of(loan)[-1]
    loans.reverse_repayment(organiser, latest, "Nhầm")
    with pytest.raises(DomainError):
        loans.reverse_repayment(organiser, third, "Nhầm")


def test_a_partly_paid_future_instalment_is_closed_at_what_was_paid(published):
    loan = a_loan(published, amount=6_000_000, periods=6)
    # Paid ahead: the 1st (1,000,000 + 60,000) and 500,000 more, into the 2nd (50,000 of
    # interest, 450,000 of principal).
    loans.record_repayment(
        published.organiser, loan, paid_on=date(2025, 11, 1), amount=1_560_000, method="cash"
    )
    proposed = restructuring.propose_restructuring(
        published.organiser,
        loan,
        reason="Dê bị bệnh",
        effective_on=date(2025, 11, 10),
        periods=4,
        grace=0,
    )
    restructuring.approve_restructuring(published.second_organiser, proposed)
    second = loan.instalments[1]
    assert (second.number, second.principal, second.interest) == (2, 450_000, 50_000)
    assert proposed.principal == 6_000_000 - 1_000_000 - 450_000
    assert [i.number for i in loan.instalments] == [1, 2, 3, 4, 5, 6]
    assert loan.instalments[2].due_on == date(2025, 12, 10)
    assert sum(i.principal for i in loan.instalments) == 6_000_000
    assert problems() == []


def test_what_cannot_be_proposed(published):
    loan = a_loan(published)
    organiser = published.organiser
    loans.record_repayment(
        organiser, loan, paid_on=date(2025, 12, 1), amount=1_120_000, method="cash"
    )
    for fields, field in [
        ({"reason": " ", "effective_on": date(2026, 3, 5), "periods": 6, "grace": 0}, "reason"),
        (
            {"reason": "Lũ", "effective_on": date(2025, 11, 30), "periods": 6, "grace": 0},
            "effective_on",
        ),
        (
            {"reason": "Lũ", "effective_on": date(2026, 5, 11), "periods": 6, "grace": 0},
            "effective_on",
        ),
        ({"reason": "Lũ", "effective_on": date(2026, 3, 5), "periods": 0, "grace": 0}, "periods"),
        ({"reason": "Lũ", "effective_on": date(2026, 3, 5), "periods": 6, "grace": 6}, "grace"),
    ]:
        with pytest.raises(DomainError) as refused:
            restructuring.propose_restructuring(organiser, loan, **fields)
        assert refused.value.field == field
    restructuring.propose_restructuring(
        organiser, loan, reason="Lũ", effective_on=date(2026, 3, 5), periods=6, grace=0
    )
    with pytest.raises(DomainError):  # one waiting at a time
        restructuring.propose_restructuring(
            organiser, loan, reason="Lũ", effective_on=date(2026, 3, 6), periods=6, grace=0
        )


def test_a_second_organiser_may_say_no(published):
    loan = a_loan(published)
    organiser, second = published.organiser, published.second_organiser
    before = rows(loan)
    proposed = restructuring.propose_restructuring(
        organiser, loan, reason="Lũ", effective_on=date(2026, 3, 5), periods=6, grace=0
    )
    with pytest.raises(SamePerson):
        restructuring.reject_restructuring(organiser, proposed, "Không")
    with pytest.raises(DomainError) as refused:
        restructuring.reject_restructuring(second, proposed, "  ")
    assert refused.value.field == "reason"
    restructuring.reject_restructuring(second, proposed, "Hộ vẫn trả được")
    assert proposed.status is RestructuringStatus.REJECTED
    assert proposed.rejection_reason == "Hộ vẫn trả được"
    assert rows(loan) == before  # nothing changed
    with pytest.raises(loans.LoanConflict):  # decided: it cannot be approved any more
        restructuring.approve_restructuring(second, proposed)
    # Once it is decided, another may be proposed.
    again = restructuring.propose_restructuring(
        organiser, loan, reason="Lũ lần hai", effective_on=date(2026, 3, 6), periods=6, grace=1
    )
    assert again.status is RestructuringStatus.PROPOSED


def test_a_repayment_after_the_day_it_starts_makes_the_proposal_out_of_date(published):
    loan = a_loan(published)
    proposed = restructuring.propose_restructuring(
        published.organiser,
        loan,
        reason="Lũ",
        effective_on=date(2026, 3, 5),
        periods=6,
        grace=0,
    )
    before = rows(loan)
    # She paid on 1 April, on the old schedule, before the second organiser looked at it.
    loans.record_repayment(
        published.organiser, loan, paid_on=date(2026, 4, 1), amount=1_120_000, method="cash"
    )
    paid = rows(loan)
    assert paid != before
    with pytest.raises(loans.LoanConflict) as refused:
        restructuring.approve_restructuring(published.second_organiser, proposed)
    assert refused.value.status == 409
    assert proposed.status is RestructuringStatus.PROPOSED
    assert rows(loan) == paid


@settings(max_examples=80, deadline=None)
@given(
    principal=st.integers(1_000_000, 500_000_000),
    periods=st.integers(2, 36),
    paid=st.integers(0, 36),
    ahead=st.integers(0, 60_000_000),
    new_periods=st.integers(1, 48),
    grace=st.integers(0, 6),
    method=st.sampled_from(list(Method)),
    rate=st.sampled_from(["0", "0.5", "0.65", "1.2"]),
)
def test_a_restructured_schedule_still_repays_the_principal(
    principal, periods, paid, ahead, new_periods, grace, method, rate
):
    """The plan alone, on a loan that is not saved: `paid` instalments paid, then `ahead` đồng
    paid ahead into the next ones (interest before principal, in order), and the new schedule
    from just before the first instalment not fully paid. The instalments the loan ends with —
    those kept, those closed at what was paid, the new ones — repay exactly its principal, and
    the balance never goes below zero."""
    from decimal import Decimal

    from portal.capital.loans.schedule import Terms, schedule

    loan = Loan(
        principal=principal,
        rate=Decimal(rate),
        periods=periods,
        grace=0,
        frequency=Frequency.MONTHLY,
        method=method,
    )
    for row in schedule(
        Terms(principal, Decimal(rate), periods, 0, Frequency.MONTHLY, method, date(2025, 1, 31))
    ):
        loan.instalments.append(
            Instalment(
                number=row.number,
                due_on=row.due_on,
                principal=row.principal,
                interest=row.interest,
                paid_principal=0,
                paid_interest=0,
            )
        )
    paid = min(paid, periods - 1)
    for instalment in loan.instalments[:paid]:
        instalment.paid_principal, instalment.paid_interest = (
            instalment.principal,
            instalment.interest,
        )
    left = min(ahead, sum(i.principal + i.interest for i in loan.instalments[paid:]) - 1)
    for instalment in loan.instalments[paid:]:
        instalment.paid_interest = min(left, instalment.interest)
        left -= instalment.paid_interest
        instalment.paid_principal = min(left, instalment.principal)
        left -= instalment.paid_principal
    effective = loan.instalments[paid].due_on.replace(day=1)
    grace = min(grace, new_periods - 1)
    new = restructuring.plan(loan, effective, new_periods, grace)
    kept = [i for i in loan.instalments if i.due_on <= effective]
    closed = [
        i
        for i in loan.instalments
        if i.due_on > effective and (i.paid_principal or i.paid_interest)
    ]
    unpaid = sum(i.principal - i.paid_principal for i in loan.instalments if i.due_on > effective)
    assert new.principal == unpaid
    assert new.first_number > max([i.number for i in kept + closed], default=0)
    final = [i.principal for i in kept] + [i.paid_principal for i in closed]
    final += [r.principal for r in new.rows]
    assert sum(final) == principal
    balance = principal
    for part in final:
        assert part >= 0
        balance -= part
        assert balance >= 0
    assert all(r.interest >= 0 and r.balance_after >= 0 for r in new.rows)
    if new.rows:
        assert new.rows[-1].balance_after == 0
