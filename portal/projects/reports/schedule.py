"""Report plans and the periods they give: pure, no database.

A plan is a list of stretches, each "every N months, K times"; the periods are counted from the
first day by whole calendar months from that day (not chained: 31 January + 3 months is 30
April, + 6 months is 31 July), so a month end never drifts. A report is due a fixed number of
days after its period ends; every date is a day in Vietnam.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l

# A report is due this many days after its period ends, and late this many days after that.
DUE_AFTER_PERIOD = timedelta(days=15)
LATE_AFTER_DUE = timedelta(days=14)


@dataclass(frozen=True)
class Stretch:
    months: int  # the length of each period
    times: int  # how many periods of that length


@dataclass(frozen=True)
class Plan:
    code: str
    label: str
    stretches: tuple[Stretch, ...]


PLANS: dict[str, Plan] = {
    plan.code: plan
    for plan in (
        Plan(
            "quarterly_then_half_yearly",
            _l("Every three months in the first year, then every six months up to five years"),
            (Stretch(3, 4), Stretch(6, 8)),
        ),
        Plan(
            "quarterly_two_years",
            _l("Every three months for two years"),
            (Stretch(3, 8),),
        ),
        Plan(
            "half_yearly_three_years",
            _l("Every six months for three years"),
            (Stretch(6, 6),),
        ),
        Plan("yearly_five_years", _l("Once a year for five years"), (Stretch(12, 5),)),
    )
}
DEFAULT_PLAN = "quarterly_then_half_yearly"


@dataclass(frozen=True)
class Period:
    number: int
    start: date
    end: date  # the last day of the period
    due_on: date


def periods(plan: Plan, starts_on: date) -> list[Period]:
    """The periods of a plan counted from `starts_on`, each with its due date."""
    found = []
    months = 0
    for stretch in plan.stretches:
        for _ in range(stretch.times):
            start = starts_on + relativedelta(months=months)
            months += stretch.months
            end = starts_on + relativedelta(months=months) - timedelta(days=1)
            found.append(Period(len(found) + 1, start, end, end + DUE_AFTER_PERIOD))
    return found


def late_from(due_on: date) -> date:
    """The day a report not yet sent counts as late (and its last reminder goes)."""
    return due_on + LATE_AFTER_DUE
