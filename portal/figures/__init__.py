"""The union's figures: indicators by unit and period, each with its written definition
(docs/indicators.md) and the records behind it, computed in SQL from the features before it."""

from flask import Blueprint

bp = Blueprint("figures", __name__)


from portal.figures import views  # noqa: E402,F401  (it registers itself)
from portal.figures.credit import views as credit_views  # noqa: E402,F401
