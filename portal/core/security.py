"""Security helpers: safe redirects and the client address."""

from urllib.parse import urlsplit

from flask import request


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no `//host` or `/\\host` tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target and "\n" not in target


def safe_next(target: str | None, fallback: str) -> str:
    return target if is_safe_next(target) else fallback


def client_ip() -> str | None:
    return request.remote_addr if request else None
