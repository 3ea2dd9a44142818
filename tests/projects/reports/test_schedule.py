"""The periods of a report plan: counted from the first day by calendar months (a month end
never drifts), each due 15 days after it ends, late 14 days after that."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from portal.projects.reports.schedule import DUE_AFTER_PERIOD, PLANS, late_from, periods


def test_quarterly_then_half_yearly_for_five_years():
    found = periods(PLANS["quarterly_then_half_yearly"], date(2026, 1, 1))
    assert len(found) == 12
    assert [(p.start, p.end) for p in found[:5]] == [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 6, 30)),
    ]
    assert found[0].due_on == date(2026, 4, 15)
    assert found[-1].end == date(2030, 12, 31)


def test_a_month_end_start_does_not_drift():
    found = periods(PLANS["quarterly_two_years"], date(2026, 1, 31))
    assert [p.end for p in found[:4]] == [
        date(2026, 4, 29),  # 30 April is the next period's first day
        date(2026, 7, 30),
        date(2026, 10, 30),
        date(2027, 1, 30),
    ]
    assert found[1].start == date(2026, 4, 30)
    leap = periods(PLANS["yearly_five_years"], date(2028, 2, 29))
    assert [p.start for p in leap[:2]] == [date(2028, 2, 29), date(2029, 2, 28)]


def test_late_fourteen_days_after_due():
    assert late_from(date(2026, 4, 15)) == date(2026, 4, 29)


@given(
    plan=st.sampled_from(sorted(PLANS)),
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
)
def test_periods_follow_each_other_without_gap_or_overlap(plan, start):
    found = periods(PLANS[plan], start)
    assert found[0].start == start
    for before, after in zip(found, found[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)
        assert after.number == before.number + 1
    for period in found:
        assert period.start <= period.end
        assert period.due_on == period.end + DUE_AFTER_PERIOD
