"""Language choice: saved preference, then the switcher's cookie, then Accept-Language, then Vietnamese."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import DateTimePattern, format_datetime, get_date_format
from babel.dates import parse_pattern as parse_date_pattern
from babel.numbers import NumberPattern
from babel.numbers import parse_pattern as parse_number_pattern
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import Babel, Domain, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from portal.core.time import to_vietnam

DEFAULT_LOCALE = Locale.parse("vi")


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the mail worker and CLI pass the language explicitly
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if request.path.startswith("/api/") and asked in languages:  # a program asks in the URL
        return asked
    if current_user and current_user.is_authenticated:
        saved = getattr(current_user, "language", None)
        if saved in languages:
            return saved
    chosen = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


# --- The request's language, looked up once ------------------------------------------------------
# Flask-Babel finds its context, domain and locale again on every gettext() and format_*() call
# (about 25 µs each); a page with a few hundred labels, dates and numbers paid milliseconds for
# it. Within a request the answer only changes under `force_locale` or `refresh()`, which both
# replace the locale object, so the catalogue is kept per request under that object.


def _context_globals():
    """The app context's `g` itself, None outside one: a page asks for its language a few
    hundred times, and each `g.get` through the proxy cost about 1.5 µs."""
    return g._get_current_object() if has_app_context() else None


def current_locale() -> Locale | None:
    """The request's `babel.Locale` (None outside a request), as `flask_babel.get_locale()`."""
    return _locale_in(_context_globals())


def _locale_in(store) -> Locale | None:
    if store is not None:
        locale = getattr(getattr(store, "_flask_babel", None), "babel_locale", None)
        if locale is not None:
            return locale
    return get_locale()


def _request_translations(load: Callable[[], Translations | NullTranslations]):
    store = _context_globals()
    locale = _locale_in(store)
    if locale is None or store is None:
        return load()
    kept = getattr(store, "_portal_translations", None)
    if kept is None or kept[0] is not locale:
        kept = store._portal_translations = (locale, load())
    return kept[1]


class RequestDomain(Domain):
    """The app's message domain, whose catalogue is found once per request (see above)."""

    def get_translations(self):
        return _request_translations(super().get_translations)


def translations() -> Translations | NullTranslations:
    return _request_translations(get_translations)


@pass_eval_context
def _template_gettext(__eval_context: EvalContext, __string: str, **variables: object) -> str:
    """A template's `_("…", name=…)` as Jinja's own new-style gettext writes it (the text
    escaped where the template escapes, then its variables put in), in one call rather than
    three that each ask whether their callee wants the context: 12.4 → 9.0 µs a label, and a
    project's page writes about 60. Its own arguments' names keep the text's free, as Jinja's."""
    text = translations().ugettext(__string)
    if __eval_context.autoescape:
        text = Markup(text)
    return text % variables


def install(app: Flask, babel: Babel) -> None:
    """Python's gettext (through the domain) and the templates' `_` read the kept catalogue."""
    babel.domain_instance = RequestDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext)


# --- Dates and numbers, with their patterns parsed once -------------------------------------------

_NAMED_DATE_FORMATS = ("short", "medium", "long", "full")


@lru_cache(maxsize=64)
def _date_pattern(locale: Locale, format: str) -> DateTimePattern:
    if format in _NAMED_DATE_FORMATS:
        return get_date_format(format, locale)
    return parse_date_pattern(format)


@lru_cache(maxsize=16)
def _number_pattern(format: str) -> NumberPattern:
    return parse_number_pattern(format)


def format_day(value: date | datetime, format: str = "medium") -> str:
    """A day in her language (`1 thg 5, 2026`); a moment is first taken to Vietnam's day."""
    if isinstance(value, datetime):
        value = to_vietnam(value).date()
    return _written_day(current_locale() or DEFAULT_LOCALE, format, value)


@lru_cache(maxsize=4096)
def _written_day(locale: Locale, format: str, value: date) -> str:
    """Kept: a list writes the same few days again and again (a report's period and due day,
    50 rows a page), and Babel takes about 17 µs to write one."""
    return _date_pattern(locale, format).apply(value, locale)


def format_moment(value: datetime, format: str) -> str:
    """A moment in Vietnam's time: `HH:mm, dd/MM/yyyy`, or the language's own `medium`…"""
    locale = current_locale() or DEFAULT_LOCALE
    if format in _NAMED_DATE_FORMATS:  # a date and a time, each in the language's own way
        return format_datetime(to_vietnam(value), format, locale=locale)
    return _date_pattern(locale, format).apply(to_vietnam(value), locale)


def format_number(value: int | float | Decimal, format: str = "#,##0") -> str:
    """A number the way her language groups it: 1.234 in Vietnamese, 1,234 in English."""
    return _number_pattern(format).apply(value, current_locale() or DEFAULT_LOCALE)
