"""`flask capital import-loans LOANS.csv REPAYMENTS.csv [OPENINGS.csv]`: the union's running
loans into the portal, all or nothing (imports/services.py); a report by file and line when a
line is wrong, and nothing written."""

import sys

import click
import sqlalchemy as sa

from portal.auth.models import Role, RoleGrant, User
from portal.capital import bp
from portal.capital.imports.services import import_loan_book
from portal.extensions import db

FILES = {"loans": 0, "repayments": 1, "openings": 2}


def _importer(email: str | None) -> User:
    """Who the import is recorded as: the account named, or else the first administrator."""
    query = sa.select(User)
    if email:
        query = query.where(sa.func.lower(User.email) == email.strip().lower())
    else:
        query = (
            query.join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role == Role.ADMIN)
            .order_by(User.id)
        )
    user = db.session.scalars(query.limit(1)).first()
    if user is None:
        raise click.UsageError(
            f"no account {email}" if email else "no administrator: name the importer with --by"
        )
    return user


@bp.cli.command("import-loans")
@click.argument("loans", type=click.File(encoding="utf-8-sig"))
@click.argument("repayments", type=click.File(encoding="utf-8-sig"))
@click.argument("openings", type=click.File(encoding="utf-8-sig"), required=False)
@click.option("--by", "email", default=None, help="the importer's e-mail (default: an admin)")
def import_loans_command(loans, repayments, openings, email) -> None:
    """Import running loans: LOANS.csv (reference,project,source,principal,rate,periods,grace,
    frequency,method,disbursed_on), REPAYMENTS.csv (loan,paid_on,amount) and optionally
    OPENINGS.csv (source,opening_on,opening_balance)."""
    paths = [loans.name, repayments.name, openings.name if openings else ""]
    book = import_loan_book(
        _importer(email), loans.read(), repayments.read(), openings.read() if openings else None
    )
    if not book.ok:
        for problem in book.problems:
            click.echo(f"{paths[FILES[problem.file]]}:{problem.line}: {problem.message}", err=True)
        click.echo(
            f"import refused: {len(book.problems)} problem(s); nothing was written", err=True
        )
        sys.exit(1)
    for opening in book.openings:
        click.echo(
            f"opening balance of source {opening.source.id}: {opening.amount} on "
            f"{opening.opening_on.isoformat()}" + ("" if opening.line else " (from the loans)")
        )
    click.echo(
        f"imported {len(book.loans)} loan(s), {book.repayments} repayment(s); principal "
        f"{book.principal}, outstanding {book.outstanding}"
    )
