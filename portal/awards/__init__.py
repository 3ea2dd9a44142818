"""Awards: prize tiers, the decision and its approval, publication, certificates, prize payments."""

from flask import Blueprint

bp = Blueprint("awards", __name__)

from portal.awards import (  # noqa: E402,F401
    models,
    views_certificates,
    views_decide,
    views_payments,
    views_prizes,
    views_public,
)
