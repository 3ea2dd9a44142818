"""Where a repayment goes: oldest instalment first, interest before principal; an early
repayment from the last instalment back, with the future interest recomputed; more than is
owed refused; and how far behind a loan is on a given day."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.capital.loans.allocation import (
    AllocationError,
    Owed,
    Part,
    allocate,
    allocate_early,
    apply,
    arrears,
    bucket,
    owed,
    reprice_after,
)
from portal.capital.loans.schedule import Frequency, Method, Terms, schedule
from tests.capital.loans.test_schedule import TERMS


def as_owed(terms: Terms) -> list[Owed]:
    return [Owed(i.number, i.due_on, i.principal, i.interest) for i in schedule(terms)]


LOAN = Terms(
    6_000_000, Decimal("0.5"), 3, 0, Frequency.MONTHLY, Method.DECLINING, date(2026, 1, 10)
)  # 2,000,000 a month; interest 30,000, 20,000, 10,000


def test_oldest_first_interest_before_principal_then_ahead():
    parts = allocate(as_owed(LOAN), 2_100_000)
    assert parts == [Part(1, 2_000_000, 30_000), Part(2, 50_000, 20_000)]


def test_more_than_owed_is_refused():
    with pytest.raises(AllocationError):
        allocate(as_owed(LOAN), 6_060_001)
    assert allocate(as_owed(LOAN), 6_060_000)[-1] == Part(3, 2_000_000, 10_000)


def test_an_early_repayment_pays_from_the_last_and_lowers_the_future_interest():
    instalments = as_owed(LOAN)
    paid = apply(instalments, allocate(instalments, 2_030_000))  # the first instalment, on time
    early = allocate_early(paid, 3_000_000)
    assert early == [Part(3, 2_000_000, 0), Part(2, 1_000_000, 0)]
    after = reprice_after(apply(paid, early), LOAN.period_rate, LOAN.method, date(2026, 2, 15))
    # Period 2 (due 10 March) now runs on 1,000,000: 5,000; period 3 owes no principal: 0.
    assert [(i.principal_left, i.interest_left) for i in after] == [
        (0, 0),
        (1_000_000, 5_000),
        (0, 0),
    ]


def test_a_flat_loan_keeps_its_interest():
    flat = Terms(6_000_000, Decimal("0.5"), 3, 0, Frequency.MONTHLY, Method.FLAT, date(2026, 1, 10))
    instalments = as_owed(flat)
    after = reprice_after(
        apply(instalments, allocate_early(instalments, 3_000_000)),
        flat.period_rate,
        flat.method,
        date(2026, 1, 20),
    )
    assert [i.interest for i in after] == [30_000, 30_000, 30_000]


def test_arrears_on_a_day():
    instalments = as_owed(LOAN)  # due 10 Feb, 10 Mar, 10 Apr
    assert arrears(instalments, 6_000_000, date(2026, 2, 10)).days_past_due == 0  # due today
    late = arrears(instalments, 6_000_000, date(2026, 3, 27))
    assert (late.days_past_due, late.bucket) == (45, "31-60")
    assert (late.overdue_principal, late.overdue_interest) == (4_000_000, 50_000)
    part = apply(instalments, allocate(instalments, 2_030_000))
    caught_up = arrears(part, 6_000_000, date(2026, 3, 27))
    assert (caught_up.days_past_due, caught_up.outstanding_principal) == (17, 4_000_000)


@pytest.mark.parametrize(
    ("days", "name"),
    [
        (0, "current"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (61, "61-90"),
        (91, "91-180"),
        (180, "91-180"),
        (181, "180+"),
    ],
)
def test_buckets(days, name):
    assert bucket(days) == name


@settings(max_examples=150, deadline=None)
@given(TERMS, st.lists(st.tuples(st.floats(0.01, 1.0), st.booleans()), max_size=8))
def test_any_sequence_of_repayments_never_pays_more_than_owed(terms, steps):
    instalments = as_owed(terms)
    total = owed(instalments)
    paid = 0
    for share, early in steps:
        left = owed(instalments)
        principal_left = sum(i.principal_left for i in instalments)
        amount = int(share * (principal_left if early else left))
        if amount <= 0:
            continue
        parts = (allocate_early if early else allocate)(instalments, amount)
        assert sum(p.principal + p.interest for p in parts) == amount
        instalments = apply(instalments, parts)
        if early:
            instalments = reprice_after(
                instalments, terms.period_rate, terms.method, terms.disbursed_on - timedelta(days=1)
            )
        paid += amount
        for i in instalments:
            assert 0 <= i.paid_principal <= i.principal
            assert 0 <= i.paid_interest <= i.interest
    assert sum(i.paid_principal for i in instalments) <= terms.principal
    if not any(early for _, early in steps):
        assert paid + owed(instalments) == total
