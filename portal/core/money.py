"""Money is an integer number of đồng; Babel formats it per language."""

from babel.numbers import format_currency


def format_vnd(amount: int, locale: str) -> str:
    """`1.300.000.000 ₫` in Vietnamese, `VND 1,300,000,000` in English."""
    if isinstance(amount, float):
        raise TypeError("Money is an integer number of đồng, never a float.")
    if str(locale).startswith("vi"):
        return format_currency(amount, "VND", locale="vi")
    return format_currency(amount, "VND", format="¤¤\xa0#,##0", locale=str(locale))
