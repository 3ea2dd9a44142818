"""Where a repayment goes, and how far behind a loan is on a day: pure, no database
(docs/capital.md, "Repayments" and "Arrears").

A repayment pays the instalments in schedule order: the oldest first, its interest before its
principal, then the next ones (paying ahead of the schedule is normal). An early repayment instead
pays principal from the last instalment backwards; for `declining` and `annuity` loans the
interest of the periods that fall due after it is then recomputed on the lower balance (the past
never changes). An amount above what is still owed is refused.
"""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, localcontext

from portal.capital.loans.schedule import Method, to_dong


class AllocationError(ValueError):
    """More than the loan still owes."""


@dataclass(frozen=True)
class Owed:
    """An instalment as it stands: what falls due and what was paid of it."""

    number: int
    due_on: date
    principal: int
    interest: int
    paid_principal: int = 0
    paid_interest: int = 0

    @property
    def principal_left(self) -> int:
        return self.principal - self.paid_principal

    @property
    def interest_left(self) -> int:
        return self.interest - self.paid_interest

    @property
    def left(self) -> int:
        return self.principal_left + self.interest_left


@dataclass(frozen=True)
class Part:
    """What one repayment paid of one instalment."""

    number: int
    principal: int
    interest: int


def owed(instalments: list[Owed]) -> int:
    return sum(i.left for i in instalments)


def allocate(instalments: list[Owed], amount: int) -> list[Part]:
    """The parts of a repayment of `amount`, in schedule order, interest before principal."""
    if amount <= 0:
        raise AllocationError("a repayment is above zero")
    if amount > owed(instalments):
        raise AllocationError("more than the loan still owes")
    parts, left = [], amount
    for instalment in sorted(instalments, key=lambda i: i.number):
        if not left:
            break
        interest = min(left, instalment.interest_left)
        left -= interest
        principal = min(left, instalment.principal_left)
        left -= principal
        if interest or principal:
            parts.append(Part(instalment.number, principal, interest))
    return parts


def allocate_early(instalments: list[Owed], amount: int) -> list[Part]:
    """The parts of an early repayment: principal only, from the last instalment backwards."""
    if amount <= 0:
        raise AllocationError("a repayment is above zero")
    if amount > sum(i.principal_left for i in instalments):
        raise AllocationError("more than the principal still owed")
    parts, left = [], amount
    for instalment in sorted(instalments, key=lambda i: i.number, reverse=True):
        if not left:
            break
        principal = min(left, instalment.principal_left)
        left -= principal
        if principal:
            parts.append(Part(instalment.number, principal, 0))
    return parts


def apply(instalments: list[Owed], parts: list[Part]) -> list[Owed]:
    """The instalments once `parts` are paid."""
    by_number = {p.number: p for p in parts}
    return [
        replace(
            i,
            paid_principal=i.paid_principal + by_number[i.number].principal,
            paid_interest=i.paid_interest + by_number[i.number].interest,
        )
        if i.number in by_number
        else i
        for i in instalments
    ]


def reprice_after(
    instalments: list[Owed], period_rate: Decimal, method: Method, paid_on: date
) -> list[Owed]:
    """After an early repayment on `paid_on`: the interest of each period due after that day,
    recomputed on the balance before it — the principal still owed for it and the periods after
    it (earlier periods are counted as repaid on schedule). A flat loan keeps its interest; so
    does every period due on or before `paid_on`; interest already paid is never taken back."""
    if method is Method.FLAT:
        return instalments
    with localcontext() as context:
        context.prec = 60
        found, balance_after = [], 0
        for instalment in sorted(instalments, key=lambda i: i.number, reverse=True):
            before = balance_after + instalment.principal_left
            if instalment.due_on > paid_on:
                interest = max(instalment.paid_interest, to_dong(before * period_rate))
                instalment = replace(instalment, interest=interest)
            found.append(instalment)
            balance_after = before
        return list(reversed(found))


# --- Arrears -------------------------------------------------------------------------------------

BUCKETS = ("current", "1-30", "31-60", "61-90", "91-180", "180+")


@dataclass(frozen=True)
class Arrears:
    outstanding_principal: int
    overdue_principal: int
    overdue_interest: int
    days_past_due: int

    @property
    def bucket(self) -> str:
        return bucket(self.days_past_due)


def bucket(days: int) -> str:
    if days <= 0:
        return "current"
    if days <= 30:
        return "1-30"
    if days <= 60:
        return "31-60"
    if days <= 90:
        return "61-90"
    if days <= 180:
        return "91-180"
    return "180+"


def arrears(instalments: list[Owed], principal: int, as_of: date) -> Arrears:
    """How far behind the loan is at the end of `as_of`, from what was paid by then. An
    instalment is overdue from the day after its due date until fully paid; the days past due
    count from the oldest unpaid instalment's due date."""
    overdue = [i for i in instalments if i.due_on < as_of and i.left > 0]
    oldest = min((i.due_on for i in overdue), default=None)
    return Arrears(
        outstanding_principal=principal - sum(i.paid_principal for i in instalments),
        overdue_principal=sum(i.principal_left for i in overdue),
        overdue_interest=sum(i.interest_left for i in overdue),
        days_past_due=(as_of - oldest).days if oldest else 0,
    )
