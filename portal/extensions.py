"""Extensions are created once here, unbound, and bound to the app in create_app()."""

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints so that migrations can alter them on every database (SQLite included).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class PortalSQLAlchemy(SQLAlchemy):
    def paginate(self, select, *, page=None, **kwargs):
        # Flask-SQLAlchemy reads `?page=` with int(): 400 digits gave an OFFSET no database holds.
        if page is None and has_request_context():
            from portal.core.inputs import page_number

            page = page_number()
        return super().paginate(select, page=page, **kwargs)

    def _apply_driver_defaults(self, options: dict, app) -> None:
        super()._apply_driver_defaults(options, app)
        if sa.engine.make_url(options["url"]).get_backend_name() == "postgresql":
            # PostgreSQL's JIT compiled the figures' large aggregates for 50-150 ms each and
            # gained nothing on them (docs/performance.md): the portal's sessions go without it.
            connect_args = options.setdefault("connect_args", {})
            connect_args["options"] = (connect_args.get("options", "") + " -c jit=off").strip()


db = PortalSQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
mail = Mail()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
talisman = Talisman()
