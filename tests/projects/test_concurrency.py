"""The forms of following the winners sent twice at the same moment (a double tap on a weak
connection, two organisers on the same page) against the live server on PostgreSQL: each is one
action — one report sent, one acceptance, one milestone, one verification, one OCOP rating, one
activity."""

from datetime import date
from functools import partial

import pytest
import sqlalchemy as sa

from portal.core.audit import AuditLog
from portal.extensions import db
from portal.projects.activities.models import SupportActivity
from portal.projects.milestones.models import Milestone
from portal.projects.ocop import services as ocop
from portal.projects.ocop.models import OcopRating
from portal.projects.poverty.models import HouseholdStatusRecord, StatusSource
from portal.projects.reports import services as reports
from tests.concurrency import Visitor, at_once
from tests.factories import PASSWORD, project_of
from tests.factories.projects import kind, ocop_scheme

pytestmark = pytest.mark.usefixtures("frozen_time")

ANSWERS = {
    "revenue": "15.000.000",
    "costs": "9.000.000",
    "jobs_total": "6",
    "jobs_women": "5",
    "jobs_ethnic_women": "4",
    "household_status": "neither",
}


def audited(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditLog.id)).where(AuditLog.action == action))


def tab(server: str, email: str) -> Visitor:
    visitor = Visitor(server)
    visitor.log_in(email, PASSWORD)
    return visitor


@pytest.fixture
def report(published):
    project = project_of(published.entries[0])
    reports.set_schedule(published.organiser, project, "quarterly_two_years", date(2026, 2, 1))
    return reports.reports_of([project.id])[project.id][0]


@pytest.mark.parametrize("at_the_same_moment", [2, 10], ids=["2", "10"])
def test_a_report_sent_twice_at_once_is_sent_once(
    published, report, concurrent_server, at_the_same_moment
):
    owner = tab(concurrent_server, published.applicants[0].email)
    path = f"/projects/reports/{report.id}"
    fields = owner.form(path) | ANSWERS | {"send": "y"}
    answers = at_once([partial(owner.post, path, fields)] * at_the_same_moment)
    assert {a.status for a in answers} <= {302, 409}, [a.status for a in answers]
    assert 302 in {a.status for a in answers}
    db.session.remove()
    assert audited("progress_report.submitted") == 1


def test_two_organisers_accepting_at_once_accept_once(published, report, concurrent_server):
    reports.submit_report(
        published.applicants[0],
        report,
        reports.ReportData(
            revenue=1,
            costs=0,
            jobs_total=1,
            jobs_women=1,
            jobs_ethnic_women=1,
            household_status="neither",
        ),
        expected_version=1,
    )
    path = f"/projects/reports/{report.id}/accept"
    tabs = [
        tab(concurrent_server, published.organiser.email),
        tab(concurrent_server, published.second_organiser.email),
    ]
    forms = [t.form(f"/projects/reports/{report.id}", path) for t in tabs]
    answers = at_once([partial(t.post, path, f) for t, f in zip(tabs, forms, strict=True)])
    assert {a.status for a in answers} <= {302, 409}
    db.session.remove()
    assert audited("progress_report.accepted") == 1
    from_reports = db.session.scalar(
        sa.select(sa.func.count(HouseholdStatusRecord.id)).where(
            HouseholdStatusRecord.source == StatusSource.PROGRESS_REPORT
        )
    )
    assert from_reports == 1


def test_a_milestone_recorded_and_verified_twice_at_once_is_one(published, concurrent_server):
    kind("first_sales")
    db.session.commit()
    project = project_of(published.entries[0])
    project_id = project.id
    emails = [published.organiser.email, published.second_organiser.email]
    owner = tab(concurrent_server, published.applicants[0].email)
    path = f"/projects/{project_id}/milestones/new"
    fields = owner.form(path) | {"kind": str(kind("first_sales").id), "reached_on": "2026-05-01"}
    answers = at_once([partial(owner.post, path, fields)] * 5)
    assert {a.status for a in answers} <= {302, 409}
    db.session.remove()
    (milestone,) = db.session.scalars(sa.select(Milestone)).all()

    organisers = [tab(concurrent_server, email) for email in emails]
    verify = f"/projects/milestones/{milestone.id}/verify"
    forms = [t.form(f"/projects/{project_id}", verify) for t in organisers]
    at_once([partial(t.post, verify, f) for t, f in zip(organisers, forms, strict=True)])
    db.session.remove()
    assert audited("milestone.verified") == 1


def test_an_ocop_rating_and_an_activity_sent_twice_at_once_are_one(published, concurrent_server):
    ocop_scheme()
    project = project_of(published.entries[0])
    product = ocop.add_product(published.applicants[0], project, "Chè", "beverages", None)
    organiser = tab(concurrent_server, published.organiser.email)
    path = f"/projects/ocop/{product.id}/ratings/new"
    fields = organiser.form(path) | {
        "evaluated_on": "2026-03-01",
        "level": "province",
        "score_A": "30",
        "score_B": "18",
        "score_C": "26",
        "certificate_number": "QĐ 1",
    }
    at_once([partial(organiser.post, path, fields)] * 4)
    fields = organiser.form("/projects/activities") | {
        "unit": str(published.competition.unit_id),
        "kind": "training",
        "held_on": "2026-04-02",
        "topic": "Bán hàng trực tuyến",
    }
    at_once([partial(organiser.post, "/projects/activities", fields)] * 4)
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count(OcopRating.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(SupportActivity.id))) == 1
