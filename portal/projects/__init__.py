"""Supported projects: the winners' projects the union follows for years.

In parts: the project's record, its list and its page (the modules at this level),
`milestones/`, `reports/` (the schedule and each progress report), `follow_up/` (the organisers'
list of what is due), `reminders/` (the mails that say a report is due or late, a rating
expires), `ocop/` (products and their star ratings), `poverty/` (the household's status as a
history), `story/` (her public story), `activities/` (trainings and who attended); `page.py`
assembles a project's page and `timeline.py` its story in time.
"""

from flask import Blueprint

bp = Blueprint("projects", __name__)

# The colour of each state of a report, on every page that shows one.
REPORT_STATE_COLOURS = {
    "upcoming": "light border",
    "due": "info",
    "late": "danger",
    "submitted": "primary",
    "accepted": "success",
    "returned": "warning",
    "skipped": "secondary",
}


@bp.context_processor
def _report_words() -> dict:
    from portal.projects.reports.models import SUPPORT_NEED_LABELS

    return {
        "state_colours": REPORT_STATE_COLOURS,
        "need_labels": {need.value: label for need, label in SUPPORT_NEED_LABELS.items()},
    }


# Importing the views registers their routes; importing listeners connects them to signals.
from portal.projects import listeners, models, views  # noqa: E402,F401
from portal.projects.activities import views as activities_views  # noqa: E402,F401
from portal.projects.follow_up import views as follow_up_views  # noqa: E402,F401
from portal.projects.milestones import views as milestones_views  # noqa: E402,F401
from portal.projects.ocop import views as ocop_views  # noqa: E402,F401
from portal.projects.poverty import views as poverty_views  # noqa: E402,F401
from portal.projects.reminders import models as reminders_models  # noqa: E402,F401
from portal.projects.reports import views as reports_views  # noqa: E402,F401
from portal.projects.story import views as story_views  # noqa: E402,F401
