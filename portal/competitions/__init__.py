from flask import Blueprint

bp = Blueprint("competitions", __name__, url_prefix="/competitions")

from portal.competitions import views  # noqa: E402,F401
from portal.competitions.deadline import entries_sentence  # noqa: E402

bp.add_app_template_global(entries_sentence)
