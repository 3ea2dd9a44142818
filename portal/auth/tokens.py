"""Signed, dated link tokens: confirming an address, resetting a password, an invitation, and
the links of other features (an entry's team). A forged or expired token is an InvalidLink."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.core.errors import DomainError


class InvalidLink(DomainError):
    """A link that is not ours, was tampered with, has expired or was already used."""

    status = 400


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def read_token(token: str, salt: str, max_age: int) -> dict:
    """The data of a token made by sign_token; InvalidLink when forged or too old."""
    try:
        return _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidLink(_l("This link has expired. Please ask for a new one.")) from exc
    except BadSignature as exc:
        raise InvalidLink(
            _l("This link is not valid. Please check that you copied all of it.")
        ) from exc


def sign_token(data: dict, salt: str) -> str:
    """A signed, dated link token; `read_token` gives `data` back."""
    return _serializer(salt).dumps(data)
