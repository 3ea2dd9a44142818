"""A phone shared with the family (issue 17). Logging in with "this is not my phone" keeps no
remember-me cookie, ends after IDLE_MINUTES without use (the page goes too, portal.js), lets no
page be kept by the browser or the service worker, keeps her drafts in the tab only and drops them
when the session ends, and asks the browser to forget the pages it kept: nothing of hers is left
for the next person. Every page says whose it is (account_mark), for the service worker."""

import hashlib
import hmac

from flask import current_app, flash, g, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.auth import bp
from portal.core.time import utcnow

IDLE_MINUTES = 30
SHARED = "shared_device"
# Set when a shared session ends: the next page tells the script to drop what it kept in the tab.
FORGET_TAB = "forget_tab"
SEEN_AT = "seen_at"  # when she last asked for a page, as a POSIX timestamp


def start() -> None:
    """Mark this session as one on a shared phone (just after login_user)."""
    session[SHARED] = True
    session[SEEN_AT] = utcnow().timestamp()


def forget() -> bool:
    """End the shared mark at logout; whether the session had it."""
    session.pop(SEEN_AT, None)
    shared = bool(session.pop(SHARED, None))
    if shared:
        session[FORGET_TAB] = True
    return shared


def tab_to_forget() -> bool:
    """Whether this page must tell the script to drop her drafts from the tab (once)."""
    return bool(session.pop(FORGET_TAB, None))


@bp.before_app_request
def _log_out_when_idle() -> None:
    if not session.get(SHARED):
        return
    now = utcnow().timestamp()
    if now - session.get(SEEN_AT, 0) > IDLE_MINUTES * 60:
        forget()
        if current_user.is_authenticated:
            logout_user()
            # What the browser kept of her pages goes too (her drafts are in the tab only,
            # which the next page clears: tab_to_forget).
            g.clear_site = True
            flash(
                _(
                    "You were logged out after %(minutes)d minutes without use, as you asked "
                    "on this shared phone.",
                    minutes=IDLE_MINUTES,
                ),
                "info",
            )
        return
    session[SEEN_AT] = now


def account_mark() -> str:
    """Whose page this is, for the service worker: "0" for a visitor, else a value of her
    account's own that names nothing (a keyed hash of its id)."""
    if not current_user.is_authenticated:
        return "0"
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"account:{current_user.id}".encode(), hashlib.sha256).hexdigest()[:16]


@bp.after_app_request
def _what_may_be_kept(response):
    """Tell the browser, and the service worker (main/service_worker.js), what it may keep: the
    pages of one account at a time; a shared phone's none."""
    if response.mimetype == "text/html":
        response.headers["X-Portal-Account"] = account_mark()
    if session.get(SHARED):
        response.headers["Cache-Control"] = "no-store"
    if g.get("clear_site"):
        response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.app_context_processor
def _for_the_layout() -> dict:
    return {"idle_minutes": IDLE_MINUTES, "tab_to_forget": tab_to_forget}
