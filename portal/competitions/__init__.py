from flask import Blueprint

bp = Blueprint("competitions", __name__, url_prefix="/competitions")

from portal.competitions import views  # noqa: E402,F401
