"""Competition pages through HTTP."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from portal.auth.models import Role
from portal.competitions.models import Competition, CompetitionStatus
from portal.extensions import db
from tests.conftest import login
from tests.factories import UserFactory, make_competition

NOW = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def organiser(units):
    return UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="en")


def text(response) -> str:
    return response.get_data(as_text=True)


def form_data(units, **overrides):
    data = {
        "title": "Phụ nữ Điện Biên khởi nghiệp 2026",
        "year": "2026",
        "level": "provincial",
        "reference_prefix": "db",
        "province": units["dien_bien"].id,
        "commune": "",
        "description": "Cuộc thi dành cho phụ nữ.",
        "rules": "Mỗi người một bài dự thi.",
        "category_codes": ["agriculture", "handicrafts"],
        "custom_categories-0-name": "Thổ cẩm",
        "custom_categories-1-name": "",
        "rounds-0-name": "Vòng sơ khảo",
        "rounds-0-opens_at": "2026-03-10T08:00",
        "rounds-0-closes_at": "2026-04-30T17:00",
        "rounds-1-name": "Chung kết",
        "rounds-1-opens_at": "2026-05-20T08:00",
        "rounds-1-closes_at": "2026-05-20T17:00",
        "women_only": "y",
        "max_entries_per_applicant": "1",
        "business_plan_required": "y",
        "photos_required": "2",
    }
    data.update(overrides)
    return data


def test_an_organiser_creates_a_competition_through_the_form(client, organiser, units):
    login(client, organiser)
    assert client.get("/competitions/new").status_code == 200
    response = client.post_form("/competitions/new", form_data(units))
    assert response.status_code == 302
    competition = db.session.scalar(sa.select(Competition))
    assert response.location == f"/competitions/{competition.id}"
    assert competition.reference_prefix == "DB"
    assert [c.name for c in competition.categories][2:] == ["Thổ cẩm"]
    # 08:00 in Vietnam is 01:00 UTC.
    assert competition.rounds[0].opens_at == datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
    assert competition.photos_required == 2
    page = text(client.get(response.location))
    assert "Draft" in page
    assert "10 Mar 2026, 08:00" in page


def test_a_refused_competition_form_keeps_everything_typed(client, organiser, units):
    login(client, organiser)
    response = client.post_form(
        "/competitions/new",
        form_data(units, **{"rounds-1-closes_at": "", "min_age": "50", "max_age": "20"}),
    )
    page = text(response)
    assert response.status_code == 422
    assert "Fill in this field, or leave the whole round empty." in page
    assert 'value="Phụ nữ Điện Biên khởi nghiệp 2026"' in page
    assert "Mỗi người một bài dự thi." in page
    assert 'value="2026-05-20T08:00"' in page
    assert db.session.scalar(sa.select(sa.func.count(Competition.id))) == 0


def test_dates_in_the_wrong_order_are_refused(client, organiser, units):
    login(client, organiser)
    response = client.post_form(
        "/competitions/new", form_data(units, **{"rounds-0-closes_at": "2026-03-01T08:00"})
    )
    assert response.status_code == 422
    assert "Round 1 closes before it opens." in text(response)


def test_an_organiser_of_another_province_is_refused(client, units):
    login(client, UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])], language="en"))
    response = client.post_form("/competitions/new", form_data(units))
    assert response.status_code == 422
    assert "You can only organise competitions of your own unit." in text(response)


def test_editing_and_moving_the_deadline(client, organiser, units):
    competition = make_competition(organiser, units["dien_bien"])
    login(client, organiser)
    page = text(client.get(f"/competitions/{competition.id}/edit"))
    assert 'value="Vòng sơ khảo"' in page
    response = client.post_form(
        f"/competitions/{competition.id}/edit",
        form_data(
            units,
            **{
                "rounds-0-opens_at": "2026-03-01T08:00",
                "rounds-0-closes_at": "2026-05-31T17:00",
                "rounds-1-opens_at": "2026-06-20T08:00",
                "rounds-1-closes_at": "2026-06-20T17:00",
            },
        ),
    )
    assert response.status_code == 302
    db.session.refresh(competition)
    assert competition.closes_at == datetime(2026, 5, 31, 10, 0, tzinfo=UTC)
    assert len(competition.rounds) == 2


def test_the_organiser_opens_and_closes_entries(client, organiser, units):
    competition = make_competition(organiser, units["dien_bien"], status="draft")
    login(client, organiser)
    client.post_form(f"/competitions/{competition.id}/status", {"status": "open"})
    db.session.refresh(competition)
    assert competition.status is CompetitionStatus.OPEN
    response = client.post_form(f"/competitions/{competition.id}/status", {"status": "archived"})
    assert "cannot become" in text(client.get(response.location))
    assert (
        client.post_form(
            f"/competitions/{competition.id}/status", {"status": "nonsense"}
        ).status_code
        == 400
    )


def test_copying_through_the_manage_page(client, organiser, units):
    competition = make_competition(organiser, units["dien_bien"], title="Khởi nghiệp 2026")
    login(client, organiser)
    assert "Khởi nghiệp 2026" in text(client.get("/competitions/manage"))
    response = client.post_form(f"/competitions/{competition.id}/copy", {"year": "2027"})
    copy = db.session.scalar(sa.select(Competition).where(Competition.year == 2027))
    assert response.location == f"/competitions/{copy.id}/edit"
    assert copy.title == "Khởi nghiệp 2027"


def test_the_public_list_and_detail_need_no_login(client, organiser, units):
    open_ = make_competition(
        organiser,
        units["dien_bien"],
        title="Điện Biên khởi nghiệp",
        closes=NOW + timedelta(days=12, hours=3),
    )
    draft = make_competition(organiser, units["dien_bien"], title="Bản nháp bí mật", status="draft")
    page = text(client.get("/competitions/", headers=EN))
    assert "Điện Biên khởi nghiệp" in page and "Bản nháp bí mật" not in page
    assert "Open for entries" in page and "12 days left" in page
    detail = text(client.get(f"/competitions/{open_.id}", headers=EN))
    assert "(12 days left)." in detail
    assert "Agriculture and livestock" in detail
    assert "The lead applicant is a woman." in detail
    assert client.get(f"/competitions/{draft.id}").status_code == 404
    assert client.get("/competitions/999").status_code == 404


def test_the_list_filters_by_province_level_and_status(client, organiser, units):
    make_competition(organiser, units["dien_bien"], title="Điện Biên khởi nghiệp")
    other = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    make_competition(
        other,
        units["lao_cai"],
        title="Lào Cai sắp mở",
        opens=NOW + timedelta(days=5),
        closes=NOW + timedelta(days=50),
    )
    by_province = text(client.get(f"/competitions/?province={units['lao_cai'].id}"))
    assert "Lào Cai sắp mở" in by_province and "Điện Biên khởi nghiệp" not in by_province
    upcoming = text(client.get("/competitions/?phase=upcoming"))
    assert "Lào Cai sắp mở" in upcoming and "Điện Biên khởi nghiệp" not in upcoming
    searched = text(client.get("/competitions/?q=DIEN+BIEN"))
    assert "Điện Biên khởi nghiệp" in searched and "Lào Cai sắp mở" not in searched
    # A filter not in its list is ignored, and said so next to it.
    bad = client.get("/competitions/?province=abc&level=x&phase=y")
    assert bad.status_code == 400
    assert "Chọn một tỉnh, thành phố trong danh sách." in text(bad)


def test_the_home_page_lists_open_competitions(client, organiser, units):
    make_competition(organiser, units["dien_bien"], title="Điện Biên khởi nghiệp")
    page = text(client.get("/", headers=EN))
    assert "Điện Biên khởi nghiệp" in page
    assert "No competition is open" not in page


def test_the_vietnamese_detail_page(client, organiser, units):
    competition = make_competition(organiser, units["dien_bien"], closes=NOW + timedelta(days=3))
    page = text(client.get(f"/competitions/{competition.id}"))
    assert "Nông nghiệp" in page  # a default category, translated
    assert "còn 3 ngày" in page
