"""Setting up prizes: reading cash values, tiers and special prizes, their order, the setting,
and the lock once the decision is final."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.auth.models import Role
from portal.awards.common import decision_of, ensure_decision, tiers_of
from portal.awards.models import (
    Award,
    AwardDecision,
    DecisionStatus,
    Prize,
    PrizeKind,
)
from portal.awards.prizes import services as prizes
from portal.competitions.models import Category
from portal.core.audit import AuditLog
from portal.core.errors import DomainError
from portal.extensions import db
from tests.factories import UserFactory

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")


def audits(action: str) -> list[AuditLog]:
    return list(
        db.session.scalars(
            sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        )
    )


def prize(
    name="Giải Triển vọng", count=2, cash="1.500.000", in_kind="", kind=PrizeKind.TIER, rule=None
):
    return prizes.PrizeData(
        name=name, prize_count=count, cash_value=cash, in_kind=in_kind, kind=kind, rule=rule or {}
    )


def names(world) -> list[str]:
    return [t.name for t in tiers_of(world.competition) if t.kind is PrizeKind.TIER]


def draft_lines(world, tier: Prize, entries) -> list[Award]:
    """Lines of a draft decision for `tier`, slot n to entries[n - 1] (None: not given)."""
    ensure_decision(world.competition)
    lines = [
        Award(
            competition_id=world.competition.id,
            tier_id=tier.id,
            slot=n,
            entry_id=entry.id if entry else None,
            proposed_entry_id=entry.id if entry else None,
        )
        for n, entry in enumerate(entries, start=1)
    ]
    db.session.add_all(lines)
    db.session.commit()
    return lines


def set_status(world, status: DecisionStatus) -> AwardDecision:
    decision = ensure_decision(world.competition)
    decision.status = status
    db.session.commit()
    return decision


# --- Cash values as people type them -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("10.000.000", 10_000_000),
        ("10,000,000", 10_000_000),
        ("10000000", 10_000_000),
        ("10 000 000", 10_000_000),
        (" 10.000.000 đ ", 10_000_000),
        ("10.000.000₫", 10_000_000),
        ("10.000.000 đồng", 10_000_000),
        ("VND 10,000,000", 10_000_000),
        ("0", 0),
        ("500", 500),
        ("1.000", 1_000),
        ("10.000.000.000.000", 10**13),
        (2_000_000, 2_000_000),
    ],
)
def test_cash_values_are_read_as_people_write_them(app, typed, amount):
    assert prizes.parse_cash(typed) == amount


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5.000.000", "cannot be negative"),
        ("-1", "cannot be negative"),
        (-1, "cannot be negative"),
        ("10.5", "without decimals"),
        ("1.000.000,50", "without decimals"),
        ("2000000.00", "without decimals"),
        ("mười triệu", "in digits"),
        ("10tr", "in digits"),
        ("1e7", "in digits"),
        ("1.0000", "in digits"),
        ("1,000.000", "in digits"),
        ("١٢٣", "in digits"),  # digits, but not the ones a cash value is written with
        ("10.000.000.000.001", "check the number of zeros"),
        (10**13 + 1, "check the number of zeros"),
        ("9" * 5000, "check the number of zeros"),
        ("", "write 0 if there is no cash"),
        (None, "write 0 if there is no cash"),
    ],
)
def test_bad_cash_values_are_refused_with_a_clear_message(app, typed, message):
    with force_locale("en"):
        with pytest.raises(DomainError) as refused:
            prizes.parse_cash(typed)
        assert message in str(refused.value.message)
    assert refused.value.field == "cash_value"


# --- Adding ------------------------------------------------------------------------------------


def test_a_tier_is_added_at_the_end_with_what_was_typed(awards_world):
    w = awards_world
    tier = prizes.add_prize(w.organiser, w.competition, prize(in_kind="  Bộ dụng cụ  "))
    assert names(w)[-1] == "Giải Triển vọng"
    assert (tier.kind, tier.position, tier.prize_count, tier.cash_value, tier.in_kind) == (
        PrizeKind.TIER,
        4,
        2,
        1_500_000,
        "Bộ dụng cụ",
    )
    assert tier.rule == {}
    (row,) = audits("prize.created")
    assert row.object_id == tier.id and row.actor_id == w.organiser.id
    assert row.after["cash_value"] == 1_500_000 and row.before is None


def test_a_special_prize_keeps_its_rule(awards_world):
    w = awards_world
    rule = {
        "ethnic_minority": True,
        "category_codes": ["digital_economy", "agriculture", "digital_economy"],
        "household_status": ["near_poor", "poor"],
        "business_stage": [],
        "union_member": False,
        "max_age": 35,
    }
    special = prizes.add_prize(
        w.organiser,
        w.competition,
        prize(
            name="Ý tưởng kinh tế số", count=1, cash=3_000_000, kind=PrizeKind.SPECIAL, rule=rule
        ),
    )
    db.session.expire_all()
    # Only the conditions that are set, each once, in the order of the choices.
    assert special.rule == {
        "ethnic_minority": True,
        "category_codes": ["agriculture", "digital_economy"],
        "household_status": ["poor", "near_poor"],
        "max_age": 35,
    }
    assert special.position == 1  # after the world's special prize
    with force_locale("en"):
        assert prizes.describe_rule(special.rule, w.competition) == [
            "The applicant belongs to an ethnic minority",
            "Category: Agriculture and livestock, Digital economy",
            "Household: Poor household, Near-poor household",
            "The applicant is at most 35 years old",
        ]
        assert prizes.describe_rule({}, w.competition) == ["Every ranked entry may win it"]


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"category_codes": ["no_such_category"]}, "category_codes"),
        ({"category_codes": "digital_economy"}, "category_codes"),
        ({"household_status": ["rich"]}, "household_status"),
        ({"business_stage": ["empire"]}, "business_stage"),
        ({"max_age": 15}, "max_age"),
        ({"max_age": 101}, "max_age"),
        ({"max_age": "35"}, "max_age"),
        ({"favourite_colour": "red"}, "rule"),
    ],
)
def test_a_special_prize_with_a_bad_rule_is_refused(awards_world, rule, field):
    w = awards_world
    with pytest.raises(DomainError) as refused:
        prizes.add_prize(w.organiser, w.competition, prize(kind=PrizeKind.SPECIAL, rule=rule))
    assert refused.value.field == field
    assert len(tiers_of(w.competition)) == 5


def test_a_custom_category_has_no_code_and_cannot_be_named(awards_world):
    w = awards_world
    db.session.add(
        Category(competition_id=w.competition.id, position=99, custom_name="Nghề dệt thổ cẩm")
    )
    db.session.commit()
    codes = [code for code, _name in prizes.rule_categories(w.competition)]
    assert "digital_economy" in codes and None not in codes
    assert len(codes) == len(w.competition.categories) - 1


def test_a_prize_tier_takes_no_conditions(awards_world):
    w = awards_world
    with pytest.raises(DomainError) as refused:
        prizes.add_prize(w.organiser, w.competition, prize(rule={"ethnic_minority": True}))
    assert refused.value.field == "kind"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"count": None}, "prize_count"),
        ({"count": 0}, "prize_count"),
        ({"count": 101}, "prize_count"),
        ({"cash": "-1"}, "cash_value"),
        ({"in_kind": "x" * 2001}, "in_kind"),
    ],
)
def test_a_bad_prize_is_refused_on_its_field(awards_world, changes, field):
    w = awards_world
    with pytest.raises(DomainError) as refused:
        prizes.add_prize(w.organiser, w.competition, prize(**changes))
    assert refused.value.field == field
    assert not audits("prize.created")


def test_limits_are_allowed(awards_world):
    w = awards_world
    tier = prizes.add_prize(
        w.organiser,
        w.competition,
        prize(name="x" * 120, count=100, cash="10.000.000.000.000", in_kind="y" * 2000),
    )
    assert (tier.prize_count, tier.cash_value) == (100, 10**13)


def test_another_units_organiser_cannot_add_a_prize(awards_world, units):
    w = awards_world
    other = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    with pytest.raises(DomainError):
        prizes.add_prize(other, w.competition, prize())
    assert len(tiers_of(w.competition)) == 5


def test_the_usual_tiers_in_the_organisers_language(units):
    from tests.factories import make_competition

    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    competition = make_competition(organiser, units["dien_bien"])
    with force_locale("vi"):  # her page is in English; the request's language does not matter
        created = prizes.use_usual_tiers(organiser, competition, language="en")
    assert [(t.name, t.prize_count, t.cash_value, t.position) for t in created] == [
        ("First prize", 1, 0, 0),
        ("Second prize", 2, 0, 1),
        ("Third prize", 3, 0, 2),
        ("Consolation prize", 4, 0, 3),
    ]
    assert len(audits("prize.created")) == 4
    with pytest.raises(DomainError):
        prizes.use_usual_tiers(organiser, competition, language="en")
    assert len(tiers_of(competition)) == 4


def test_the_usual_tiers_are_not_offered_over_existing_ones(awards_world):
    w = awards_world
    with pytest.raises(DomainError):
        prizes.use_usual_tiers(w.organiser, w.competition, language="vi")
    assert len(tiers_of(w.competition)) == 5


# --- Changing ----------------------------------------------------------------------------------


def test_a_change_is_saved_and_audited_before_and_after(awards_world):
    w = awards_world
    first = w.tiers[0]
    prizes.edit_prize(
        w.organiser, first, prize(name="Giải Nhất", count=1, cash="12,000,000", in_kind="")
    )
    db.session.expire_all()
    assert (first.cash_value, first.in_kind) == (12_000_000, "")
    (row,) = audits("prize.changed")
    assert row.before["cash_value"] == 10_000_000 and row.after["cash_value"] == 12_000_000
    assert row.before["in_kind"] == "Máy sấy nông sản" and row.after["in_kind"] == ""


def test_saving_without_a_change_writes_no_audit(awards_world):
    w = awards_world
    first = w.tiers[0]
    prizes.edit_prize(
        w.organiser,
        first,
        prize(name="Giải Nhất", count=1, cash=10_000_000, in_kind="Máy sấy nông sản"),
    )
    assert not audits("prize.changed")


def test_the_kind_of_a_prize_stays_when_it_is_changed(awards_world):
    w = awards_world
    prizes.edit_prize(
        w.organiser,
        w.special,
        prize(name="Phụ nữ trẻ", count=1, cash=0, kind=PrizeKind.TIER, rule={"max_age": 30}),
    )
    db.session.expire_all()
    assert w.special.kind is PrizeKind.SPECIAL and w.special.rule == {"max_age": 30}


def test_fewer_prizes_remove_the_draft_lines_beyond_the_new_number(awards_world):
    w = awards_world
    third = w.tiers[2]
    lines = draft_lines(w, third, w.entries[3:6])
    kept = lines[0].id
    prizes.edit_prize(w.organiser, third, prize(name="Giải Ba", count=1, cash=3_000_000))
    db.session.expire_all()
    assert [(a.id, a.slot) for a in prizes.lines_of_tier(third)] == [(kept, 1)]
    (row,) = audits("prize.changed")
    assert [line["entry_id"] for line in row.before["lines"]] == [
        w.entries[4].id,
        w.entries[5].id,
    ]
    assert row.after["lines_removed"] == 2 and row.after["prize_count"] == 1


def test_more_prizes_create_no_line(awards_world):
    w = awards_world
    third = w.tiers[2]
    draft_lines(w, third, w.entries[3:6])
    prizes.edit_prize(w.organiser, third, prize(name="Giải Ba", count=5, cash=3_000_000))
    assert len(prizes.lines_of_tier(third)) == 3


# --- Deleting ----------------------------------------------------------------------------------


def test_deleting_a_tier_deletes_its_draft_lines_in_the_same_transaction(awards_world):
    w = awards_world
    second = w.tiers[1]
    draft_lines(w, second, [w.entries[1], None])
    other_lines = draft_lines(w, w.tiers[0], [w.entries[0]])
    second_id = second.id
    assert prizes.delete_prize(w.organiser, second) == 2
    db.session.expire_all()
    assert db.session.get(Prize, second_id) is None
    remaining = db.session.scalars(sa.select(Award)).all()
    assert [a.id for a in remaining] == [other_lines[0].id]
    assert names(w) == ["Giải Nhất", "Giải Ba", "Giải Khuyến khích"]
    assert [t.position for t in tiers_of(w.competition) if t.kind is PrizeKind.TIER] == [0, 1, 2]
    (row,) = audits("prize.deleted")
    assert row.object_id == second_id and row.before["name"] == "Giải Nhì"
    assert [line["entry_id"] for line in row.before["lines"]] == [w.entries[1].id, None]
    assert row.after == {"lines_removed": 2}


def test_deleting_a_special_prize(awards_world):
    w = awards_world
    assert prizes.delete_prize(w.organiser, w.special) == 0
    assert [t.kind for t in tiers_of(w.competition)] == [PrizeKind.TIER] * 4


# --- Order -------------------------------------------------------------------------------------


def test_moving_a_tier_up_and_down(awards_world):
    w = awards_world
    assert prizes.move_prize(w.organiser, w.tiers[2], "up") is True
    assert names(w) == ["Giải Nhất", "Giải Ba", "Giải Nhì", "Giải Khuyến khích"]
    assert prizes.move_prize(w.organiser, w.tiers[0], "down") is True
    assert names(w) == ["Giải Ba", "Giải Nhất", "Giải Nhì", "Giải Khuyến khích"]
    (row, _second) = audits("prize.moved")
    assert (row.before["position"], row.after["position"]) == (2, 1)
    assert row.after["order"] == [w.tiers[0].id, w.tiers[2].id, w.tiers[1].id, w.tiers[3].id]


def test_the_first_cannot_go_up_nor_the_last_down(awards_world):
    w = awards_world
    assert prizes.move_prize(w.organiser, w.tiers[0], "up") is False
    assert prizes.move_prize(w.organiser, w.tiers[3], "down") is False
    assert prizes.move_prize(w.organiser, w.special, "up") is False  # alone of its kind
    assert not audits("prize.moved")
    with pytest.raises(DomainError):
        prizes.move_prize(w.organiser, w.tiers[1], "sideways")


def test_special_prizes_move_among_themselves(awards_world):
    w = awards_world
    young = prizes.add_prize(
        w.organiser,
        w.competition,
        prize(name="Phụ nữ trẻ", count=1, kind=PrizeKind.SPECIAL, rule={"max_age": 30}),
    )
    prizes.move_prize(w.organiser, young, "up")
    order = [t.id for t in tiers_of(w.competition)]
    assert order == [*(t.id for t in w.tiers), young.id, w.special.id]


# --- The setting -------------------------------------------------------------------------------


def test_the_setting_is_stored_on_the_decision(awards_world):
    w = awards_world
    assert decision_of(w.competition) is None
    prizes.set_special_with_tier(w.organiser, w.competition, True)
    assert decision_of(w.competition).special_with_tier is True
    assert decision_of(w.competition).status is DecisionStatus.DRAFT
    prizes.set_special_with_tier(w.organiser, w.competition, True)  # no change, no row
    prizes.set_special_with_tier(w.organiser, w.competition, False)
    rows = audits("prize.settings")
    assert [(r.before, r.after) for r in rows] == [
        ({"special_with_tier": False}, {"special_with_tier": True}),
        ({"special_with_tier": True}, {"special_with_tier": False}),
    ]


# --- Locked once the decision is final ---------------------------------------------------------


@pytest.mark.parametrize(
    "status", [DecisionStatus.FINALISED, DecisionStatus.APPROVED, DecisionStatus.PUBLISHED]
)
def test_nothing_changes_once_the_decision_is_final(awards_world, status):
    w = awards_world
    lines = draft_lines(w, w.tiers[1], w.entries[1:3])
    set_status(w, status)
    assert prizes.lock_reason(w.competition)
    attempts = [
        lambda: prizes.add_prize(w.organiser, w.competition, prize()),
        lambda: prizes.edit_prize(w.organiser, w.tiers[1], prize(count=1)),
        lambda: prizes.delete_prize(w.organiser, w.tiers[1]),
        lambda: prizes.move_prize(w.organiser, w.tiers[1], "up"),
        lambda: prizes.set_special_with_tier(w.organiser, w.competition, True),
        lambda: prizes.use_usual_tiers(w.organiser, w.competition, language="vi"),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError):
            attempt()
        db.session.rollback()
    db.session.expire_all()
    assert names(w) == ["Giải Nhất", "Giải Nhì", "Giải Ba", "Giải Khuyến khích"]
    assert w.tiers[1].prize_count == 2
    assert len(prizes.lines_of_tier(w.tiers[1])) == len(lines)
    assert decision_of(w.competition).special_with_tier is False
    assert not audits("prize.created") and not audits("prize.changed")


def test_the_lock_says_why(awards_world):
    w = awards_world
    assert prizes.lock_reason(w.competition) is None
    set_status(w, DecisionStatus.DRAFT)
    assert prizes.lock_reason(w.competition) is None
    with force_locale("en"):
        set_status(w, DecisionStatus.FINALISED)
        assert "reopen the decision" in prizes.lock_reason(w.competition)
        set_status(w, DecisionStatus.APPROVED)
        assert "withdraw the approval" in prizes.lock_reason(w.competition)
        set_status(w, DecisionStatus.PUBLISHED)
        assert "published" in prizes.lock_reason(w.competition)


def test_reopened_to_draft_the_prizes_change_again(awards_world):
    w = awards_world
    set_status(w, DecisionStatus.FINALISED)
    set_status(w, DecisionStatus.DRAFT)
    prizes.edit_prize(w.organiser, w.tiers[3], prize(name="Giải Khuyến khích", count=5, cash=0))
    assert w.tiers[3].prize_count == 5


# --- The page's figures ------------------------------------------------------------------------


def test_the_overview_sums_the_budget(awards_world):
    w = awards_world
    draft_lines(w, w.tiers[1], [w.entries[1], None])
    data = prizes.overview(w.competition)
    assert [r.tier.name for r in data.tiers] == names(w)
    assert [r.total for r in data.tiers] == [10_000_000, 10_000_000, 9_000_000, 4_000_000]
    assert [r.tier.id for r in data.specials] == [w.special.id]
    assert data.budget == 35_000_000 and data.prize_count == 11
    assert (data.tiers[1].lines, data.tiers[1].given) == (2, 1)
    assert data.tiers[0].first and data.tiers[-1].last and not data.tiers[1].first
    assert data.lock_reason is None and data.special_with_tier is False
