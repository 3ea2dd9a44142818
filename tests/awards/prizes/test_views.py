"""The organisers' prizes pages, as requests: the list, adding, changing, deleting, moving, the
setting, the read-only page once the decision is final, and other units' organisers."""

import re

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.awards.common import decision_of, ensure_decision, tiers_of
from portal.awards.models import Award, DecisionStatus, Prize, PrizeKind
from portal.extensions import db
from tests.admin.test_views import count_queries
from tests.conftest import login
from tests.factories import UserFactory, make_competition

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")


def text(response) -> str:
    return response.get_data(as_text=True)


def tier_names(world) -> list[str]:
    db.session.expire_all()
    return [t.name for t in tiers_of(world.competition) if t.kind is PrizeKind.TIER]


@pytest.fixture
def organiser(client, awards_world):
    awards_world.organiser.language = "en"
    db.session.commit()
    login(client, awards_world.organiser)
    return client


def list_url(world) -> str:
    return f"/awards/competitions/{world.competition.id}/prizes"


def finalise(world, status=DecisionStatus.FINALISED) -> None:
    ensure_decision(world.competition).status = status
    db.session.commit()


def test_the_list_shows_tiers_in_order_then_special_prizes_and_the_budget(organiser, awards_world):
    response = organiser.get(list_url(awards_world))
    assert response.status_code == 200
    page = text(response)
    order = [page.index(name) for name in ("Giải Nhất", "Giải Nhì", "Giải Ba", "Giải Khuyến khích")]
    assert order == sorted(order)
    special = page.index("Ý tưởng xuất sắc của phụ nữ dân tộc thiểu số")
    assert special > order[-1]
    assert "VND\xa010,000,000" in page  # first prize, and the second tier's total
    assert "Máy sấy nông sản" in page
    assert "The applicant belongs to an ethnic minority" in page
    assert re.search(r'id="prize-budget">\s*VND\xa035,000,000', page)
    assert 'aria-current="page"' in page and "/awards/competitions/" in page
    assert "Use the usual tiers" not in page  # there are tiers already


def test_the_list_is_in_vietnamese_with_dong(client, awards_world):
    login(client, awards_world.organiser)  # language "vi"
    page = text(client.get(list_url(awards_world)))
    assert "35.000.000\xa0₫" in page


def test_a_prize_is_added(organiser, awards_world):
    response = organiser.post_form(
        list_url(awards_world),
        {
            "kind": "tier",
            "name": "Giải Triển vọng",
            "prize_count": "2",
            "cash_value": "1.500.000",
            "in_kind": "Bộ dụng cụ làm bánh",
        },
    )
    assert response.status_code == 302
    tier = db.session.scalar(sa.select(Prize).where(Prize.name == "Giải Triển vọng"))
    assert (tier.prize_count, tier.cash_value, tier.in_kind) == (
        2,
        1_500_000,
        "Bộ dụng cụ làm bánh",
    )
    assert response.location.endswith(f"#prize-{tier.id}")
    assert "has been added" in text(organiser.get(response.location))


def test_a_special_prize_is_added_with_its_conditions(organiser, awards_world):
    response = organiser.post_form(
        list_url(awards_world),
        {
            "kind": "special",
            "name": "Ý tưởng kinh tế số",
            "prize_count": "1",
            "cash_value": "3,000,000",
            "category_codes": ["digital_economy"],
            "household_status": ["poor", "near_poor"],
            "union_member": "y",
            "max_age": "40",
        },
    )
    assert response.status_code == 302
    special = db.session.scalar(sa.select(Prize).where(Prize.name == "Ý tưởng kinh tế số"))
    assert special.kind is PrizeKind.SPECIAL
    assert special.rule == {
        "category_codes": ["digital_economy"],
        "household_status": ["poor", "near_poor"],
        "union_member": True,
        "max_age": 40,
    }
    page = text(organiser.get(list_url(awards_world)))
    assert "Category: Digital economy" in page
    assert "The applicant is at most 40 years old" in page


def test_a_bad_prize_comes_back_422_with_what_was_typed(organiser, awards_world):
    response = organiser.post_form(
        list_url(awards_world),
        {
            "kind": "tier",
            "name": "Giải <b>Đặc biệt</b>",
            "prize_count": "0",
            "cash_value": "10.5",
            "in_kind": "Một chiếc xe máy",
        },
    )
    assert response.status_code == 422
    page = text(response)
    assert 'value="Giải &lt;b&gt;Đặc biệt&lt;/b&gt;"' in page  # kept, and escaped
    assert 'value="10.5"' in page and 'value="0"' in page
    assert "Một chiếc xe máy" in page
    assert "without decimals" in page and "from 1 to 100" in page
    assert len(tiers_of(awards_world.competition)) == 5


@pytest.mark.parametrize(
    ("cash", "message"),
    [
        ("-2.000.000", "cannot be negative"),
        ("hai triệu", "in digits"),
        ("99999999999999999", "check the number of zeros"),
        ("", "write 0 if there is no cash"),
    ],
)
def test_bad_cash_values_get_their_message(organiser, awards_world, cash, message):
    response = organiser.post_form(
        list_url(awards_world),
        {"kind": "tier", "name": "Giải mới", "prize_count": "1", "cash_value": cash},
    )
    assert response.status_code == 422
    page = text(response)
    assert message in page and f'value="{cash}"' in page


def test_conditions_on_a_prize_tier_are_refused_and_kept(organiser, awards_world):
    response = organiser.post_form(
        list_url(awards_world),
        {
            "kind": "tier",
            "name": "Giải mới",
            "prize_count": "1",
            "cash_value": "0",
            "ethnic_minority": "y",
            "max_age": "30",
        },
    )
    assert response.status_code == 422
    page = text(response)
    assert "Only a special prize has conditions" in page
    assert re.search(r'<input checked[^>]*id="ethnic_minority"', page)
    assert 'value="30"' in page


def test_a_wrong_age_or_count_typed_as_text_is_422(organiser, awards_world):
    response = organiser.post_form(
        list_url(awards_world),
        {
            "kind": "special",
            "name": "Giải mới",
            "prize_count": "ba",
            "cash_value": "0",
            "max_age": "12",
        },
    )
    assert response.status_code == 422
    page = text(response)
    assert "Enter a whole number, for example 3." in page and 'value="ba"' in page
    assert "from 16 to 100" in page


def test_the_usual_tiers_in_one_click(client, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="en")
    competition = make_competition(organiser, units["dien_bien"])
    login(client, organiser)
    url = f"/awards/competitions/{competition.id}/prizes"
    page = text(client.get(url))
    assert "Use the usual tiers" in page and "No prize tier yet." in page
    response = client.post_form(url, {"usual": "1"})
    assert response.status_code == 302
    made = [(t.name, t.prize_count, t.cash_value) for t in tiers_of(competition)]
    assert made == [
        ("First prize", 1, 0),
        ("Second prize", 2, 0),
        ("Third prize", 3, 0),
        ("Consolation prize", 4, 0),
    ]
    page = text(client.get(url))
    assert "Use the usual tiers" not in page and "have been added" in page
    # A second click (another tab) adds nothing.
    client.post_form(url, {"usual": "1"})
    assert len(tiers_of(competition)) == 4


def test_the_edit_page_shows_the_cash_as_she_would_type_it(organiser, awards_world):
    url = f"/awards/prizes/{awards_world.tiers[0].id}/edit"
    page = text(organiser.get(url))
    assert 'value="10,000,000"' in page and "Delete the prize" in page
    awards_world.organiser.language = "vi"
    db.session.commit()
    assert 'value="10.000.000"' in text(organiser.get(url))


def test_a_prize_is_changed(organiser, awards_world):
    tier = awards_world.tiers[1]
    response = organiser.post_form(
        f"/awards/prizes/{tier.id}/edit",
        {"name": "Giải Nhì", "prize_count": "3", "cash_value": "6.000.000", "in_kind": "Tủ mát"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (tier.prize_count, tier.cash_value, tier.in_kind) == (3, 6_000_000, "Tủ mát")


def test_a_bad_change_comes_back_422_with_what_was_typed(organiser, awards_world):
    tier = awards_world.tiers[1]
    response = organiser.post_form(
        f"/awards/prizes/{tier.id}/edit",
        {"name": "", "prize_count": "2", "cash_value": "5.000.000,5", "in_kind": "Gõ dở"},
    )
    assert response.status_code == 422
    page = text(response)
    assert "Give the prize a name." in page and 'value="5.000.000,5"' in page
    assert "Gõ dở" in page
    db.session.expire_all()
    assert tier.name == "Giải Nhì" and tier.cash_value == 5_000_000


def test_a_special_prize_is_changed_with_its_conditions(organiser, awards_world):
    special = awards_world.special
    page = text(organiser.get(f"/awards/prizes/{special.id}/edit"))
    assert re.search(r'<input checked[^>]*id="ethnic_minority"', page)
    response = organiser.post_form(
        f"/awards/prizes/{special.id}/edit",
        {
            "name": special.name,
            "prize_count": "1",
            "cash_value": "2000000",
            "ethnic_minority": "y",
            "business_stage": ["idea"],
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert special.rule == {"ethnic_minority": True, "business_stage": ["idea"]}


def test_deleting_a_prize_deletes_its_draft_lines(organiser, awards_world):
    tier = awards_world.tiers[0]
    ensure_decision(awards_world.competition)
    db.session.add(
        Award(
            competition_id=awards_world.competition.id,
            tier_id=tier.id,
            slot=1,
            entry_id=awards_world.entries[0].id,
            proposed_entry_id=awards_world.entries[0].id,
        )
    )
    db.session.commit()
    page = text(organiser.get(f"/awards/prizes/{tier.id}/edit"))
    assert "Its 1 line in the draft decision is deleted with it" in page
    response = organiser.post_form(f"/awards/prizes/{tier.id}/delete")
    assert response.status_code == 302
    assert "1 line of the draft decision was deleted with it." in text(
        organiser.get(response.location)
    )
    assert tier_names(awards_world) == ["Giải Nhì", "Giải Ba", "Giải Khuyến khích"]
    assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 0


def test_moving_a_prize(organiser, awards_world):
    third = awards_world.tiers[2]
    response = organiser.post_form(f"/awards/prizes/{third.id}/move", {"direction": "up"})
    assert response.status_code == 302
    assert tier_names(awards_world) == ["Giải Nhất", "Giải Ba", "Giải Nhì", "Giải Khuyến khích"]
    response = organiser.post_form(f"/awards/prizes/{third.id}/move", {"direction": "sideways"})
    assert response.status_code == 302
    assert "up or down" in text(organiser.get(response.location))
    assert tier_names(awards_world) == ["Giải Nhất", "Giải Ba", "Giải Nhì", "Giải Khuyến khích"]


def test_a_move_without_its_token_is_refused(organiser, awards_world):
    third = awards_world.tiers[2]
    response = organiser.post(f"/awards/prizes/{third.id}/move", data={"direction": "up"})
    assert response.status_code == 400
    assert tier_names(awards_world)[2] == "Giải Ba"


def test_the_setting_is_saved(organiser, awards_world):
    url = f"/awards/competitions/{awards_world.competition.id}/prize-settings"
    response = organiser.post_form(url, {"special_with_tier": "yes"})
    assert response.status_code == 302
    assert decision_of(awards_world.competition).special_with_tier is True
    page = text(organiser.get(list_url(awards_world)))
    assert re.search(r'<input checked[^>]*value="yes"', page)
    response = organiser.post_form(url, {"special_with_tier": "maybe"})
    assert response.status_code == 422


# --- Read-only once the decision is final ------------------------------------------------------


@pytest.mark.parametrize(
    "status", [DecisionStatus.FINALISED, DecisionStatus.APPROVED, DecisionStatus.PUBLISHED]
)
def test_the_pages_are_read_only_once_the_decision_is_final(organiser, awards_world, status):
    finalise(awards_world, status)
    page = text(organiser.get(list_url(awards_world)))
    assert "can no longer be changed" in page
    assert "Add a prize" not in page and "/move" not in page and "/edit" not in page
    assert "Giải Nhất" in page and "VND\xa035,000,000" in page
    tier = awards_world.tiers[1]
    edit = text(organiser.get(f"/awards/prizes/{tier.id}/edit"))
    assert "can no longer be changed" in edit and "Delete the prize" not in edit
    assert "<form" not in edit.split("<main", 1)[1].split("</main>")[0]


def test_posts_are_refused_once_the_decision_is_final(organiser, awards_world):
    finalise(awards_world)
    tier = awards_world.tiers[1]
    added = organiser.post_form(
        list_url(awards_world),
        {"kind": "tier", "name": "Giải mới", "prize_count": "1", "cash_value": "0"},
    )
    assert added.status_code == 409 and "reopen the decision" in text(added)
    changed = organiser.post_form(
        f"/awards/prizes/{tier.id}/edit",
        {"name": "Giải Nhì đổi", "prize_count": "1", "cash_value": "0"},
    )
    assert changed.status_code == 409
    deleted = organiser.post_form(f"/awards/prizes/{tier.id}/delete")
    assert deleted.status_code == 302
    assert "can no longer be changed" in text(organiser.get(deleted.location))
    organiser.post_form(f"/awards/prizes/{tier.id}/move", {"direction": "up"})
    settings = organiser.post_form(
        f"/awards/competitions/{awards_world.competition.id}/prize-settings",
        {"special_with_tier": "yes"},
    )
    assert settings.status_code == 409
    usual = organiser.post_form(list_url(awards_world), {"usual": "1"})
    assert usual.status_code == 302
    assert tier_names(awards_world) == ["Giải Nhất", "Giải Nhì", "Giải Ba", "Giải Khuyến khích"]
    db.session.expire_all()
    assert (tier.prize_count, tier.cash_value) == (2, 5_000_000)
    assert decision_of(awards_world.competition).special_with_tier is False


# --- Who may -----------------------------------------------------------------------------------


def test_another_units_organiser_gets_403_everywhere(client, awards_world, units):
    login(client, UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]))
    tier = awards_world.tiers[0]
    cid = awards_world.competition.id
    assert client.get(f"/awards/competitions/{cid}/prizes").status_code == 403
    assert client.get(f"/awards/prizes/{tier.id}/edit").status_code == 403
    for url, data in [
        (
            f"/awards/competitions/{cid}/prizes",
            {"kind": "tier", "name": "X", "prize_count": "1", "cash_value": "0"},
        ),
        (f"/awards/competitions/{cid}/prizes", {"usual": "1"}),
        (f"/awards/prizes/{tier.id}/edit", {"name": "X", "prize_count": "1", "cash_value": "0"}),
        (f"/awards/prizes/{tier.id}/delete", {}),
        (f"/awards/prizes/{tier.id}/move", {"direction": "down"}),
        (f"/awards/competitions/{cid}/prize-settings", {"special_with_tier": "yes"}),
    ]:
        assert client.post_form(url, data).status_code == 403, url
    assert tier_names(awards_world) == ["Giải Nhất", "Giải Nhì", "Giải Ba", "Giải Khuyến khích"]
    assert decision_of(awards_world.competition) is None


def test_the_second_organiser_of_the_unit_may_manage_prizes(client, awards_world):
    login(client, awards_world.second_organiser)
    assert client.get(list_url(awards_world)).status_code == 200


def test_unknown_ids_are_404(organiser):
    assert organiser.get("/awards/competitions/999/prizes").status_code == 404
    assert organiser.get("/awards/prizes/999/edit").status_code == 404
    assert organiser.post_form("/awards/prizes/999/delete").status_code == 404


def test_the_list_runs_the_same_queries_whatever_the_number_of_prizes(organiser, awards_world):
    url = list_url(awards_world)
    few = count_queries(organiser, url)
    for n in range(15):
        db.session.add(
            Prize(
                competition_id=awards_world.competition.id,
                kind=PrizeKind.SPECIAL if n % 2 else PrizeKind.TIER,
                position=10 + n,
                name=f"Giải thêm {n}",
                prize_count=1,
                cash_value=1_000,
                rule={"max_age": 30} if n % 2 else {},
            )
        )
    db.session.commit()
    assert count_queries(organiser, url) == few
