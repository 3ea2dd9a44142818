"""Reminders that arrive once: a frozen clock walks a report from 8 days before its due date to
15 days late and checks exactly which mails go out, in which language; the command run again,
and twice at the same moment, queues each reminder once; the organisers' weekly digest."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from portal.core.outbox import OutboxMessage
from portal.core.time import utcnow
from portal.extensions import db
from portal.projects.milestones import services as milestone_services
from portal.projects.reminders.services import report_stage, send_reminders
from portal.projects.reports import services as report_services
from tests.concurrency import at_once
from tests.factories import project_of
from tests.factories.projects import kind

pytestmark = pytest.mark.usefixtures("frozen_time")

DUE = date(2026, 5, 15)


def at_ten(day: date) -> datetime:
    """10:00 in Vietnam on `day`."""
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)


def mails(template: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.template == template)
            .order_by(OutboxMessage.id)
        )
    )


@pytest.fixture
def report(published):
    """The first report of the first winner's project, due on 15 May 2026."""
    project = project_of(published.entries[0])
    report_services.set_schedule(
        published.organiser, project, "quarterly_two_years", date(2026, 2, 1)
    )
    return report_services.reports_of([project.id])[project.id][0]


@pytest.mark.parametrize(
    ("today", "stage"),
    [
        (date(2026, 5, 7), None),
        (date(2026, 5, 8), "before"),
        (date(2026, 5, 14), "before"),
        (date(2026, 5, 15), "due"),
        (date(2026, 5, 21), "due"),
        (date(2026, 5, 22), None),
        (date(2026, 5, 29), "late"),
        (date(2026, 6, 4), "late"),
        (date(2026, 6, 5), None),
    ],
)
def test_the_stage_of_a_report(today, stage):
    assert report_stage(DUE, today) == stage


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_walk_from_8_days_before_due_to_15_days_late(published, report, language):
    owner = published.applicants[0]
    owner.language = language
    db.session.commit()
    sent = []
    for offset in range(-8, 30):  # 7 May to 13 June, every day, twice an hour
        day = DUE + timedelta(days=offset)
        for hour in (0, 1):
            send_reminders(at_ten(day) + timedelta(hours=hour))
        for mail in mails("report_reminder")[len(sent) :]:
            sent.append((day, mail.recipient, mail.subject))
    title = report.project.title
    if language == "vi":
        expected = [
            f"Báo cáo tiến độ của chị đến hạn sau 7 ngày: {title}",
            f"Hôm nay là hạn nộp báo cáo tiến độ của chị: {title}",
            f"Báo cáo tiến độ của chị đã quá hạn 14 ngày: {title}",
        ]
    else:
        expected = [
            f"Your progress report is due in 7 days: {title}",
            f"Your progress report is due today: {title}",
            f"Your progress report is 14 days late: {title}",
        ]
    assert sent == [
        (date(2026, 5, 8), owner.email, expected[0]),
        (date(2026, 5, 15), owner.email, expected[1]),
        (date(2026, 5, 29), owner.email, expected[2]),
    ]


def test_a_report_sent_in_time_gets_no_more_reminders(published, report):
    send_reminders(at_ten(date(2026, 5, 8)))
    report_services.submit_report(
        published.applicants[0],
        report,
        report_services.ReportData(
            revenue=1,
            costs=0,
            jobs_total=1,
            jobs_women=1,
            jobs_ethnic_women=0,
            household_status="poor",
        ),
        expected_version=1,
    )
    for offset in range(0, 30):
        send_reminders(at_ten(DUE + timedelta(days=offset)))
    assert len(mails("report_reminder")) == 1


def test_the_organisers_digest_comes_once_a_week_in_her_language(published, report):
    organiser = published.organiser
    organiser.language = "en"
    project = report.project
    milestone_services.record_milestone(
        published.applicants[0],
        project,
        milestone_services.MilestoneData(kind("online_shop").id, date(2026, 5, 1)),
    )
    for offset in range(0, 23):  # Sunday 10 May to Monday 1 June: five weeks begun
        send_reminders(at_ten(date(2026, 5, 10) + timedelta(days=offset)))
    digests = [m for m in mails("follow_up_digest") if m.recipient == organiser.email]
    assert len(digests) == 5
    assert "1 milestone is waiting for verification:" in digests[0].body_text
    assert "late" not in digests[0].body_text.split("waiting")[0]
    assert "progress report" not in digests[-2].body_text  # Monday 25 May: not late yet
    assert "1 progress report is late:" in digests[-1].body_text  # late from 29 May


def test_the_command_twice_queues_nothing_more(app, published, report):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reminders", "send"])
    assert "1 queued" in first.output
    again = runner.invoke(args=["reminders", "send"])
    assert "0 queued" in again.output
    assert len(mails("report_reminder")) == 1
    assert isinstance(runner, CliRunner)


def test_two_runs_at_the_same_moment_queue_each_reminder_once(app, worker, published, report):
    if not worker.database.is_postgres:
        pytest.skip("two connections at once: PostgreSQL (in-memory SQLite has one)")
    db.session.commit()
    now = utcnow()

    def run():
        with app.app_context():
            try:
                return send_reminders(now)["queued"]
            finally:
                db.session.remove()

    queued = at_once([run, run, run])
    assert sorted(queued) == [0, 0, 1] or sum(queued) == 1
    db.session.remove()
    assert len(mails("report_reminder")) == 1
