"""What comes in at the edge, bounded once for every route and form.

An id past what the database's integer holds (2^31 - 1 on PostgreSQL, 2^63 - 1 on SQLite) or a
NUL byte (which PostgreSQL refuses in text) used to reach a query and answer 500. Here: ids in
URLs are 1..2^31 - 1 or no page at all (404), numbers read from a query or a hidden field are
bounded (anything else is no value), and NUL bytes are taken out of every form, query string and
JSON body before a view sees them. Number fields of forms: portal.core.forms.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Request, request
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, ValidationError

# Every id column is an integer on PostgreSQL: nothing above this is ever stored.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: digits from 1 to MAX_ID, else the rule does not match (404)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        # Thousands of digits would cost the int() parse before the range check refuses them.
        if len(value) > len(str(MAX_ID)):
            raise ValidationError()
        return super().to_python(value)


def bounded_int(value: Any, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """`value` as an int from `minimum` to `maximum`, or None for anything else (blank, words,
    '1e400', a number with more digits than any id)."""
    if value is None:
        return None
    text = str(value).strip()
    digits = text[1:] if text.startswith("-") else text
    # ASCII digits only: "²" is a digit to str.isdigit() but not to int().
    if not digits or len(digits) > 19 or not (digits.isascii() and digits.isdigit()):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


MAX_PAGE = 1_000_000


def page_number() -> int:
    """The page of a list asked for by `?page=`: anything that is not a whole number from 1 to
    MAX_PAGE (a word, -3, 400 digits) is the first page, as a page past the last is the last."""
    return bounded_int(request.args.get("page"), maximum=MAX_PAGE) or 1


def choice_value(value: Any) -> str:
    """The coerce of every choice field: what was sent, without surrounding blanks. A value of
    spaces is then no choice (as an empty one), and anything else not in the list is refused
    with the field's message rather than reaching the code that reads it."""
    return "" if value is None else str(value).strip()


def optional_id(value: Any) -> int | None:
    """The coerce of a choice field whose values are ids: None for no choice, blanks or garbage
    (the choice check then refuses what is not in the list)."""
    return bounded_int(value)


def without_nul(value: Any) -> Any:
    """`value` with NUL bytes taken out of every string in it (lists and dicts included)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


def _pairs(mapping: Any) -> Iterable[tuple[Any, Any]]:
    if isinstance(mapping, MultiDict):
        return mapping.items(multi=True)
    if isinstance(mapping, Mapping):
        return (
            (key, item)
            for key, value in mapping.items()
            for item in (value if isinstance(value, (list, tuple, set)) else [value])
        )
    return mapping


def _nul_free_value(value: Any) -> Any:
    if isinstance(value, FileStorage):
        # The file's content is checked when stored; the name the browser sent is text, kept
        # with the file (a NUL byte in it was a 500 on PostgreSQL).
        if value.filename:
            value.filename = without_nul(value.filename)
        return value
    return without_nul(value)


class NulFreeMultiDict(ImmutableMultiDict):
    """The query string, form data and uploaded files of every request, NUL bytes taken out of
    names and texts (the files' contents are left as they are: checked when stored)."""

    def __init__(self, mapping: Any = None) -> None:
        if mapping is None:
            super().__init__()
        else:
            super().__init__([(without_nul(k), _nul_free_value(v)) for k, v in _pairs(mapping)])


class PortalRequest(Request):
    """Flask's request, with NUL bytes taken out of everything a view reads from it."""

    parameter_storage_class = NulFreeMultiDict

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        return without_nul(super().get_json(force=force, silent=silent, cache=cache))
