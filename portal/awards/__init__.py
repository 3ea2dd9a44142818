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


# Importing the views registers their routes; importing listeners connects them to signals.
from portal.awards import listeners, models  # noqa: E402,F401
from portal.awards.certificates import views as certificates_views  # noqa: E402,F401
from portal.awards.decision import views as decision_views  # noqa: E402,F401
from portal.awards.payments import views as payments_views  # noqa: E402,F401
from portal.awards.prizes import views as prizes_views  # noqa: E402,F401
from portal.awards.publication import views as publication_views  # noqa: E402,F401
