"""The loan portfolio as of any day: each loan's outstanding and overdue amounts, its days past
due and bucket, and PAR30 (the CGAP definition: the outstanding principal of loans more than 30
days past due ÷ all outstanding principal), from the repayments dated up to that day (a reversed
repayment was a mistake and never counts). A few queries whatever the number of loans."""

import json
from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.capital.loans.allocation import BUCKETS, Owed, arrears
from portal.capital.models import (
    AgreementStatus,
    CapitalSource,
    InKindItem,
    Instalment,
    Loan,
    Repayment,
    RepaymentPart,
    SupportAgreement,
    Tranche,
    TrancheStatus,
)
from portal.core import cache
from portal.entries.models import Entry
from portal.extensions import db
from portal.projects.models import SupportedProject
from portal.units.models import Unit

PAR_DAYS = 30
_GIVEN_UP = (AgreementStatus.REJECTED, AgreementStatus.CLOSED)


@dataclass(frozen=True)
class LoanRow:
    loan: str  # the agreement's reference
    project: str  # the project's entry reference
    source: int
    disbursed_on: date
    principal: int
    outstanding_principal: int
    overdue_principal: int
    overdue_interest: int
    days_past_due: int
    bucket: str
    agreement_id: int = 0  # for the page's link; not in the CSV
    commune_id: int | None = None  # the project's commune, for the union's figures
    owner_id: int = 0  # the borrower


@dataclass(frozen=True)
class Summary:
    loans: int
    outstanding_principal: int
    par30_principal: int
    loans_past_due: int

    @property
    def par30_ratio(self) -> Decimal:
        if not self.outstanding_principal:
            return Decimal("0.0000")
        ratio = Decimal(self.par30_principal) / Decimal(self.outstanding_principal)
        return ratio.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def portfolio(
    as_of: date,
    *,
    unit_code: int | None = None,
    source_id: int | None = None,
    projects: sa.Select | None = None,
) -> list[LoanRow]:
    """One row per loan disbursed by `as_of`, ordered by its reference; `projects` (a select of
    project ids) narrows it to an organiser's units."""
    return portfolios([as_of], unit_code=unit_code, source_id=source_id, projects=projects)[as_of]


def portfolios(
    days: list[date],
    *,
    unit_code: int | None = None,
    source_id: int | None = None,
    projects: sa.Select | None = None,
    loan_ids: list[int] | None = None,
) -> dict[date, list[LoanRow]]:
    """The portfolio as it stood on each of `days`, read once: three queries of plain columns
    (the loans, their instalments, what was repaid of each by day), whatever the number of loans
    and of days — the union's figures ask for the end of each year of a term; for one day, two
    (each instalment comes with its sums; tests/capital/test_portfolio.py holds both readings
    equal). `loan_ids`: those loans only (a page of the list, chosen by `listed_on`), whatever
    the other conditions."""
    last = max(days)
    if loan_ids is not None:  # chosen already, by `listed_on` with the same conditions
        loans = _loans(last).where(Loan.id.in_(loan_ids))
    else:
        loans = _loans(last, unit_code=unit_code, source_id=source_id, projects=projects)
    found = list(db.session.execute(loans.order_by(SupportAgreement.reference, Loan.id)))
    # A page names its loans; otherwise they are chosen by the same conditions again.
    chosen = [r.id for r in found] if loan_ids is not None else loans.with_only_columns(Loan.id)
    owed: dict[date, dict[int, list[Owed]]] = {day: {} for day in days}
    if found and len(days) == 1:
        # One day (a page of the list, a loan's line): each instalment with what was repaid of
        # it by then, summed in the database: 600 rows for 50 loans rather than twice as many.
        for row in db.session.execute(_owed_on(last, chosen)):
            owed[last].setdefault(row.loan_id, []).append(
                Owed(row.number, row.due_on, row.principal, row.interest, int(row[5]), int(row[6]))
            )
    elif found:
        plans: dict[int, list] = {}
        paid: dict[int, list] = {}
        plan = sa.select(*_plan_columns()).where(Instalment.loan_id.in_(chosen))
        for row in db.session.execute(plan.order_by(Instalment.loan_id, Instalment.number)):
            plans.setdefault(row.loan_id, []).append(row)
        for row in db.session.execute(_repaid(chosen, last, by_day=True)):
            paid.setdefault(row[0], []).append(row[1:])
        for day in days:
            for loan in found:
                owed[day][loan.id] = _owed_by(day, plans.get(loan.id, ()), paid.get(loan.id, ()))
    return {day: _rows_on(day, found, owed[day]) for day in days}


def _loans(
    last: date,
    *,
    unit_code: int | None = None,
    source_id: int | None = None,
    projects: sa.Select | None = None,
) -> sa.Select:
    """The loans disbursed by `last` (of a source, of projects, of a unit and its communes)."""
    loans = (
        sa.select(
            Loan.id,
            Loan.principal,
            Loan.disbursed_on,
            Loan.written_off_on,
            SupportAgreement.id.label("agreement_id"),
            SupportAgreement.reference,
            SupportAgreement.source_id,
            SupportedProject.commune_id,
            SupportedProject.owner_id,
            Entry.reference.label("project"),
        )
        .join(SupportAgreement, SupportAgreement.id == Loan.agreement_id)
        .join(SupportedProject, SupportedProject.id == SupportAgreement.project_id)
        .join(Entry, Entry.id == SupportedProject.entry_id)
        .where(Loan.disbursed_on.is_not(None), Loan.disbursed_on <= last)
    )
    if source_id is not None:
        loans = loans.where(SupportAgreement.source_id == source_id)
    if projects is not None:
        loans = loans.where(SupportAgreement.project_id.in_(projects))
    if unit_code is not None:
        units = sa.select(Unit.id).where(Unit.code == unit_code)
        loans = loans.where(
            sa.or_(
                SupportedProject.unit_id.in_(units),
                SupportedProject.unit_id.in_(sa.select(Unit.id).where(Unit.parent_id.in_(units))),
            )
        )
    return loans


def listed_on(
    as_of: date, *, source_id: int | None = None, projects: sa.Select | None = None
) -> sa.Select:
    """The ids of the loans in the portfolio on `as_of`, in the order of its list (by the
    agreement's reference), for a page of them: those `_rows_on` keeps."""
    query = (
        sa.select(Loan.id)
        .join(SupportAgreement, SupportAgreement.id == Loan.agreement_id)
        .where(
            Loan.disbursed_on.is_not(None),
            Loan.disbursed_on <= as_of,
            sa.or_(Loan.written_off_on.is_(None), Loan.written_off_on > as_of),
        )
        .order_by(SupportAgreement.reference, Loan.id)
    )
    if source_id is not None:
        query = query.where(SupportAgreement.source_id == source_id)
    if projects is not None:
        query = query.where(SupportAgreement.project_id.in_(projects))
    return query


def _owed_by(day: date, plan, paid) -> list[Owed]:
    """A loan's instalments with what was repaid of each by the end of `day`."""
    by_number: dict[int, tuple[int, int]] = {}
    for paid_on, number, principal, interest in paid:
        if paid_on <= day:
            before = by_number.get(number, (0, 0))
            by_number[number] = (before[0] + int(principal), before[1] + int(interest))
    return [
        Owed(i.number, i.due_on, i.principal, i.interest, *by_number.get(i.number, (0, 0)))
        for i in plan
    ]


def _plan_columns() -> tuple:
    """An instalment as the portfolio reads it: the loan, its number, due day and amounts."""
    return (
        Instalment.loan_id,
        Instalment.number,
        Instalment.due_on,
        Instalment.principal,
        Instalment.interest,
    )


def _repaid(loans, last: date, *, by_day: bool) -> sa.Select:
    """(loan_id, [paid_on,] number, principal, interest): what was repaid of each instalment of
    `loans` by the end of `last`, per day paid when `by_day`. A reversed repayment was a mistake
    and never counts."""
    day = (Repayment.paid_on,) if by_day else ()
    return (
        sa.select(
            Repayment.loan_id,
            *day,
            RepaymentPart.number,
            sa.func.sum(RepaymentPart.principal).label("principal"),
            sa.func.sum(RepaymentPart.interest).label("interest"),
        )
        .join(RepaymentPart, RepaymentPart.repayment_id == Repayment.id)
        .where(
            Repayment.loan_id.in_(loans),
            Repayment.paid_on <= last,
            Repayment.reversed_at.is_(None),
        )
        .group_by(Repayment.loan_id, *day, RepaymentPart.number)
    )


def _owed_on(day: date, loans) -> sa.Select:
    """Each instalment of `loans` with what was repaid of it by the end of `day`, in schedule
    order."""
    repaid = _repaid(loans, day, by_day=False).subquery()
    return (
        sa.select(
            *_plan_columns(),
            sa.func.coalesce(repaid.c.principal, 0),
            sa.func.coalesce(repaid.c.interest, 0),
        )
        .outerjoin(
            repaid,
            sa.and_(repaid.c.loan_id == Instalment.loan_id, repaid.c.number == Instalment.number),
        )
        .where(Instalment.loan_id.in_(loans))
        .order_by(Instalment.loan_id, Instalment.number)
    )


def _rows_on(day: date, loans: list, owed: dict[int, list[Owed]]) -> list[LoanRow]:
    rows = []
    for loan in loans:
        # A written-off loan leaves the portfolio on the day of its write-off.
        if loan.disbursed_on > day or (loan.written_off_on and loan.written_off_on <= day):
            continue
        instalments = owed.get(loan.id, [])
        state = arrears(instalments, loan.principal, day)
        rows.append(
            LoanRow(
                loan=loan.reference,
                project=loan.project or "",
                source=loan.source_id,
                disbursed_on=loan.disbursed_on,
                principal=loan.principal,
                outstanding_principal=state.outstanding_principal,
                overdue_principal=state.overdue_principal,
                overdue_interest=state.overdue_interest,
                days_past_due=state.days_past_due,
                bucket=state.bucket,
                agreement_id=loan.agreement_id,
                commune_id=loan.commune_id,
                owner_id=loan.owner_id,
            )
        )
    return rows


def summarise(rows: list[LoanRow]) -> Summary:
    return Summary(
        loans=len(rows),
        outstanding_principal=sum(r.outstanding_principal for r in rows),
        par30_principal=sum(r.outstanding_principal for r in rows if r.days_past_due > PAR_DAYS),
        loans_past_due=sum(1 for r in rows if r.days_past_due > 0),
    )


@dataclass(frozen=True)
class BucketLine:
    bucket: str
    loans: int
    outstanding_principal: int


def by_bucket(rows: list[LoanRow]) -> list[BucketLine]:
    """Every bucket in order, with its loans and their outstanding principal (0 when none)."""
    return [
        BucketLine(
            name,
            sum(1 for r in rows if r.bucket == name),
            sum(r.outstanding_principal for r in rows if r.bucket == name),
        )
        for name in BUCKETS
    ]


@dataclass(frozen=True)
class SourceLine:
    """One capital source's figures as of a day: its loans (from the portfolio's rows), its
    grants' tranches and the in-kind support it gave."""

    source: CapitalSource
    loans: int
    disbursed: int  # principal of the loans disbursed by that day (written-off ones excepted)
    repaid: int  # principal repaid of those
    outstanding: int
    par30: int  # outstanding principal of loans more than 30 days past due
    by_bucket: dict[str, int]  # outstanding principal per bucket
    grants_paid: int  # tranches paid by that day (a reversed payment does not count)
    grants_planned: int  # the others, of grants neither rejected nor stopped
    in_kind: int  # items handed over by that day, not reversed

    @property
    def par30_ratio(self) -> Decimal:
        return Summary(self.loans, self.outstanding, self.par30, 0).par30_ratio


def by_source(
    rows: list[LoanRow],
    sources: list[CapitalSource],
    as_of: date,
    *,
    projects: sa.Select | None = None,
) -> list[SourceLine]:
    """Each source's figures as of `as_of`, for the loans in `rows` and the grants and in-kind
    support of `projects` (a select of project ids): two queries whatever the number of
    sources."""
    ids = [s.id for s in sources]
    paid: dict[int, int] = {}
    planned: dict[int, int] = {}
    given: dict[int, int] = {}
    if ids:
        tranches = (
            sa.select(
                SupportAgreement.source_id,
                sa.func.sum(
                    sa.case(
                        (
                            sa.and_(Tranche.status == TrancheStatus.PAID, Tranche.paid_on <= as_of),
                            Tranche.amount,
                        ),
                        else_=0,
                    )
                ),
                # A rejected or stopped grant's unpaid tranches will never be paid.
                sa.func.sum(
                    sa.case(
                        (
                            sa.and_(Tranche.status == TrancheStatus.PAID, Tranche.paid_on <= as_of),
                            0,
                        ),
                        (SupportAgreement.status.in_(_GIVEN_UP), 0),
                        else_=Tranche.amount,
                    )
                ),
            )
            .join(SupportAgreement, SupportAgreement.id == Tranche.agreement_id)
            .where(SupportAgreement.source_id.in_(ids))
            .group_by(SupportAgreement.source_id)
        )
        items = (
            sa.select(SupportAgreement.source_id, sa.func.sum(InKindItem.value))
            .join(SupportAgreement, SupportAgreement.id == InKindItem.agreement_id)
            .where(
                SupportAgreement.source_id.in_(ids),
                InKindItem.delivered_on <= as_of,
                InKindItem.reversed_at.is_(None),
            )
            .group_by(SupportAgreement.source_id)
        )
        if projects is not None:
            tranches = tranches.where(SupportAgreement.project_id.in_(projects))
            items = items.where(SupportAgreement.project_id.in_(projects))
        for source_id, done, todo in db.session.execute(tranches):
            paid[source_id], planned[source_id] = int(done or 0), int(todo or 0)
        given = {source_id: int(v or 0) for source_id, v in db.session.execute(items)}
    lines = []
    for source in sources:
        mine = [r for r in rows if r.source == source.id]
        lines.append(
            SourceLine(
                source=source,
                loans=len(mine),
                disbursed=sum(r.principal for r in mine),
                repaid=sum(r.principal - r.outstanding_principal for r in mine),
                outstanding=sum(r.outstanding_principal for r in mine),
                par30=sum(r.outstanding_principal for r in mine if r.days_past_due > PAR_DAYS),
                by_bucket={
                    name: sum(r.outstanding_principal for r in mine if r.bucket == name)
                    for name in BUCKETS
                },
                grants_paid=paid.get(source.id, 0),
                grants_planned=planned.get(source.id, 0),
                in_kind=given.get(source.id, 0),
            )
        )
    return lines


def funding_sources(known: list[CapitalSource], projects: sa.Select) -> list[CapitalSource]:
    """`known` and every other source that supports one of `projects` (a province's fund
    behind a commune's project), by name: one query."""
    more = list(
        db.session.scalars(
            sa.select(CapitalSource)
            .where(
                CapitalSource.id.in_(
                    sa.select(SupportAgreement.source_id).where(
                        SupportAgreement.project_id.in_(projects)
                    )
                ),
                CapitalSource.id.not_in([s.id for s in known]),
            )
            .options(joinedload(CapitalSource.unit))
        )
    )
    return sorted([*known, *more], key=lambda s: (s.name, s.id)) if more else known


def kept_figures(
    as_of: date,
    sources: list[CapitalSource],
    *,
    scope: tuple,
    source_id: int | None = None,
    projects: sa.Select | None = None,
) -> tuple[Summary, list[BucketLine], list[SourceLine]]:
    """The portfolio page's figures (its summary, buckets and sources) for the loans of `scope`:
    work over every loan (10,000 in a large province), so kept between views (core.cache) until
    a loan, a repayment, a grant or an item changes."""

    def compute() -> str:
        rows = portfolio(as_of, source_id=source_id, projects=projects)
        lines = by_source(rows, sources, as_of, projects=projects)
        return json.dumps(
            {
                "summary": asdict(summarise(rows)),
                "buckets": [asdict(line) for line in by_bucket(rows)],
                "sources": [
                    {f.name: getattr(line, f.name) for f in fields(line) if f.name != "source"}
                    for line in lines
                ],
            }
        )

    key = ("portfolio", scope, as_of, source_id, [s.id for s in sources])
    kept = json.loads(cache.remember(key, compute))
    return (
        Summary(**kept["summary"]),
        [BucketLine(**line) for line in kept["buckets"]],
        [SourceLine(source, **line) for source, line in zip(sources, kept["sources"], strict=True)],
    )
