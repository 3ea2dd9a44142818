"""How capital answers the features it builds on (their signals.py)."""

import sqlalchemy as sa

from portal.capital.common import GRANTS_EXPENSE, IN_KIND_EXPENSE, LOANS_RECEIVABLE
from portal.capital.models import (
    CapitalSource,
    InKindItem,
    Loan,
    Repayment,
    RepaymentPart,
    SupportAgreement,
    Tranche,
    TrancheStatus,
)
from portal.capital.reminders import loan_reminders
from portal.extensions import db
from portal.ledger.models import Posting, PostingLine
from portal.ledger.signals import ledger_checking
from portal.projects.signals import reminders_collected


@ledger_checking.connect
def capital_agrees_with_the_ledger(_sender, **_) -> list[str]:
    """Each source's loans receivable equal the outstanding principal of its loans; each
    repayment has its posting (and, reversed, its reversal) and nothing else."""
    found = []
    booked = dict(
        db.session.execute(
            sa.select(Posting.source, sa.func.sum(PostingLine.amount))
            .join(PostingLine, PostingLine.posting_id == Posting.id)
            .where(PostingLine.account == LOANS_RECEIVABLE)
            .group_by(Posting.source)
        ).all()
    )
    disbursed = dict(
        db.session.execute(
            sa.select(SupportAgreement.source_id, sa.func.sum(Loan.principal))
            .join(Loan, Loan.agreement_id == SupportAgreement.id)
            .where(Loan.disbursed_on.is_not(None))
            .group_by(SupportAgreement.source_id)
        ).all()
    )
    repaid = dict(
        db.session.execute(
            sa.select(SupportAgreement.source_id, sa.func.sum(RepaymentPart.principal))
            .join(Loan, Loan.agreement_id == SupportAgreement.id)
            .join(Repayment, Repayment.loan_id == Loan.id)
            .join(RepaymentPart, RepaymentPart.repayment_id == Repayment.id)
            .where(Repayment.reversed_at.is_(None))
            .group_by(SupportAgreement.source_id)
        ).all()
    )
    lost = dict(
        db.session.execute(
            sa.select(SupportAgreement.source_id, sa.func.sum(Loan.written_off_amount))
            .join(Loan, Loan.agreement_id == SupportAgreement.id)
            .group_by(SupportAgreement.source_id)
        ).all()
    )
    for source in db.session.scalars(sa.select(CapitalSource).order_by(CapitalSource.id)):
        outstanding = (
            int(disbursed.get(source.id) or 0)
            - int(repaid.get(source.id) or 0)
            - int(lost.get(source.id) or 0)
        )
        receivable = int(booked.get(source.ledger_tag) or 0)
        if outstanding != receivable:
            found.append(
                f"source {source.id} ({source.name}): loans receivable {receivable} in the "
                f"ledger, outstanding principal {outstanding} in its loans"
            )
    postings = dict(
        db.session.execute(
            sa.select(Posting.object_id, sa.func.count(Posting.id))
            .where(Posting.object_type == "loan_repayment")
            .group_by(Posting.object_id)
        ).all()
    )
    for repayment_id, reversed_at in db.session.execute(
        sa.select(Repayment.id, Repayment.reversed_at).order_by(Repayment.id)
    ):
        expected = 2 if reversed_at else 1
        if postings.get(repayment_id, 0) != expected:
            found.append(
                f"repayment {repayment_id} has {postings.get(repayment_id, 0)} posting(s), "
                f"not {expected}"
            )
    # A paid tranche is in the ledger once (its payments less their reversals), an unpaid one
    # not at all.
    expensed = dict(
        db.session.execute(
            sa.select(Posting.object_id, sa.func.sum(PostingLine.amount))
            .join(PostingLine, PostingLine.posting_id == Posting.id)
            .where(Posting.object_type == "grant_tranche", PostingLine.account == GRANTS_EXPENSE)
            .group_by(Posting.object_id)
        ).all()
    )
    for tranche_id, status, amount in db.session.execute(
        sa.select(Tranche.id, Tranche.status, Tranche.amount).order_by(Tranche.id)
    ):
        expected = amount if status is TrancheStatus.PAID else 0
        if int(expensed.get(tranche_id) or 0) != expected:
            found.append(
                f"tranche {tranche_id}: {int(expensed.get(tranche_id) or 0)} paid in the ledger, "
                f"{expected} by its status"
            )
    # Each in-kind item is in the ledger for its value (and out again when reversed).
    given = dict(
        db.session.execute(
            sa.select(Posting.object_id, sa.func.sum(PostingLine.amount))
            .join(PostingLine, PostingLine.posting_id == Posting.id)
            .where(Posting.object_type == "in_kind_item", PostingLine.account == IN_KIND_EXPENSE)
            .group_by(Posting.object_id)
        ).all()
    )
    for item_id, value, reversed_at in db.session.execute(
        sa.select(InKindItem.id, InKindItem.value, InKindItem.reversed_at).order_by(InKindItem.id)
    ):
        expected = 0 if reversed_at else value
        if int(given.get(item_id) or 0) != expected:
            found.append(
                f"in-kind item {item_id}: {int(given.get(item_id) or 0)} in the ledger, "
                f"{expected} by its record"
            )
    return found


@reminders_collected.connect
def loans_to_remind(_sender, *, today, **_) -> list:
    """The borrowers' reminders and the organisers' weekly arrears lists (capital/reminders.py)."""
    return loan_reminders(today)
