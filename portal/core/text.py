"""Text helpers: the search key ("dien bien" must find "Điện Biên"), and a reason a person must
write."""

from flask_babel import lazy_gettext as _l
from unidecode import unidecode

from portal.core.errors import DomainError


def fold(text: str | None) -> str:
    """Lower-case ASCII form without diacritics, for search keys (đ becomes d)."""
    if not text:
        return ""
    return " ".join(unidecode(text).lower().split())


def required_text(value: str | None, *, field: str, missing, limit: int = 2000) -> str:
    """A reason or comment a person must write: trimmed, not empty (`missing`, her message), at
    most `limit` characters; refused with the field named."""
    text = (value or "").strip()
    if not text:
        raise DomainError(missing, field=field)
    if len(text) > limit:
        raise DomainError(_l("Write at most %(num)d characters.", num=limit), field=field)
    return text
