"""A progress report's status: the moves it may make, and the one function that makes them.

OPEN → SUBMITTED (the winner sends it) → ACCEPTED, or RETURNED with a comment → SUBMITTED again;
an OPEN or RETURNED report may be SKIPPED by an organiser, with a reason. Whether an open report
is upcoming, due or late is read from its dates (`ReportState`, reports/services.py), not moved
by a clock. `change_report_status` is the only code that writes `ProgressReport.status`
(tests/test_status_homes.py); its conditional UPDATE lets one of two identical requests move the
report and tells the other False.
"""

from typing import Any

from portal.core.status import guarded_move
from portal.projects.reports.models import ProgressReport, ReportStatus

_S = ReportStatus

# Each move and its audit action: the moves there are (guarded_move refuses any other).
ACTIONS: dict[tuple[ReportStatus, ReportStatus], str] = {
    (_S.OPEN, _S.SUBMITTED): "progress_report.submitted",
    (_S.RETURNED, _S.SUBMITTED): "progress_report.resubmitted",
    (_S.SUBMITTED, _S.ACCEPTED): "progress_report.accepted",
    (_S.SUBMITTED, _S.RETURNED): "progress_report.returned",
    (_S.OPEN, _S.SKIPPED): "progress_report.skipped",
    (_S.RETURNED, _S.SKIPPED): "progress_report.skipped",
}


def change_report_status(
    actor_id: int,
    report: ProgressReport,
    to: ReportStatus,
    *,
    expected_version: int | None = None,
    after: dict | None = None,
    **values: Any,
) -> bool:
    """Move the report from the status it was read in to `to` (with `values`), raise its version
    and audit it; the caller commits. False, with nothing written, when another request moved or
    saved it first."""
    return guarded_move(
        ProgressReport,
        report,
        to=to,
        actions=ACTIONS,
        actor_id=actor_id,
        object_type="progress_report",
        expected_version=expected_version,
        after=after,
        **values,
    )
