"""The rules of competitions: who may create and edit them, their states, copying last year's."""

import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal.auth.models import Role, User
from portal.competitions.models import (
    DEFAULT_CATEGORIES,
    NATION_LEVELS,
    Category,
    Competition,
    CompetitionLevel,
    CompetitionStatus,
    Round,
)
from portal.competitions.status import BY_HAND, change_competition_status, refused
from portal.core import audit, idempotency
from portal.core.errors import DomainError
from portal.core.text import fold
from portal.core.time import utcnow
from portal.extensions import db
from portal.units.models import Region, Unit, UnitKind

EDITABLE = {CompetitionStatus.DRAFT, CompetitionStatus.OPEN}
PUBLIC = set(CompetitionStatus) - {CompetitionStatus.DRAFT}
PREFIX = re.compile(r"^[A-Z]{2,6}$")
UNIT_WORDS = {"tinh", "thanh", "pho", "xa", "phuong", "dac", "khu"}


@dataclass
class RoundData:
    name: str
    opens_at: datetime
    closes_at: datetime
    # The round this edits; None: a new round. Rounds sent without any id (a caller other than
    # the form) keep their rows by position.
    id: int | None = None


@dataclass
class CategoryData:
    """A category the organisers named; `id` is the row it renames (None: a new one)."""

    name: str
    id: int | None = None


@dataclass
class CompetitionData:
    """What an organiser enters for a competition, already parsed (times aware, in UTC).

    A value the form could not read is None: the form has said so, and the rules that need it
    are left out rather than repeating the message."""

    title: str | None
    year: int | None
    level: CompetitionLevel | None
    unit_id: int | None
    description: str = ""
    rules: str = ""
    reference_prefix: str | None = ""
    category_codes: list[str] = field(default_factory=lambda: list(DEFAULT_CATEGORIES))
    custom_categories: list[CategoryData] = field(default_factory=list)
    rounds: list[RoundData] = field(default_factory=list)
    women_only: bool = True
    residents_only: bool = False
    min_age: int | None = None
    max_age: int | None = None
    max_entries_per_applicant: int = 1
    business_plan_required: bool = True
    photos_required: int = 0
    region_id: int | None = None
    by_nomination_only: bool = False

    def __post_init__(self) -> None:
        # Callers other than the form may name new categories by their names alone.
        self.custom_categories = [
            c if isinstance(c, CategoryData) else CategoryData(c) for c in self.custom_categories
        ]


class CompetitionRefused(DomainError):
    """Every problem of a competition's form, found in one pass, each with its field: the form
    shows them all at once instead of one per submit. `field` is a form field's name, or
    "rounds-<n>-<field>" for the n-th round given, or "category:<id>" / "round:<id>" for a row
    that the change would remove."""

    def __init__(self, problems: list[DomainError]) -> None:
        super().__init__(problems[0]._message, field=problems[0].field)
        self.problems = problems


def default_prefix(unit: Unit, level: CompetitionLevel | None = None) -> str:
    """Initials of the unit's name: "Điện Biên" → "DB", "Thành phố Hà Nội" → "HN"; for the
    national unit TW (trung ương), KV for a regional round (khu vực)."""
    if unit.is_nation:
        return "KV" if level is CompetitionLevel.REGIONAL else "TW"
    words = [w for w in fold(unit.name).split() if w not in UNIT_WORDS]
    return "".join(w[0] for w in words).upper()[:6] or "WS"


def may_manage_competition(user: User, competition: Competition) -> bool:
    return user.is_authenticated and user.can_act_on_unit(competition.unit_id)


def units_user_organises(user: User) -> list[Unit]:
    if user.has_role(Role.ADMIN):
        return list(
            db.session.scalars(
                sa.select(Unit).where(Unit.kind == UnitKind.PROVINCE).order_by(Unit.name_folded)
            )
        )
    return user.organiser_units()


def problems(
    actor: User, data: CompetitionData, competition: Competition | None = None
) -> list[DomainError]:
    """Everything wrong with the data, each with the field it belongs to (see
    CompetitionRefused); `competition` is the one being edited."""
    found: list[DomainError] = []
    if data.unit_id is not None and not actor.can_act_on_unit(data.unit_id):
        found.append(
            DomainError(
                _l("You can only organise competitions of your own unit."), field="province"
            )
        )
    found += _level_problems(data)
    if data.reference_prefix is not None and not PREFIX.match(data.reference_prefix):
        found.append(
            DomainError(
                _l("Use 2 to 6 capital letters without accents, for example DB."),
                field="reference_prefix",
            )
        )
    if not data.category_codes and not data.custom_categories:
        found.append(DomainError(_l("Choose at least one category."), field="category_codes"))
    if not data.rounds:
        found.append(DomainError(_l("A competition needs at least one round."), field="rounds"))
    for n, round_ in enumerate(data.rounds):
        if round_.closes_at <= round_.opens_at:
            found.append(
                DomainError(
                    _l("Round %(number)d closes before it opens.", number=n + 1),
                    field=f"rounds-{n}-closes_at",
                )
            )
    for n, (earlier, later) in enumerate(zip(data.rounds, data.rounds[1:], strict=False), 1):
        if later.opens_at < earlier.closes_at:
            found.append(
                DomainError(
                    _l("Round %(number)d opens before the round before it closes.", number=n + 1),
                    field=f"rounds-{n}-opens_at",
                )
            )
    if data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        found.append(DomainError(_l("The lowest age is above the highest."), field="min_age"))
    if competition is not None:
        found += _removals_refused(competition, data)
    return found


def _level_problems(data: CompetitionData) -> list[DomainError]:
    """Regional and national rounds are the Central Women's Union's, and only those; a regional
    one names its region."""
    if data.level is None or data.unit_id is None:
        return []
    unit = db.session.get(Unit, data.unit_id)
    if unit is None:
        return []
    found = []
    if unit.is_nation and data.level not in NATION_LEVELS:
        found.append(
            DomainError(
                _l("The Central Women's Union runs regional and national competitions."),
                field="level",
            )
        )
    if not unit.is_nation and data.level in NATION_LEVELS:
        found.append(
            DomainError(
                _l("Regional and national competitions are run by the Central Women's Union."),
                field="level",
            )
        )
    if data.level is CompetitionLevel.REGIONAL and data.region_id is None:
        found.append(DomainError(_l("Choose the region of this competition."), field="region"))
    if data.region_id is not None and db.session.get(Region, data.region_id) is None:
        found.append(DomainError(_l("Choose a region from the list."), field="region"))
    return found


def _check(actor: User, data: CompetitionData, competition: Competition | None = None) -> None:
    found = problems(actor, data, competition)
    # problems() leaves out what the form could not read; what is saved must have it all.
    if not (data.title or "").strip():
        found.append(DomainError(_l("Enter a title."), field="title"))
    if data.year is None:
        found.append(DomainError(_l("Enter the year."), field="year"))
    if data.level is None or data.unit_id is None or data.reference_prefix is None:
        found.append(DomainError(_l("Choose the level and the organising unit."), field="province"))
    if found:
        raise CompetitionRefused(found)


# --- Categories and rounds are edited in place --------------------------------------------------
# Entries point at their category, and rubrics, judges, scores and results at their round: a
# save keeps each row (a renamed category keeps its id), adds the new ones, and removes only rows
# nothing points at.


def _plan_categories(
    competition: Competition, data: CompetitionData
) -> tuple[list[tuple[Category | None, str | None, str | None]], list[Category]]:
    """(row to reuse or None, code, custom name) for each category in order, and the rows left
    over. Default categories are matched by code; named ones by id, then by name."""
    by_code = {c.code: c for c in competition.categories if c.code}
    named = [c for c in competition.categories if not c.code]
    plan: list[tuple[Category | None, str | None, str | None]] = [
        (by_code.pop(code, None), code, None) for code in data.category_codes
    ]
    rows: list[Category | None] = []
    for item in data.custom_categories:
        row = next((c for c in named if item.id is not None and c.id == item.id), None)
        if row is not None:
            named.remove(row)
        rows.append(row)
    for n, item in enumerate(data.custom_categories):
        if rows[n] is None:
            row = next((c for c in named if fold(c.custom_name) == fold(item.name)), None)
            if row is not None:
                named.remove(row)
                rows[n] = row
    plan += [
        (row, None, item.name.strip())
        for row, item in zip(rows, data.custom_categories, strict=True)
    ]
    return plan, list(by_code.values()) + named


def _plan_rounds(
    competition: Competition, data: CompetitionData
) -> tuple[list[Round | None], list[Round]]:
    """The row each round of the data edits (None: a new one), and the rows left over."""
    existing = list(competition.rounds)
    if not any(r.id is not None for r in data.rounds):
        rows: list[Round | None] = [
            existing[n] if n < len(existing) else None for n in range(len(data.rounds))
        ]
    else:
        by_id = {r.id: r for r in existing}
        rows = [by_id.pop(r.id, None) if r.id is not None else None for r in data.rounds]
    return rows, [r for r in existing if r not in rows]


def _in_use(table: sa.Table, ids: list[int]) -> set[int]:
    """The ids among these that a row of another table points at. Found through the foreign
    keys, so that every feature hanging rows off a category or a round (entries, rubrics,
    assignments, results, awards) counts without being imported here."""
    used: set[int] = set()
    if not ids:
        return used
    for other in db.metadata.sorted_tables:
        for key in other.foreign_keys:
            if key.column.table is table:
                used.update(
                    db.session.scalars(sa.select(key.parent).where(key.parent.in_(ids)).distinct())
                )
    return used


def _removals_refused(competition: Competition, data: CompetitionData) -> list[DomainError]:
    found = []
    _, categories = _plan_categories(competition, data)
    used = _in_use(Category.__table__, [c.id for c in categories if c.id is not None])
    for category in categories:
        if category.id in used:
            found.append(
                DomainError(
                    _l(
                        "Entries are filed under “%(name)s”, so it cannot be removed.",
                        name=category.name,
                    ),
                    field="category_codes" if category.code else f"category:{category.id}",
                )
            )
    _, rounds = _plan_rounds(competition, data)
    used = _in_use(Round.__table__, [r.id for r in rounds if r.id is not None])
    for round_ in rounds:
        if round_.id in used:
            found.append(
                DomainError(
                    _l(
                        "The round “%(name)s” already has judging set up (a rubric, judges, "
                        "scores or results), so it cannot be removed.",
                        name=round_.name,
                    ),
                    field=f"round:{round_.id}",
                )
            )
    return found


def _apply(competition: Competition, data: CompetitionData) -> None:
    for name in (
        "title",
        "year",
        "level",
        "unit_id",
        "description",
        "rules",
        "reference_prefix",
        "women_only",
        "residents_only",
        "min_age",
        "max_age",
        "max_entries_per_applicant",
        "business_plan_required",
        "photos_required",
        "by_nomination_only",
    ):
        setattr(competition, name, getattr(data, name))
    # Only a regional competition has a region.
    competition.region_id = data.region_id if data.level is CompetitionLevel.REGIONAL else None
    competition.title = data.title.strip()
    plan, _ = _plan_categories(competition, data)
    categories = []
    for position, (row, code, name) in enumerate(plan):
        row = row or Category()
        row.position, row.code, row.custom_name = position, code, name
        categories.append(row)
    competition.categories = categories  # rows left out are deleted (delete-orphan)
    rows, _ = _plan_rounds(competition, data)
    rounds = []
    for position, (row, round_data) in enumerate(zip(rows, data.rounds, strict=True)):
        row = row or Round()
        if row.position is not None and row.position != position:
            # The first round ranks other entries than a later one (portal.judging).
            row.ranking_version = (row.ranking_version or 0) + 1
        row.position = position
        row.name = round_data.name.strip()
        row.opens_at = round_data.opens_at
        row.closes_at = round_data.closes_at
        rounds.append(row)
    competition.rounds = rounds


def snapshot(competition: Competition) -> dict:
    return {
        "title": competition.title,
        "status": competition.status.value,
        "unit_id": competition.unit_id,
        "rounds": [
            [r.name, r.opens_at.isoformat(), r.closes_at.isoformat()] for r in competition.rounds
        ],
        "categories": [c.code or c.custom_name for c in competition.categories],
        "eligibility": [
            competition.women_only,
            competition.residents_only,
            competition.min_age,
            competition.max_age,
            competition.max_entries_per_applicant,
        ],
    }


def create_competition(
    actor: User, data: CompetitionData, *, form_key: str | None = None
) -> Competition:
    """A new competition starts as a draft, visible only to its organisers. The same form sent
    twice makes one competition (idempotency.AlreadySent)."""
    _check(actor, data)
    claimed = idempotency.claim(form_key, kind="competition", actor_id=actor.id)
    competition = Competition(created_by_id=actor.id, status=CompetitionStatus.DRAFT)
    _apply(competition, data)
    db.session.add(competition)
    db.session.flush()
    idempotency.made(claimed, competition)
    audit.record(
        "competition.created",
        actor_id=actor.id,
        object_type="competition",
        object_id=competition.id,
        after=snapshot(competition),
    )
    db.session.commit()
    return competition


def update_competition(actor: User, competition: Competition, data: CompetitionData) -> None:
    """Organisers edit a competition while it is a draft or open (to move a deadline, say)."""
    if not may_manage_competition(actor, competition):
        raise DomainError(_l("You cannot change this competition."))
    if competition.status not in EDITABLE:
        raise DomainError(_l("This competition can no longer be edited."))
    _check(actor, data, competition)
    before = snapshot(competition)
    _apply(competition, data)
    try:
        db.session.flush()
    except IntegrityError:
        # An entry was filed under a category removed here, or a round got its rubric, between
        # the check above and this write: nothing is changed and she is told to look again.
        db.session.rollback()
        raise DomainError(
            _l(
                "Entries or judging were added to what you removed while you were saving. "
                "Nothing was changed: check the categories and rounds, then save again."
            )
        ) from None
    audit.record(
        "competition.updated",
        actor_id=actor.id,
        object_type="competition",
        object_id=competition.id,
        before=before,
        after=snapshot(competition),
    )
    db.session.commit()


def change_status(actor: User, competition: Competition, new: CompetitionStatus) -> None:
    """The organiser moves it by hand; opening needs a deadline still ahead."""
    if not may_manage_competition(actor, competition):
        raise DomainError(_l("You cannot change this competition."))
    if new not in BY_HAND[competition.status]:
        raise refused(competition, new)
    if new is CompetitionStatus.OPEN and competition.closes_at <= utcnow():
        raise DomainError(
            _l("The entry deadline has passed. Move it before opening the competition.")
        )
    change_competition_status(actor.id, competition, new)
    db.session.commit()


def copy_competition(
    actor: User, source: Competition, year: int, *, form_key: str | None = None
) -> Competition:
    """Start this year's competition from last year's: same rules and categories, dates moved.
    The same form sent twice makes one copy (idempotency.AlreadySent)."""
    if not may_manage_competition(actor, source):
        raise DomainError(_l("You cannot copy this competition."))
    claimed = idempotency.claim(form_key, kind="competition_copy", actor_id=actor.id)
    shift = year - source.year

    def moved(moment: datetime) -> datetime:
        try:
            return moment.replace(year=moment.year + shift)
        except ValueError:  # 29 February
            return moment.replace(year=moment.year + shift, day=28)

    copy = Competition(
        created_by_id=actor.id,
        status=CompetitionStatus.DRAFT,
        copied_from_id=source.id,
        title=source.title.replace(str(source.year), str(year)),
        year=year,
        level=source.level,
        unit_id=source.unit_id,
        region_id=source.region_id,
        by_nomination_only=source.by_nomination_only,
        description=source.description,
        rules=source.rules,
        reference_prefix=source.reference_prefix,
        women_only=source.women_only,
        residents_only=source.residents_only,
        min_age=source.min_age,
        max_age=source.max_age,
        max_entries_per_applicant=source.max_entries_per_applicant,
        business_plan_required=source.business_plan_required,
        photos_required=source.photos_required,
        categories=[
            Category(position=c.position, code=c.code, custom_name=c.custom_name)
            for c in source.categories
        ],
        rounds=[
            Round(
                position=r.position,
                name=r.name,
                opens_at=moved(r.opens_at),
                closes_at=moved(r.closes_at),
            )
            for r in source.rounds
        ],
    )
    db.session.add(copy)
    db.session.flush()
    idempotency.made(claimed, copy)
    audit.record(
        "competition.copied",
        actor_id=actor.id,
        object_type="competition",
        object_id=copy.id,
        before={"copied_from": source.id},
        after=snapshot(copy),
    )
    db.session.commit()
    return copy


# --- Lists ---------------------------------------------------------------------------------


def public_query(
    *,
    province_id: int | None = None,
    level: str | None = None,
    phase: str | None = None,
    search: str | None = None,
    now: datetime,
) -> sa.Select:
    """Competitions a visitor may see, newest deadline first, with the list's filters."""
    first_round = (
        sa.select(Round.competition_id, sa.func.min(Round.position).label("position"))
        .group_by(Round.competition_id)
        .subquery()
    )
    entry_round = sa.orm.aliased(Round)
    query = (
        sa.select(Competition)
        .join(first_round, first_round.c.competition_id == Competition.id)
        .join(
            entry_round,
            sa.and_(
                entry_round.competition_id == Competition.id,
                entry_round.position == first_round.c.position,
            ),
        )
        .join(Unit, Unit.id == Competition.unit_id)
        .where(Competition.status.in_(PUBLIC))
    )
    if province_id:
        query = query.where(sa.or_(Unit.id == province_id, Unit.parent_id == province_id))
    if level in {lv.value for lv in CompetitionLevel}:
        query = query.where(Competition.level == CompetitionLevel(level))
    if phase == "open":
        query = query.where(
            Competition.status == CompetitionStatus.OPEN,
            entry_round.opens_at <= now,
            entry_round.closes_at > now,
        )
    elif phase == "upcoming":
        query = query.where(
            Competition.status == CompetitionStatus.OPEN, entry_round.opens_at > now
        )
    elif phase == "past":
        query = query.where(
            sa.or_(Competition.status != CompetitionStatus.OPEN, entry_round.closes_at <= now)
        )
    key = fold(search)
    if key:
        query = query.where(Competition.title_folded.contains(key, autoescape=True))
    return query.order_by(entry_round.closes_at.desc(), Competition.id.desc())


def managed_query(actor: User) -> sa.Select:
    """The competitions an organiser runs: of her units and, for a province, of its communes."""
    query = sa.select(Competition).order_by(Competition.year.desc(), Competition.id.desc())
    if actor.has_role(Role.ADMIN):
        return query
    scope = [u.id for u in actor.organiser_units()]
    if not scope:
        return query.where(sa.false())
    commune_of_scope = sa.select(Unit.id).where(Unit.parent_id.in_(scope))
    return query.where(
        sa.or_(Competition.unit_id.in_(scope), Competition.unit_id.in_(commune_of_scope))
    )


def visible_to(user: User, competition: Competition) -> bool:
    """Anyone sees a competition once it is out of draft; a draft only its organisers."""
    return competition.status in PUBLIC or may_manage_competition(user, competition)
