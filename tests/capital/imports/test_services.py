"""Importing a loan book: every kind of bad line is reported by file and line and nothing is
written; a clean import makes the loans, schedules, repayments and postings the forms would make,
and starts each source's book with an opening balance."""

from datetime import date

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.capital.agreements import services as agreements
from portal.capital.common import CASH, CONTRIBUTIONS, LOANS_RECEIVABLE
from portal.capital.imports.services import check_loan_book, import_loan_book
from portal.capital.loans import services as loans
from portal.capital.models import AgreementStatus, SupportAgreement
from portal.capital.sources import services as sources
from portal.core.audit import AuditLog
from portal.extensions import db
from portal.ledger import services as ledger
from portal.ledger.cli import problems
from portal.ledger.models import ClosedMonth, Posting
from tests.factories import UserFactory, project_of

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026

LOANS_HEADER = "reference,project,source,principal,rate,periods,grace,frequency,method,disbursed_on"


def csv_of(header: str, *lines: str) -> str:
    return "\n".join([header, *lines]) + "\n"


def a_source(world, name="Quỹ hỗ trợ phụ nữ"):
    return sources.create_source(world.organiser, world.competition.unit_id, name, "support_fund")


def counts():
    return (
        db.session.scalar(sa.select(sa.func.count(SupportAgreement.id))),
        db.session.scalar(sa.select(sa.func.count(Posting.id))),
    )


def test_a_clean_import_is_the_loans_entered_by_hand(published):
    world, organiser = published, published.organiser
    by_hand_source = a_source(world, "Quỹ A")
    sources.contribute(organiser, by_hand_source, 6_000_000, date(2026, 1, 9))
    agreement = agreements.propose(
        organiser,
        project_of(world.entries[0]),
        kind="loan",
        source_id=by_hand_source.id,
        amount=6_000_000,
        purpose="Mua giống",
        loan=agreements.LoanTerms("0.5", 3, 0, "monthly", "declining"),
    )
    agreements.approve(world.second_organiser, agreement, expected_version=1)
    by_hand = loans.disburse(organiser, agreement, date(2026, 1, 10))
    for paid_on, amount in [(date(2026, 2, 9), 2_100_000), (date(2026, 3, 12), 1_000_000)]:
        loans.record_repayment(organiser, by_hand, paid_on=paid_on, amount=amount, method="cash")

    source = a_source(world, "Quỹ B")
    book = import_loan_book(
        organiser,
        csv_of(
            LOANS_HEADER,
            f"VAY-001,{world.entries[1].reference},{source.id},6000000,0.5,3,0,monthly,"
            "declining,2026-01-10",
        ),
        csv_of("loan,paid_on,amount", "VAY-001,2026-03-12,1000000", "VAY-001,09/02/2026,2100000"),
    )
    assert book.ok and book.written
    imported = db.session.scalar(
        sa.select(SupportAgreement).where(SupportAgreement.reference == "VAY-001")
    )
    assert imported.status is AgreementStatus.ACTIVE
    assert imported.project_id == project_of(world.entries[1]).id

    def instalments(loan):
        return [
            (i.number, i.due_on, i.principal, i.interest, i.paid_principal, i.paid_interest)
            for i in loan.instalments
        ]

    def repayments(loan):
        return [
            (
                r.paid_on,
                r.amount,
                r.principal,
                r.interest,
                [(p.number, p.principal, p.interest) for p in r.parts],
            )
            for r in loans.repayments_of(loan)
        ]

    assert instalments(imported.loan) == instalments(by_hand)
    assert repayments(imported.loan) == repayments(by_hand)
    for account in (LOANS_RECEIVABLE, CASH, "interest_income"):
        assert ledger.balance(account, source=source.ledger_tag) == ledger.balance(
            account, source=by_hand_source.ledger_tag
        )
    # The opening balance is what the loan needed, the day before it was disbursed.
    opening = db.session.scalar(
        sa.select(Posting).where(
            Posting.source == source.ledger_tag, Posting.object_type == "capital_source"
        )
    )
    assert opening.occurred_on == date(2026, 1, 9)
    assert ledger.balance(CONTRIBUTIONS, source=source.ledger_tag) == -6_000_000
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(
                AuditLog.action == "capital_source.opening_balance"
            )
        )
        == 1
    )
    assert problems() == []


def test_every_kind_of_bad_line_is_reported_and_nothing_written(published):
    world, organiser = published, published.organiser
    source = a_source(world)
    project = world.entries[0].reference
    ledger_months = ClosedMonth(
        unit_id=source.unit_id, month=date(2025, 12, 1), closed_by_id=organiser.id
    )
    db.session.add(ledger_months)
    db.session.commit()
    before = counts()
    book = import_loan_book(
        organiser,
        csv_of(
            LOANS_HEADER,
            f"L1,NOPE,{source.id},1000000,0.5,3,0,monthly,declining,2026-01-10",  # 2
            f"L2,{project},999999,1000000,0.5,3,0,monthly,declining,2026-01-10",  # 3
            f"L3,{project},{source.id},1.000.000,0.5,3,0,monthly,declining,2026-01-10",  # 4
            f"L4,{project},{source.id},1000000,abc,3,0,monthly,declining,2026-01-10",  # 5
            f"L5,{project},{source.id},1000000,0.5,3,0,weekly,declining,2026-01-10",  # 6
            f"L6,{project},{source.id},1000000,0.5,3,0,monthly,balloon,2026-01-10",  # 7
            f"L7,{project},{source.id},1000000,0.5,3,0,monthly,declining,0001-01-01",  # 8
            f"L8,{project},{source.id},1000000,0.5,3,0,monthly,declining,2026-06-01",  # 9
            f"L9,{project},{source.id},1000000,0.5,3,3,monthly,declining,2026-01-10",  # 10
            f"L10,{project},{source.id},1000000,0.5,3,0,monthly,declining,2025-12-20",  # 11
            f"OK,{project},{source.id},3000000,0,3,0,monthly,flat,2026-01-10",  # 12
            f"OK,{project},{source.id},3000000,0,3,0,monthly,flat,2026-01-10",  # 13
        ),
        csv_of(
            "loan,paid_on,amount",
            "OK,2026-01-05,100",  # 2: before the disbursement
            "OK,2026-06-05,100",  # 3: in the future
            "OK,2026-02-05,-5",  # 4: not an amount
            "GHOST,2026-02-05,100",  # 5: no such loan
            "OK,2026-02-10,2000000",
            "OK,2026-03-10,1000001",  # 7: more than is left
        ),
    )
    assert not book.ok and not book.written
    where = {(p.file, p.line) for p in book.problems}
    assert where == {
        *(("loans", line) for line in range(2, 12)),
        ("loans", 13),
        *(("repayments", line) for line in (2, 3, 4, 5, 7)),
    }
    messages = {(p.file, p.line): p.message for p in book.problems}
    assert "NOPE" in messages[("loans", 2)]
    assert "12/2025" in messages[("loans", 11)]  # a closed month
    assert "dòng 12" in messages[("loans", 13)]
    assert "1.000.000" in messages[("repayments", 7)]  # what is still owed
    assert counts() == before
    assert problems() == []


def test_a_missing_column_rejects_the_file(published):
    book = check_loan_book(published.organiser, "reference,project\nX,Y\n", "loan,paid_on,amount\n")
    assert [(p.file, p.line) for p in book.problems] == [("loans", 1)]
    assert "principal" in book.problems[0].message


def test_the_opening_balances_from_a_file(published):
    world, organiser = published, published.organiser
    source = a_source(world)
    project = world.entries[0].reference
    loans_csv = csv_of(
        LOANS_HEADER,
        f"A,{project},{source.id},3000000,0,3,0,monthly,flat,2026-01-10",
        f"B,{project},{source.id},2000000,0,2,0,monthly,flat,2026-03-15",
    )
    repayments_csv = csv_of("loan,paid_on,amount", "A,2026-02-10,1000000")
    # 3,000,000 out, 1,000,000 back, then 2,000,000 out: 4,000,000 needed at most.
    too_little = check_loan_book(
        organiser,
        loans_csv,
        repayments_csv,
        csv_of("source,opening_on,opening_balance", f"{source.id},2026-01-01,3999999"),
    )
    assert [(p.file, p.line) for p in too_little.problems] == [("loans", 3)]
    too_late = check_loan_book(
        organiser,
        loans_csv,
        repayments_csv,
        csv_of("source,opening_on,opening_balance", f"{source.id},2026-01-10,9000000"),
    )
    assert [(p.file, p.line) for p in too_late.problems] == [("openings", 2)]
    worked_out = check_loan_book(organiser, loans_csv, repayments_csv)
    assert [(o.amount, o.opening_on) for o in worked_out.openings] == [
        (4_000_000, date(2026, 1, 9))
    ]
    book = import_loan_book(
        organiser,
        loans_csv,
        repayments_csv,
        csv_of("source,opening_on,opening_balance", f"{source.id},2025-12-31,4000000"),
    )
    assert book.written
    assert sources.available(source) == 0
    assert problems() == []


def test_another_provinces_organiser_cannot_import_into_this_unit(published, units):
    source = a_source(published)
    stranger = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    book = check_loan_book(
        stranger,
        csv_of(
            LOANS_HEADER,
            f"A,{published.entries[0].reference},{source.id},3000000,0,3,0,monthly,flat,2026-01-10",
        ),
        "loan,paid_on,amount\n",
    )
    assert [(p.file, p.line) for p in book.problems] == [("loans", 2)]


def test_the_command_imports_or_reports_by_line(app, published, tmp_path):
    source = a_source(published)
    project = published.entries[0].reference
    loans_file = tmp_path / "loans.csv"
    repayments_file = tmp_path / "repayments.csv"
    loans_file.write_text(
        "\ufeff"
        + csv_of(
            LOANS_HEADER, f"A,{project},{source.id},3000000,0.5,3,1,monthly,annuity,2026-01-10"
        ),
        encoding="utf-8",
    )
    repayments_file.write_text(csv_of("loan,paid_on,amount", "A,2026-02-10,99000000"))
    runner = app.test_cli_runner()
    refused = runner.invoke(
        args=[
            "capital",
            "import-loans",
            str(loans_file),
            str(repayments_file),
            "--by",
            published.organiser.email,
        ]
    )
    assert refused.exit_code == 1
    assert f"{repayments_file}:2:" in refused.output
    assert counts()[0] == 0 or "A" not in {
        a.reference for a in db.session.scalars(sa.select(SupportAgreement))
    }
    repayments_file.write_text(csv_of("loan,paid_on,amount", "A,2026-02-10,15000"))
    admin = UserFactory(roles=[Role.ADMIN])
    db.session.commit()
    # Without --by, the import is recorded as the first administrator's.
    done = runner.invoke(args=["capital", "import-loans", str(loans_file), str(repayments_file)])
    assert done.exit_code == 0, done.output
    assert (
        "imported 1 loan(s), 1 repayment(s); principal 3000000, outstanding 3000000" in done.output
    )
    assert (
        db.session.scalar(
            sa.select(SupportAgreement.proposed_by_id).where(SupportAgreement.reference == "A")
        )
        == admin.id
    )
    portfolio = runner.invoke(args=["capital", "portfolio", "--as-of", "2026-05-10"])
    assert portfolio.output.splitlines()[1].startswith(
        f"A,{project},{source.id},2026-01-10,3000000,"
    )
