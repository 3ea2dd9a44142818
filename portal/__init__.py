"""The women's start-up competitions portal: create_app() builds the Flask application."""

import os
from datetime import date

from flask import Flask, has_request_context, request
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_compress import Compress
from sqlalchemy.orm import joinedload
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, Config
from portal.auth.phones import written_mobile
from portal.core import assets, cache, fragments, i18n, transactions
from portal.core.i18n import select_locale
from portal.core.inputs import IdConverter, PortalRequest
from portal.core.money import format_vnd
from portal.core.time import utcnow
from portal.extensions import babel, csrf, db, limiter, login_manager, mail, migrate, talisman

# No inline script or style anywhere: every script and stylesheet is a file under static/.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def create_app(config: type[Config] | str | None = None) -> Flask:
    if config is None or isinstance(config, str):
        config = CONFIGS[config or os.environ.get("PORTAL_CONFIG", "development")]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
        instance_path=os.path.join(root, "instance"),
    )
    app.config.from_object(config)
    if hasattr(config, "check"):
        config.check()
    # Before any rule is added: every `<int:...>` id is 1..2^31 - 1 (else 404), and no view
    # reads a NUL byte from a form, a query string or a JSON body.
    app.url_map.converters["int"] = IdConverter
    app.request_class = PortalRequest

    if app.config["TRUSTED_PROXIES"]:
        # Behind a load balancer the client's address is in X-Forwarded-For; the rate limits
        # and the audit log need it, not the balancer's.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    _init_extensions(app)
    _init_weight(app)
    _register_blueprints(app)
    _register_template_helpers(app)

    from portal.core.cli import mail_cli, storage_cli
    from portal.core.errors import register_error_handlers
    from portal.ledger.cli import ledger_cli
    from portal.projects.reminders.cli import reminders_cli

    register_error_handlers(app)

    @app.before_request
    def keep_loaded_after_commit():
        # What a request wrote is what it answers with: after its commit it redirects or says
        # "saved", and must not need the database again for that (a connection lost just after
        # the commit would turn a saved payment into a 500, and a second payment). So the
        # request's session keeps its objects loaded when it commits.
        db.session().expire_on_commit = False

    app.cli.add_command(mail_cli)
    app.cli.add_command(storage_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(ledger_cli)
    return app


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    transactions.init_app(app)  # after db: its teardown runs first
    cache.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    mail.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    i18n.install(app, babel)
    fragments.init_app(app)
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        content_security_policy=CONTENT_SECURITY_POLICY,
    )

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect
        from flask_login import login_url

        from portal.core.errors import render_kept, typed_values

        if typed_values():
            # Logged out in another tab, or her session ended, while she was typing: the text
            # is shown back (and refills the form on this device) rather than thrown away.
            return render_kept(
                401,
                _l("You are no longer logged in"),
                _l("Your session ended before this form was sent, so it was not saved."),
            )
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(login_url(login_manager.login_view, next_url=request.url))

    from portal.auth.models import User

    # Every page asks what she may do: her roles (and their units) come in the same query,
    # a statement built once (building and keying it at each request cost 0.15 ms).
    query = (
        db.select(User)
        .options(joinedload(User.roles))
        .where(User.session_token == db.bindparam("session_token"))
    )

    @login_manager.user_loader
    def load_user(session_token: str) -> User | None:
        return db.session.scalars(query, {"session_token": session_token}).unique().first()


def _init_weight(app: Flask) -> None:
    """Light on a weak connection: pages and static text compressed (Brotli, else gzip), and the
    stylesheet, script and icon linked by hashed names that a browser keeps a year (core/assets.py)."""
    for name, value in (
        ("COMPRESS_ALGORITHM", ["br", "zstd", "gzip", "deflate"]),
        # Static files are sent as a stream: without this list Flask-Compress would not gzip them.
        ("COMPRESS_ALGORITHM_STREAMING", ["br", "zstd", "gzip", "deflate"]),
        ("COMPRESS_BR_LEVEL", 5),  # the stylesheet 10.5 → 9.5 KB, for 0.4 ms more than level 4
    ):
        app.config.setdefault(name, value)
    Compress(app)
    assets.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from portal.admin import bp as admin_bp
    from portal.api import admin_bp as api_admin_bp
    from portal.api import bp as api_bp
    from portal.applicants import bp as applicants_bp
    from portal.auth import bp as auth_bp
    from portal.awards import bp as awards_bp
    from portal.capital import bp as capital_bp
    from portal.competitions import bp as competitions_bp
    from portal.demo import bp as demo_bp
    from portal.entries import bp as entries_bp
    from portal.figures import bp as figures_bp
    from portal.judging import bp as judging_bp
    from portal.ledger import bp as ledger_bp
    from portal.main import bp as main_bp
    from portal.nominations import bp as nominations_bp
    from portal.projects import bp as projects_bp
    from portal.units import bp as units_bp

    for blueprint in (
        main_bp,
        auth_bp,
        admin_bp,
        units_bp,
        demo_bp,
        competitions_bp,
        entries_bp,
        applicants_bp,
        judging_bp,
        awards_bp,
        nominations_bp,
        projects_bp,
        capital_bp,
        ledger_bp,
        figures_bp,
        api_bp,
        api_admin_bp,
    ):
        app.register_blueprint(blueprint)


def _register_template_helpers(app: Flask) -> None:
    @app.template_filter("datetime")
    def datetime_filter(value, format=None):
        """Vietnam time, written the way each language writes it: `14:05, 08/03/2026`."""
        if not value:
            return ""
        if format is None:
            vietnamese = (i18n.current_locale() or i18n.DEFAULT_LOCALE).language == "vi"
            format = "HH:mm, dd/MM/yyyy" if vietnamese else "d MMM yyyy, HH:mm"
        return i18n.format_moment(value, format)

    app.add_template_filter(written_mobile, "mobile")

    @app.template_filter("date")
    def date_filter(value, format="medium"):
        if isinstance(value, str) and value:  # a day kept in JSON, as YYYY-MM-DD
            value = date.fromisoformat(value)
        return i18n.format_day(value, format) if value else ""

    @app.template_filter("time_left")
    def time_left_filter(moment):
        """What is left before a deadline, in whole days, then hours, then minutes."""
        seconds = max(int((moment - utcnow()).total_seconds()), 0)
        if seconds >= 2 * 86400:
            return ngettext("%(num)d day left", "%(num)d days left", seconds // 86400)
        if seconds >= 3600:
            return ngettext("%(num)d hour left", "%(num)d hours left", seconds // 3600)
        return ngettext("%(num)d minute left", "%(num)d minutes left", max(seconds // 60, 1))

    @app.template_filter("vnd")
    def vnd_filter(amount):
        return format_vnd(amount, str(i18n.current_locale()))

    @app.template_filter("number")
    def number_filter(value):
        """A count the way her language writes it: 1.234 in Vietnamese, 1,234 in English."""
        return i18n.format_number(value)

    @app.template_filter("percent")
    def percent_filter(value):
        """A percentage kept as a number of per cent: 12,50 % in Vietnamese."""
        return i18n.format_number(value, "#,##0.00") + "\u00a0%"

    @app.context_processor
    def inject_globals():
        from portal.auth.models import Role
        from portal.core.idempotency import new_key

        values = {"current_language": str(get_locale()), "Role": Role, "new_form_key": new_key}
        if has_request_context():  # e-mails are also rendered by the worker, outside a request
            values["current_path"] = request.full_path.rstrip("?")
        return values
