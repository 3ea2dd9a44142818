"""The public side of the awards: published results, the winners' gallery and its filters.

`publish_other` adds a small published competition (one tier, `winners` awards) for the tests
that need more than the shared `published` world: other years, provinces, levels, categories.
"""

from datetime import timedelta
from itertools import count
from string import ascii_uppercase

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.awards.common import new_certificate_code
from portal.awards.models import Award, AwardDecision, AwardStatus, DecisionStatus, Prize, PrizeKind
from portal.awards.publication import public
from portal.competitions.models import CompetitionLevel, CompetitionStatus
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.projects.models import ExternalAward
from tests.admin.test_views import count_queries
from tests.factories import UserFactory, make_competition

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")

_prefixes = count(1)


def publish_other(
    units,
    unit_key: str = "lao_cai",
    *,
    level: CompetitionLevel = CompetitionLevel.PROVINCIAL,
    year: int | None = None,
    published_at=None,
    category: str | None = "handicrafts",  # a national code, or None for an organisers' own
    consent: bool = True,
    winners: int = 1,
    name: str = "Giàng Thị Dợ",
    title: str = "Thổ cẩm Sa Pa",
) -> list[Award]:
    """A published competition of `units[unit_key]` whose only tier has `winners` awards."""
    unit = units[unit_key]
    province = unit.parent or unit
    organiser = UserFactory(roles=[(Role.ORGANISER, province)])
    now = utcnow()
    n = next(_prefixes)
    prefix = "X" + ascii_uppercase[n // 26 % 26] + ascii_uppercase[n % 26]
    codes = [category] if category else []
    competition = make_competition(
        organiser,
        unit,
        status="closed",
        opens=now - timedelta(days=60),
        closes=now - timedelta(days=30),
        level=level,
        year=year or now.year,
        title=f"Cuộc thi {prefix}",
        reference_prefix=prefix,
        category_codes=codes or ["agriculture"],
        custom_categories=[] if codes else ["Nghề rèn truyền thống"],
    )
    chosen = competition.categories[0] if codes else competition.categories[-1]
    tier = Prize(
        competition_id=competition.id,
        kind=PrizeKind.TIER,
        position=0,
        name="Giải Nhất",
        prize_count=winners,
        cash_value=5_000_000,
    )
    db.session.add(tier)
    db.session.flush()
    commune = units["sa_pa"] if province is units["lao_cai"] else units["muong_phang"]
    awards = []
    for n in range(winners):
        applicant = UserFactory(full_name=name if n == 0 else f"{name} {n + 1}")
        entry = Entry(
            competition_id=competition.id,
            applicant_id=applicant.id,
            category_id=chosen.id,
            status=EntryStatus.AWARDED,
            reference=f"{prefix}-{competition.year}-{n + 1:04d}",
            title=title if n == 0 else f"{title} {n + 1}",
            commune_id=commune.id,
            consent_publish=consent,
        )
        db.session.add(entry)
        db.session.flush()
        award = Award(
            competition_id=competition.id,
            tier_id=tier.id,
            slot=n + 1,
            entry_id=entry.id,
            proposed_entry_id=entry.id,
            cash_value=tier.cash_value,
            certificate_code=new_certificate_code(),
            issued_at=now,
        )
        db.session.add(award)
        db.session.flush()
        award.freeze()  # as publishing does
        awards.append(award)
    db.session.add(
        AwardDecision(
            competition_id=competition.id,
            status=DecisionStatus.PUBLISHED,
            published_by_id=organiser.id,
            published_at=published_at or now,
            version=3,
        )
    )
    competition.status = CompetitionStatus.RESULTS_PUBLISHED
    db.session.commit()
    return awards


def gallery_titles(filters: public.GalleryFilters | None = None, page: int = 1) -> list[str]:
    return [a.entry_title for a in public.gallery(filters or public.GalleryFilters(), page).awards]


# --- A competition's results ---------------------------------------------------------------------


def test_no_results_before_they_are_published(awards_world):
    assert public.results_of(awards_world.competition) is None
    db.session.add(
        AwardDecision(competition_id=awards_world.competition.id, status=DecisionStatus.APPROVED)
    )
    db.session.commit()
    assert public.results_of(awards_world.competition) is None


def test_prizes_come_in_order_tiers_then_special_prizes(published):
    results = public.results_of(published.competition)
    assert [p.tier.name for p in results.prizes] == [
        "Giải Nhất",
        "Giải Nhì",
        "Giải Ba",
        "Giải Khuyến khích",
        "Ý tưởng xuất sắc của phụ nữ dân tộc thiểu số",
    ]
    second = results.prizes[1]
    assert [a.entry_title for a in second.awards] == ["Ý tưởng số 2", "Ý tưởng số 3"]
    first = results.prizes[0].awards[0]
    assert (first.cash_value, first.in_kind) == (10_000_000, "Máy sấy nông sản")
    assert first.commune == "Xã Mường Phăng, Điện Biên"
    assert first.category  # the category's name, in the page's language


def test_the_name_is_public_only_with_her_consent(published):
    results = public.results_of(published.competition)
    names = {a.entry_title: a.winner_name for p in results.prizes for a in p.awards}
    assert names["Ý tưởng số 1"] == "Lò Thị Hương"  # entry 0 consented
    assert names["Ý tưởng số 2"] is None  # entry 1 (Vàng Thị Mỷ) did not
    assert names["Ý tưởng số 4"] is None  # entry 3 (Lường Thị Ượi) did not


def test_a_revoked_award_is_not_shown(published):
    first = published.awards[0]
    first.status = AwardStatus.REVOKED
    first.revoked_at = utcnow()
    first.revoked_reason = "Ý tưởng sao chép"
    db.session.commit()
    results = public.results_of(published.competition)
    assert results.prizes[0].awards == []
    assert results.prizes[0].cash_value == 10_000_000  # the prize is still listed, not awarded
    assert "Ý tưởng số 1" not in gallery_titles()


def test_a_line_without_certificate_is_not_a_valid_award(published):
    published.awards[0].certificate_code = None
    db.session.commit()
    assert public.results_of(published.competition).prizes[0].awards == []


def test_prizes_won_at_higher_rounds_keep_the_consent_rule(published):
    for index, level in ((0, CompetitionLevel.NATIONAL), (1, CompetitionLevel.REGIONAL)):
        db.session.add(
            ExternalAward(
                entry_id=published.entries[index].id,
                level=level,
                body="Trung ương Hội LHPN Việt Nam",
                prize="Giải Ba",
                year=2026 - index,
                recorded_by_id=published.organiser.id,
            )
        )
    db.session.commit()
    external = public.results_of(published.competition).external
    assert [(x.entry_title, x.level, x.winner_name) for x in external] == [
        ("Ý tưởng số 1", CompetitionLevel.NATIONAL, "Lò Thị Hương"),
        ("Ý tưởng số 2", CompetitionLevel.REGIONAL, None),
    ]


def test_a_winner_renaming_herself_does_not_change_her_name_beside_a_higher_round_prize(
    client, published
):
    entry = published.entries[0]
    db.session.add(
        ExternalAward(
            entry_id=entry.id,
            level=CompetitionLevel.NATIONAL,
            body="Trung ương Hội LHPN Việt Nam",
            prize="Giải Ba",
            year=2026,
            recorded_by_id=published.organiser.id,
        )
    )
    entry.applicant.full_name = "Nguyễn Thị Mạo Danh"  # her profile, edited after publication
    db.session.commit()
    page = client.get(f"/competitions/{published.competition.id}/results").get_data(as_text=True)
    assert "Lò Thị Hương" in page and "Mạo Danh" not in page


# --- The gallery ---------------------------------------------------------------------------------


def test_the_gallery_shows_valid_published_awards_newest_first(published, units):
    publish_other(units, published_at=utcnow() + timedelta(days=2), title="Mới nhất")
    publish_other(units, published_at=utcnow() - timedelta(days=400), title="Cũ nhất")
    titles = gallery_titles()
    assert len(titles) == 13
    assert titles[0] == "Mới nhất"
    assert titles[1:4] == ["Ý tưởng số 1", "Ý tưởng số 2", "Ý tưởng số 3"]  # prize order
    assert titles[-2] == "Ý tưởng số 3"  # the special prize after the tiers
    assert titles[-1] == "Cũ nhất"


def test_the_gallery_leaves_out_unpublished_decisions(awards_world, units):
    awards = publish_other(units)
    decision = db.session.scalar(
        sa.select(AwardDecision).where(AwardDecision.competition_id == awards[0].competition_id)
    )
    decision.status = DecisionStatus.APPROVED
    db.session.commit()
    assert gallery_titles() == []
    assert public.gallery_years() == []


def test_the_gallery_filters_by_year(published, units):
    year = published.competition.year
    publish_other(units, year=year - 3, title="Năm trước")
    assert public.gallery_years() == [year, year - 3]
    assert gallery_titles(public.GalleryFilters(year=year - 3)) == ["Năm trước"]
    assert len(gallery_titles(public.GalleryFilters(year=year))) == 11


def test_the_gallery_filters_by_the_competitions_province(published, units):
    publish_other(units, "lao_cai", title="Tỉnh Lào Cai")
    # A commune's competition belongs to its province.
    publish_other(units, "sa_pa", level=CompetitionLevel.COMMUNE, title="Phường Sa Pa")
    lao_cai = public.GalleryFilters(province_id=units["lao_cai"].id)
    assert sorted(gallery_titles(lao_cai)) == ["Phường Sa Pa", "Tỉnh Lào Cai"]
    dien_bien = public.GalleryFilters(province_id=units["dien_bien"].id)
    assert len(gallery_titles(dien_bien)) == 11


def test_the_gallery_filters_by_level(published, units):
    publish_other(units, "sa_pa", level=CompetitionLevel.COMMUNE, title="Phường Sa Pa")
    commune = public.GalleryFilters(level=CompetitionLevel.COMMUNE)
    assert gallery_titles(commune) == ["Phường Sa Pa"]
    national = public.GalleryFilters(level=CompetitionLevel.NATIONAL)
    assert gallery_titles(national) == []


def test_the_gallery_filters_by_category_and_other(published, units):
    publish_other(units, category=None, title="Rèn dao")
    # Entries 2 (twice: second prize and the special prize) have the handicrafts category.
    handicrafts = gallery_titles(public.GalleryFilters(category="handicrafts"))
    assert handicrafts == ["Ý tưởng số 3", "Ý tưởng số 3"]
    assert gallery_titles(public.GalleryFilters(category="other")) == ["Rèn dao"]


def test_the_gallery_keeps_the_consent_rule(published):
    cards = public.gallery(public.GalleryFilters()).awards
    names = {c.entry_title: c.winner_name for c in cards}
    assert names["Ý tưởng số 1"] == "Lò Thị Hương"
    assert names["Ý tưởng số 2"] is None


def test_the_gallery_has_24_cards_a_page(published, units):
    publish_other(units, winners=20, published_at=utcnow() - timedelta(days=1), title="Ý")
    first = public.gallery(public.GalleryFilters(), 1)
    assert (len(first.awards), first.pagination.total, first.pagination.pages) == (24, 31, 2)
    second = public.gallery(public.GalleryFilters(), 2)
    assert len(second.awards) == 7
    # A page past the end is the last one.
    assert public.gallery(public.GalleryFilters(), 99).pagination.page == 2
    assert public.gallery(public.GalleryFilters(), -3).pagination.page == 1


def test_an_empty_gallery(app):
    page = public.gallery(public.GalleryFilters(), 5)
    assert (page.awards, page.pagination.total) == ([], 0)


def test_filters_from_the_query_string():
    filters, refused = public.parse_filters(
        {"year": "2026", "province": "7", "category": "other", "level": "commune"},
        years=[2026, 2025],
        province_ids={7},
    )
    assert filters == public.GalleryFilters(2026, 7, "other", CompetitionLevel.COMMUNE)
    assert refused == {}


def test_values_not_in_the_lists_are_refused_and_ignored():
    filters, refused = public.parse_filters(
        {"year": "abc", "province": "-1", "category": "<script>", "level": "world"},
        years=[2026],
        province_ids={7},
    )
    assert filters == public.GalleryFilters()
    assert refused == {"year": "abc", "province": "-1", "category": "<script>", "level": "world"}
    filters, refused = public.parse_filters(
        {"year": "1999", "page": "x"}, years=[2026], province_ids=set()
    )
    assert filters == public.GalleryFilters() and refused == {"year": "1999"}
    assert public.parse_filters({"year": " "}, years=[2026], province_ids=set()) == (
        public.GalleryFilters(),
        {},
    )


# --- Queries ---------------------------------------------------------------------------------------


def test_the_gallery_runs_the_same_queries_whatever_its_length(client, published, units):
    few = count_queries(client, "/winners")
    publish_other(units, "sa_pa", level=CompetitionLevel.COMMUNE, winners=15, category=None)
    publish_other(units, "lao_cai", winners=5, consent=False)
    assert count_queries(client, "/winners") == few
    assert count_queries(client, "/winners?page=2") == few
    assert count_queries(client, f"/winners?province={units['lao_cai'].id}&category=other") == few


def test_the_results_page_runs_the_same_queries_whatever_its_length(client, units):
    small = publish_other(units, "lao_cai", winners=1)
    large = publish_other(units, "sa_pa", level=CompetitionLevel.COMMUNE, winners=20)
    for awards in (small, large):
        awards[0].entry.consent_publish = False
    db.session.commit()
    assert count_queries(
        client, f"/competitions/{small[0].competition_id}/results"
    ) == count_queries(client, f"/competitions/{large[0].competition_id}/results")
