"""Judging: rubrics, assignment of judges, scoring, aggregation and ranking."""

from flask import Blueprint

bp = Blueprint("judging", __name__)

# Importing the views registers their routes; importing listeners connects them to signals.
from portal.judging import listeners, models, views  # noqa: E402,F401
