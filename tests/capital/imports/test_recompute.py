"""An independent recomputation, from the issue's words alone, of what `flask capital
portfolio` prints for a random loan book imported with `flask capital import-loans`: schedules of
every method and frequency (grace, r = 0, disbursements on the 31st), repayments allocated oldest
instalment first, interest before principal, and the arrears as of several days."""

import calendar
import csv
import io
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from portal.capital.sources import services as sources

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026

MONTHS = {"monthly": 1, "quarterly": 3}


def dong(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule(p, rate, n, g, frequency, method, disbursed):
    """[due_on, principal, interest] per period, as the issue writes it."""
    r = Decimal(rate) / 100 * MONTHS[frequency]
    m = n - g
    rows, balance = [], p
    if method == "annuity":
        payment = Decimal(p) / m if r == 0 else Decimal(p) * r / (1 - (1 + r) ** -m)
    for i in range(1, n + 1):
        due = add_months(disbursed, i * MONTHS[frequency])
        interest = dong((p if method == "flat" else balance) * r)
        if i <= g:
            principal = 0
        elif i == n:
            principal = balance
        elif method == "annuity":
            principal = dong(payment) - interest
        else:
            principal = p // m
        rows.append([due, principal, interest])
        balance -= principal
    return rows


def bucket(days: int) -> str:
    for limit, name in [
        (0, "current"),
        (30, "1-30"),
        (60, "31-60"),
        (90, "61-90"),
        (180, "91-180"),
    ]:
        if days <= limit:
            return name
    return "180+"


def expected_row(loan, repayments, as_of):
    reference, project, source, p, rate, n, g, frequency, method, disbursed = loan
    rows = schedule(p, rate, n, g, frequency, method, disbursed)
    paid = [[0, 0] for _ in rows]  # principal, interest
    for paid_on, amount in sorted(repayments):
        if paid_on > as_of:
            continue
        for k, (_due, principal, interest) in enumerate(rows):
            take = min(amount, interest - paid[k][1])
            paid[k][1] += take
            amount -= take
            take = min(amount, principal - paid[k][0])
            paid[k][0] += take
            amount -= take
        assert amount == 0
    overdue = [
        (due, principal - paid[k][0], interest - paid[k][1])
        for k, (due, principal, interest) in enumerate(rows)
        if due < as_of and (principal - paid[k][0] or interest - paid[k][1])
    ]
    days = (as_of - overdue[0][0]).days if overdue else 0
    return [
        reference,
        project,
        str(source),
        disbursed.isoformat(),
        str(p),
        str(p - sum(x[0] for x in paid)),
        str(sum(o[1] for o in overdue)),
        str(sum(o[2] for o in overdue)),
        str(days),
        bucket(days),
    ]


def test_the_portfolio_agrees_with_a_recomputation_from_the_rules(app, published, tmp_path):
    rng = random.Random(14)
    source = sources.create_source(
        published.organiser, published.competition.unit_id, "Quỹ", "support_fund"
    )
    projects = [e.reference for e in published.entries[:10]]
    loans, repayments = [], {}
    for number in range(40):
        disbursed = date(2024, 1, 1) + timedelta(days=rng.randint(0, 800))
        if number % 7 == 0:
            disbursed = date(2025, rng.choice([1, 3, 5, 8, 10]), 31)
        n = rng.choice([3, 6, 12, 24, 36])
        g = rng.choice([0, 0, 1, 2]) if n > 2 else 0
        frequency = rng.choice(["monthly", "monthly", "quarterly"])
        method = rng.choice(["flat", "declining", "annuity"])
        p = rng.randint(3, 80) * 1_000_000 + rng.randint(0, 999)
        rate = rng.choice(["0", "0.5", "0.65", "0.7", "1.1"])
        loan = [
            f"V{number:03d}",
            rng.choice(projects),
            source.id,
            p,
            rate,
            n,
            g,
            frequency,
            method,
            disbursed,
        ]
        loans.append(loan)
        owed = sum(x[1] + x[2] for x in schedule(p, rate, n, g, frequency, method, disbursed))
        day, paid, mine = disbursed, 0, []
        for _ in range(rng.randint(0, n + 2)):
            day += timedelta(days=rng.randint(10, 95))
            amount = rng.randint(1, 2 * owed // n)
            if day > date(2026, 5, 10) or paid + amount > owed:
                break
            paid += amount
            mine.append((day, amount))
        repayments[loan[0]] = mine
    loans_file, repayments_file = tmp_path / "loans.csv", tmp_path / "repayments.csv"
    with loans_file.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "reference",
                "project",
                "source",
                "principal",
                "rate",
                "periods",
                "grace",
                "frequency",
                "method",
                "disbursed_on",
            ]
        )
        writer.writerows([*loan[:9], loan[9].isoformat()] for loan in loans)
    with repayments_file.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["loan", "paid_on", "amount"])
        for reference, mine in repayments.items():
            writer.writerows([reference, day.isoformat(), amount] for day, amount in mine)
    runner = app.test_cli_runner()
    imported = runner.invoke(
        args=[
            "capital",
            "import-loans",
            str(loans_file),
            str(repayments_file),
            "--by",
            published.organiser.email,
        ]
    )
    assert imported.exit_code == 0, imported.output
    for as_of in [date(2024, 6, 30), date(2025, 3, 31), date(2025, 12, 31), date(2026, 5, 10)]:
        printed = runner.invoke(args=["capital", "portfolio", "--as-of", as_of.isoformat()])
        got = list(csv.reader(io.StringIO(printed.output)))[1:]
        want = [
            expected_row(loan, repayments[loan[0]], as_of)
            for loan in sorted(loans, key=lambda loan: loan[0])
            if loan[9] <= as_of
        ]
        assert got == want, as_of
