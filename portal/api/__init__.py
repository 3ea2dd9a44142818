"""The API (/api/v1): read-only JSON for the central union and partners, with tokens an admin
issues and revokes (`admin.py`), every call logged; its OpenAPI document; open data without a
token."""

from flask import Blueprint

from portal.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # read-only: no form, no cookie it acts on
admin_bp = Blueprint("api_admin", __name__)

from portal.api import admin, views  # noqa: E402,F401  (they register themselves)
