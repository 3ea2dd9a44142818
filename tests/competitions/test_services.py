"""Competition rules: scope, validation, states, copying, the public list."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale

from portal.auth.models import Role
from portal.competitions import services
from portal.competitions.models import Competition, CompetitionLevel, CompetitionStatus
from portal.core.audit import AuditLog
from portal.core.errors import DomainError
from portal.extensions import db
from tests.factories import UserFactory, make_competition

NOW = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False), force_locale("en"):
        yield


@pytest.fixture
def organiser(units):
    return UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])


def data(unit, **overrides):
    values = {
        "title": "Phụ nữ khởi nghiệp Điện Biên 2026",
        "year": 2026,
        "level": CompetitionLevel.PROVINCIAL,
        "unit_id": unit.id,
        "reference_prefix": "DB",
        "rounds": [services.RoundData("Sơ khảo", NOW, NOW + timedelta(days=30))],
    }
    values.update(overrides)
    return services.CompetitionData(**values)


def test_a_new_competition_is_a_draft_with_the_default_categories(organiser, units):
    competition = services.create_competition(organiser, data(units["dien_bien"]))
    assert competition.status is CompetitionStatus.DRAFT
    assert [c.name for c in competition.categories][:2] == [
        "Agriculture and livestock",
        "Food processing",
    ]
    assert len(competition.categories) == 8
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "competition.created"))
    assert row.after["title"] == "Phụ nữ khởi nghiệp Điện Biên 2026"


def test_an_organiser_creates_for_her_province_and_its_communes_only(organiser, units):
    services.create_competition(organiser, data(units["muong_phang"]))
    with pytest.raises(DomainError, match="your own unit"):
        services.create_competition(organiser, data(units["lao_cai"]))
    commune_organiser = UserFactory(roles=[(Role.ORGANISER, units["muong_phang"])])
    with pytest.raises(DomainError):
        services.create_competition(commune_organiser, data(units["dien_bien"]))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rounds": []}, "rounds", "at least one round"),
        (
            {"rounds": [services.RoundData("A", NOW, NOW - timedelta(hours=1))]},
            "rounds-0-closes_at",
            "Round 1 closes before it opens.",
        ),
        (
            {
                "rounds": [
                    services.RoundData("A", NOW, NOW + timedelta(days=10)),
                    services.RoundData("B", NOW + timedelta(days=5), NOW + timedelta(days=20)),
                ]
            },
            "rounds-1-opens_at",
            "Round 2 opens before the round before it closes.",
        ),
        ({"min_age": 40, "max_age": 18}, "min_age", "lowest age is above the highest"),
        ({"reference_prefix": "đb"}, "reference_prefix", "capital letters"),
        (
            {"category_codes": [], "custom_categories": []},
            "category_codes",
            "at least one category",
        ),
    ],
)
def test_wrong_input_is_refused_with_its_field(organiser, units, overrides, field, message):
    with pytest.raises(DomainError, match=message) as error:
        services.create_competition(organiser, data(units["dien_bien"], **overrides))
    assert error.value.field == field


def test_custom_categories_follow_the_default_ones(organiser, units):
    competition = services.create_competition(
        organiser,
        data(units["dien_bien"], category_codes=["handicrafts"], custom_categories=["Thổ cẩm"]),
    )
    assert [c.name for c in competition.categories] == ["Handicrafts", "Thổ cẩm"]


def test_the_state_machine(organiser, units):
    competition = services.create_competition(organiser, data(units["dien_bien"]))
    with pytest.raises(DomainError, match="cannot become"):
        services.change_status(organiser, competition, CompetitionStatus.JUDGING)
    for new in (CompetitionStatus.OPEN, CompetitionStatus.CLOSED, CompetitionStatus.JUDGING):
        services.change_status(organiser, competition, new)
    assert competition.status is CompetitionStatus.JUDGING
    moves = db.session.scalars(
        sa.select(AuditLog.after)
        .where(AuditLog.action == "competition.status")
        .order_by(AuditLog.id)
    ).all()
    assert [m["status"] for m in moves] == ["open", "closed", "judging"]
    with pytest.raises(DomainError, match="no longer be edited"):
        services.update_competition(organiser, competition, data(units["dien_bien"]))


def test_a_competition_cannot_open_after_its_deadline(organiser, units):
    competition = services.create_competition(
        organiser,
        data(
            units["dien_bien"],
            rounds=[services.RoundData("A", NOW - timedelta(days=9), NOW - timedelta(days=1))],
        ),
    )
    with pytest.raises(DomainError, match="deadline has passed"):
        services.change_status(organiser, competition, CompetitionStatus.OPEN)


def test_another_provinces_organiser_cannot_change_it(organiser, units):
    competition = services.create_competition(organiser, data(units["dien_bien"]))
    stranger = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    with pytest.raises(DomainError):
        services.change_status(stranger, competition, CompetitionStatus.OPEN)
    with pytest.raises(DomainError):
        services.update_competition(stranger, competition, data(units["dien_bien"]))
    with pytest.raises(DomainError):
        services.copy_competition(stranger, competition, 2027)


def test_copying_last_years_competition_moves_its_dates(organiser, units):
    source = make_competition(
        organiser,
        units["dien_bien"],
        title="Phụ nữ khởi nghiệp 2026",
        category_codes=["handicrafts"],
        min_age=18,
        max_age=55,
    )
    copy = services.copy_competition(organiser, source, 2027)
    assert (copy.title, copy.year, copy.status) == (
        "Phụ nữ khởi nghiệp 2027",
        2027,
        CompetitionStatus.DRAFT,
    )
    assert [c.name for c in copy.categories] == ["Handicrafts"]
    assert (copy.min_age, copy.max_age) == (18, 55)
    assert [r.opens_at.year for r in copy.rounds] == [2027, 2027]
    assert copy.rounds[0].opens_at.replace(year=2026) == source.rounds[0].opens_at
    assert copy.copied_from_id == source.id


def test_phases_follow_the_entry_round(organiser, units):
    upcoming = make_competition(
        organiser,
        units["dien_bien"],
        opens=NOW + timedelta(days=3),
        closes=NOW + timedelta(days=40),
    )
    open_ = make_competition(organiser, units["dien_bien"])
    over = make_competition(
        organiser,
        units["dien_bien"],
        opens=NOW - timedelta(days=40),
        closes=NOW - timedelta(seconds=1),
    )
    assert [c.phase(NOW) for c in (upcoming, open_, over)] == ["upcoming", "open", "past"]
    assert open_.accepts_entries(NOW) and not over.accepts_entries(NOW)


def test_the_public_list_filters_and_hides_drafts(organiser, units):
    lao_cai_organiser = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    open_db = make_competition(
        organiser,
        units["muong_phang"],
        title="Mường Phăng khởi nghiệp",
        level=CompetitionLevel.COMMUNE,
    )
    upcoming_lc = make_competition(
        lao_cai_organiser,
        units["lao_cai"],
        title="Lào Cai 2026",
        opens=NOW + timedelta(days=2),
        closes=NOW + timedelta(days=9),
    )
    make_competition(organiser, units["dien_bien"], title="Bản nháp", status="draft")

    def titles(**filters):
        return [c.title for c in db.session.scalars(services.public_query(now=NOW, **filters))]

    assert sorted(titles()) == sorted([open_db.title, upcoming_lc.title])
    assert titles(province_id=units["dien_bien"].id) == [open_db.title]
    assert titles(level="commune") == [open_db.title]
    assert titles(phase="upcoming") == [upcoming_lc.title]
    assert titles(phase="open") == [open_db.title]
    assert titles(phase="past") == []
    assert titles(search="muong phang") == [open_db.title]


def test_organisers_see_their_competitions_and_their_communes(organiser, units):
    mine = make_competition(organiser, units["dien_bien"])
    commune = make_competition(organiser, units["muong_phang"])
    other = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    theirs = make_competition(other, units["lao_cai"])
    seen = set(db.session.scalars(services.managed_query(organiser)))
    assert seen == {mine, commune}
    assert set(db.session.scalars(services.managed_query(other))) == {theirs}
    assert db.session.scalar(sa.select(sa.func.count(Competition.id))) == 3


def test_default_prefix_from_the_unit_name(units):
    assert services.default_prefix(units["dien_bien"]) == "DB"
    assert services.default_prefix(units["muong_phang"]) == "MP"


def test_every_problem_is_found_in_one_pass(organiser, units):
    wrong = data(
        units["lao_cai"],
        title=" ",
        reference_prefix="db",
        rounds=[
            services.RoundData("A", NOW, NOW - timedelta(hours=1)),
            services.RoundData("B", NOW - timedelta(hours=2), NOW + timedelta(days=1)),
        ],
        min_age=40,
        max_age=18,
    )
    with pytest.raises(services.CompetitionRefused) as refused:
        services.create_competition(organiser, wrong)
    assert [p.field for p in refused.value.problems] == [
        "province",
        "reference_prefix",
        "rounds-0-closes_at",
        "rounds-1-opens_at",
        "min_age",
        "title",
    ]


def test_an_update_without_ids_keeps_categories_by_name_and_rounds_by_position(organiser, units):
    competition = make_competition(
        organiser, units["dien_bien"], category_codes=["handicrafts"], custom_categories=["Thổ cẩm"]
    )
    categories = [c.id for c in competition.categories]
    rounds = [r.id for r in competition.rounds]
    services.update_competition(
        organiser,
        competition,
        data(
            units["dien_bien"],
            category_codes=["handicrafts"],
            custom_categories=["thổ cẩm ", "Mây tre đan"],
            rounds=[
                services.RoundData("Sơ khảo", NOW, NOW + timedelta(days=30)),
                services.RoundData("Chung kết", NOW + timedelta(days=40), NOW + timedelta(days=41)),
            ],
        ),
    )
    assert [c.id for c in competition.categories][:2] == categories
    assert [c.name for c in competition.categories] == ["Handicrafts", "thổ cẩm", "Mây tre đan"]
    assert [r.id for r in competition.rounds] == rounds
