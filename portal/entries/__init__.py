from flask import Blueprint

bp = Blueprint("entries", __name__)

from portal.entries import views  # noqa: E402,F401
