"""A loan's schedule: hand-computed examples of each method (with grace, with a zero rate,
quarterly, a disbursement on the 31st), properties over random terms, and the CLI that prints
the same schedule as CSV."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.capital.loans.schedule import (
    Frequency,
    Method,
    Terms,
    annuity_payment,
    due_on,
    schedule,
)


def terms(
    principal=10_000_000,
    rate="0.65",
    periods=6,
    grace=0,
    frequency="monthly",
    method="declining",
    disbursed_on=date(2026, 1, 15),
) -> Terms:
    return Terms(
        principal, Decimal(rate), periods, grace, Frequency(frequency), Method(method), disbursed_on
    )


def rows(t: Terms) -> list[tuple]:
    return [(i.number, i.due_on, i.principal, i.interest, i.balance_after) for i in schedule(t)]


def test_flat_with_a_grace_period():
    # r = 0.7 % a month; interest on the initial 6,000,000 every period: 42,000.
    found = rows(terms(6_000_000, "0.7", 4, 1, method="flat"))
    assert found == [
        (1, date(2026, 2, 15), 0, 42_000, 6_000_000),
        (2, date(2026, 3, 15), 2_000_000, 42_000, 4_000_000),
        (3, date(2026, 4, 15), 2_000_000, 42_000, 2_000_000),
        (4, date(2026, 5, 15), 2_000_000, 42_000, 0),
    ]


def test_declining_disbursed_on_the_31st():
    found = rows(terms(10_000_000, "0.65", 6, 1, disbursed_on=date(2026, 1, 31)))
    assert [r[1] for r in found] == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
        date(2026, 7, 31),
    ]
    assert [r[2:] for r in found] == [
        (0, 65_000, 10_000_000),
        (2_000_000, 65_000, 8_000_000),
        (2_000_000, 52_000, 6_000_000),
        (2_000_000, 39_000, 4_000_000),
        (2_000_000, 26_000, 2_000_000),
        (2_000_000, 13_000, 0),
    ]


def test_declining_puts_the_remainder_in_the_last_period():
    # 1,000,000 over 3: floor(333,333.33) twice, then 333,334; r = 0.5 %.
    found = rows(terms(1_000_000, "0.5", 3))
    assert [(r[2], r[3]) for r in found] == [(333_333, 5_000), (333_333, 3_333), (333_334, 1_667)]


def test_annuity_monthly():
    # A = 12,000,000 × 0.01 / (1 − 1.01^−12) = 1,066,185.46…
    assert annuity_payment(12_000_000, Decimal("0.01"), 12).quantize(Decimal("0.01")) == Decimal(
        "1066185.46"
    )
    found = rows(terms(12_000_000, "1", 12, method="annuity"))
    assert [(r[2], r[3]) for r in found[:3]] == [
        (946_185, 120_000),
        (955_647, 110_538),
        (965_203, 100_982),
    ]
    assert found[-1][4] == 0 and sum(r[2] for r in found) == 12_000_000


def test_annuity_quarterly_with_grace():
    # r = 0.5 % × 3 months = 1.5 % a quarter; 2 interest-only quarters, then 2 instalments.
    found = rows(terms(4_000_000, "0.5", 4, 2, "quarterly", "annuity", date(2026, 3, 31)))
    assert [r[1] for r in found] == [
        date(2026, 6, 30),
        date(2026, 9, 30),
        date(2026, 12, 31),
        date(2027, 3, 31),
    ]
    # A = 4,000,000 × 0.015 / (1 − 1.015^−2) = 2,045,111.66…: principal 2,045,112 − 60,000,
    # then the rest, 2,014,888, with its interest 30,223.32….
    assert [(r[2], r[3]) for r in found] == [
        (0, 60_000),
        (0, 60_000),
        (1_985_112, 60_000),
        (2_014_888, 30_223),
    ]


def test_a_zero_rate_charges_no_interest():
    for method in Method:
        found = rows(terms(1_000, "0", 3, method=method.value))
        assert all(r[3] == 0 for r in found) and sum(r[2] for r in found) == 1_000


def test_due_dates_count_from_the_disbursement_not_from_each_other():
    assert due_on(date(2026, 1, 31), 1, Frequency.MONTHLY) == date(2026, 2, 28)
    assert due_on(date(2026, 1, 31), 2, Frequency.MONTHLY) == date(2026, 3, 31)
    assert due_on(date(2027, 11, 30), 1, Frequency.QUARTERLY) == date(2028, 2, 29)


@pytest.mark.parametrize(
    "values",
    [{"principal": 0}, {"rate": "-0.1"}, {"periods": 0}, {"periods": 361}, {"grace": 6}],
)
def test_terms_that_are_not_a_loan(values):
    with pytest.raises(ValueError):
        terms(**values)


@st.composite
def loan_terms(draw) -> Terms:
    periods = draw(st.integers(1, 60))
    return Terms(
        principal=draw(st.integers(1, 5_000_000_000)),
        rate=draw(st.decimals(min_value=0, max_value=3, places=3)),
        periods=periods,
        grace=draw(st.integers(0, min(12, periods - 1))),
        frequency=draw(st.sampled_from(list(Frequency))),
        method=draw(st.sampled_from(list(Method))),
        disbursed_on=draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))),
    )


TERMS = loan_terms()


@settings(max_examples=300, deadline=None)
@given(TERMS)
def test_every_schedule_repays_the_principal_and_never_goes_negative(t):
    found = schedule(t)
    assert len(found) == t.periods
    assert sum(i.principal for i in found) == t.principal
    assert found[-1].balance_after == 0
    balance = t.principal
    for instalment in found:
        assert instalment.principal >= 0 and instalment.interest >= 0
        balance -= instalment.principal
        assert instalment.balance_after == balance >= 0
    assert all(i.principal == 0 for i in found[: t.grace])
    assert [i.due_on for i in found] == sorted({i.due_on for i in found})


@settings(max_examples=100, deadline=None)
@given(
    TERMS.filter(
        lambda t: (
            t.method is Method.ANNUITY
            and t.periods - t.grace > 1
            and t.principal >= 1_000 * t.periods
        )  # not a few đồng spread over many periods
    )
)
def test_annuity_instalments_are_equal_but_the_last(t):
    totals = {i.total for i in schedule(t)[t.grace : -1]}
    assert max(totals) - min(totals) <= 1


# The app is only the command's host: nothing in the database changes between examples.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(TERMS)
def test_the_cli_prints_the_same_schedule(app, t):
    result = app.test_cli_runner().invoke(
        args=[
            "capital",
            "schedule",
            "--principal",
            str(t.principal),
            "--rate",
            str(t.rate),
            "--periods",
            str(t.periods),
            "--grace",
            str(t.grace),
            "--frequency",
            t.frequency.value,
            "--method",
            t.method.value,
            "--disbursed",
            t.disbursed_on.isoformat(),
        ]
    )
    assert result.exit_code == 0, result.output
    printed = list(csv.reader(io.StringIO(result.output)))
    assert printed[0] == ["number", "due_on", "principal", "interest", "total", "balance_after"]
    assert printed[1:] == [
        [
            str(i.number),
            i.due_on.isoformat(),
            str(i.principal),
            str(i.interest),
            str(i.total),
            str(i.balance_after),
        ]
        for i in schedule(t)
    ]
