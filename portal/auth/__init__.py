from flask import Blueprint

bp = Blueprint("auth", __name__)

from portal.auth import shared_device, views  # noqa: E402,F401
