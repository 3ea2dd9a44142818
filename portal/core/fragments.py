"""Parts of the layout that are the same for everyone with the same key, rendered once per process.

The site menu of a logged-in organiser is about forty links and labels (`url_for` and `gettext`
each time) on every page she opens, and it only changes with her language and her roles. A
fragment's template reads nothing but the values of its key (never `current_user`, the CSRF
token or the request's path), so its output is fixed by them and is kept in the app, per
language and script root, for as long as the process lives. Nothing another worker needs: each
worker renders its own copy the first time.
"""

from flask import Flask, current_app, has_request_context, request
from markupsafe import Markup

from portal.core import i18n


def kept_fragment(template: str, **key: object) -> Markup:
    """`template` rendered with `key` as its only context, kept per (language, script root, key)."""
    kept: dict = current_app.extensions["kept_fragments"]
    locale = i18n.current_locale() or i18n.DEFAULT_LOCALE
    root = request.script_root if has_request_context() else ""
    identity = (template, str(locale), root, tuple(sorted(key.items())))
    found = kept.get(identity)
    if found is None:
        found = Markup(current_app.jinja_env.get_template(template).render(key))
        if not current_app.jinja_env.auto_reload:  # in development an edited template shows
            kept[identity] = found
    return found


def init_app(app: Flask) -> None:
    app.extensions["kept_fragments"] = {}
    app.jinja_env.globals["kept_fragment"] = kept_fragment
