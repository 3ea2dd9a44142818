"""What every part of judging shares: the way a score is written."""

import pytest
from flask_babel import force_locale
from flask_babel import format_decimal as babel_format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.judging.common import format_score

SCORES = st.floats(min_value=-1_000_000, max_value=1_000_000, allow_nan=False) | st.sampled_from(
    [0.0, -0.0, 0.005, 0.015, 2.675, 90.665, 99.995, 100.0, 1234.5, -0.004]
)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_score_is_written_as_babel_writes_it(app, language):
    with app.test_request_context(), force_locale(language):

        @settings(max_examples=500, deadline=None)
        @given(SCORES)
        def same_text(value):
            assert format_score(value) == babel_format_decimal(round(value, 2), format="#,##0.00")

        same_text()


def test_a_score_in_each_language(app):
    with app.test_request_context():
        with force_locale("vi"):
            assert format_score(1234.567) == "1.234,57"
            assert format_score(None) == "—"
        with force_locale("en"):
            assert format_score(1234.567) == "1,234.57"
