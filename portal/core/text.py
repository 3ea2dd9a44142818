"""Text helpers shared by every search: "dien bien" must find "Điện Biên"."""

from unidecode import unidecode


def fold(text: str | None) -> str:
    """Lower-case ASCII form without diacritics, for search keys (đ becomes d)."""
    if not text:
        return ""
    return " ".join(unidecode(text).lower().split())
