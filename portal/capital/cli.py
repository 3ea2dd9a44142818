"""`flask capital schedule`: a loan's schedule as CSV, from its terms (loans/schedule.py), so that
anyone can recompute it and compare."""

import csv
import sys
from datetime import date
from decimal import Decimal, InvalidOperation

import click

from portal.capital import bp, portfolio
from portal.capital.loans.schedule import Frequency, Method, Terms, schedule

HEADER = ["number", "due_on", "principal", "interest", "total", "balance_after"]


def _rate(value: str) -> Decimal:
    try:
        rate = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise click.BadParameter("a percentage a month, for example 0.65") from None
    if not rate.is_finite():
        raise click.BadParameter("a percentage a month, for example 0.65")
    return rate


@bp.cli.command("schedule")
@click.option("--principal", type=click.IntRange(min=1), required=True, help="đồng")
@click.option("--rate", required=True, help="percent a month, e.g. 0.65")
@click.option("--periods", type=click.IntRange(1, 360), required=True)
@click.option("--grace", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--frequency",
    type=click.Choice([f.value for f in Frequency]),
    default="monthly",
    show_default=True,
)
@click.option(
    "--method", type=click.Choice([m.value for m in Method]), default="declining", show_default=True
)
@click.option("--disbursed", type=click.DateTime(["%Y-%m-%d"]), required=True, help="YYYY-MM-DD")
def schedule_command(principal, rate, periods, grace, frequency, method, disbursed) -> None:
    """Print a loan's schedule as CSV: number,due_on,principal,interest,total,balance_after."""
    try:
        terms = Terms(
            principal=principal,
            rate=_rate(rate),
            periods=periods,
            grace=grace,
            frequency=Frequency(frequency),
            method=Method(method),
            disbursed_on=date(disbursed.year, disbursed.month, disbursed.day),
        )
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(HEADER)
    for row in schedule(terms):
        writer.writerow(
            [
                row.number,
                row.due_on.isoformat(),
                row.principal,
                row.interest,
                row.total,
                row.balance_after,
            ]
        )


PORTFOLIO_HEADER = [
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
SUMMARY_HEADER = [
    "loans",
    "outstanding_principal",
    "par30_principal",
    "par30_ratio",
    "loans_past_due",
]


@bp.cli.command("portfolio")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--unit", "unit_code", type=int, default=None, help="the unit's official code")
@click.option("--source", "source_id", type=int, default=None, help="a capital source's id")
@click.option("--summary", is_flag=True, help="one line of totals and PAR30 instead")
def portfolio_command(as_of, unit_code, source_id, summary) -> None:
    """The loans as of a day, as CSV (docs/capital.md, "Arrears")."""
    rows = portfolio.portfolio(as_of.date(), unit_code=unit_code, source_id=source_id)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    if summary:
        totals = portfolio.summarise(rows)
        writer.writerow(SUMMARY_HEADER)
        writer.writerow(
            [
                totals.loans,
                totals.outstanding_principal,
                totals.par30_principal,
                f"{totals.par30_ratio:.4f}",
                totals.loans_past_due,
            ]
        )
        return
    writer.writerow(PORTFOLIO_HEADER)
    for row in rows:
        writer.writerow(
            [
                row.loan,
                row.project,
                row.source,
                row.disbursed_on.isoformat(),
                row.principal,
                row.outstanding_principal,
                row.overdue_principal,
                row.overdue_interest,
                row.days_past_due,
                row.bucket,
            ]
        )
