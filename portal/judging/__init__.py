"""Judging: rubrics, assignment of judges, scoring, aggregation and ranking."""

from flask import Blueprint

bp = Blueprint("judging", __name__)

from portal.judging import models, views  # noqa: E402,F401
