"""The figures kept in Redis between requests, so that a dashboard over 100,000 entries is read
from the database once, not on every view.

A change of the data must never show an old figure: every commit that wrote to a table other
than the portal's own bookkeeping (the audit log, the outbox, form keys, API calls) moves a
version number in Redis, and the version is part of every key, so each older entry is simply
never read again (and expires). Today's date is in the key too: a stock figure (loans
outstanding, arrears) is taken "today" and moves at midnight without any write. Without
FIGURES_CACHE_URL (tests, a development machine) nothing is kept and every view computes.
"""

import hashlib
import json
import logging
from collections.abc import Callable

import redis
from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.core.time import utcnow, vietnam_date

log = logging.getLogger(__name__)

VERSION_KEY = "figures:version"
TTL_SECONDS = 6 * 3600
# Tables written by reading pages or by the bookkeeping around a change, not by the data the
# figures count: a login writes its account (no kept page shows an account), an API call its log.
BOOKKEEPING = {
    "audit_log",
    "outbox_message",
    "form_submission",
    "api_call",
    "api_token",
    "user_account",
}


def init_app(app: Flask) -> None:
    url = app.config.get("FIGURES_CACHE_URL")
    app.extensions["figures_cache"] = redis.Redis.from_url(url) if url else None
    if url and not getattr(init_app, "listening", False):
        event.listen(Session, "after_flush", _note_changes)
        event.listen(Session, "after_commit", _move_version)
        init_app.listening = True


def _client() -> redis.Redis | None:
    return current_app.extensions.get("figures_cache") if has_app_context() else None


def _note_changes(session: Session, _context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "__tablename__", None) not in BOOKKEEPING:
            session.info["figures_changed"] = True
            return


def _move_version(session: Session) -> None:
    if not session.info.pop("figures_changed", False):
        return
    client = _client()
    if client is None:
        return
    try:
        client.incr(VERSION_KEY)
    except redis.RedisError:
        # The entries keyed by the old version would be read again: drop them all instead.
        log.exception("the figures' cache could not be invalidated; emptying it")
        _forget_all(client)


def _forget_all(client: redis.Redis) -> None:
    try:
        for key in client.scan_iter("figures:*"):
            client.delete(key)
    except redis.RedisError:
        log.exception("the figures' cache could not be emptied")


def remember(parts: tuple, compute: Callable[[], str]) -> str:
    """The text `compute()` gives for `parts`, from the cache when it holds it for the data as
    they are now; computed (and kept) otherwise. Redis down: computed, as without a cache."""
    client = _client()
    if client is None:
        return compute()
    try:
        version = int(client.get(VERSION_KEY) or 0)
        digest = hashlib.sha256(
            json.dumps([version, str(vietnam_date(utcnow())), *parts], default=str).encode()
        ).hexdigest()
        key = f"figures:{digest}"
        found = client.get(key)
        if found is not None:
            return found.decode()
    except redis.RedisError:
        log.exception("the figures' cache cannot be read")
        return compute()
    text = compute()
    try:
        client.set(key, text.encode(), ex=TTL_SECONDS)
    except redis.RedisError:
        log.exception("the figures' cache cannot be written")
    return text
