"""Figures kept in Redis between requests, so that a dashboard over 100,000 entries, or the
totals above a list of 10,000 projects, are read from the database once, not on every view.

A change of the data must never show an old figure: every commit that changed a table the kept
figures read (FIGURE_TABLES) moves a version number in Redis, and the version is part of every
key, so each older entry is simply never read again (and expires). Nothing else moves it: a
login, a draft being typed, a judge's score sheet, the bookkeeping. Today's date is in the key
too: a stock figure (loans outstanding, arrears) is taken "today" and moves at midnight without
any write. A page missing from the cache is computed by one request while the others asking for
it wait for it (a lock in Redis), rather than every worker computing the same seconds-long page
at once. Without FIGURES_CACHE_URL (tests, a development machine) nothing is kept and every view
computes.
"""

import hashlib
import json
import logging
import time
from collections.abc import Callable

import redis
from flask import Flask, current_app, has_app_context
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


def _counted(obj) -> bool:
    """Whether changing `obj` can change a kept figure."""
    if getattr(obj, "__tablename__", None) not in FIGURE_TABLES:
        return False
    # An idea is counted once sent: saving a draft, her own words as she types, changes nothing.
    return obj.__tablename__ != "entry" or obj.first_submitted_at is not None


def _note_changes(session: Session, _context) -> None:
    if any(_counted(obj) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info["figures_changed"] = True


def _note_statement(state: ORMExecuteState) -> None:
    # An UPDATE, DELETE or INSERT written as a statement leaves no object in the session.
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in FIGURE_TABLES:
            state.session.info["figures_changed"] = True


def _forget_changes(session: Session) -> None:
    session.info.pop("figures_changed", None)


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


def _key(client: redis.Redis, parts: tuple) -> str:
    version = int(client.get(VERSION_KEY) or 0)
    digest = hashlib.sha256(
        json.dumps([version, str(vietnam_date(utcnow())), *parts], default=str).encode()
    ).hexdigest()
    return f"figures:{digest}"


def remember(parts: tuple, compute: Callable[[], str]) -> str:
    """The text `compute()` gives for `parts`, from the cache when it holds it for the data as
    they are now; computed (and kept) otherwise, by one request at a time. Redis down: computed,
    as without a cache."""
    client = _client()
    if client is None:
        return compute()
    try:
        key = _key(client, parts)
        found = client.get(key)
        if found is not None:
            return found.decode()
        computing = client.set(f"{key}:lock", 1, nx=True, ex=LOCK_SECONDS)
        if not computing:
            found = _wait_for(client, key)
            if found is not None:
                return found
    except redis.RedisError:
        log.exception("the figures' cache cannot be read")
        return compute()
    try:
        text = compute()
        try:
            client.set(key, text.encode(), ex=TTL_SECONDS)
        except redis.RedisError:
            log.exception("the figures' cache cannot be written")
    finally:
        if computing:
            try:
                client.delete(f"{key}:lock")
            except redis.RedisError:
                log.exception("the figures' cache lock cannot be released")
    return text


def _wait_for(client: redis.Redis, key: str) -> str | None:
    """The page another request is computing, once it is there; None if it gave up or died
    (then this request computes it itself)."""
    for _ in range(int(WAIT_SECONDS / POLL_SECONDS)):
        time.sleep(POLL_SECONDS)
        found = client.get(key)
        if found is not None:
            return found.decode()
        if not client.exists(f"{key}:lock"):
            return None
    return None
