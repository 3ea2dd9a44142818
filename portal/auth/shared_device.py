"""A phone shared with the family (issue 17). Logging in with "this is not my phone" keeps no
remember-me cookie, ends after IDLE_MINUTES without use, lets no page be kept by the
browser or the service worker, and on logging out asks the browser to forget this site's cache and
storage (drafts included), so that nothing of hers is left for the next person."""

from flask import flash, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.auth import bp
from portal.core.time import utcnow

IDLE_MINUTES = 30
SHARED = "shared_device"
SEEN_AT = "seen_at"  # when she last asked for a page, as a POSIX timestamp


def start() -> None:
    """Mark this session as one on a shared phone (just after login_user)."""
    session[SHARED] = True
    session[SEEN_AT] = utcnow().timestamp()


def is_shared() -> bool:
    return bool(session.get(SHARED))


def forget() -> bool:
    """End the shared mark at logout; whether the session had it."""
    session.pop(SEEN_AT, None)
    return bool(session.pop(SHARED, None))


@bp.before_app_request
def _log_out_when_idle() -> None:
    if not session.get(SHARED):
        return
    now = utcnow().timestamp()
    if now - session.get(SEEN_AT, 0) > IDLE_MINUTES * 60:
        forget()
        if current_user.is_authenticated:
            logout_user()
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


@bp.after_app_request
def _what_may_be_kept(response):
    """Tell the browser, and the service worker (main/service_worker.js), what it may keep: a
    page of someone not logged in empties the pages it kept; a shared phone keeps none."""
    if response.mimetype == "text/html":
        response.headers["X-Signed-In"] = "1" if current_user.is_authenticated else "0"
    if session.get(SHARED):
        response.headers["Cache-Control"] = "no-store"
    return response
