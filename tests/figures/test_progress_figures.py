"""The figures of the winners' progress and their capital, against hand-built rows: OCOP
products in force (a revoked and an expired certificate do not count) and the women's share;
jobs from each project's latest report sent; a household that returned to poverty; a loan
written off leaves the book; a commune moved to another province takes its records along; the
breakdowns and the table by commune add up to the figure."""

from datetime import date

import pytest

from portal.applicants.models import ApplicantProfile, Gender, HouseholdStatus
from portal.capital.loans import services as loans
from portal.competitions.models import CompetitionLevel
from portal.core.time import utcnow
from portal.extensions import db
from portal.figures import breakdowns
from portal.figures import indicators as figures
from portal.figures.measures import Scope, units_within
from portal.projects.models import LegalForm
from portal.projects.ocop.models import OcopGroup, OcopProduct, OcopRating
from portal.projects.poverty.models import HouseholdStatusRecord, StatusSource
from portal.projects.reports.models import ProgressReport, ReportStatus
from tests.capital.loans.test_services import approved_loan
from tests.factories.projects import add_external, ocop_scheme, project_of

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026


def scope_of(world, first=None, last=None):
    year = world.competition.year
    return Scope(units_within([world.competition.unit_id]), first or year, last or year)


def woman(user, gender=Gender.FEMALE):
    profile = db.session.get(ApplicantProfile, user.id)
    if profile is None:
        profile = ApplicantProfile(user_id=user.id)
        db.session.add(profile)
    profile.gender = gender


def product(project, organiser, *ratings) -> OcopProduct:
    made = OcopProduct(
        project_id=project.id,
        name="Chè Shan tuyết",
        group=OcopGroup.BEVERAGES,
        recorded_by_id=organiser.id,
    )
    db.session.add(made)
    db.session.flush()
    scheme = ocop_scheme()
    for evaluated, valid_until, stars, revoked in ratings:
        db.session.add(
            OcopRating(
                product_id=made.id,
                scheme_id=scheme.id,
                evaluated_on=evaluated,
                level="province",
                scores={},
                total=75,
                stars=stars,
                valid_until=valid_until,
                revoked_at=utcnow() if revoked else None,
                recorded_by_id=organiser.id,
            )
        )
    return made


def test_ocop_products_in_force_and_the_share_owned_by_women(published):
    scope = scope_of(published)  # the competition's year
    first, second, third, fourth = (project_of(e) for e in published.entries[:4])
    woman(first.owner)
    woman(second.owner, Gender.MALE)
    year = scope.first_year
    product(first, published.organiser, (date(year, 3, 1), date(year + 3, 3, 1), 4, False))
    product(second, published.organiser, (date(year, 3, 1), date(year + 3, 3, 1), 3, False))
    product(
        third, published.organiser, (date(year, 3, 1), date(year + 3, 3, 1), 5, True)
    )  # revoked
    product(fourth, published.organiser, (date(year - 5, 3, 1), date(year - 2, 3, 1), 3, False))
    db.session.commit()
    found = figures.values(scope)
    assert found["ocop_products"] == 2
    assert found["ocop_women"] == 1
    assert str(found["ocop_women_share"]) == "50.00"
    stars = breakdowns.ocop_by_stars(scope)
    assert sorted(p.figure for p in stars.parts) == [1, 1]
    assert sum(p.figure for p in stars.parts) == found["ocop_products"]


def test_jobs_come_from_each_projects_latest_report_sent(published):
    scope = scope_of(published)
    year = scope.first_year
    project = project_of(published.entries[0])

    def report(number, end, jobs, status):
        db.session.add(
            ProgressReport(
                project_id=project.id,
                number=number,
                period_start=date(year, 1, 1),
                period_end=end,
                due_on=end,
                status=status,
                jobs_women=jobs,
            )
        )

    report(1, date(year, 3, 31), 4, ReportStatus.ACCEPTED)
    report(2, date(year, 6, 30), 6, ReportStatus.SUBMITTED)
    report(3, date(year, 9, 30), 9, ReportStatus.RETURNED)  # sent back: not counted
    other = project_of(published.entries[1])
    db.session.add(
        ProgressReport(
            project_id=other.id,
            number=1,
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            due_on=date(year, 12, 31),
            status=ReportStatus.ACCEPTED,
            jobs_women=2,
        )
    )
    db.session.commit()
    assert figures.values(scope)["jobs_women"] == 6 + 2


def test_a_household_that_returned_to_poverty_does_not_count(published):
    scope = scope_of(published)
    year = scope.first_year
    out, back, better = (project_of(e) for e in published.entries[:3])

    def history(project, *changes):
        for day, status in changes:
            db.session.add(
                HouseholdStatusRecord(
                    project_id=project.id,
                    status=status,
                    as_of=day,
                    source=StatusSource.ORGANISER,
                    recorded_by_id=published.organiser.id,
                )
            )

    history(
        out, (date(year, 1, 5), HouseholdStatus.POOR), (date(year, 6, 1), HouseholdStatus.NEITHER)
    )
    history(
        back,
        (date(year, 1, 5), HouseholdStatus.NEAR_POOR),
        (date(year, 4, 1), HouseholdStatus.NEITHER),
        (date(year, 10, 1), HouseholdStatus.POOR),  # returned
    )
    history(
        better,
        (date(year, 1, 5), HouseholdStatus.POOR),
        (date(year, 8, 1), HouseholdStatus.NEAR_POOR),
    )
    db.session.commit()
    indicator = figures.by_code()["out_of_poverty"]
    assert figures.value(indicator, scope) == 1
    records = list(db.session.scalars(indicator.records(scope)))
    assert [p.id for p in records] == [out.id]


def test_a_written_off_loan_leaves_the_book(published):
    source, agreement = approved_loan(published)
    loan = loans.disburse(published.organiser, agreement, date(2026, 1, 10))
    scope = Scope(units_within([published.competition.unit_id]), 2026, 2026)
    before = figures.values(scope)
    assert before["outstanding"] == 6_000_000
    assert before["borrowers"] == 1
    loan.written_off_on = date(2026, 5, 1)  # as approve_write_off leaves it
    db.session.commit()
    after = figures.values(scope)
    assert after["outstanding"] == 0
    assert after["borrowers"] == 0
    assert after["par30"] == 0
    assert after["loans"] == 1  # it was disbursed that year all the same


def test_portfolio_at_risk_is_the_share_more_than_30_days_late(published):
    _, agreement = approved_loan(published)
    loans.disburse(published.organiser, agreement, date(2026, 1, 10))  # nothing repaid since
    found = figures.values(Scope(units_within([published.competition.unit_id]), 2026, 2026))
    # Three monthly instalments from 10 February: on 10 May the first is 89 days late.
    assert found["par30_money"] == found["outstanding"] == 6_000_000
    assert str(found["par30"]) == "100.00"
    assert found["in_arrears"] > 0


def test_ideas_that_won_at_higher_rounds_count_once(published):
    scope = scope_of(published)
    year = scope.first_year
    add_external(published, published.entries[0], level=CompetitionLevel.NATIONAL, year=year)
    add_external(published, published.entries[1], level=CompetitionLevel.REGIONAL, year=year)
    add_external(published, published.entries[2], level=CompetitionLevel.PROVINCIAL, year=year)
    add_external(published, published.entries[3], level=CompetitionLevel.NATIONAL, year=year + 1)
    add_external(published, published.entries[0], level=CompetitionLevel.REGIONAL, year=year)
    assert figures.values(scope)["higher_round_ideas"] == 2
    assert figures.values(scope_of(published, year, year + 1))["higher_round_ideas"] == 3


def test_women_owned_cooperatives_and_enterprises(published):
    first, second, third = (project_of(e) for e in published.entries[:3])
    woman(first.owner)
    woman(second.owner)
    woman(third.owner, Gender.MALE)
    first.legal_form = LegalForm.COOPERATIVE
    second.legal_form = LegalForm.HOUSEHOLD_BUSINESS
    third.legal_form = LegalForm.ENTERPRISE
    db.session.commit()
    assert figures.values(scope_of(published))["women_owned_firms"] == 1


def test_a_commune_moved_to_another_province_takes_its_records(published, units):
    scope = scope_of(published)
    entry = published.entries[0]
    entry.commune_id = units["muong_phang"].id
    project_of(entry).unit_id = units["muong_phang"].id
    db.session.commit()
    dien_bien = figures.values(scope)
    units["muong_phang"].parent_id = units["lao_cai"].id
    db.session.commit()
    lao_cai = Scope(units_within([units["lao_cai"].id]), scope.first_year, scope.last_year)
    assert figures.values(lao_cai)["projects"] == 1
    assert figures.values(scope_of(published))["projects"] == dien_bien["projects"] - 1


def test_the_breakdowns_and_the_table_by_commune_add_up(published, units):
    scope = scope_of(published)
    for n, entry in enumerate(published.entries):
        entry.commune_id = units["muong_phang" if n % 3 else "dien_bien_phu"].id
        entry.household_status = HouseholdStatus.POOR.value if n % 2 else None
    db.session.commit()
    found = figures.values(scope)
    for breakdown in breakdowns.entry_breakdowns(scope):
        if breakdown.indicator:
            assert sum(p.figure for p in breakdown.parts) == found[breakdown.indicator], (
                breakdown.code
            )
    communes = breakdowns.entries_by_commune(scope)
    assert {p.label: p.figure for p in communes.parts} == {
        "Xã Mường Phăng": 8,
        "Phường Điện Biên Phủ": 4,
    }
    with figures.reading():
        for indicator in figures.catalogue():
            if indicator.ratio:
                continue
            parts = figures.by_commune(indicator, scope)
            assert sum(parts.values()) == found[indicator.code], indicator.code
