"""Figures kept in Redis between requests, so that a dashboard over 100,000 entries, or the
totals above a list of 10,000 projects, are read from the database once, not on every view.

A change of the data must never show an old figure: every commit that changed a table the kept
figures read (FIGURE_TABLES) moves a version number in Redis, and every kept text holds the
version it was computed for: one of another version is never returned, and the next computed
replaces it. Version and text are read in one round trip. Nothing else moves it: a
login, a draft being typed, a judge's score sheet, the bookkeeping. Today's date is in the key
too: a stock figure (loans outstanding, arrears) is taken "today" and moves at midnight without
any write. A page missing from the cache is computed by one request while the others asking for
it wait for it (a lock in Redis), rather than every worker computing the same seconds-long page
at once. Without FIGURES_CACHE_URL (tests, a development machine) nothing is kept and every view
computes.

Two kinds of whole pages are kept the same way, each a minute: the public pages, the same for
every anonymous visitor (`kept_for_visitors`, moved by PAGE_TABLES), and an organiser's or a
judge's pages, each for her own session (`kept_per_account`, moved by any write but a draft
being typed, which none of them shows).
"""

import hashlib
import json
import logging
import time
from collections.abc import Callable
from functools import wraps

import redis
from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_app_context,
    make_response,
    request,
    session,
)
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from portal.core.time import utcnow, vietnam_date

log = logging.getLogger(__name__)

VERSION_KEY = "figures:version"
TTL_SECONDS = 6 * 3600
# How long the others wait for the request computing a missing page (a cold dashboard of a
# province with 100,000 entries takes seconds), and how long its lock holds if it dies.
WAIT_SECONDS = 30
LOCK_SECONDS = 120
POLL_SECONDS = 0.05
# The tables whose rows the kept figures (the dashboard, the term report, open data, the totals
# above the projects list) read. tests/figures/test_demo_figures.py computes every one of them
# and fails if it reads another.
FIGURE_TABLES = frozenset(
    {
        "applicant_profile",
        "award",
        "award_decision",
        "capital_source",
        "competition",
        "competition_category",
        "credit_group_figures",
        "credit_import",
        "entry",
        "external_award",
        "figure_target",
        "grant_tranche",
        "household_status_record",
        "in_kind_item",
        "loan",
        "loan_instalment",
        "loan_repayment",
        "loan_repayment_part",
        "milestone",
        "milestone_kind",
        "ocop_product",
        "ocop_rating",
        "progress_report",
        "support_agreement",
        "supported_project",
        "unit",
    }
)


# The public pages a visitor reads without logging in (competitions, results, the winners'
# gallery, a certificate's check) are kept a minute for anonymous visitors, under a version of
# their own moved by a change to a table they read (tests/awards/test_kept_pages.py lists them).
PAGE_TABLES = FIGURE_TABLES | {
    "competition_round",
    "entry_attachment",
    "entry_team_member",
    "prize_tier",
    "role_grant",
    "user_account",
}
PAGE_VERSION_KEY = "pages:version"
PAGE_TTL_SECONDS = 60
# Which version each group of tables moves.
VERSIONS = ((VERSION_KEY, FIGURE_TABLES), (PAGE_VERSION_KEY, PAGE_TABLES))
# The organisers' and judges' pages kept for the account that viewed them (kept_per_account)
# read nearly every table: any change at all moves their version, but a draft's own row.
ACCOUNT_VERSION_KEY = "account-pages:version"
ACCOUNT_PAGE_TTL_SECONDS = 60


def init_app(app: Flask) -> None:
    url = app.config.get("FIGURES_CACHE_URL")
    app.extensions["figures_cache"] = redis.Redis.from_url(url) if url else None
    if url and not getattr(init_app, "listening", False):
        event.listen(Session, "after_flush", _note_changes)
        event.listen(Session, "do_orm_execute", _note_statement)
        event.listen(Session, "after_commit", _move_version)
        event.listen(Session, "after_rollback", _forget_changes)
        init_app.listening = True


def _client() -> redis.Redis | None:
    return current_app.extensions.get("figures_cache") if has_app_context() else None


def _changed(table: str | None, obj=None) -> set[str]:
    """The versions a change to a row of `table` (`obj`, when loaded) moves."""
    if table is None:
        return set()
    # An idea is counted once sent: saving a draft, her own words as she types, changes no
    # figure and no public page. Nor any kept organiser's page while it is a draft (a draft is
    # hers alone: no organiser's list shows one, and an entry's own page is not kept); one
    # withdrawn before it was ever sent is listed.
    if table == "entry" and obj is not None and obj.first_submitted_at is None:
        return (
            set() if getattr(obj.status, "value", obj.status) == "draft" else {ACCOUNT_VERSION_KEY}
        )
    return {ACCOUNT_VERSION_KEY} | {key for key, tables in VERSIONS if table in tables}


def _note_changes(session: Session, _context) -> None:
    moved = session.info.setdefault("kept_changed", set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        moved |= _changed(getattr(obj, "__tablename__", None), obj)


def _note_statement(state: ORMExecuteState) -> None:
    # An UPDATE, DELETE or INSERT written as a statement leaves no object in the session.
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(getattr(state.statement, "table", None), "name", None)
        state.session.info.setdefault("kept_changed", set()).update(_changed(table))


def _forget_changes(session: Session) -> None:
    session.info.pop("kept_changed", None)


def _move_version(session: Session) -> None:
    moved = session.info.pop("kept_changed", None)
    client = _client()
    if not moved or client is None:
        return
    try:
        for key in sorted(moved):
            client.incr(key)
    except redis.RedisError:
        # The entries keyed by the old version would be read again: drop them all instead.
        log.exception("the figures' cache could not be invalidated; emptying it")
        _forget_all(client)


def _forget_all(client: redis.Redis) -> None:
    try:
        for pattern in ("figures:*", "pages:*", "account-pages:*"):
            for key in client.scan_iter(pattern):
                client.delete(key)
    except redis.RedisError:
        log.exception("the figures' cache could not be emptied")


def _key(parts: tuple, version_key: str = VERSION_KEY) -> str:
    """Where the text for `parts` is kept, whatever the version (the text holds its own). The
    database is part of it: a staging copy sharing the Redis never reads production's texts."""
    database = current_app.config["SQLALCHEMY_DATABASE_URI"]
    digest = hashlib.sha256(
        json.dumps(
            [database, version_key, str(vietnam_date(utcnow())), *parts], default=str
        ).encode()
    ).hexdigest()
    return f"{version_key.split(':')[0]}:{digest}"


def remember(
    parts: tuple,
    compute: Callable[[], str],
    *,
    version_key: str = VERSION_KEY,
    ttl: int = TTL_SECONDS,
) -> str:
    """The text `compute()` gives for `parts`, from the cache when it holds it for the data as
    they are now; computed (and kept `ttl` seconds) otherwise, by one request at a time. Redis
    down: computed, as without a cache.

    One round trip reads both the data's version and the kept text, which starts with the
    version it was computed for; a text of another version is never returned. A miss costs two
    more (the lock; the text stored and the lock let go together)."""
    client = _client()
    if client is None:
        return compute()
    key = _key(parts, version_key)
    computing = False
    try:
        version, found = client.mget(version_key, key)
        version = version or b"0"
        text = _current(found, version)
        if text is not None:
            return text
        lock = _lock(key, version)
        computing = bool(client.set(lock, 1, nx=True, ex=LOCK_SECONDS))
        if not computing:
            text = _wait_for(client, key, version)
            if text is not None:
                return text
    except redis.RedisError:
        log.exception("the figures' cache cannot be read")
        return compute()
    try:
        text = compute()
    except BaseException:
        if computing:
            _let_go(client, lock)
        raise
    try:
        with client.pipeline(transaction=False) as pipe:
            pipe.set(key, version + b"\n" + text.encode(), ex=ttl)
            if computing:
                pipe.delete(lock)
            pipe.execute()
    except redis.RedisError:
        log.exception("the figures' cache cannot be written")
        if computing:
            _let_go(client, lock)
    return text


def _current(found: bytes | None, version: bytes) -> str | None:
    """The kept text when it was computed for `version`, else None."""
    if found is None:
        return None
    kept_version, _, text = found.partition(b"\n")
    return text.decode() if kept_version == version else None


def _lock(key: str, version: bytes) -> str:
    """Held by the request computing `key` for the data at `version`."""
    return f"{key}:lock:{version.decode()}"


def _let_go(client: redis.Redis, lock: str) -> None:
    try:
        client.delete(lock)
    except redis.RedisError:
        log.exception("the figures' cache lock cannot be released")


def _wait_for(client: redis.Redis, key: str, version: bytes) -> str | None:
    """The page another request is computing, once it is there; None if it gave up or died
    (then this request computes it itself)."""
    for _ in range(int(WAIT_SECONDS / POLL_SECONDS)):
        time.sleep(POLL_SECONDS)
        text = _current(client.get(key), version)
        if text is not None:
            return text
        if not client.exists(_lock(key, version)):
            return None
    return None


def _plain_page(response: Response) -> bool:
    """A 200 HTML page that left her session as it was: the only kind a kept page may be."""
    return response.status_code == 200 and response.mimetype == "text/html" and not session.modified


class _NotKept(Exception):
    """The page answered something that must not be kept (an error, a form with her token)."""

    def __init__(self, response: Response):
        self.response = response


def kept_for_visitors(view: Callable) -> Callable:
    """A public page kept a minute for anonymous visitors (PAGE_TABLES): the same bytes for
    every visitor in her language, so a crowd reading a competition's results costs the database
    one rendering a minute, not one a visitor. Logged-in people, a pending message and anything
    but a plain 200 page go through the view as usual."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if (
            request.method != "GET"
            or current_user.is_authenticated
            or "_flashes" in session
            or _client() is None
        ):
            return view(*args, **kwargs)

        def render() -> str:
            response = make_response(view(*args, **kwargs))
            body = response.get_data(as_text=True)
            # Her token, a cookie or anything put in her session makes the page hers alone.
            if (
                not _plain_page(response)
                or 'name="csrf_token"' in body
                or "Set-Cookie" in response.headers
            ):
                raise _NotKept(response)
            return body

        parts = ("page", request.path, sorted(request.args.items(multi=True)), str(get_locale()))
        try:
            body = remember(parts, render, version_key=PAGE_VERSION_KEY, ttl=PAGE_TTL_SECONDS)
        except _NotKept as refused:
            return refused.response
        return make_response(body)

    return wrapped


# Where her token stood in a kept page: each view puts back the token of the one reading it.
TOKEN_MARK = "\u2063kept-csrf-token\u2063"
# Nothing kept depends on these: what else her session holds (her language, a kept form) does.
SESSION_NOT_KEYED = frozenset({"_flashes", "_fresh"})
PAGE_HEADERS = frozenset({"Content-Type", "Content-Length"})


def kept_per_account(view: Callable) -> Callable:
    """An organiser's or a judge's page kept a minute for her account and session: reloading a
    list of 20,000 entries, a round's results or the portfolio reads Redis, not the database,
    until anything is changed (ACCOUNT_VERSION_KEY moves on every commit that writes, but a draft),
    the day turns or the minute is over. Whoever she is is checked before (the view's
    `roles_required` runs first, every time); her token is put back in at each view. A pending
    message, a session the page writes to, anything but a plain 200 page: through the view."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if (
            request.method != "GET"
            or not current_user.is_authenticated
            or "_flashes" in session
            or _client() is None
        ):
            return view(*args, **kwargs)

        def render() -> str:
            response = make_response(view(*args, **kwargs))
            # A header of the view's own (a download's file name) is not kept: only the body is.
            if not _plain_page(response) or set(response.headers.keys()) - PAGE_HEADERS:
                raise _NotKept(response)
            body = response.get_data(as_text=True)
            token = g.get(current_app.config["WTF_CSRF_FIELD_NAME"])
            return body.replace(token, TOKEN_MARK) if token else body

        kept_session = sorted((k, v) for k, v in session.items() if k not in SESSION_NOT_KEYED)
        parts = (
            "account-page",
            kept_session,
            request.url_root,
            request.path,
            sorted(request.args.items(multi=True)),
            str(get_locale()),
        )
        try:
            body = remember(
                parts, render, version_key=ACCOUNT_VERSION_KEY, ttl=ACCOUNT_PAGE_TTL_SECONDS
            )
        except _NotKept as refused:
            return refused.response
        if TOKEN_MARK in body:
            body = body.replace(TOKEN_MARK, generate_csrf())
        return make_response(body)

    return wrapped
