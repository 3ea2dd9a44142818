from flask import Blueprint

bp = Blueprint("entries", __name__)

from portal.entries import cli, views  # noqa: E402,F401
