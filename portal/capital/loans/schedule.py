"""A loan's schedule, computed exactly so that anyone can recompute it (docs/capital.md):
pure, no database.

- The period rate r = rate / 100 × months per period, the rate being stated in percent a month,
  as Vietnamese lenders state it.
- Period i falls due on the disbursement date + i × months per period, the day clamped to the
  month's end (31 January + 1 month is 28 or 29 February; + 2 months is 31 March).
- The first `grace` periods carry interest only.
- flat: interest P × r every period; declining: interest on the balance before the period; both
  repay floor(P / (n − g)) in each amortising period and the rest in the last.
- annuity: equal instalments A = P·r / (1 − (1 + r)^−(n−g)) (P / (n − g) when r = 0); interest on
  the balance, principal A − interest, and the last period repays what remains.
- Arithmetic in exact decimals; each amount rounded half up to the đồng.
"""

import enum
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l

MAX_PERIODS = 360
MAX_MONTHLY_RATE = Decimal(10)  # percent a month: above this it is not a soft loan


class Method(enum.StrEnum):
    FLAT = "flat"  # interest on the initial principal
    DECLINING = "declining"  # equal principal, interest on the balance
    ANNUITY = "annuity"  # equal instalments, interest on the balance

    @property
    def label(self) -> str:
        return str(METHOD_LABELS[self])


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"

    @property
    def months(self) -> int:
        return 1 if self is Frequency.MONTHLY else 3

    @property
    def label(self) -> str:
        return str(FREQUENCY_LABELS[self])


METHOD_LABELS = {
    Method.FLAT: _l("Flat: interest on the initial amount"),
    Method.DECLINING: _l("Declining: equal principal, interest on the balance"),
    Method.ANNUITY: _l("Annuity: equal instalments"),
}
FREQUENCY_LABELS = {
    Frequency.MONTHLY: _l("Every month"),
    Frequency.QUARTERLY: _l("Every three months"),
}


@dataclass(frozen=True)
class Terms:
    principal: int  # đồng
    rate: Decimal  # percent a month
    periods: int
    grace: int
    frequency: Frequency
    method: Method
    disbursed_on: date

    def __post_init__(self) -> None:
        if not isinstance(self.principal, int) or self.principal <= 0:
            raise ValueError("the principal is a whole number of đồng above zero")
        if not Decimal(0) <= self.rate <= MAX_MONTHLY_RATE:
            raise ValueError("the rate is from 0 to 10 percent a month")
        if not 1 <= self.periods <= MAX_PERIODS:
            raise ValueError("from 1 to 360 periods")
        if not 0 <= self.grace < self.periods:
            raise ValueError("the grace periods are fewer than the periods")

    @property
    def period_rate(self) -> Decimal:
        return self.rate / Decimal(100) * self.frequency.months


@dataclass(frozen=True)
class Instalment:
    number: int
    due_on: date
    principal: int
    interest: int
    balance_after: int

    @property
    def total(self) -> int:
        return self.principal + self.interest


def to_dong(amount: Decimal) -> int:
    """Rounded half up to the đồng."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def due_on(disbursed_on: date, number: int, frequency: Frequency) -> date:
    """The due date of period `number`, counted from the disbursement (never chained)."""
    return disbursed_on + relativedelta(months=number * frequency.months)


def annuity_payment(principal: int, rate: Decimal, periods: int) -> Decimal:
    """The equal instalment of `periods` periods at the period rate `rate`, exact."""
    if rate == 0:
        return Decimal(principal) / periods
    with localcontext() as context:
        context.prec = 60
        return Decimal(principal) * rate / (1 - (1 + rate) ** -periods)


def schedule(terms: Terms) -> list[Instalment]:
    """Every instalment of the loan, in order."""
    with localcontext() as context:
        context.prec = 60
        return _schedule(terms)


def _schedule(terms: Terms) -> list[Instalment]:
    principal, rate, n, g = terms.principal, terms.period_rate, terms.periods, terms.grace
    amortising = n - g
    equal_part = principal // amortising
    payment = annuity_payment(principal, rate, amortising)
    balance = principal
    found = []
    for number in range(1, n + 1):
        if terms.method is Method.FLAT:
            interest = to_dong(principal * rate)
        else:
            interest = to_dong(balance * rate)
        if number <= g:
            part = 0
        elif number == n:
            part = balance
        elif terms.method is Method.ANNUITY:
            part = min(balance, to_dong(payment - interest))
        else:
            part = equal_part
        balance -= part
        found.append(
            Instalment(
                number, due_on(terms.disbursed_on, number, terms.frequency), part, interest, balance
            )
        )
    return found
