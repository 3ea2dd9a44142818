"""Money is an integer number of đồng; Babel formats it per language, `parse_vnd` reads it."""

import re

from babel.numbers import format_currency
from flask_babel import lazy_gettext as _l

# Ten thousand billion đồng: any amount above is a typing mistake.
MAX_VND = 10**13

_CURRENCY_BEFORE = re.compile(r"(?i)^(₫|vnđ|vnd)\s*")
_CURRENCY_AFTER = re.compile(r"(?i)\s*(₫|đồng|đ|vnđ|vnd)\.?$")
_PLAIN = re.compile(r"[0-9]+")
_GROUPED_DOTS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_GROUPED_COMMAS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_DECIMALS = re.compile(r"[0-9][0-9.,]*[.,][0-9]{1,2}")


class MoneyInputError(ValueError):
    """What a person typed is not an amount of đồng; `message` tells her why, in her language."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def is_amount(amount: object) -> bool:
    """A whole number of đồng above zero and not above MAX_VND (a bool is not an amount)."""
    return isinstance(amount, int) and not isinstance(amount, bool) and 0 < amount <= MAX_VND


def format_vnd(amount: int, locale: str) -> str:
    """`1.300.000.000 ₫` in Vietnamese, `VND 1,300,000,000` in English: what Babel writes
    (tests/core/test_i18n.py compares them), without its 30 µs a call, which a page of loans
    paid a hundred times."""
    if isinstance(amount, float):
        raise TypeError("Money is an integer number of đồng, never a float.")
    sign, digits = ("-" if amount < 0 else ""), f"{abs(amount):,}"
    if str(locale).startswith("vi"):
        return f"{sign}{digits.replace(',', '.')}\xa0₫"
    if str(locale).startswith("en"):
        return f"{sign}VND\xa0{digits}"
    return format_currency(amount, "VND", format="¤¤\xa0#,##0", locale=str(locale))


def parse_vnd(text: str) -> int:
    """Whole đồng from what a person typed: "10.000.000", "10,000,000", "10 000 000" and
    "10000000" all mean ten million; "đ", "₫", "đồng" or "VND" may stand around the number.

    Raises MoneyInputError saying what is wrong: nothing typed, a negative amount, decimals,
    letters, or more than MAX_VND.
    """
    text = (text or "").replace("\xa0", " ").replace("\u202f", " ").strip()
    if not text:
        raise MoneyInputError(_l("Write an amount in đồng."))
    text = _CURRENCY_AFTER.sub("", _CURRENCY_BEFORE.sub("", text)).strip()
    if text.startswith(("-", "−", "–")):
        raise MoneyInputError(_l("The amount cannot be negative."))
    text = text.lstrip("+").strip()
    text = re.sub(r"(?<=[0-9]) (?=[0-9]{3}\b)", "", text)  # "10 000 000"
    if _PLAIN.fullmatch(text):
        digits = text
    elif _GROUPED_DOTS.fullmatch(text) or _GROUPED_COMMAS.fullmatch(text):
        digits = text.replace(".", "").replace(",", "")
    elif _DECIMALS.fullmatch(text):
        raise MoneyInputError(_l("Write a whole number of đồng, without decimals."))
    else:
        raise MoneyInputError(_l("Write the amount in digits, for example 5.000.000."))
    digits = digits.lstrip("0") or "0"
    # A string too long to be an amount never reaches int(), which refuses huge strings.
    if len(digits) > len(str(MAX_VND)) or int(digits) > MAX_VND:
        raise MoneyInputError(
            _l("That is more than ten thousand billion đồng: check the number of zeros.")
        )
    return int(digits)
