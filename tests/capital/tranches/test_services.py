"""Grants in tranches: never more than the grant, released only when the condition holds (a
milestone verified, a report accepted), paid from the source (one posting), a mistaken payment
reversed; the grant under way with its first tranche and completed with its last; the ledger
check agrees after every step."""

from datetime import date

import pytest

from portal.capital.agreements import services as agreements
from portal.capital.models import AgreementStatus, TrancheStatus
from portal.capital.sources import services as sources
from portal.capital.sources.services import NotEnoughCapital
from portal.capital.tranches import services as tranches
from portal.core.errors import DomainError
from portal.ledger.cli import problems
from portal.projects.milestones import services as milestones
from portal.projects.reports import services as reports
from tests.factories import project_of
from tests.factories.projects import kind

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def grant(published):
    source = sources.create_source(
        published.organiser, published.competition.unit_id, "Quỹ", "support_fund"
    )
    sources.contribute(published.organiser, source, 50_000_000, date(2026, 1, 2))
    agreement = agreements.propose(
        published.organiser,
        project_of(published.entries[0]),
        kind="grant",
        source_id=source.id,
        amount=30_000_000,
        purpose="Xưởng dệt",
    )
    agreements.approve(published.second_organiser, agreement, expected_version=1)
    return agreement


def test_tranches_released_by_their_conditions_and_paid(published, grant):
    organiser, project = published.organiser, grant.project
    first = tranches.add_tranche(organiser, grant, amount=10_000_000, planned_on=date(2026, 2, 1))
    second = tranches.add_tranche(
        organiser,
        grant,
        amount=10_000_000,
        planned_on=date(2026, 4, 1),
        condition="milestone",
        milestone_kind_id=kind("registered").id,
    )
    reports.set_schedule(organiser, project, "quarterly_two_years", date(2026, 2, 1))
    third = tranches.add_tranche(
        organiser,
        grant,
        amount=10_000_000,
        planned_on=date(2026, 6, 1),
        condition="report",
        report_number=1,
    )
    with pytest.raises(DomainError) as refused:
        tranches.add_tranche(organiser, grant, amount=1, planned_on=date(2026, 7, 1))
    assert refused.value.field == "amount"

    tranches.release(organiser, first, expected_version=1)
    tranches.pay(organiser, first, date(2026, 2, 2))
    assert first.status is TrancheStatus.PAID and grant.status is AgreementStatus.ACTIVE
    assert problems() == []

    with pytest.raises(DomainError):
        tranches.release(organiser, second, expected_version=1)  # no cooperative yet
    milestone = milestones.record_milestone(
        project.owner,
        project,
        milestones.MilestoneData(
            kind("registered").id,
            date(2026, 4, 1),
            registration_number="HTX-1",
            legal_form="cooperative",
        ),
    )
    milestones.verify_milestone(organiser, milestone, expected_version=1)
    tranches.release(organiser, second, expected_version=1)
    tranches.pay(organiser, second, date(2026, 4, 2))

    report = reports.reports_of([project.id])[project.id][0]
    reports.submit_report(
        project.owner,
        report,
        reports.ReportData(
            revenue=1,
            costs=0,
            jobs_total=1,
            jobs_women=1,
            jobs_ethnic_women=0,
            members=9,
            household_status="poor",
        ),
        expected_version=1,
    )
    with pytest.raises(DomainError):
        tranches.release(organiser, third, expected_version=1)  # sent, not accepted yet
    reports.accept_report(organiser, report, expected_version=2)
    tranches.release(organiser, third, expected_version=1)
    tranches.pay(organiser, third, date(2026, 5, 10))
    assert grant.status is AgreementStatus.COMPLETED
    assert problems() == []

    tranches.reverse_payment(organiser, third, "Chuyển nhầm tài khoản")
    assert third.status is TrancheStatus.APPROVED and grant.status is AgreementStatus.ACTIVE
    assert problems() == []
    assert sources.available(grant.source) == 30_000_000


def test_a_tranche_beyond_what_the_source_has_is_refused(published, grant):
    sources_left = sources.available(grant.source)
    big = tranches.add_tranche(
        published.organiser, grant, amount=30_000_000, planned_on=date(2026, 2, 1)
    )
    tranches.release(published.organiser, big, expected_version=1)
    # Someone spent the fund meanwhile: a second grant paid in full.
    other = agreements.propose(
        published.organiser,
        project_of(published.entries[1]),
        kind="grant",
        source_id=grant.source_id,
        amount=sources_left - 1_000_000,
        purpose="Khác",
    )
    agreements.approve(published.second_organiser, other, expected_version=1)
    spend = tranches.add_tranche(
        published.organiser, other, amount=sources_left - 1_000_000, planned_on=date(2026, 2, 1)
    )
    tranches.release(published.organiser, spend, expected_version=1)
    tranches.pay(published.organiser, spend, date(2026, 2, 1))
    with pytest.raises(NotEnoughCapital):
        tranches.pay(published.organiser, big, date(2026, 2, 2))
