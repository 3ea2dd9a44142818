"""The national unit and its organisers, and the regions: who runs which level, whom a regional
competition draws from, the national organiser's whole-country figures, the role given by an
admin at the national unit."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import Role, RoleGrant
from portal.competitions.models import Competition, CompetitionLevel
from portal.core.errors import DomainError
from portal.core.time import to_vietnam, utcnow
from portal.extensions import db
from portal.nominations import services
from portal.units.models import Region, Unit, UnitKind
from portal.units.regions import REGIONS
from portal.units.services import load_units, nation
from tests.conftest import login
from tests.factories import UserFactory, make_competition
from tests.factories.nominations import make_nation
from tests.factories.units import UnitFactory

pytestmark = pytest.mark.usefixtures("frozen_time")


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_regions_hold_the_34_provinces_once_each():
    codes = [code for _, _, provinces in REGIONS for code in provinces]
    assert len(codes) == len(set(codes)) == 34


def test_units_load_adds_the_nation_and_the_regions(app):
    load_units()
    assert nation().kind is UnitKind.NATION and nation().parent_id is None
    regions = db.session.scalars(sa.select(Region).order_by(Region.position)).all()
    assert len(regions) == 6 and sum(len(r.provinces) for r in regions) == 34
    dien_bien = db.session.scalars(
        sa.select(Unit).where(Unit.kind == UnitKind.PROVINCE, Unit.name == "Điện Biên")
    ).one()
    [region] = [r for r in regions if dien_bien in r.provinces]
    assert region.name == "Trung du và miền núi phía Bắc"
    load_units()  # again: nothing doubled
    assert db.session.scalar(sa.select(sa.func.count(Region.id))) == 6
    assert db.session.scalar(sa.select(sa.func.count()).where(Unit.kind == UnitKind.NATION)) == 1


def _form(unit_id, level, **overrides) -> dict:
    now = to_vietnam(utcnow())
    data = {
        "title": "Phụ nữ khởi nghiệp khu vực",
        "year": str(now.year),
        "level": level,
        "reference_prefix": "",
        "province": str(unit_id),
        "commune": "",
        "category_codes": ["agriculture"],
        "rounds-0-name": "Nhận đề cử",
        "rounds-0-opens_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "rounds-0-closes_at": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "women_only": "y",
        "max_entries_per_applicant": "1",
        "photos_required": "0",
    }
    return data | overrides


def test_the_national_organiser_creates_a_regional_final_by_nomination(client, units):
    nation_unit = make_nation()
    region = Region(code="north", name="Trung du và miền núi phía Bắc", position=0)
    region.provinces = [units["dien_bien"], units["lao_cai"]]
    db.session.add(region)
    organiser = UserFactory(roles=[(Role.ORGANISER, nation_unit)], language="en")
    db.session.commit()
    login(client, organiser)
    page = text(client.get("/competitions/new"))
    assert nation_unit.name in page and '<option selected value="national">' in page
    # A regional competition names its region.
    response = client.post_form("/competitions/new", _form(nation_unit.id, "regional"))
    assert response.status_code == 422
    assert "Choose the region of this competition." in text(response)
    # The national unit runs no provincial competition.
    response = client.post_form("/competitions/new", _form(nation_unit.id, "provincial"))
    assert response.status_code == 422
    assert "The Central Women&#39;s Union runs regional and national competitions." in text(
        response
    )
    response = client.post_form(
        "/competitions/new",
        _form(nation_unit.id, "regional", region=str(region.id), by_nomination_only="y"),
    )
    assert response.status_code == 302
    competition = db.session.scalars(sa.select(Competition)).one()
    assert competition.region_id == region.id and competition.by_nomination_only
    assert competition.reference_prefix == "KV"
    # It draws from its region's provinces only.
    assert sorted(services.reach(competition)) == sorted(
        [units["dien_bien"].id, units["lao_cai"].id]
    )
    other = UnitFactory(name="Hà Nội", code=1)
    other_organiser = UserFactory(roles=[(Role.ORGANISER, other)])
    outside = make_competition(other_organiser, other, status="results_final")
    inside_organiser = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    inside = make_competition(inside_organiser, units["lao_cai"], status="results_final")
    services.add_source(organiser, competition, quota=1, level=CompetitionLevel.PROVINCIAL)
    assert services.quota_for(competition, inside) == 1
    assert services.quota_for(competition, outside) is None
    assert [c.id for c in services.possible_sources(competition)] == [inside.id]
    # A province outside the region cannot be named.
    with pytest.raises(DomainError):
        services.add_source(
            organiser, competition, quota=1, level=CompetitionLevel.PROVINCIAL, unit_id=other.id
        )


def test_a_provincial_organiser_cannot_run_a_national_competition(client, units):
    nation_unit = make_nation()
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="en")
    login(client, organiser)
    response = client.post_form("/competitions/new", _form(nation_unit.id, "national"))
    assert response.status_code == 422
    assert "You can only organise competitions of your own unit." in text(response)
    response = client.post_form("/competitions/new", _form(units["dien_bien"].id, "national"))
    assert response.status_code == 422
    assert "Regional and national competitions are run by the Central Women" in text(response)


def test_the_national_organiser_reads_the_whole_countrys_figures(client, units):
    nation_unit = make_nation()
    organiser = UserFactory(roles=[(Role.ORGANISER, nation_unit)], language="en")
    dien_bien_organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    make_competition(dien_bien_organiser, units["dien_bien"])
    lao_cai_organiser = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    make_competition(lao_cai_organiser, units["lao_cai"])
    login(client, organiser)
    page = text(client.get("/figures"))
    assert "The whole country" in page
    # Her province choices are the provinces, not her own unit.
    assert "Lào Cai" in page and "Điện Biên" in page


def test_an_admin_gives_the_organiser_role_at_the_national_unit(client, units):
    nation_unit = make_nation()
    admin = UserFactory(roles=[Role.ADMIN], language="en")
    person = UserFactory()
    login(client, admin)
    page = text(client.get(f"/admin/users/{person.id}"))
    assert nation_unit.name in page
    response = client.post_form(
        f"/admin/users/{person.id}",
        {"role": "organiser", "province": str(nation_unit.id), "commune": ""},
    )
    assert response.status_code == 302
    grant = db.session.scalars(sa.select(RoleGrant).where(RoleGrant.user_id == person.id)).all()
    assert [(g.role, g.unit_id) for g in grant if g.role is Role.ORGANISER] == [
        (Role.ORGANISER, nation_unit.id)
    ]


def test_residents_of_a_region_only(units):
    from portal.entries.services import eligibility_problems

    nation_unit = make_nation()
    region = Region(code="north", name="Trung du và miền núi phía Bắc", position=0)
    region.provinces = [units["lao_cai"]]
    db.session.add(region)
    organiser = UserFactory(roles=[(Role.ORGANISER, nation_unit)])
    db.session.commit()
    regional = make_competition(
        organiser,
        nation_unit,
        level=CompetitionLevel.REGIONAL,
        region_id=region.id,
        residents_only=True,
        reference_prefix="KV",
    )
    national = make_competition(
        organiser, nation_unit, level=CompetitionLevel.NATIONAL, residents_only=True
    )
    woman = UserFactory(commune_id=units["muong_phang"].id, province_id=units["dien_bien"].id)
    complete_profile(woman)
    found = [str(r) for r in eligibility_problems(woman, regional)]
    assert found and "Trung du và miền núi phía Bắc" in found[0]
    assert eligibility_problems(woman, national) == []  # the whole country
    woman.commune_id, woman.province_id = units["sa_pa"].id, units["lao_cai"].id
    db.session.commit()
    assert eligibility_problems(woman, regional) == []


def complete_profile(user) -> None:
    from datetime import date

    from portal.applicants.models import ApplicantProfile

    db.session.add(
        ApplicantProfile(
            user_id=user.id,
            date_of_birth=date(1990, 1, 1),
            gender="female",
            ethnicity="03",
            household_status="poor",
            union_member=True,
            business_stage="idea",
        )
    )
    db.session.commit()
