"""OCOP stars from a score and the bands (data), a certificate's expiry, interim re-checks."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.projects.ocop.schemes import DECISION_148
from portal.projects.ocop.scoring import (
    ScoreError,
    checked_scores,
    next_recheck,
    stars_for,
    valid_until,
)

BANDS = DECISION_148["bands"]
PARTS = DECISION_148["parts"]


@pytest.mark.parametrize(
    ("total", "stars"),
    [(100, 5), (90, 5), (89, 4), (70, 4), (69, 3), (50, 3), (49, 2), (30, 2), (29, 1), (0, 1)],
)
def test_stars_from_the_bands(total, stars):
    assert stars_for(total, BANDS) == stars


@given(st.integers(0, 100), st.integers(0, 100))
def test_more_points_never_fewer_stars(a, b):
    low, high = sorted((a, b))
    assert stars_for(low, BANDS) <= stars_for(high, BANDS)


def test_each_part_within_its_maximum():
    assert checked_scores({"A": 40, "B": 0, "C": 35}, PARTS) == {"A": 40, "B": 0, "C": 35}
    for scores, part in [
        ({"A": 41, "B": 1, "C": 1}, "A"),
        ({"A": 1, "C": 1}, "B"),
        ({"A": 1, "B": 1, "C": -1}, "C"),
    ]:
        with pytest.raises(ScoreError) as refused:
            checked_scores(scores, PARTS)
        assert refused.value.part == part


def test_other_rules_are_data():
    bands = [[80, 3], [60, 2], [0, 1]]
    assert stars_for(79, bands) == 2 and stars_for(80, bands) == 3


def test_expiry_and_rechecks():
    assert valid_until(date(2024, 6, 15), 36) == date(2027, 6, 14)
    assert valid_until(date(2024, 2, 29), 36) == date(2027, 2, 27)
    assert next_recheck(date(2026, 1, 10), 3, date(2026, 5, 10)) == date(2026, 7, 10)
    assert next_recheck(date(2026, 1, 10), 3, date(2026, 4, 10)) == date(2026, 4, 10)
