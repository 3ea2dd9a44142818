"""Supported projects: the winners' projects the union follows for years."""

from flask import Blueprint

bp = Blueprint("projects", __name__)

from portal.projects import listeners, models, views  # noqa: E402,F401  (they register themselves)
