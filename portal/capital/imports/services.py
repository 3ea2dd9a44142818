"""Importing the loan book a union already keeps on paper or in a spreadsheet: three CSV files
(loans, their repayments, and optionally each source's opening balance) checked line by line and
written in one transaction, or not at all.

Every line is checked before anything is written: unknown project or source, a unit she does
not manage, bad numbers or dates, a date in a closed month, a repayment before the disbursement,
in the future or above what the loan still owes (found by allocating the repayments, in date
order, on the loan's schedule, exactly as the repayment form would), a source that would run out
of money. One problem rejects all three files with a report by file and line.

A clean import writes each loan as if it had been entered by hand: its agreement proposed,
approved and under way (audited as imported), its disbursement and repayments through the same
functions as the forms (loans/services.py: post_disbursement, post_repayment), so its schedule,
allocations and postings are those the forms would make.

A source's history before the portal is not in the portal: the import starts its book with an
opening contribution dated before its first imported disbursement, from the openings file, or
else just what its imported loans need — the most its imported loans were ever out at once, less
what it already has in the portal — marked and audited as an opening balance from the import.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from portal.auth.models import User
from portal.capital.agreements.status import change_agreement_status
from portal.capital.common import CASH, CONTRIBUTIONS, may_manage_unit
from portal.capital.loans.allocation import AllocationError, Owed, allocate, apply
from portal.capital.loans.schedule import Frequency, Method, Terms, schedule
from portal.capital.loans.services import post_disbursement, post_repayment
from portal.capital.models import (
    AgreementKind,
    AgreementStatus,
    CapitalSource,
    Loan,
    RepaymentMethod,
    SupportAgreement,
)
from portal.capital.sources.services import available
from portal.core import audit, idempotency
from portal.core.errors import DomainError
from portal.core.time import utcnow, vietnam_date
from portal.entries.models import Entry
from portal.extensions import db
from portal.ledger import services as ledger
from portal.projects.models import SupportedProject

LOAN_COLUMNS = (
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
)
REPAYMENT_COLUMNS = ("loan", "paid_on", "amount")
OPENING_COLUMNS = ("source", "opening_on", "opening_balance")
MAX_REFERENCE = 32  # SupportAgreement.reference
MAX_LINES = 20_000
EARLIEST_YEAR = 1990

LOANS, REPAYMENTS, OPENINGS = "loans", "repayments", "openings"


@dataclass(frozen=True)
class Problem:
    file: str  # LOANS, REPAYMENTS or OPENINGS
    line: int  # as a spreadsheet counts them: the header is line 1
    message: str


@dataclass
class ImportedRepayment:
    line: int
    paid_on: date
    amount: int


@dataclass
class ImportedLoan:
    line: int
    reference: str
    project: SupportedProject
    source: CapitalSource
    terms: Terms
    repayments: list[ImportedRepayment] = field(default_factory=list)
    repaid_principal: int = 0
    repaid_interest: int = 0

    @property
    def outstanding(self) -> int:
        return self.terms.principal - self.repaid_principal


@dataclass
class Opening:
    source: CapitalSource
    opening_on: date
    amount: int
    line: int | None  # its line in the openings file; None when the import worked it out


@dataclass
class LoanBook:
    """What an import found: the problems, or the loans and openings it writes (or wrote)."""

    problems: list[Problem] = field(default_factory=list)
    loans: list[ImportedLoan] = field(default_factory=list)
    openings: list[Opening] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def repayments(self) -> int:
        return sum(len(loan.repayments) for loan in self.loans)

    @property
    def principal(self) -> int:
        return sum(loan.terms.principal for loan in self.loans)

    @property
    def outstanding(self) -> int:
        return sum(loan.outstanding for loan in self.loans)


class ImportRefused(DomainError):
    """The files cannot be read at all (not CSV, a column missing)."""


def _rows(text: str, columns: tuple[str, ...], name: str, book: LoanBook) -> list[tuple[int, dict]]:
    """The lines of one file as (line number, {column: text}); a missing column is a problem at
    line 1. A spreadsheet's byte-order mark and `;` separators are accepted."""
    text = (text or "").lstrip("\ufeff \t\r\n")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error:
        header = []
    missing = [c for c in columns if c not in header]
    if missing:
        book.problems.append(
            Problem(
                name,
                1,
                str(
                    _l(
                        "The first line must name the columns %(columns)s; missing: %(missing)s.",
                        columns=",".join(columns),
                        missing=", ".join(missing),
                    )
                ),
            )
        )
        return []
    found = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue  # a blank line, as spreadsheets leave at the end
            if number > MAX_LINES:
                book.problems.append(
                    Problem(name, number, str(_l("A file may have at most 20,000 lines.")))
                )
                break
            padded = values + [""] * (len(header) - len(values))
            found.append((number, {h: padded[i].strip() for i, h in enumerate(header)}))
    except csv.Error as error:
        book.problems.append(
            Problem(name, reader.line_num, str(_l("This line cannot be read: %(e)s", e=error)))
        )
    return found


def _day(text: str) -> date | None:
    """YYYY-MM-DD, or DD/MM/YYYY as Vietnamese spreadsheets write it."""
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            day = parse(text)
        except ValueError:
            continue
        # A year before the union's funds existed is a typing slip (and year 1 has no day before).
        return day if day.year >= EARLIEST_YEAR else None
    return None


def _whole(text: str) -> int | None:
    """A whole number written with digits only."""
    return int(text) if text.isdigit() and len(text) <= 15 else None


def _dong(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _rate(text: str) -> Decimal | None:
    try:
        rate = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return rate if rate.is_finite() else None


class _Closed:
    """Which months of which units' books are closed, asked once each."""

    def __init__(self):
        self.known: dict[tuple[int, date], bool] = {}

    def __call__(self, unit_id: int, day: date) -> bool:
        key = (unit_id, day.replace(day=1))
        if key not in self.known:
            self.known[key] = ledger.is_closed(unit_id, day)
        return self.known[key]


def _closed_message(day: date) -> str:
    return str(
        _l(
            "The books of %(month)s are closed: nothing can be dated in that month.",
            month=f"{day:%m/%Y}",
        )
    )


def _projects(references: set[str]) -> dict[str, SupportedProject]:
    if not references:
        return {}
    rows = db.session.scalars(
        sa.select(SupportedProject)
        .join(Entry, Entry.id == SupportedProject.entry_id)
        .where(Entry.reference.in_(references))
        .options(joinedload(SupportedProject.entry), joinedload(SupportedProject.unit))
    )
    return {p.entry.reference: p for p in rows}


def _sources(ids: set[int]) -> dict[int, CapitalSource]:
    if not ids:
        return {}
    return {
        s.id: s
        for s in db.session.scalars(sa.select(CapitalSource).where(CapitalSource.id.in_(ids)))
    }


def _check_loans(
    actor: User, rows, today: date, closed: _Closed, book: LoanBook
) -> dict[str, ImportedLoan]:
    projects = _projects({r["project"] for _, r in rows if r["project"]})
    sources = _sources(
        {int(r["source"]) for _, r in rows if r["source"].isdigit() and len(r["source"]) < 10}
    )
    taken = set(
        db.session.scalars(
            sa.select(SupportAgreement.reference).where(
                SupportAgreement.reference.in_({r["reference"] for _, r in rows})
            )
        )
    )
    loans: dict[str, ImportedLoan] = {}
    for line, row in rows:
        before = len(book.problems)

        def refuse(message, line=line):
            book.problems.append(Problem(LOANS, line, str(message)))

        reference = row["reference"]
        if not reference:
            refuse(_l("The loan's reference is missing."))
        elif len(reference) > MAX_REFERENCE:
            refuse(_l("A reference has at most %(num)d characters.", num=MAX_REFERENCE))
        elif reference in taken:
            refuse(_l("Loan %(reference)s is already in the portal.", reference=reference))
        elif reference in loans:
            refuse(
                _l(
                    "Loan %(reference)s is also on line %(line)d.",
                    reference=reference,
                    line=loans[reference].line,
                )
            )
        project = projects.get(row["project"])
        if project is None:
            refuse(
                _l(
                    "No supported project has the entry reference “%(value)s”.",
                    value=row["project"],
                )
            )
        elif not may_manage_unit(actor, project.unit_id):
            refuse(
                _l(
                    "Project %(value)s is followed by a unit you do not manage.",
                    value=row["project"],
                )
            )
        source = (
            sources.get(int(row["source"]))
            if row["source"].isdigit() and len(row["source"]) < 10
            else None
        )
        if source is None:
            refuse(_l("No capital source has the number “%(value)s”.", value=row["source"]))
        elif project is not None and source.unit_id not in (
            project.unit_id,
            project.unit.parent_id,
        ):
            refuse(
                _l(
                    "Source %(source)s is not one of the project's unit or of its province.",
                    source=source.id,
                )
            )
        principal = _whole(row["principal"])
        if not principal:
            refuse(_l("The principal is a whole number of đồng above zero, digits only."))
        rate = _rate(row["rate"])
        periods, grace = _whole(row["periods"]), _whole(row["grace"] or "0")
        frequency = row["frequency"].lower() or Frequency.MONTHLY.value
        method = row["method"].lower()
        disbursed_on = _day(row["disbursed_on"])
        if rate is None:
            refuse(_l("The rate is a percentage a month, for example 0.65."))
        if periods is None or grace is None:
            refuse(_l("Periods and grace are whole numbers."))
        if frequency not in {f.value for f in Frequency}:
            refuse(_l("The frequency is monthly or quarterly."))
        if method not in {m.value for m in Method}:
            refuse(_l("The method is flat, declining or annuity."))
        if disbursed_on is None:
            refuse(_l("The disbursement date is written YYYY-MM-DD."))
        elif disbursed_on > today:
            refuse(_l("The disbursement date is in the future."))
        elif source is not None and closed(source.unit_id, disbursed_on):
            refuse(_closed_message(disbursed_on))
        if len(book.problems) > before:
            continue
        try:
            terms = Terms(
                principal, rate, periods, grace, Frequency(frequency), Method(method), disbursed_on
            )
        except ValueError:
            refuse(
                _l(
                    "Check the terms: a rate from 0 to 10 % a month, 1 to 360 periods, fewer grace "
                    "periods than periods."
                )
            )
            continue
        loans[reference] = ImportedLoan(line, reference, project, source, terms)
    return loans


def _check_repayments(
    rows,
    loans: dict[str, ImportedLoan],
    loan_lines: set[str],
    today: date,
    closed: _Closed,
    book: LoanBook,
) -> None:
    """Each repayment allocated on its loan's schedule in date order, as the form would."""
    by_loan: dict[str, list[ImportedRepayment]] = defaultdict(list)
    for line, row in rows:
        before = len(book.problems)

        def refuse(message, line=line):
            book.problems.append(Problem(REPAYMENTS, line, str(message)))

        reference = row["loan"]
        loan = loans.get(reference)
        if loan is None and reference not in loan_lines:
            refuse(_l("Loan “%(value)s” is not in the loans file.", value=reference))
        paid_on = _day(row["paid_on"])
        amount = _whole(row["amount"])
        if paid_on is None:
            refuse(_l("The date paid is written YYYY-MM-DD."))
        elif paid_on > today:
            refuse(_l("The date paid is in the future."))
        elif loan is not None and paid_on < loan.terms.disbursed_on:
            refuse(
                _l(
                    "Paid on %(day)s, before the loan was disbursed (%(disbursed)s).",
                    day=paid_on.isoformat(),
                    disbursed=loan.terms.disbursed_on.isoformat(),
                )
            )
        elif loan is not None and closed(loan.source.unit_id, paid_on):
            refuse(_closed_message(paid_on))
        if not amount:
            refuse(_l("The amount is a whole number of đồng above zero, digits only."))
        if len(book.problems) == before and loan is not None:
            by_loan[reference].append(ImportedRepayment(line, paid_on, amount))
    for reference, repayments in by_loan.items():
        loan = loans[reference]
        repayments.sort(key=lambda r: (r.paid_on, r.line))
        owed = [
            Owed(r.number, r.due_on, r.principal, r.interest, 0, 0) for r in schedule(loan.terms)
        ]
        for repayment in repayments:
            try:
                parts = allocate(owed, repayment.amount)
            except AllocationError:
                still = sum(i.left for i in owed)
                book.problems.append(
                    Problem(
                        REPAYMENTS,
                        repayment.line,
                        str(
                            _l(
                                "%(amount)s is more than loan %(reference)s still owes on %(day)s "
                                "(%(owed)s).",
                                amount=_dong(repayment.amount),
                                reference=reference,
                                day=repayment.paid_on.isoformat(),
                                owed=_dong(still),
                            )
                        ),
                    )
                )
                break
            owed = apply(owed, parts)
            loan.repayments.append(repayment)
            loan.repaid_principal += sum(p.principal for p in parts)
            loan.repaid_interest += sum(p.interest for p in parts)


def _check_openings(
    actor: User, rows, loans: dict[str, ImportedLoan], today: date, closed: _Closed, book: LoanBook
) -> dict[int, Opening]:
    sources = _sources(
        {int(r["source"]) for _, r in rows if r["source"].isdigit() and len(r["source"]) < 10}
    )
    first = {}
    for loan in loans.values():
        sid = loan.source.id
        first[sid] = min(first.get(sid, loan.terms.disbursed_on), loan.terms.disbursed_on)
    openings: dict[int, Opening] = {}
    for line, row in rows:
        before = len(book.problems)

        def refuse(message, line=line):
            book.problems.append(Problem(OPENINGS, line, str(message)))

        source = (
            sources.get(int(row["source"]))
            if row["source"].isdigit() and len(row["source"]) < 10
            else None
        )
        opening_on = _day(row["opening_on"])
        amount = _whole(row["opening_balance"])
        if source is None:
            refuse(_l("No capital source has the number “%(value)s”.", value=row["source"]))
        elif not may_manage_unit(actor, source.unit_id):
            refuse(_l("Source %(source)s belongs to a unit you do not manage.", source=source.id))
        elif source.id in openings:
            refuse(
                _l(
                    "Source %(source)s already has an opening balance on line %(line)d.",
                    source=source.id,
                    line=openings[source.id].line,
                )
            )
        if opening_on is None:
            refuse(_l("The opening date is written YYYY-MM-DD."))
        elif opening_on > today:
            refuse(_l("The opening date is in the future."))
        elif source is not None and source.id in first and opening_on >= first[source.id]:
            refuse(
                _l(
                    "The opening balance must be dated before the source's first imported loan "
                    "(%(day)s).",
                    day=first[source.id].isoformat(),
                )
            )
        elif source is not None and closed(source.unit_id, opening_on):
            refuse(_closed_message(opening_on))
        if amount is None:
            refuse(_l("The opening balance is a whole number of đồng, digits only."))
        if len(book.problems) == before:
            openings[source.id] = Opening(source, opening_on, amount, line)
    return openings


def _check_money(
    loans: dict[str, ImportedLoan], openings: dict[int, Opening], closed: _Closed, book: LoanBook
) -> None:
    """Walk each source's imported movements in date order: with an opening balance from the
    file it must never run out; without one, the opening is what the loans needed at most, less
    what the source already has."""
    movements: dict[int, list[tuple[date, int, int, ImportedLoan | None]]] = defaultdict(list)
    for loan in loans.values():
        # On one day, the money goes out before it comes back.
        movements[loan.source.id].append((loan.terms.disbursed_on, 0, -loan.terms.principal, loan))
        for repayment in loan.repayments:
            movements[loan.source.id].append((repayment.paid_on, 1, repayment.amount, None))
    for source_id, moves in movements.items():
        moves.sort(key=lambda m: (m[0], m[1], m[3].line if m[3] else 0))
        source = next(loan.source for loan in loans.values() if loan.source.id == source_id)
        have = available(source)
        opening = openings.get(source_id)
        running, lowest = 0, 0
        for day, _order, amount, loan in moves:
            running += amount
            lowest = min(lowest, running)
            if opening is not None and have + opening.amount + running < 0:
                book.problems.append(
                    Problem(
                        LOANS,
                        loan.line,
                        str(
                            _l(
                                "Source %(source)s would not have enough on %(day)s for this loan: "
                                "its opening balance (line %(line)d) and what came back are not "
                                "enough.",
                                source=source_id,
                                day=day.isoformat(),
                                line=opening.line,
                            )
                        ),
                    )
                )
                break
        if opening is None and -lowest > have:
            first = moves[0][0]
            opening_on = first - timedelta(days=1)
            if closed(source.unit_id, opening_on):
                book.problems.append(Problem(LOANS, moves[0][3].line, _closed_message(opening_on)))
                continue
            openings[source_id] = Opening(source, opening_on, -lowest - have, None)
    book.openings = sorted(openings.values(), key=lambda o: o.source.id)


def check_loan_book(
    actor: User,
    loans_csv: str,
    repayments_csv: str,
    openings_csv: str | None = None,
    *,
    now: datetime | None = None,
) -> LoanBook:
    """Read and check the three files; nothing is written."""
    today = vietnam_date(now or utcnow())
    book = LoanBook()
    closed = _Closed()
    loan_rows = _rows(loans_csv, LOAN_COLUMNS, LOANS, book)
    repayment_rows = _rows(repayments_csv, REPAYMENT_COLUMNS, REPAYMENTS, book)
    opening_rows = (
        _rows(openings_csv, OPENING_COLUMNS, OPENINGS, book)
        if openings_csv and openings_csv.strip()
        else []
    )
    if not loan_rows and not book.problems:
        book.problems.append(Problem(LOANS, 2, str(_l("The loans file has no loan."))))
    loans = _check_loans(actor, loan_rows, today, closed, book)
    _check_repayments(
        repayment_rows, loans, {r["reference"] for _, r in loan_rows}, today, closed, book
    )
    openings = _check_openings(actor, opening_rows, loans, today, closed, book)
    if not book.problems:
        _check_money(loans, openings, closed, book)
    book.loans = sorted(loans.values(), key=lambda loan: loan.reference)
    book.problems.sort(key=lambda p: ((LOANS, REPAYMENTS, OPENINGS).index(p.file), p.line))
    return book


def import_loan_book(
    actor: User,
    loans_csv: str,
    repayments_csv: str,
    openings_csv: str | None = None,
    *,
    now: datetime | None = None,
    form_key: str | None = None,
) -> LoanBook:
    """Check the files and, when every line is right, write the openings, the loans, their
    schedules, repayments and postings in one transaction. Commits, or writes nothing."""
    now = now or utcnow()
    # The same confirmation sent twice is one import: the second is told so, not refused for
    # loans "already in the portal".
    claimed = idempotency.claim(form_key, kind="loan_import", actor_id=actor.id)
    book = check_loan_book(actor, loans_csv, repayments_csv, openings_csv, now=now)
    if not book.ok:
        db.session.rollback()
        return book
    for opening in book.openings:
        _write_opening(actor, opening)
    agreement = None
    for loan in sorted(book.loans, key=lambda loan: (loan.terms.disbursed_on, loan.line)):
        agreement = _write_loan(actor, loan, now)
    idempotency.made(claimed, agreement)
    audit.record(
        "loan_book.imported",
        actor_id=actor.id,
        object_type="capital_source",
        object_id=book.loans[0].source.id,
        after={
            "loans": len(book.loans),
            "repayments": book.repayments,
            "principal": book.principal,
            "openings": {str(o.source.id): o.amount for o in book.openings},
        },
    )
    db.session.commit()
    book.written = True
    return book


def _write_opening(actor: User, opening: Opening) -> None:
    source = opening.source
    posting = ledger.post(
        actor_id=actor.id,
        occurred_on=opening.opening_on,
        description=str(
            _l("Opening balance of %(source)s, from the loan-book import", source=source.name)
        ),
        source=source.ledger_tag,
        unit_id=source.unit_id,
        object_type="capital_source",
        object_id=source.id,
        lines=[(CASH, opening.amount), (CONTRIBUTIONS, -opening.amount)],
    )
    audit.record(
        "capital_source.opening_balance",
        actor_id=actor.id,
        object_type="capital_source",
        object_id=source.id,
        after={
            "amount": opening.amount,
            "opening_on": opening.opening_on.isoformat(),
            "from": "openings file" if opening.line else "what the imported loans need",
            "posting": posting.id,
        },
    )


def _write_loan(actor: User, imported: ImportedLoan, now: datetime) -> SupportAgreement:
    """One loan, its disbursement and its repayments, through the functions the forms use."""
    terms = imported.terms
    agreement = SupportAgreement(
        reference=imported.reference,
        project_id=imported.project.id,
        source_id=imported.source.id,
        kind=AgreementKind.LOAN,
        amount=terms.principal,
        purpose=str(_l("Loan from the union's loan book, imported.")),
        status=AgreementStatus.PROPOSED,
        proposed_by_id=actor.id,
        proposed_at=now,
    )
    agreement.loan = Loan(
        principal=terms.principal,
        rate=terms.rate,
        periods=terms.periods,
        grace=terms.grace,
        frequency=terms.frequency,
        method=terms.method,
    )
    db.session.add(agreement)
    db.session.flush()
    imported_from = {"imported": True, "line": imported.line}
    change_agreement_status(
        actor.id,
        agreement,
        AgreementStatus.APPROVED,
        after=imported_from,
        approved_by_id=actor.id,
        approved_at=now,
    )
    change_agreement_status(
        actor.id,
        agreement,
        AgreementStatus.ACTIVE,
        after={**imported_from, "disbursed_on": terms.disbursed_on.isoformat()},
    )
    loan = post_disbursement(actor, agreement, terms.disbursed_on)
    for repayment in imported.repayments:
        post_repayment(
            actor,
            loan,
            paid_on=repayment.paid_on,
            amount=repayment.amount,
            method=RepaymentMethod.CASH,
            reference=str(_l("Imported loan book, line %(line)d", line=repayment.line)),
            early=False,
            now=now,
        )
    return agreement
