"""Follow-on capital for the load benchmark: a support fund of the province, a soft loan for
L of the generated projects and a grant in two tranches for a few hundred more (bulk INSERTs,
seeded).

Each loan is disbursed within the last three years, on a schedule the app computes
(`capital.loans.schedule`: 12 monthly instalments, declining, 0.5 % a month), and repaid the way
a real book is: most borrowers pay each instalment on its due date, some are late by 1 to 120
days and stopped paying, a few loans were repaid early in full and about 1 % were written off.
Only what the figures and the portfolio read is written (agreements, loans, instalments,
repayments and their parts, tranches); the ledger's postings are not, as no benchmark page reads
them.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.capital.loans.schedule import Frequency, Method, Terms, schedule
from portal.capital.models import (
    AgreementKind,
    AgreementStatus,
    CapitalSource,
    Instalment,
    Loan,
    Repayment,
    RepaymentMethod,
    RepaymentPart,
    SourceKind,
    SupportAgreement,
    Tranche,
    TrancheCondition,
    TrancheStatus,
)
from portal.core.time import VIETNAM
from portal.extensions import db

RATE = Decimal("0.5")
PERIODS = 12
GRANTS = 300


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=VIETNAM)


def _next_id(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def generate_capital(
    rng: random.Random,
    *,
    loans: int,
    project_ids: list[int],
    unit_id: int,
    organiser_id: int,
    today: date,
) -> dict[str, int]:
    """Write `loans` loans (and GRANTS grants) for some of `project_ids`; returns counts."""
    source = CapitalSource(
        unit_id=unit_id,
        name="Quỹ Hỗ trợ phụ nữ phát triển tỉnh Điện Biên",
        kind=SourceKind.SUPPORT_FUND,
        created_by_id=organiser_id,
        created_at=_moment(today - timedelta(days=4 * 365)),
    )
    db.session.add(source)
    db.session.flush()
    borrowers = rng.sample(project_ids, min(loans, len(project_ids)))
    granted = rng.sample(project_ids, min(GRANTS, len(project_ids)))  # some borrow as well
    agreement_id, loan_id, repayment_id = (
        _next_id(SupportAgreement),
        _next_id(Loan),
        _next_id(Repayment),
    )
    agreements, loan_rows, instalments, repayments, parts, tranches = [], [], [], [], [], []
    for n, project_id in enumerate(borrowers):
        disbursed = today - timedelta(days=rng.randrange(30, 3 * 365))
        principal = rng.randrange(10, 101) * 1_000_000
        behaviour = rng.choices(
            ["on_time", "late", "early", "written_off"], weights=[80, 14, 5, 1]
        )[0]
        agreements.append(
            {
                "id": agreement_id,
                "reference": f"HT-{disbursed.year}-{n + 1:05d}",
                "project_id": project_id,
                "source_id": source.id,
                "kind": AgreementKind.LOAN,
                "amount": principal,
                "purpose": "Mua giống, vật tư",
                "status": AgreementStatus.ACTIVE,
                "proposed_by_id": organiser_id,
                "proposed_at": _moment(disbursed - timedelta(days=10)),
                "approved_by_id": organiser_id,
                "approved_at": _moment(disbursed - timedelta(days=5)),
                "closing_reason": "",
                "version": 1,
            }
        )
        terms = Terms(principal, RATE, PERIODS, 0, Frequency.MONTHLY, Method.DECLINING, disbursed)
        plan = schedule(terms)
        # Which instalments she paid, and when.
        stops_at = len(plan) + 1
        if behaviour == "late":
            late_by = rng.randrange(1, 121)
            stops_at = next(
                (i.number for i in plan if i.due_on > today - timedelta(days=late_by)), stops_at
            )
        written_off_on = None
        if behaviour == "written_off":
            stops_at = min(4, stops_at)
            written_off_on = min(today, plan[min(6, len(plan) - 1)].due_on)
        paid = {}
        for instalment in plan:
            if instalment.number >= stops_at or instalment.due_on > today:
                break
            paid[instalment.number] = instalment.due_on
        if behaviour == "early" and plan[2].due_on < today:
            paid = {i.number: plan[2].due_on for i in plan}
        for instalment in plan:
            when = paid.get(instalment.number)
            instalments.append(
                {
                    "loan_id": loan_id,
                    "number": instalment.number,
                    "due_on": instalment.due_on,
                    "principal": instalment.principal,
                    "interest": instalment.interest,
                    "paid_principal": instalment.principal if when else 0,
                    "paid_interest": instalment.interest if when else 0,
                }
            )
            if when:
                repayments.append(
                    {
                        "id": repayment_id,
                        "loan_id": loan_id,
                        "paid_on": when,
                        "amount": instalment.principal + instalment.interest,
                        "principal": instalment.principal,
                        "interest": instalment.interest,
                        "early": behaviour == "early",
                        "method": RepaymentMethod.CASH,
                        "reference": "",
                        "repriced": {},
                        "recorded_by_id": organiser_id,
                        "recorded_at": _moment(when),
                        "reversal_reason": "",
                    }
                )
                parts.append(
                    {
                        "repayment_id": repayment_id,
                        "number": instalment.number,
                        "principal": instalment.principal,
                        "interest": instalment.interest,
                    }
                )
                repayment_id += 1
        loan_rows.append(
            {
                "id": loan_id,
                "agreement_id": agreement_id,
                "principal": principal,
                "rate": RATE,
                "periods": PERIODS,
                "grace": 0,
                "frequency": Frequency.MONTHLY,
                "method": Method.DECLINING,
                "disbursed_on": disbursed,
                "version": 1,
                "write_off_reason": "Hộ gặp thiên tai, mất khả năng trả nợ."
                if written_off_on
                else "",
                "written_off_on": written_off_on,
                "written_off_amount": 0,
            }
        )
        agreement_id += 1
        loan_id += 1
    for n, project_id in enumerate(granted):
        approved = today - timedelta(days=rng.randrange(60, 3 * 365))
        amount = rng.randrange(10, 51) * 1_000_000
        agreements.append(
            {
                "id": agreement_id,
                "reference": f"TT-{approved.year}-{n + 1:05d}",
                "project_id": project_id,
                "source_id": source.id,
                "kind": AgreementKind.GRANT,
                "amount": amount,
                "purpose": "Hỗ trợ mở rộng sản xuất",
                "status": AgreementStatus.ACTIVE,
                "proposed_by_id": organiser_id,
                "proposed_at": _moment(approved - timedelta(days=5)),
                "approved_by_id": organiser_id,
                "approved_at": _moment(approved),
                "closing_reason": "",
                "version": 1,
            }
        )
        for number, share in ((1, amount // 2), (2, amount - amount // 2)):
            planned = approved + timedelta(days=30 + 120 * (number - 1))
            paid = planned <= today
            tranches.append(
                {
                    "agreement_id": agreement_id,
                    "number": number,
                    "amount": share,
                    "planned_on": planned,
                    "condition": TrancheCondition.NONE,
                    "status": TrancheStatus.PAID if paid else TrancheStatus.PLANNED,
                    "paid_on": planned if paid else None,
                    "version": 1,
                }
            )
        agreement_id += 1
    for model, rows in (
        (SupportAgreement, agreements),
        (Loan, loan_rows),
        (Instalment, instalments),
        (Repayment, repayments),
        (RepaymentPart, parts),
        (Tranche, tranches),
    ):
        if rows:  # an empty list would insert one row of defaults
            db.session.execute(sa.insert(model), rows)
    for table in ("support_agreement", "loan", "loan_repayment"):
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        )
    db.session.commit()
    return {
        "loans": len(loan_rows),
        "instalments": len(instalments),
        "repayments": len(repayments),
        "grants": len(granted),
        "tranches": len(tranches),
    }
