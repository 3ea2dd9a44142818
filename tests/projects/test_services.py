"""Prizes won elsewhere, and the organisers' list of supported projects: scope, filters, totals."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.awards.models import AwardStatus
from portal.competitions.models import CompetitionLevel
from portal.core import storage
from portal.core.audit import AuditLog
from portal.core.errors import DomainError
from portal.core.time import utcnow
from portal.entries.models import EntryStatus
from portal.extensions import db
from portal.projects import services
from portal.projects.models import ExternalAward, SupportedProject
from tests.factories import PDF, PNG, UserFactory, add_external, project_of

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")

NOTE = "Quyết định số 45/QĐ-TW của Trung ương Hội"


def record(world, entry=None, **overrides):
    values = {
        "level": "national",
        "body": "Trung ương Hội LHPN Việt Nam",
        "prize": "Giải Ba",
        "year": world.competition.year,
        "cash_value": 15_000_000,
        "evidence_note": "",
        "evidence": (PDF, "giay-khen.pdf"),
    }
    values.update(overrides)
    actor = values.pop("actor", world.organiser)
    now = values.pop("now", utcnow())
    return services.record_external_award(actor, entry or world.entries[0], **values, now=now)


# --- Recording a prize won elsewhere -------------------------------------------------------------


def test_a_prize_won_elsewhere_is_recorded_with_its_evidence_and_audited(published):
    external = record(published)
    assert (external.level, external.prize, external.year) == (
        CompetitionLevel.NATIONAL,
        "Giải Ba",
        published.competition.year,
    )
    assert external.evidence_content_type == "application/pdf"
    assert external.evidence_filename == "giay-khen.pdf"
    assert storage.path_of(external.evidence_stored_name).read_bytes() == PDF
    log = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "external_award.recorded"))
    assert log.object_id == external.id
    assert log.after["prize"] == "Giải Ba" and log.after["level"] == "national"


def test_an_entry_without_a_prize_here_becomes_a_supported_project(published):
    entry = published.entries[10]  # ranked 11th: no prize at the province
    assert project_of(entry) is None
    record(published, entry, evidence=None, evidence_note=NOTE, level="regional")
    project = project_of(entry)
    assert project is not None
    assert project.unit_id == published.competition.unit_id
    assert db.session.scalar(
        sa.select(AuditLog).where(
            AuditLog.action == "project.created", AuditLog.object_id == project.id
        )
    )


def test_a_note_or_a_link_stands_as_evidence(published):
    record(published, evidence=None, evidence_note=NOTE)
    record(published, evidence=None, evidence_note="https://phunu.vn/ket-qua", prize="Giải Nhì")
    assert db.session.scalar(sa.select(sa.func.count(ExternalAward.id))) == 2


@pytest.mark.parametrize("note", ["", "   ", "có giấy", "ok ok ok"])
def test_evidence_is_required(published, note):
    with pytest.raises(DomainError) as caught:
        record(published, evidence=None, evidence_note=note)
    assert caught.value.field == "evidence"


def test_a_png_is_accepted_and_other_files_are_refused_by_their_content(published):
    assert record(published, evidence=(PNG, "anh.png")).evidence_content_type == "image/png"
    for data, name in [(b"GIF89a" + b"\0" * 20, "bang.pdf"), (b"hello world", "giay.pdf")]:
        with pytest.raises(DomainError) as caught:
            record(published, evidence=(data, name), prize="Giải khác")
        assert caught.value.field == "evidence"


def test_an_evidence_file_too_large_is_refused(app, published):
    app.config["MAX_PLAN_BYTES"] = 100
    with pytest.raises(DomainError) as caught:
        record(published, evidence=(PDF + b"x" * 200, "big.pdf"))
    assert caught.value.field == "evidence"


@pytest.mark.parametrize("level", ["provincial", "commune", "international", ""])
def test_only_regional_and_national_rounds_count(published, level):
    with pytest.raises(DomainError) as caught:
        record(published, level=level)
    assert caught.value.field == "level"


def test_the_round_must_be_above_the_competition(published):
    published.competition.level = CompetitionLevel.REGIONAL
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        record(published, level="regional")
    assert caught.value.field == "level"
    assert record(published, level="national").level is CompetitionLevel.NATIONAL


@pytest.mark.parametrize(("field", "value"), [("body", "  "), ("prize", ""), ("body", "x" * 201)])
def test_the_body_and_the_prize_are_named(published, field, value):
    with pytest.raises(DomainError) as caught:
        record(published, **{field: value})
    assert caught.value.field == field


def test_the_year_is_between_the_competition_and_now(published):
    year = published.competition.year
    midyear = datetime(year, 6, 1, tzinfo=UTC)
    for wrong in (year - 1, year + 1, None, "2026"):
        with pytest.raises(DomainError) as caught:
            record(published, year=wrong, now=midyear)
        assert caught.value.field == "year"
    # 31 December, 18:00 in UTC is already the new year in Vietnam.
    new_year_in_vietnam = datetime(year, 12, 31, 18, tzinfo=UTC)
    assert record(published, year=year + 1, now=new_year_in_vietnam).year == year + 1


@pytest.mark.parametrize("cash", [-1, 1.5, True])
def test_the_cash_value_is_whole_dong_not_below_zero(published, cash):
    with pytest.raises(DomainError) as caught:
        record(published, cash_value=cash)
    assert caught.value.field == "cash_value"


def test_a_prize_without_cash_is_allowed(published):
    assert record(published, cash_value=None).cash_value is None


def test_the_same_prize_is_not_recorded_twice(published):
    record(published)
    with pytest.raises(DomainError):
        record(published, body="trung uong hoi lhpn viet nam", prize="giải ba")
    assert db.session.scalar(sa.select(sa.func.count(ExternalAward.id))) == 1


def test_only_the_competitions_managers_record(published, units):
    outsider = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    winner = published.applicants[0]
    for actor in (outsider, winner):
        with pytest.raises(DomainError):
            record(published, actor=actor)
    assert record(published, actor=published.second_organiser)


def test_an_entry_that_did_not_compete_cannot_have_won(published):
    entry = published.entries[11]
    for status in (EntryStatus.DRAFT, EntryStatus.WITHDRAWN, EntryStatus.INELIGIBLE):
        entry.status = status
        db.session.commit()
        with pytest.raises(DomainError):
            record(published, entry)


def test_removing_a_prize_needs_a_reason_and_is_audited(published):
    external = record(published)
    stored = external.evidence_stored_name
    with pytest.raises(DomainError) as caught:
        services.delete_external_award(published.organiser, external, "  ")
    assert caught.value.field == "reason"
    services.delete_external_award(published.organiser, external, "Nhập nhầm hồ sơ")
    assert db.session.scalar(sa.select(sa.func.count(ExternalAward.id))) == 0
    log = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "external_award.deleted"))
    assert log.before["prize"] == "Giải Ba" and log.after == {"reason": "Nhập nhầm hồ sơ"}
    assert not storage.path_of(stored).exists()
    assert project_of(published.entries[0]) is not None  # the project outlives the prize


def test_another_units_organiser_cannot_remove_a_prize(published, units):
    external = record(published)
    with pytest.raises(DomainError):
        services.delete_external_award(
            UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]), external, "Sai"
        )


# --- The list: scope, filters, totals ------------------------------------------------------------


def listed(user, **filters) -> list[SupportedProject]:
    query = services.projects_query(user, services.ProjectFilters(**filters))
    return list(db.session.scalars(query))


def test_totals_count_projects_prizes_and_the_rounds_won_elsewhere(published):
    add_external(published, published.entries[0])
    add_external(published, published.entries[0], level=CompetitionLevel.REGIONAL, cash_value=None)
    add_external(published, published.entries[5], cash_value=7_000_000)
    query = services.projects_query(published.organiser, services.ProjectFilters())
    totals = services.totals(query)
    assert totals.projects == 10
    assert totals.awards == 11  # entry 2 took a second prize and the special prize
    assert (
        totals.awards_cash == 10_000_000 + 2 * 5_000_000 + 3 * 3_000_000 + 4 * 1_000_000 + 2_000_000
    )
    assert totals.won_elsewhere == 2
    assert totals.external_awards == 3
    assert totals.external_cash == 27_000_000
    assert totals.cash == 35_000_000 + 27_000_000


def test_a_revoked_award_no_longer_counts(published):
    award = published.awards[0]  # entry 0's only prize
    award.status = AwardStatus.REVOKED
    award.revoked_at = utcnow()
    db.session.commit()
    query = services.projects_query(published.organiser, services.ProjectFilters())
    totals = services.totals(query)
    # Her project stays listed but, holding no valid prize, is set aside from the figures.
    assert (totals.projects, totals.set_aside) == (9, 1)
    assert (totals.awards, totals.awards_cash) == (10, 25_000_000)
    assert len(listed(published.organiser)) == 10


def test_a_project_with_a_revoked_award_here_and_a_prize_elsewhere_still_counts(published):
    add_external(published, published.entries[0])
    award = published.awards[0]
    award.status = AwardStatus.REVOKED
    award.revoked_at = utcnow()
    db.session.commit()
    totals = services.totals(
        services.projects_query(published.organiser, services.ProjectFilters())
    )
    assert (totals.projects, totals.set_aside, totals.awards) == (10, 0, 10)


def test_revoking_one_of_two_prizes_keeps_the_project_counted(published):
    # Entry 2 won a second prize and the special prize.
    award = next(a for a in published.awards if a.entry_id == published.entries[2].id)
    award.status = AwardStatus.REVOKED
    award.revoked_at = utcnow()
    db.session.commit()
    totals = services.totals(
        services.projects_query(published.organiser, services.ProjectFilters())
    )
    assert (totals.projects, totals.set_aside, totals.awards) == (10, 0, 10)


def test_totals_follow_the_filters(published):
    add_external(published, published.entries[0])
    add_external(published, published.entries[5])
    query = services.projects_query(
        published.organiser, services.ProjectFilters(won_elsewhere=True)
    )
    totals = services.totals(query)
    assert (totals.projects, totals.won_elsewhere, totals.awards) == (2, 2, 2)
    assert totals.awards_cash == 10_000_000 + 3_000_000


def test_an_organiser_sees_the_projects_of_her_units(published, units):
    moved = project_of(published.entries[9])
    moved.unit_id = units["lao_cai"].id
    commune = project_of(published.entries[8])
    commune.unit_id = units["muong_phang"].id  # a commune's competition, inside Điện Biên
    db.session.commit()
    province = published.organiser
    lao_cai = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    muong_phang = UserFactory(roles=[(Role.ORGANISER, units["muong_phang"])])
    admin = UserFactory(roles=[Role.ADMIN])
    applicant = published.applicants[0]
    assert len(listed(province)) == 9 and moved not in listed(province)
    assert commune in listed(province)
    assert listed(lao_cai) == [moved]
    assert listed(muong_phang) == [commune]
    assert len(listed(admin)) == 10
    assert listed(applicant) == []


def test_filters(published, units):
    organiser = published.organiser
    add_external(published, published.entries[3])
    first = project_of(published.entries[0])
    assert [p.entry_id for p in listed(organiser, won_elsewhere=True)] == [published.entries[3].id]
    assert listed(organiser, search="LO THI HUONG") == [first]  # "Lò Thị Hương", folded
    assert listed(organiser, search="hương") == [first]
    assert listed(organiser, search=published.entries[0].reference.lower()) == [first]
    assert listed(organiser, search="100%") == []
    by_category = listed(organiser, category=first.category_code)
    assert first in by_category and all(p.category_code == first.category_code for p in by_category)
    in_commune = listed(organiser, commune_id=units["muong_phang"].id)
    assert len(in_commune) == 5  # entries 0, 2, 4, 6, 8
    year = published.competition.year
    assert len(listed(organiser, year=year)) == 10
    assert listed(organiser, year=year - 1) == []
    assert len(listed(organiser, unit_id=units["dien_bien"].id)) == 10
    assert listed(organiser, unit_id=units["lao_cai"].id) == []


def test_the_filters_offer_only_what_the_projects_have(published, units):
    options = services.filter_options(published.organiser)
    assert options.years == [published.competition.year]
    assert [u.id for u in options.units] == [units["dien_bien"].id]
    assert {c.id for c in options.communes} == {units["muong_phang"].id, units["dien_bien_phu"].id}


def test_her_projects_include_those_she_is_on_the_team_of(published):
    from portal.entries.models import TeamMember

    owner, teammate = published.applicants[0], published.applicants[11]
    db.session.add(
        TeamMember(entry_id=published.entries[0].id, position=0, name="Bạn", user_id=teammate.id)
    )
    db.session.commit()
    assert [p.entry_id for p in services.projects_of(owner)] == [published.entries[0].id]
    assert [p.entry_id for p in services.projects_of(teammate)] == [published.entries[0].id]
    assert services.projects_of(published.applicants[10]) == []
