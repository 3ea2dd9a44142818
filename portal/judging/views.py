"""Judging pages, one module per part, all on the `judging` blueprint."""

from portal.judging.assignment import views as assignment_views  # noqa: F401
from portal.judging.imports import views as imports_views  # noqa: F401
from portal.judging.results import views as results_views  # noqa: F401
from portal.judging.scoring import views as scoring_views  # noqa: F401
from portal.judging.setup import views as setup_views  # noqa: F401
