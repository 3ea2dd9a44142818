"""The page numbers a list links to."""

from hypothesis import given
from hypothesis import strategies as st

from portal.core.pages import Page, page_numbers


def test_the_first_two_the_last_two_and_those_around_this_one():
    assert list(page_numbers(1, 1)) == [1]
    assert list(page_numbers(10, 20)) == [1, 2, None, 8, 9, 10, 11, 12, 13, None, 19, 20]
    assert list(page_numbers(1, 20)) == [1, 2, 3, 4, None, 19, 20]
    assert list(page_numbers(20, 20)) == [1, 2, None, 18, 19, 20]
    assert Page([], 1, 50, 0).pages == 1 and Page([], 1, 50, 101).pages == 3


@given(st.integers(1, 500).flatmap(lambda pages: st.tuples(st.integers(1, pages), st.just(pages))))
def test_every_number_is_a_page_in_order_with_this_one_the_first_and_the_last(case):
    page, pages = case
    shown = list(page_numbers(page, pages))
    numbers = [n for n in shown if n is not None]
    assert numbers == sorted(set(numbers)) and {1, page, pages} <= set(numbers)
    # A gap is marked exactly where numbers are left out, never twice in a row.
    for before, after in zip(shown, shown[1:], strict=False):
        assert before is not None or after is not None
        if before is not None and after is not None:
            assert after == before + 1
