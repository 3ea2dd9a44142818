"""The rules of competitions: who may create and edit them, their states, copying last year's."""

import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.models import Role, User
from portal.competitions.models import (
    DEFAULT_CATEGORIES,
    Category,
    Competition,
    CompetitionLevel,
    CompetitionStatus,
    Round,
)
from portal.core import audit, idempotency
from portal.core.errors import DomainError
from portal.core.text import fold
from portal.core.time import utcnow
from portal.extensions import db
from portal.units.models import Unit, UnitKind

S = CompetitionStatus

# Which state may follow which. Results belong to the judging and awards work; the states are
# declared here so that every transition goes through change_status().
TRANSITIONS: dict[CompetitionStatus, set[CompetitionStatus]] = {
    S.DRAFT: {S.OPEN},
    S.OPEN: {S.CLOSED, S.DRAFT},
    S.CLOSED: {S.OPEN, S.JUDGING},
    S.JUDGING: {S.RESULTS_FINAL},
    # Results are published only through the awards decision (portal.awards.deciding.publish).
    S.RESULTS_FINAL: {S.JUDGING},
    S.RESULTS_PUBLISHED: {S.ARCHIVED},
    S.ARCHIVED: set(),
}
EDITABLE = {S.DRAFT, S.OPEN}
PUBLIC = set(CompetitionStatus) - {S.DRAFT}
PREFIX = re.compile(r"^[A-Z]{2,6}$")
UNIT_WORDS = {"tinh", "thanh", "pho", "xa", "phuong", "dac", "khu"}


@dataclass
class RoundData:
    name: str
    opens_at: datetime
    closes_at: datetime


@dataclass
class CompetitionData:
    """What an organiser enters for a competition, already parsed (times aware, in UTC)."""

    title: str
    year: int
    level: CompetitionLevel
    unit_id: int
    description: str = ""
    rules: str = ""
    reference_prefix: str = ""
    category_codes: list[str] = field(default_factory=lambda: list(DEFAULT_CATEGORIES))
    custom_categories: list[str] = field(default_factory=list)
    rounds: list[RoundData] = field(default_factory=list)
    women_only: bool = True
    residents_only: bool = False
    min_age: int | None = None
    max_age: int | None = None
    max_entries_per_applicant: int = 1
    business_plan_required: bool = True
    photos_required: int = 0


def default_prefix(unit: Unit) -> str:
    """Initials of the unit's name: "Điện Biên" → "DB", "Thành phố Hà Nội" → "HN"."""
    words = [w for w in fold(unit.name).split() if w not in UNIT_WORDS]
    return "".join(w[0] for w in words).upper()[:6] or "WS"


def may_manage(user: User, competition: Competition) -> bool:
    return user.is_authenticated and user.can_act_on_unit(competition.unit_id)


def units_user_organises(user: User) -> list[Unit]:
    if user.has_role(Role.ADMIN):
        return list(
            db.session.scalars(
                sa.select(Unit).where(Unit.kind == UnitKind.PROVINCE).order_by(Unit.name_folded)
            )
        )
    return user.organiser_units()


def _check(data: CompetitionData, actor: User) -> None:
    """Refuse what cannot be right, with the field it belongs to."""
    if not actor.can_act_on_unit(data.unit_id):
        raise DomainError(
            _l("You can only organise competitions of your own unit."), field="province"
        )
    if not PREFIX.match(data.reference_prefix):
        raise DomainError(
            _l("Use 2 to 6 capital letters without accents, for example DB."),
            field="reference_prefix",
        )
    if not data.category_codes and not data.custom_categories:
        raise DomainError(_l("Choose at least one category."), field="category_codes")
    if not data.rounds:
        raise DomainError(_l("A competition needs at least one round."), field="rounds")
    for number, round_ in enumerate(data.rounds, start=1):
        if round_.closes_at <= round_.opens_at:
            raise DomainError(
                _l("Round %(number)d closes before it opens.", number=number), field="rounds"
            )
    for number, (earlier, later) in enumerate(
        zip(data.rounds, data.rounds[1:], strict=False), start=2
    ):
        if later.opens_at < earlier.closes_at:
            raise DomainError(
                _l("Round %(number)d opens before the round before it closes.", number=number),
                field="rounds",
            )
    if data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        raise DomainError(_l("The lowest age is above the highest."), field="min_age")


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
    ):
        setattr(competition, name, getattr(data, name))
    competition.title = data.title.strip()
    competition.categories = [
        Category(position=n, code=code) for n, code in enumerate(data.category_codes)
    ] + [
        Category(position=len(data.category_codes) + n, custom_name=name.strip())
        for n, name in enumerate(data.custom_categories)
    ]
    # Rounds keep their rows (later work hangs rubrics and assignments off them).
    for position, round_data in enumerate(data.rounds):
        if position < len(competition.rounds):
            round_ = competition.rounds[position]
        else:
            round_ = Round(position=position)
            competition.rounds.append(round_)
        round_.name = round_data.name.strip()
        round_.opens_at = round_data.opens_at
        round_.closes_at = round_data.closes_at
    del competition.rounds[len(data.rounds) :]


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
    _check(data, actor)
    claimed = idempotency.claim(form_key, kind="competition", actor_id=actor.id)
    competition = Competition(created_by_id=actor.id, status=S.DRAFT)
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
    if not may_manage(actor, competition):
        raise DomainError(_l("You cannot change this competition."))
    if competition.status not in EDITABLE:
        raise DomainError(_l("This competition can no longer be edited."))
    _check(data, actor)
    before = snapshot(competition)
    _apply(competition, data)
    db.session.flush()
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
    """Move along the state machine; opening needs a deadline still ahead."""
    if not may_manage(actor, competition):
        raise DomainError(_l("You cannot change this competition."))
    if new not in TRANSITIONS[competition.status]:
        raise DomainError(
            _l(
                "A competition that is %(current)s cannot become %(new)s.",
                current=competition.status.label,
                new=new.label,
            )
        )
    if new is S.OPEN and competition.closes_at <= utcnow():
        raise DomainError(
            _l("The entry deadline has passed. Move it before opening the competition.")
        )
    set_status(actor, competition, new)
    db.session.commit()


def set_status(actor: User, competition: Competition, new: CompetitionStatus) -> None:
    """Write the new status and its audit row; the caller has checked the move and commits.
    Other features move a competition along too (publishing the awards)."""
    before = competition.status
    competition.status = new
    audit.record(
        "competition.status",
        actor_id=actor.id,
        object_type="competition",
        object_id=competition.id,
        before={"status": before.value},
        after={"status": new.value},
    )


def copy_competition(
    actor: User, source: Competition, year: int, *, form_key: str | None = None
) -> Competition:
    """Start this year's competition from last year's: same rules and categories, dates moved.
    The same form sent twice makes one copy (idempotency.AlreadySent)."""
    if not may_manage(actor, source):
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
        status=S.DRAFT,
        copied_from_id=source.id,
        title=source.title.replace(str(source.year), str(year)),
        year=year,
        level=source.level,
        unit_id=source.unit_id,
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
            Competition.status == S.OPEN, entry_round.opens_at <= now, entry_round.closes_at > now
        )
    elif phase == "upcoming":
        query = query.where(Competition.status == S.OPEN, entry_round.opens_at > now)
    elif phase == "past":
        query = query.where(sa.or_(Competition.status != S.OPEN, entry_round.closes_at <= now))
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
    return competition.status in PUBLIC or may_manage(user, competition)
