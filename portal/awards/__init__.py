"""Awards: prize tiers, the decision and its approval, publication, certificates, prize payments."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("awards", __name__)

# The organisers' pages of a competition's awards, in the order of the work.
AWARDS_PAGES = [
    ("awards.prizes", _l("Prizes")),
    ("awards.decide", _l("Decision")),
    ("awards.certificates", _l("Certificates")),
    ("awards.payments", _l("Prize payments")),
]


@bp.app_context_processor
def _awards_pages() -> dict:
    return {"awards_pages": AWARDS_PAGES}


from portal.awards import (  # noqa: E402,F401  (views and listeners register themselves)
    listeners,
    models,
    views_certificates,
    views_decide,
    views_payments,
    views_prizes,
    views_public,
)
