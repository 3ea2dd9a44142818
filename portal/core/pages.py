"""A page of a list, as the pagination macro (templates/macros/forms.html) reads it."""

import math
from collections.abc import Iterator
from dataclasses import dataclass


def page_numbers(page: int, pages: int) -> Iterator[int | None]:
    """The page numbers to link: the first two, the last two, and from two before this one to
    three after it; None where some are left out (as Flask-SQLAlchemy's pagination)."""
    last = 0
    for number in range(1, pages + 1):
        if number <= 2 or page - 3 < number < page + 4 or number > pages - 2:
            if last + 1 != number:
                yield None
            yield number
            last = number


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` items make, at least one (an empty list still has its page)."""
    return max(1, math.ceil(total / per_page))


def shown_page(page: int, total: int, per_page: int) -> int:
    """The page asked for, within the list: before the first is the first, past the last the
    last."""
    return min(max(page, 1), page_count(total, per_page))


@dataclass
class Page:
    """The items of page `page` among `total`, `per_page` a page."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    def iter_pages(self) -> Iterator[int | None]:
        return page_numbers(self.page, self.pages)
