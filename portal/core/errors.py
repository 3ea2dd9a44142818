"""Error pages in the person's language; JSON for API and health clients."""

import math
from datetime import UTC, datetime

from flask import Flask, jsonify, render_template, request
from flask_babel import format_time, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.core.time import utcnow
from portal.extensions import db, limiter

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Not allowed"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or has moved.")),
    405: (_l("Not allowed"), _l("This action is not available here.")),
    413: (_l("File too large"), _l("What you sent is larger than the portal accepts.")),
    409: (
        _l("Changed in the meantime"),
        _l(
            "Someone else changed this at the same moment. Nothing was saved twice: reload the "
            "page to see it as it is now, then try again."
        ),
    ),
    429: (
        _l("Too many attempts"),
        _l("You have tried too many times in a short while. Please wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An error happened on our side. It has been recorded; please try again later."),
    ),
}


# Both languages, no template, no database: for when even the error page cannot be rendered.
PLAIN_500 = (
    '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Lỗi / Error</title>'
    "<h1>Đã có lỗi xảy ra</h1><p>Vui lòng thử lại sau.</p>"
    '<h1 lang="en">Something went wrong</h1><p lang="en">Please try again later.</p></html>'
)


def retry_message() -> str | None:
    """When she may try again, from the limit this request went over: the minute it ends, in
    Vietnam's time, and how many minutes that is from now."""
    current = limiter.current_limit
    if current is None or not current.breached:
        return None
    ends = datetime.fromtimestamp(math.ceil(current.window[0] / 60) * 60, UTC)
    minutes = max(1, math.ceil((ends - utcnow()).total_seconds() / 60))
    return ngettext(
        "You have tried too many times in a short while. "
        "You can try again in %(num)d minute, at %(time)s.",
        "You have tried too many times in a short while. "
        "You can try again in %(num)d minutes, at %(time)s.",
        minutes,
        time=format_time(ends, "short"),
    )


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz"))


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if _wants_json():
        return jsonify(error=str(title), status=code), code
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


# Fields of a form that are not what she typed: never shown back.
_NOT_TYPED = {"csrf_token", "version", "form_key", "next", "save", "submit", "language"}
TYPED_MAX = 50_000  # characters shown back, in all


def typed_values() -> list[str]:
    """What she typed in the form this request sent: every non-empty text, passwords left out."""
    if request.method != "POST":
        return []
    values, total = [], 0
    for name, value in request.form.items(multi=True):
        if name in _NOT_TYPED or "password" in name or not value.strip():
            continue
        value = value.replace("\x00", "")[: max(TYPED_MAX - total, 0)]
        total += len(value)
        if value:
            values.append(value)
    return values


def render_kept(code: int, title, message):
    """An error page that gives back what she typed, with the way back to the form."""
    back = request.path if request.path.startswith("/") else "/"
    return render_template(
        "errors/kept.html",
        code=code,
        title=title,
        message=message,
        typed=typed_values(),
        back=back,
    ), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _l(
            "This form has expired or was sent from another site. "
            "Please reload the page and send it again."
        )
        if typed_values() and not _wants_json():
            # Most often a session that ended (logged out in another tab, a password changed
            # on another device): her text is shown back, and the form refills on this device.
            return render_kept(400, _l("This form has expired"), message)
        return render_error(400, str(message))

    @app.errorhandler(StaleDataError)
    def stale_data(error: StaleDataError):
        # A row checked by its version changed under this request (two people, two tabs at
        # once): the request's changes are rolled back and the person is told, not a 500.
        db.session.rollback()
        return render_error(409)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 429:
            return render_error(429, retry_message())
        if error.code in MESSAGES:
            return render_error(error.code)
        return error

    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError):
        db.session.rollback()
        try:
            return render_error(500)
        except Exception:  # the page itself needs the database; answer without it
            app.logger.exception("error page failed")
            return PLAIN_500, 500, {"Content-Type": "text/html; charset=utf-8"}


# A form that fails validation, or an action a rule refuses, comes back with what was typed, its
# messages, and this status.
INVALID = 422


class DomainError(Exception):
    """A rule refused an action; the message is shown to the person.

    Services pass a lazy string, translated when the view reads `message`. It is read as a plain
    str so that templates escape it: a lazy string would pass through Jinja unescaped, with any
    user text formatted into it.

    `status` is the HTTP status of the page that shows the refusal, the same in every view: 422
    (what was sent breaks a rule; the form comes back with the message), and in the subclasses
    409 (the object changed or is in another state than the page showed), 403 (this person may
    not), 400 (a link that is not, or no longer, valid), 429 (too many asked: codes by text). A
    view that renders the refusal answers with `error.status`; one that flashes it and redirects
    has no status to choose.
    """

    status: int = INVALID

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self._message = message
        self.field = field

    @property
    def message(self) -> str:
        return str(self._message)


class NotAllowed(DomainError):
    """This person may not act on this object, whatever she sends (403)."""

    status = 403
