from flask import Blueprint

bp = Blueprint("applicants", __name__, url_prefix="/applicant")

from portal.applicants import models, views  # noqa: E402,F401
