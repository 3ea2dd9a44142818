"""Language choice: saved preference, then the switcher's cookie, then Accept-Language, then Vietnamese."""

from flask import current_app, has_request_context, request
from flask_login import current_user


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
