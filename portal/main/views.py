"""Home page, language switcher and health check."""

import hashlib

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from portal.auth import services as auth_services
from portal.auth.forms import LanguageForm
from portal.competitions import services as competition_services
from portal.core.assets import asset
from portal.core.http_cache import public_cache
from portal.core.security import safe_next
from portal.core.time import utcnow
from portal.extensions import db, limiter
from portal.main import bp


@bp.route("/")
@public_cache
def home():
    now = utcnow()
    open_now = db.session.scalars(competition_services.public_query(phase="open", now=now).limit(6))
    return render_template("main/home.html", competitions=list(open_now), now=now)


@bp.route("/language", methods=["GET", "POST"])
def set_language():
    """The switcher: remembered in a cookie, and saved on the account of a logged-in user.

    A visitor's pages carry no CSRF token, so that they are the same for everyone and may be
    kept (core/http_cache.py): her switch is a GET, which only sets the cookie. A logged-in
    user's switch is a POST with her token, which also saves the choice on her account.
    """
    if request.method == "GET":
        language, next_url = request.args.get("language"), request.args.get("next")
    else:
        form = LanguageForm()
        if not form.validate_on_submit():
            abort(400)
        language, next_url = form.language.data, form.next.data
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    response = redirect(safe_next(next_url, url_for("main.home")))
    response.set_cookie(
        current_app.config["LANGUAGE_COOKIE"],
        language,
        max_age=60 * 60 * 24 * 365,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    if request.method == "POST" and current_user.is_authenticated:
        auth_services.set_language(current_user, language)
    return response


# Pages the service worker keeps for reading offline, the latest first.
OFFLINE_PAGES = 40


@bp.route("/service-worker.js")
@limiter.exempt
def service_worker():
    """At the root, so that it may answer for every page; asked again on each visit (no-cache),
    so that a new build reaches her phone with its next page."""
    built = sorted(asset(name) for name in current_app.extensions["assets"]["assets"])
    # A new build, or a new offline page, is a new version: what was kept is dropped.
    offline_page = render_template("main/offline.html")
    script = render_template(
        "main/service_worker.js",
        version=hashlib.sha256("".join([*built, offline_page]).encode()).hexdigest()[:12],
        assets=built,
        offline_url=url_for("main.offline"),
        max_pages=OFFLINE_PAGES,
    )
    response = make_response(script)
    response.mimetype = "text/javascript"
    response.cache_control.no_cache = True
    return response


@bp.route("/offline")
def offline():
    """What the service worker shows for a page it did not keep, when the phone is offline."""
    return render_template("main/offline.html")


@bp.route("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means unhealthy
        db.session.rollback()
        current_app.logger.warning("health check: database unavailable: %s", exc)
        return jsonify(status="unavailable", database="unavailable"), 503
    return jsonify(status="ok", database="ok"), 200
