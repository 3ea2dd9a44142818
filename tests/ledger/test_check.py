"""`flask ledger check`: a true ledger passes with its trial balance; a posting that does not
balance, a loans receivable that disagrees with the loans, a repayment without its posting are
each found, and the command exits 1."""

from datetime import date

import pytest
import sqlalchemy as sa

from portal.capital.loans import services as loans
from portal.extensions import db
from portal.ledger.models import Posting, PostingLine
from tests.capital.loans.test_services import approved_loan

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def loan(published):
    _, agreement = approved_loan(published)
    loan = loans.disburse(published.organiser, agreement, date(2026, 1, 10))
    loans.record_repayment(
        published.organiser, loan, paid_on=date(2026, 2, 9), amount=2_030_000, method="cash"
    )
    return loan


def check(app):
    return app.test_cli_runner().invoke(args=["ledger", "check"])


def test_a_true_ledger_passes(app, loan):
    result = check(app)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "source,account,balance"
    tag = loan.agreement.source.ledger_tag
    assert f"{tag},loans_receivable,4000000" in lines
    assert "total,,0" in lines and lines[-1] == "ledger: balanced and in agreement"


def test_each_kind_of_mismatch_is_found(app, loan):
    # A line slipped into a repayment's posting (as a bad write or a hand edit would).
    posting = db.session.scalar(sa.select(Posting).where(Posting.object_type == "loan_repayment"))
    db.session.add(PostingLine(posting_id=posting.id, account="capital_cash", amount=5))
    # A second posting for the same repayment.
    db.session.add(
        Posting(
            occurred_on=date(2026, 2, 9),
            description="x",
            source=posting.source,
            object_type="loan_repayment",
            object_id=posting.object_id,
            created_by_id=posting.created_by_id,
            lines=[
                PostingLine(account="loans_receivable", amount=-7),
                PostingLine(account="capital_cash", amount=7),
            ],
        )
    )
    db.session.commit()
    result = check(app)
    assert result.exit_code == 1
    assert f"posting {posting.id} does not balance" in result.stderr
    assert "loans receivable 3999993 in the ledger, outstanding principal 4000000" in result.stderr
    assert "has 2 posting(s), not 1" in result.stderr
    assert "the trial balance sums to 5, not 0" in result.stderr
