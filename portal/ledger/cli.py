"""`flask ledger check`: every posting balances, every feature's records agree with the ledger
(asked through `signals.ledger_checking`); prints the trial balance and exits non-zero on any
mismatch."""

import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from portal.extensions import db
from portal.ledger.models import Posting, PostingLine
from portal.ledger.services import trial_balance
from portal.ledger.signals import ledger_checking

ledger_cli = AppGroup("ledger", help="Check the ledger.")


def problems() -> list[str]:
    """Every posting that does not balance or has fewer than two lines, then what the features
    built on the ledger report."""
    found = [
        f"posting {posting_id} does not balance: its lines sum to {total}"
        for posting_id, total in db.session.execute(
            sa.select(PostingLine.posting_id, sa.func.sum(PostingLine.amount))
            .group_by(PostingLine.posting_id)
            .having(sa.func.sum(PostingLine.amount) != 0)
            .order_by(PostingLine.posting_id)
        )
    ]
    found += [
        f"posting {posting_id} has {count} line(s)"
        for posting_id, count in db.session.execute(
            sa.select(Posting.id, sa.func.count(PostingLine.id))
            .outerjoin(PostingLine, PostingLine.posting_id == Posting.id)
            .group_by(Posting.id)
            .having(sa.func.count(PostingLine.id) < 2)
            .order_by(Posting.id)
        )
    ]
    for _receiver, reported in ledger_checking.send(None):
        found += reported or []
    return found


@ledger_cli.command("check")
def check_command() -> None:
    """Print the trial balance and every mismatch; exit 1 when there is one."""
    rows = trial_balance()
    click.echo("source,account,balance")
    for row in rows:
        click.echo(f"{row.source},{row.account},{row.amount}")
    total = sum(row.amount for row in rows)
    click.echo(f"total,,{total}")
    found = problems()
    if total != 0:
        found.insert(0, f"the trial balance sums to {total}, not 0")
    for problem in found:
        click.echo(f"MISMATCH: {problem}", err=True)
    click.echo(
        "ledger: " + ("balanced and in agreement" if not found else f"{len(found)} mismatch(es)")
    )
    if found:
        sys.exit(1)
