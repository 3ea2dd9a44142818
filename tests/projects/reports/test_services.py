"""Progress reports: the schedule and its change, where a report stands by its dates, her draft
and her submission (refused for a missing figure, sent twice once, taken late), the organiser's
review, and the household's history an accepted report adds to."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.applicants.models import HouseholdStatus
from portal.core.errors import DomainError, NotAllowed
from portal.core.time import utcnow
from portal.extensions import db
from portal.projects.poverty.models import StatusSource
from portal.projects.poverty.services import history_of
from portal.projects.reports import services
from portal.projects.reports.models import ProgressReport, ReportState, ReportStatus
from portal.projects.reports.services import ReportConflict, ReportData, state_clause, state_of
from tests.conftest import mails_to
from tests.factories import PNG, project_of

pytestmark = pytest.mark.usefixtures("frozen_time")

TODAY = date(2026, 5, 10)  # the frozen day, in Vietnam


def full(**values) -> ReportData:
    answers = {
        "revenue": 15_000_000,
        "costs": 9_000_000,
        "products_sold": "300 kg chè",
        "jobs_total": 6,
        "jobs_women": 5,
        "jobs_ethnic_women": 4,
        "household_status": "near_poor",
        "needs": ["market", "capital"],
        "went_well": "Bán được cho HTX",
        "was_hard": "Mưa nhiều",
    }
    return ReportData(**(answers | values))


@pytest.fixture
def project(published):
    return project_of(published.entries[0])


@pytest.fixture
def reports(published, project):
    """Quarterly for two years from 1 February 2026: the first is due on 15 May."""
    services.set_schedule(published.organiser, project, "quarterly_two_years", date(2026, 2, 1))
    return services.reports_of([project.id])[project.id]


def test_the_schedule_makes_the_reports_with_their_due_dates(reports):
    assert len(reports) == 8
    first = reports[0]
    assert (first.period_start, first.period_end, first.due_on) == (
        date(2026, 2, 1),
        date(2026, 4, 30),
        date(2026, 5, 15),
    )
    assert [state_of(r, TODAY) for r in reports[:2]] == [ReportState.DUE, ReportState.UPCOMING]


def test_a_projects_page_reads_the_same_reports_as_rows(published, project, reports):
    owner = published.applicants[0]
    services.submit_report(owner, reports[0], full(), expected_version=reports[0].version)
    other = project_of(published.entries[1])
    lines = services.report_lines_of([project.id, other.id])
    assert lines[other.id] == []

    def shown(r):
        dates = (r.period_start, r.period_end, r.due_on, r.submitted_at)
        return (r.id, r.number, *dates, r.status, r.revenue, r.jobs_total)

    assert [shown(r) for r in lines[project.id]] == [shown(r) for r in reports]
    first = lines[project.id][0]
    assert first.revenue == 15_000_000 and first.submitted_at  # her figures, for the chart
    states = [state_of(r, TODAY) for r in lines[project.id]]
    assert states == [state_of(r, TODAY) for r in reports]
    assert states[:2] == [ReportState.SUBMITTED, ReportState.UPCOMING]


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 4, 29), ReportState.UPCOMING),
        (date(2026, 4, 30), ReportState.DUE),
        (date(2026, 5, 15), ReportState.DUE),
        (date(2026, 5, 28), ReportState.DUE),
        (date(2026, 5, 29), ReportState.LATE),
    ],
)
def test_where_an_open_report_stands_in_python_and_in_sql(reports, today, state):
    first = reports[0]
    assert state_of(first, today) is state
    found = db.session.scalars(sa.select(ProgressReport.id).where(state_clause(state, today)))
    assert first.id in set(found)


def test_only_the_unit_organisers_set_the_schedule(published, project):
    with pytest.raises(NotAllowed):
        services.set_schedule(published.applicants[0], project, "quarterly_two_years", TODAY)
    with pytest.raises(DomainError) as refused:
        services.set_schedule(published.organiser, project, "every_day", TODAY)
    assert refused.value.field == "plan"
    with pytest.raises(DomainError) as refused:
        services.set_schedule(published.organiser, project, "yearly_five_years", date(2020, 1, 1))
    assert refused.value.field == "starts_on"


def test_a_draft_is_kept_and_sending_needs_every_figure(published, project, reports):
    owner, report = published.applicants[0], reports[0]
    services.save_draft(
        owner, report, ReportData(revenue=15_000_000, went_well="Tốt"), expected_version=1
    )
    assert (report.revenue, report.went_well, report.status) == (
        15_000_000,
        "Tốt",
        ReportStatus.OPEN,
    )
    with pytest.raises(DomainError) as refused:
        services.submit_report(owner, report, full(costs=None), expected_version=2)
    assert refused.value.field == "costs"
    with pytest.raises(DomainError) as refused:
        services.submit_report(owner, report, full(jobs_women=9), expected_version=2)
    assert refused.value.field == "jobs_women"
    with pytest.raises(ReportConflict):  # a page opened before the draft was saved
        services.save_draft(owner, report, ReportData(revenue=1), expected_version=1)

    services.submit_report(owner, report, full(photos=[(PNG, "vuon-che.png")]), expected_version=2)
    assert report.status is ReportStatus.SUBMITTED
    assert report.costs == 9_000_000 and report.needs == ["capital", "market"]
    assert [p.filename for p in report.photos] == ["vuon-che.png"]
    # The same form again (a double tap): still one submission.
    services.submit_report(owner, report, full(), expected_version=2)
    assert report.version == 3


def test_an_upcoming_report_is_only_a_draft_and_a_late_one_is_still_taken(
    published, reports, frozen_time
):
    owner = published.applicants[0]
    with pytest.raises(DomainError):
        services.submit_report(owner, reports[1], full(), expected_version=1)
    frozen_time.shift(timedelta(days=60))
    assert state_of(reports[0], TODAY + timedelta(days=60)) is ReportState.LATE
    services.submit_report(owner, reports[0], full(), expected_version=1, now=utcnow())
    assert services.is_late_submission(reports[0])


def test_the_organiser_returns_then_accepts_and_the_household_history_grows(
    published, project, reports
):
    owner, organiser, report = published.applicants[0], published.organiser, reports[0]
    services.submit_report(owner, report, full(), expected_version=1)
    with pytest.raises(NotAllowed):
        services.accept_report(owner, report, expected_version=2)
    services.return_report(organiser, report, "Thiếu ảnh vườn chè.", expected_version=2)
    assert report.status is ReportStatus.RETURNED
    mail = mails_to(owner.email)[-1]
    assert "Thiếu ảnh vườn chè." in mail.body_text and mail.template == "report_returned"

    services.submit_report(owner, report, full(household_status="neither"), expected_version=3)
    services.accept_report(organiser, report, expected_version=4)
    services.accept_report(published.second_organiser, report, expected_version=4)  # once
    assert report.status is ReportStatus.ACCEPTED
    history = history_of([project.id])[project.id]
    from_reports = [h for h in history if h.source is StatusSource.PROGRESS_REPORT]
    assert [(h.status, h.as_of) for h in from_reports] == [
        (HouseholdStatus.NEITHER, date(2026, 4, 30))
    ]


def test_changing_the_schedule_keeps_what_was_sent_and_saved(published, project, reports):
    owner = published.applicants[0]
    services.submit_report(owner, reports[0], full(), expected_version=1)
    services.save_draft(owner, reports[3], ReportData(went_well="Nháp"), expected_version=1)
    services.skip_report(published.organiser, reports[1], "Mùa mưa lũ", expected_version=1)
    services.set_schedule(published.organiser, project, "half_yearly_three_years", date(2026, 2, 1))
    after = services.reports_of([project.id])[project.id]
    kept = [(r.number, r.status) for r in after if r.number <= 4]
    assert kept == [(1, ReportStatus.SUBMITTED), (2, ReportStatus.SKIPPED), (4, ReportStatus.OPEN)]
    # The new six-monthly periods start after the last kept one (ending 31 January 2027).
    new = [r for r in after if r.number > 4]
    assert new[0].period_start == date(2027, 2, 1)
    assert all(r.period_start > date(2027, 1, 31) for r in new)
