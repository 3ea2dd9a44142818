"""Nominations: the cascade from commune to nation. A higher competition names the competitions
below that may nominate and how many; their organisers nominate from the final ranking or the
prizes (a second organiser approves); the woman confirms and her entry is carried up; the higher
competition's prizes flow back down (portal.projects)."""

from flask import Blueprint

bp = Blueprint("nominations", __name__)

from portal.nominations import models, views  # noqa: E402,F401
