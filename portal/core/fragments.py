"""Parts of the layout that are the same for everyone with the same key, rendered once per process.

The site menu of a logged-in organiser is about forty links and labels (`url_for` and `gettext`
each time) on every page she opens, and it only changes with her language and her roles. A
fragment's template reads nothing but the values of its key (never `current_user`, the CSRF
token or the request's path), so its output is fixed by them and is kept in the app, per
language and script root, for as long as the process lives. Nothing another worker needs: each
worker renders its own copy the first time.
"""

from flask import Flask, current_app, has_request_context, request
from flask_wtf import FlaskForm
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


def form_fields(template: str, form: FlaskForm) -> Markup:
    """A form's fields written by `template`, which is given `form` and nothing else: no CSRF
    token and no action, which are the page's own (the same template as `untouched_form`)."""
    return Markup(current_app.jinja_env.get_template(template).render(form=form))


def untouched_form(template: str, form_class: type[FlaskForm], **data: str | None) -> Markup:
    """The fields of a form as nobody has typed in it yet, made of `data`, kept like a fragment
    per (language, script root, form, data). WTForms writes every attribute of every field
    through `str.format`: an entry's screening and extension forms cost about 1 ms a page, and
    untouched they are the same markup for every entry. `data` must come from a small set (a
    choice, never what someone typed): each value is kept for the life of the process."""
    kept: dict = current_app.extensions["kept_fragments"]
    locale = i18n.current_locale() or i18n.DEFAULT_LOCALE
    root = request.script_root if has_request_context() else ""
    identity = (template, form_class, str(locale), root, tuple(sorted(data.items())))
    found = kept.get(identity)
    if found is None:
        found = form_fields(template, form_class(formdata=None, meta={"csrf": False}, **data))
        if not current_app.jinja_env.auto_reload:
            kept[identity] = found
    return found


def init_app(app: Flask) -> None:
    app.extensions["kept_fragments"] = {}
    app.jinja_env.globals["kept_fragment"] = kept_fragment
