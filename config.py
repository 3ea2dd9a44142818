"""Configuration: everything comes from environment variables, with safe defaults for development."""

import functools
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(url: str) -> str:
    """PostgreSQL URLs are served by psycopg 3, whatever driver the URL names."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


DEVELOPMENT_SECRET_KEY = "dev-only-secret-change-me"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'portal.db'}")
    )
    # JSON columns (the audit log's before → after) keep Vietnamese as written, not as \u escapes.
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_pre_ping": True,
        "json_serializer": functools.partial(json.dumps, ensure_ascii=False),
    }

    # Sessions: the cookie is never readable from JavaScript and not sent on cross-site posts.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    FORCE_HTTPS = _bool("FORCE_HTTPS", False)

    # Werkzeug's scrypt. Tests use a cheaper method only to run fast; they check this default.
    PASSWORD_HASH_METHOD = "scrypt"

    # How many proxies in front of the app set X-Forwarded-For (0: the app faces the clients).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))

    # A whole entry form may carry a plan and five photos; each file has its own, smaller limit
    # (checked in the service, so that a refused file never loses the typed text).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 60 * 1024 * 1024))
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(BASE_DIR / "instance" / "uploads"))
    MAX_PLAN_BYTES = 10 * 1024 * 1024
    MAX_PHOTO_BYTES = 5 * 1024 * 1024
    MAX_PHOTOS = 5

    # Language and time: Vietnamese first, shown in Vietnam's time zone, stored in UTC.
    LANGUAGES = ("vi", "en")
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGE_COOKIE = "lang"

    # Links in e-mails must be absolute; the worker has no request to take the host from.
    SERVER_NAME = os.environ.get("SERVER_NAME")
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")

    # Mail: "console" prints each message (development); "smtp" sends through Flask-Mail.
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "console")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Cổng Khởi nghiệp Phụ nữ <no-reply@khoinghiep.hoilhpn.local>"
    )
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", 6))
    # Seconds the worker waits for the SMTP server at each step before it tries the next mail.
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", 30))
    MAIL_RETRY_BASE_SECONDS = int(os.environ.get("MAIL_RETRY_BASE_SECONDS", 60))

    # Token lifetimes (seconds).
    CONFIRM_TOKEN_MAX_AGE = 60 * 60 * 48
    RESET_TOKEN_MAX_AGE = 60 * 60
    INVITATION_MAX_AGE = 60 * 60 * 24 * 14
    # Team invitations an applicant may send in an hour, for one entry and for all of hers.
    TEAM_INVITATIONS_PER_HOUR = 10

    # Rate limits: memory by default (one process); Redis whenever more than one process serves
    # the portal (gunicorn workers, app servers). ProductionConfig refuses memory://.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # While that Redis cannot be reached, each process counts in its own memory again rather than
    # answering every login, registration and verification with a 500 (and checks Redis again).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Failed logins: per account (from any address), and per address (for any account) a much
    # higher number, so that a shared computer or phone does not lock out the next person.
    LOGIN_LIMIT = os.environ.get("LOGIN_LIMIT", "10 per minute")
    LOGIN_ADDRESS_LIMIT = os.environ.get("LOGIN_ADDRESS_LIMIT", "100 per hour")
    # Forms that send an e-mail (register, resend confirmation, password reset).
    EMAIL_FORM_LIMIT = os.environ.get("EMAIL_FORM_LIMIT", "5 per minute")
    # Codes sent by text message to prove a phone number is hers (auth/codes.py): how long one
    # holds, how many tries it takes, how many may be sent in an hour to a number and from an
    # address, and how many text messages the installation may pay for in a day (Vietnam's day).
    PHONE_CODE_MINUTES = 10
    PHONE_CODE_TRIES = 5
    PHONE_CODES_PER_NUMBER_HOUR = 3
    PHONE_CODES_PER_ADDRESS_HOUR = 20
    SMS_DAILY_BUDGET = int(os.environ.get("SMS_DAILY_BUDGET", "500"))
    # Text messages (core/sms.py): "console" prints them (development), "http" posts them to a
    # Vietnamese SMS gateway at SMS_GATEWAY_URL with the key and the brand name it registered.
    # Without diacritics a segment holds 160 characters, with them 70; most brand-name gateways
    # send Vietnamese without. Every message is written for at most SMS_MAX_SEGMENTS.
    SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "console")
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
    SMS_GATEWAY_KEY = os.environ.get("SMS_GATEWAY_KEY", "")
    SMS_BRAND_NAME = os.environ.get("SMS_BRAND_NAME", "HoiLHPN")
    SMS_TIMEOUT = int(os.environ.get("SMS_TIMEOUT", 15))
    SMS_DIACRITICS = _bool("SMS_DIACRITICS", False)
    SMS_MAX_SEGMENTS = int(os.environ.get("SMS_MAX_SEGMENTS", 2))

    # Pages and static text compressed by the app (Flask-Compress). Behind a proxy that compresses
    # (docs/deployment.md), set COMPRESS_REGISTER=false: the app then spends no CPU on it.
    COMPRESS_REGISTER = _bool("COMPRESS_REGISTER", True)

    # Where the union's figures are kept between requests (a Redis URL, e.g.
    # redis://127.0.0.1:6379/3); empty: computed on every view.
    FIGURES_CACHE_URL = os.environ.get("FIGURES_CACHE_URL", "")
    # Calls to the API a token may make (counted where the rate limits are).
    API_LIMIT = os.environ.get("API_LIMIT", "120 per minute")


class DevelopmentConfig(Config):
    DEBUG = False  # the debugger is opt-in with `flask run --debug`


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    MAIL_TRANSPORT = "record"
    SMS_PROVIDER = "record"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    PUBLIC_URL = "http://localhost"
    WTF_CSRF_ENABLED = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = _bool("FORCE_HTTPS", True)

    @classmethod
    def check(cls) -> None:
        # Against the default itself: Config.SECRET_KEY is the environment's key too.
        if not cls.SECRET_KEY or cls.SECRET_KEY == DEVELOPMENT_SECRET_KEY:
            raise RuntimeError("Set SECRET_KEY in the environment for production.")
        # Flask-Limiter counts in memory when the value is empty, and reads the scheme in any case.
        if urlsplit(cls.RATELIMIT_STORAGE_URI.strip()).scheme.lower() in ("", "memory"):
            # Each gunicorn worker would count the login attempts on its own: with four workers
            # the 11th failure a minute is not refused. Every worker must share one store.
            raise RuntimeError(
                "RATELIMIT_STORAGE_URI is memory:// (or empty, which is the same), which each worker "
                "process counts on its own. "
                "Set RATELIMIT_STORAGE_URI to a Redis shared by every worker and server, "
                "e.g. redis://127.0.0.1:6379/0."
            )
        if cls.SMS_PROVIDER not in ("console", "http"):
            raise RuntimeError("SMS_PROVIDER must be console or http.")
        if cls.SMS_PROVIDER == "http" and not (cls.SMS_GATEWAY_URL and cls.SMS_GATEWAY_KEY):
            raise RuntimeError("SMS_PROVIDER=http needs SMS_GATEWAY_URL and SMS_GATEWAY_KEY.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
