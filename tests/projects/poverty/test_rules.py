"""When a household counts as out of poverty in a period: its status left poor or near-poor in
the period and it did not return by the period's end."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from portal.applicants.models import HouseholdStatus
from portal.projects.poverty.rules import left_poverty, path, status_on

POOR, NEAR, NEITHER = HouseholdStatus.POOR, HouseholdStatus.NEAR_POOR, HouseholdStatus.NEITHER
Y2026 = (date(2026, 1, 1), date(2026, 12, 31))


def test_leaving_in_the_period_counts():
    history = [(date(2025, 3, 1), POOR), (date(2026, 2, 1), NEAR), (date(2026, 11, 1), NEITHER)]
    assert left_poverty(history, *Y2026)
    assert not left_poverty(history, date(2025, 1, 1), date(2025, 12, 31))


def test_leaving_and_returning_in_the_same_period_does_not_count():
    history = [(date(2025, 3, 1), POOR), (date(2026, 3, 1), NEITHER), (date(2026, 9, 1), NEAR)]
    assert not left_poverty(history, *Y2026)


def test_poor_to_near_poor_is_not_out_yet():
    assert not left_poverty([(date(2025, 1, 1), POOR), (date(2026, 5, 1), NEAR)], *Y2026)


def test_a_household_that_never_was_poor_did_not_leave():
    assert not left_poverty([(date(2025, 1, 1), NEITHER), (date(2026, 5, 1), NEITHER)], *Y2026)


def test_a_return_after_the_period_does_not_undo_it():
    history = [(date(2025, 1, 1), POOR), (date(2026, 5, 1), NEITHER), (date(2027, 5, 1), POOR)]
    assert left_poverty(history, *Y2026)
    assert status_on(history, date(2027, 6, 1)) is POOR


def test_the_path_keeps_each_change_once():
    history = [
        (date(2025, 1, 1), POOR),
        (date(2025, 6, 1), POOR),
        (date(2026, 1, 1), NEAR),
        (date(2027, 1, 1), NEITHER),
    ]
    assert path(history) == [
        (date(2025, 1, 1), POOR),
        (date(2026, 1, 1), NEAR),
        (date(2027, 1, 1), NEITHER),
    ]


@given(
    st.lists(
        st.tuples(
            st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
            st.sampled_from(list(HouseholdStatus)),
        ),
        max_size=8,
    )
)
def test_counted_only_when_out_at_the_end_and_in_poverty_before(history):
    start, end = Y2026
    if left_poverty(history, start, end):
        assert status_on(history, end) is NEITHER
        statuses_up_to_end = [s for d, s in sorted(history, key=lambda r: r[0]) if d <= end]
        assert any(s in (POOR, NEAR) for s in statuses_up_to_end)
        # a change to neither happened inside the period
        assert any(start <= d <= end and s is NEITHER for d, s in history)
