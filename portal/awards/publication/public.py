"""What the public sees of the awards: a competition's published results and the winners' gallery.

Both pages are open to everyone, so the rules that protect the winners live here, not in the
templates: only published decisions, only valid awards (a revoked award is left out entirely),
and the winner's name only where she consented to publish it (`Entry.consent_publish`). The
pages receive plain records (`PublicAward`, `PublicExternalAward`) that carry no name at all when
she did not consent, so a template cannot show it by mistake.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import aliased, contains_eager, raiseload

from portal.awards.common import decision_of, tiers_of
from portal.awards.models import (
    PRIZE_ORDER,
    Award,
    AwardDecision,
    AwardStatus,
    DecisionStatus,
    Prize,
)
from portal.awards.signals import gallery_shown, public_results_shown
from portal.competitions.models import DEFAULT_CATEGORIES, Category, Competition, CompetitionLevel
from portal.entries.models import Entry
from portal.extensions import db
from portal.units.models import Unit

GALLERY_PER_PAGE = 24
# The category filter's value for entries outside the national categories (or with none).
OTHER_CATEGORY = "other"


# --- Public records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicAward:
    """One valid award as the public may see it."""

    award_id: int
    entry_id: int
    prize: str
    special: bool
    cash_value: int
    in_kind: str
    entry_title: str
    category: str
    commune: str  # "Xã Mường Phăng, Điện Biên", or "" when unknown
    winner_name: str | None  # None unless she consented to publish her name
    competition_id: int
    competition_title: str
    level: CompetitionLevel
    year: int


@dataclass(frozen=True)
class PublicExternalAward:
    """A prize an entry of the competition won at a round run by another body."""

    entry_title: str
    level: CompetitionLevel
    body: str
    prize: str
    year: int
    winner_name: str | None  # None unless she consented to publish her name


@dataclass
class PrizeResult:
    """A prize of the competition with its valid awards (none if it was not given)."""

    tier: Prize
    cash_value: int
    in_kind: str
    awards: list[PublicAward] = field(default_factory=list)


@dataclass
class PublicResults:
    competition: Competition
    decision: AwardDecision
    prizes: list[PrizeResult]
    external: list[PublicExternalAward]


def _winner_name(entry: Entry) -> str | None:
    """Her name only where she consented; otherwise nothing, not even initials."""
    return entry.applicant.full_name if entry.consent_publish else None


def _category_name(entry: Entry) -> str:
    return entry.category.name if entry.category is not None else ""


def _commune_name(entry: Entry) -> str:
    return entry.commune.full_name if entry.commune is not None else ""


def _public(award: Award) -> PublicAward:
    """The public record of an award: what its certificate says (frozen at publication), never
    the winner's profile as it is today."""
    entry = award.entry
    competition = award.competition
    return PublicAward(
        award_id=award.id,
        entry_id=award.entry_id,
        prize=award.prize_name,
        special=award.tier.is_special,
        cash_value=award.cash_value,
        in_kind=award.in_kind,
        entry_title=award.entry_title,
        category=_category_name(entry),
        commune=_commune_name(entry),
        winner_name=award.winner_name if entry.consent_publish else None,
        competition_id=competition.id,
        competition_title=award.competition_title,
        level=competition.level,
        year=competition.year,
    )


def _entry_options(entry_path) -> list:
    """Load what a public card shows of an entry in the same query; refuse anything else (a
    template touching another relation would otherwise run one query per card)."""
    return [
        entry_path,
        entry_path.joinedload(Entry.applicant),
        entry_path.joinedload(Entry.category),
        entry_path.joinedload(Entry.commune).joinedload(Unit.parent),
        entry_path.raiseload(Entry.team_members),
        entry_path.raiseload(Entry.attachments),
        entry_path.raiseload(Entry.versions),
    ]


def _valid_awards() -> sa.Select:
    """Valid awards (given to an entry, with a certificate, not revoked) of published decisions."""
    return (
        sa.select(Award)
        .join(AwardDecision, AwardDecision.competition_id == Award.competition_id)
        .join(Prize, Prize.id == Award.tier_id)
        .join(Entry, Entry.id == Award.entry_id)
        .where(
            AwardDecision.status == DecisionStatus.PUBLISHED,
            Award.status == AwardStatus.ACTIVE,
            Award.certificate_code.is_not(None),
        )
    )


# --- A competition's results ---------------------------------------------------------------------


def results_of(competition: Competition) -> PublicResults | None:
    """The competition's published results, or None while they are not published (the page is
    then 404: results not yet published must not leak). Prizes come in their order, tiers then
    special prizes; each lists its valid awards by slot. Revoked awards are not shown."""
    decision = decision_of(competition)
    if decision is None or decision.status is not DecisionStatus.PUBLISHED:
        return None
    tiers = tiers_of(competition)
    awards = db.session.scalars(
        _valid_awards()
        .where(Award.competition_id == competition.id)
        .options(
            contains_eager(Award.tier),
            *_entry_options(contains_eager(Award.entry)),
            raiseload(Award.payments),
        )
        .order_by(Award.tier_id, Award.slot)
    ).unique()
    by_tier: dict[int, list[PublicAward]] = {}
    for award in awards:
        by_tier.setdefault(award.tier_id, []).append(_public(award))
    prizes = []
    for tier in tiers:
        given = by_tier.get(tier.id, [])
        prizes.append(
            PrizeResult(
                tier=tier,
                cash_value=given[0].cash_value if given else tier.cash_value,
                in_kind=given[0].in_kind if given else tier.in_kind,
                awards=given,
            )
        )
    # Prizes its entries won later, at rounds run by other bodies, are the projects' to tell.
    external = [
        award
        for _receiver, awards in public_results_shown.send(competition)
        for award in awards or []
    ]
    return PublicResults(competition, decision, prizes, external)


# --- The winners' gallery ------------------------------------------------------------------------


@dataclass(frozen=True)
class GalleryFilters:
    year: int | None = None
    province_id: int | None = None  # the competition's province
    category: str | None = None  # a code of DEFAULT_CATEGORIES, or OTHER_CATEGORY
    level: CompetitionLevel | None = None


def category_codes() -> list[str]:
    """The category filter's values: the national categories, then "other"."""
    return [*DEFAULT_CATEGORIES, OTHER_CATEGORY]


def gallery_years() -> list[int]:
    """The years that have published results, newest first (the year filter's choices)."""
    return list(
        db.session.scalars(
            sa.select(Competition.year)
            .join(AwardDecision, AwardDecision.competition_id == Competition.id)
            .where(AwardDecision.status == DecisionStatus.PUBLISHED)
            .distinct()
            .order_by(Competition.year.desc())
        )
    )


def gallery_query(filters: GalleryFilters) -> sa.Select:
    """Valid awards of published decisions across all competitions, newest publication first,
    then in each competition's prize order; with the gallery's filters."""
    unit = aliased(Unit)
    query = (
        _valid_awards()
        .join(Competition, Competition.id == Award.competition_id)
        .join(unit, unit.id == Competition.unit_id)
        .outerjoin(Category, Category.id == Entry.category_id)
    )
    if filters.year is not None:
        query = query.where(Competition.year == filters.year)
    if filters.province_id is not None:
        # A commune's competition belongs to the province above it.
        query = query.where(
            sa.or_(unit.id == filters.province_id, unit.parent_id == filters.province_id)
        )
    if filters.level is not None:
        query = query.where(Competition.level == filters.level)
    if filters.category == OTHER_CATEGORY:
        query = query.where(
            sa.or_(Category.code.is_(None), Category.code.not_in(list(DEFAULT_CATEGORIES)))
        )
    elif filters.category is not None:
        query = query.where(Category.code == filters.category)
    return query.options(
        contains_eager(Award.tier),
        *_entry_options(contains_eager(Award.entry)),
        contains_eager(Award.competition).raiseload(Competition.categories),
        contains_eager(Award.competition).raiseload(Competition.rounds),
        raiseload(Award.payments),
    ).order_by(
        AwardDecision.published_at.desc(),
        Award.competition_id.desc(),
        *PRIZE_ORDER,
        Award.slot,
        Award.id,
    )


@dataclass
class GalleryPage:
    """A page of the gallery: its public records, and the pagination (total, pages, links)."""

    awards: list[PublicAward]
    pagination: Pagination
    stories: dict[int, str]  # entry id → the page of her project's public story


def gallery(filters: GalleryFilters, page: int = 1) -> GalleryPage:
    """A page of the winners' gallery (GALLERY_PER_PAGE cards). A page number out of range is
    brought back to the first or the last page."""
    query = gallery_query(filters)
    pagination = db.paginate(
        query, page=max(page, 1), per_page=GALLERY_PER_PAGE, error_out=False, count=True
    )
    if pagination.pages and pagination.page > pagination.pages:
        pagination = db.paginate(
            query, page=pagination.pages, per_page=GALLERY_PER_PAGE, error_out=False
        )
    awards = [_public(a) for a in pagination.items]
    stories: dict[int, str] = {}
    for _receiver, found in gallery_shown.send([a.entry_id for a in awards]):
        stories |= found or {}
    return GalleryPage(awards, pagination, stories)


def _is_number(text: str) -> bool:
    # Short enough for int(): Python refuses to convert strings of thousands of digits.
    return text.isdecimal() and len(text) <= 12


def parse_filters(
    args: Mapping[str, str], *, years: list[int], province_ids: set[int]
) -> tuple[GalleryFilters, dict[str, str]]:
    """The gallery's filters from the query string. A value that is not one of the choices is
    ignored, and named in the returned errors (field name → the value that was refused)."""
    errors: dict[str, str] = {}
    values: dict = {}
    raw = {
        name: (args.get(name) or "").strip() for name in ("year", "province", "category", "level")
    }
    if raw["year"]:
        if _is_number(raw["year"]) and int(raw["year"]) in years:
            values["year"] = int(raw["year"])
        else:
            errors["year"] = raw["year"]
    if raw["province"]:
        if _is_number(raw["province"]) and int(raw["province"]) in province_ids:
            values["province_id"] = int(raw["province"])
        else:
            errors["province"] = raw["province"]
    if raw["category"]:
        if raw["category"] in category_codes():
            values["category"] = raw["category"]
        else:
            errors["category"] = raw["category"]
    if raw["level"]:
        if raw["level"] in {lv.value for lv in CompetitionLevel}:
            values["level"] = CompetitionLevel(raw["level"])
        else:
            errors["level"] = raw["level"]
    return GalleryFilters(**values), errors
