"""Supported projects: created when an entry wins, followed for years; prizes won elsewhere;
the organisers' list with its filters and totals."""

import json
import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import defer, joinedload, lazyload, load_only, noload, selectinload

from portal.applicants.models import HouseholdStatus
from portal.auth.models import Role, User
from portal.awards.models import (
    PRIZE_ORDER,
    Award,
    AwardDecision,
    AwardStatus,
    DecisionStatus,
    Prize,
)
from portal.competitions import services as competition_services
from portal.competitions.models import LEVEL_ORDER, Competition, CompetitionLevel, category_name
from portal.core import audit, cache, idempotency, storage
from portal.core.errors import DomainError
from portal.core.money import MAX_VND
from portal.core.text import fold
from portal.core.time import to_vietnam, utcnow, vietnam_date
from portal.entries.models import Entry, EntryStatus, TeamMember
from portal.extensions import db
from portal.projects.models import ExternalAward, SupportedProject
from portal.projects.poverty.models import HouseholdStatusRecord, StatusSource
from portal.units import services as unit_services
from portal.units.models import Unit


def project_of(entry_id: int) -> SupportedProject | None:
    return db.session.scalar(
        sa.select(SupportedProject).where(SupportedProject.entry_id == entry_id)
    )


def ensure_project(entry: Entry, *, actor_id: int) -> SupportedProject:
    """The project of an awarded entry, created the first time; the caller commits."""
    project = project_of(entry.id)
    if project is not None:
        return project
    category = entry.category
    project = SupportedProject(
        entry_id=entry.id,
        owner_id=entry.applicant_id,
        unit_id=entry.competition.unit_id,
        commune_id=entry.commune_id,
        title=entry.title,
        category_code=category.code if category else None,
        category_name=(category.custom_name or "") if category else "",
        year=entry.competition.year,
        search_text=fold(" ".join([entry.title, entry.reference or "", entry.applicant.full_name])),
    )
    db.session.add(project)
    db.session.flush()
    if entry.household_status in {s.value for s in HouseholdStatus}:
        # The household's history starts with what she said when she applied.
        db.session.add(
            HouseholdStatusRecord(
                project_id=project.id,
                status=HouseholdStatus(entry.household_status),
                as_of=vietnam_date(entry.first_submitted_at or entry.submitted_at or utcnow()),
                source=StatusSource.APPLICATION,
                recorded_by_id=actor_id,
            )
        )
    audit.record(
        "project.created",
        actor_id=actor_id,
        object_type="supported_project",
        object_id=project.id,
        after={"entry_id": entry.id, "title": entry.title},
    )
    return project


def project_home(entry: Entry) -> Entry:
    """The entry an idea's project hangs on. An idea carried up to higher rounds stays one
    project: the one it already has, else on the entry of the last round below the regional
    ones (followed by the unit whose competition that is, the one that nominated her)."""
    if entry.origin_entry_id is None and not entry.nominated:
        return entry
    origin = entry.origin_entry_id or entry.id
    existing = db.session.scalar(
        sa.select(SupportedProject.entry_id)
        .join(Entry, Entry.id == SupportedProject.entry_id)
        .where(sa.or_(Entry.id == origin, Entry.origin_entry_id == origin))
        .order_by(SupportedProject.id)
        .limit(1)
    )
    if existing is not None:
        return db.session.get(Entry, existing)
    home = entry
    while home.competition.level in EXTERNAL_LEVELS and home.nominated_from is not None:
        home = home.nominated_from
    return home


def carry_results_down(entry: Entry, *, actor_id: int) -> int:
    """The published prizes of an entry carried up from competitions below. A regional or
    national prize is recorded on each entry of its path below as a result won at a higher
    round; another (a provincial prize of an idea that started in a commune's competition) on
    the entry its project hangs on, when that is below, so that the project shows it. Once per
    award and entry: the same publication seen twice records nothing more. A prize recorded by
    hand stays as it was (it may be another body's). The caller commits. Returns how many."""
    competition = entry.competition
    if competition.level in EXTERNAL_LEVELS:
        targets = []
        below = entry.nominated_from
        while below is not None:
            targets.append(below)
            below = below.nominated_from
    else:
        home = project_home(entry)
        targets = [home] if home.id != entry.id else []
    if not targets:
        return 0
    awards = list(
        db.session.scalars(
            sa.select(Award)
            .where(
                Award.entry_id == entry.id,
                Award.certificate_code.is_not(None),
                Award.status == AwardStatus.ACTIVE,
            )
            .order_by(Award.id)
        )
    )
    made = 0
    for target in targets:
        have = set(
            db.session.scalars(
                sa.select(ExternalAward.award_id).where(
                    ExternalAward.entry_id == target.id, ExternalAward.award_id.is_not(None)
                )
            )
        )
        for award in awards:
            if award.id in have:
                continue
            external = ExternalAward(
                entry_id=target.id,
                award_id=award.id,
                level=competition.level,
                body=competition.unit.name,
                prize=award.prize_name or award.tier.name,
                year=competition.year,
                cash_value=award.cash_value or None,
                evidence_note=competition.title,
                recorded_by_id=actor_id,
            )
            db.session.add(external)
            db.session.flush()
            audit.record(
                "external_award.carried_down",
                actor_id=actor_id,
                object_type="external_award",
                object_id=external.id,
                after=_describe(external),
            )
            made += 1
    return made


def drop_carried(award_id: int, *, actor_id: int) -> None:
    """A revoked award is no longer a result of the entries below; the caller commits."""
    for external in db.session.scalars(
        sa.select(ExternalAward).where(ExternalAward.award_id == award_id)
    ):
        audit.record(
            "external_award.deleted",
            actor_id=actor_id,
            object_type="external_award",
            object_id=external.id,
            before=_describe(external),
            after={"reason": "award revoked"},
        )
        db.session.delete(external)


# --- Who may see and act -------------------------------------------------------------------------


def may_manage_project(user: User, project: SupportedProject) -> bool:
    """Organisers of the unit that follows the project (or of its province), and admins."""
    return user.is_authenticated and user.can_act_on_unit(project.unit_id)


def _team_accounts(project: SupportedProject) -> set[int]:
    return {m.user_id for m in project.entry.team_members if m.user_id}


def may_read(user: User, project: SupportedProject, team: set[int] | None = None) -> bool:
    """Its managers, its owner, and the team members who have an account linked to the entry
    (`team`: their accounts, when the caller has read them): the project is theirs too (they
    read it; only organisers change it)."""
    if not user.is_authenticated:
        return False
    return (
        project.owner_id == user.id
        or may_manage_project(user, project)
        or user.id in (_team_accounts(project) if team is None else team)
    )


def may_see_evidence(user: User, external: ExternalAward) -> bool:
    """The evidence of a prize won elsewhere: the competition's managers and the entry's owner."""
    entry = external.entry
    return user.is_authenticated and (
        entry.applicant_id == user.id
        or competition_services.may_manage_competition(user, entry.competition)
    )


# --- Prizes won elsewhere (regional and national rounds run by other bodies) --------------------

EXTERNAL_LEVELS = (CompetitionLevel.REGIONAL, CompetitionLevel.NATIONAL)
# Entries that never took part (a draft), left (withdrawn) or were screened out cannot have won.
NOT_COMPETING = {EntryStatus.DRAFT, EntryStatus.WITHDRAWN, EntryStatus.INELIGIBLE}
MAX_NAME = 200
MAX_NOTE = 2000
# A note stands as evidence when it gives a link, or says where the proof is in a few words.
MIN_NOTE_WORDS = 4
_LINK = re.compile(r"https?://\S+\.\S+", re.IGNORECASE)


def _note_is_evidence(note: str) -> bool:
    if _LINK.search(note):
        return True
    return len([w for w in note.split() if any(ch.isalnum() for ch in w)]) >= MIN_NOTE_WORDS


def _describe(external: ExternalAward) -> dict:
    return {
        "entry_id": external.entry_id,
        "level": external.level.value,
        "body": external.body,
        "prize": external.prize,
        "year": external.year,
        "cash_value": external.cash_value,
        "evidence_note": external.evidence_note,
        "evidence_filename": external.evidence_filename,
    }


def record_external_award(
    actor: User,
    entry: Entry,
    level: CompetitionLevel | str,
    body: str,
    prize: str,
    year: int | None,
    cash_value: int | None,
    evidence_note: str,
    evidence: tuple[bytes, str] | None,
    *,
    now: datetime | None = None,
    form_key: str | None = None,
) -> ExternalAward:
    """Record that an entry won a prize at a higher round run by another body.

    Managers of the entry's competition only. The level is regional or national and above the
    competition's own; the body that ran the round and the prize are named; the year is between
    the competition's year and this year (Vietnam time); the cash value, if any, is a whole number
    of đồng, not below zero. Evidence is required: a PDF, JPEG or PNG file (checked by its
    content, at most 10 MB), or a note of a few words or a link saying where the proof is.
    The same prize is not recorded twice. The entry becomes a supported project if it is not one.
    """
    now = now or utcnow()
    competition = entry.competition
    if not competition_services.may_manage_competition(actor, competition):
        raise DomainError(_l("You cannot act on entries of another unit."))
    if entry.status in NOT_COMPETING:
        raise DomainError(
            _l("Only an entry that took part in the competition can have won a prize elsewhere.")
        )
    try:
        level = CompetitionLevel(level)
    except ValueError:
        raise DomainError(_l("Choose regional or national."), field="level") from None
    if level not in EXTERNAL_LEVELS:
        raise DomainError(_l("Choose regional or national."), field="level")
    if LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(competition.level):
        raise DomainError(
            _l(
                "The round must be of a higher level than this competition (%(level)s).",
                level=competition.level.label,
            ),
            field="level",
        )
    body = " ".join((body or "").split())
    prize = " ".join((prize or "").split())
    evidence_note = (evidence_note or "").strip()
    if not body:
        raise DomainError(_l("Write who ran the round."), field="body")
    if len(body) > MAX_NAME:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_NAME), field="body")
    if not prize:
        raise DomainError(_l("Write the prize she won."), field="prize")
    if len(prize) > MAX_NAME:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_NAME), field="prize")
    this_year = to_vietnam(now).year
    if (
        not isinstance(year, int)
        or isinstance(year, bool)
        or not (competition.year <= year <= this_year)
    ):
        raise DomainError(
            _l(
                "The year must be between %(first)d and %(last)d.",
                first=competition.year,
                last=max(this_year, competition.year),
            ),
            field="year",
        )
    if cash_value is not None and (
        not isinstance(cash_value, int)
        or isinstance(cash_value, bool)
        or not 0 <= cash_value <= MAX_VND
    ):
        raise DomainError(
            _l("Enter the cash value in whole đồng, or leave it empty."), field="cash_value"
        )
    if len(evidence_note) > MAX_NOTE:
        raise DomainError(
            _l("Write at most %(num)d characters.", num=MAX_NOTE), field="evidence_note"
        )
    checked = storage.read_document(
        evidence,
        field="evidence",
        wrong_type=_l("The evidence must be a PDF, JPEG or PNG file."),
        too_large=_l("The evidence file is larger than 10 MB."),
        default_name="evidence",
    )
    if checked is None and not _note_is_evidence(evidence_note):
        raise DomainError(
            _l(
                "Give the evidence: attach the certificate or decision (PDF, JPEG or PNG), "
                "or say in a few words where it can be checked, or give a link to it."
            ),
            field="evidence",
        )
    # Before the check for the same prize: the same form sent again is answered as done.
    claimed = idempotency.claim(form_key, kind="external_award", actor_id=actor.id)
    same = db.session.scalars(
        sa.select(ExternalAward).where(
            ExternalAward.entry_id == entry.id,
            ExternalAward.level == level,
            ExternalAward.year == year,
        )
    )
    if any(fold(x.body) == fold(body) and fold(x.prize) == fold(prize) for x in same):
        raise DomainError(_l("This prize is already recorded for this entry."))

    external = ExternalAward(
        entry_id=entry.id,
        level=level,
        body=body,
        prize=prize,
        year=year,
        cash_value=cash_value,
        evidence_note=evidence_note,
        evidence_stored_name=storage.new_name() if checked else None,
        evidence_filename=checked[1] if checked else None,
        evidence_content_type=checked[2] if checked else None,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    db.session.add(external)
    db.session.flush()
    if checked:
        # Written once its row is in; a transaction that does not commit removes it.
        storage.store(checked[0], external.evidence_stored_name)
    idempotency.made(claimed, external)
    audit.record(
        "external_award.recorded",
        actor_id=actor.id,
        object_type="external_award",
        object_id=external.id,
        after=_describe(external),
    )
    ensure_project(project_home(entry), actor_id=actor.id)
    db.session.commit()
    return external


def delete_external_award(actor: User, external: ExternalAward, reason: str) -> None:
    """Remove a prize recorded by mistake, with a written reason; the audit log keeps what it
    was. The supported project stays: it outlives the prizes it is known for."""
    if not competition_services.may_manage_competition(actor, external.entry.competition):
        raise DomainError(_l("You cannot act on entries of another unit."))
    if external.carried:
        raise DomainError(
            _l(
                "This prize was carried down from the higher competition's published results: "
                "it goes only if that award is revoked."
            )
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Write why this prize is removed."), field="reason")
    if len(reason) > MAX_NOTE:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_NOTE), field="reason")
    before = _describe(external)
    stored = external.evidence_stored_name
    audit.record(
        "external_award.deleted",
        actor_id=actor.id,
        object_type="external_award",
        object_id=external.id,
        before=before,
        after={"reason": reason},
    )
    db.session.delete(external)
    if stored:
        storage.discard(stored)  # once the commit has happened
    db.session.commit()


# The statements a project's page runs are built once, their ids bound at each view: building
# and keying a statement anew cost 0.1–0.6 ms of CPU each (docs/performance.md).
_ENTRY_IDS = sa.bindparam("entry_ids", expanding=True)

_EXTERNAL_AWARDS = (
    sa.select(ExternalAward)
    .where(ExternalAward.entry_id.in_(_ENTRY_IDS))
    .order_by(ExternalAward.year.desc(), ExternalAward.id)
)


def external_awards_of(entry_ids: list[int]) -> dict[int, list[ExternalAward]]:
    """Prizes won elsewhere by each entry, highest level and latest year first."""
    found: dict[int, list[ExternalAward]] = {i: [] for i in entry_ids}
    for chunk in _chunks(entry_ids):
        rows = db.session.scalars(_EXTERNAL_AWARDS, {"entry_ids": chunk})
        for row in rows:
            found[row.entry_id].append(row)
    for rows in found.values():
        rows.sort(key=lambda x: (-LEVEL_ORDER.index(x.level), -x.year, x.id))
    return found


_AWARDS = (
    sa.select(Award)
    .join(AwardDecision, AwardDecision.competition_id == Award.competition_id)
    .join(Prize, Prize.id == Award.tier_id)
    .where(AwardDecision.status == DecisionStatus.PUBLISHED, Award.entry_id.in_(_ENTRY_IDS))
    .order_by(*PRIZE_ORDER, Award.slot)
)


def awards_of(entry_ids: list[int]) -> dict[int, list[Award]]:
    """Awards won at the competitions (published decisions; valid or revoked), by entry."""
    found: dict[int, list[Award]] = {i: [] for i in entry_ids}
    for chunk in _chunks(entry_ids):
        rows = db.session.scalars(_AWARDS, {"entry_ids": chunk}).unique()
        for row in rows:
            found[row.entry_id].append(row)
    return found


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- The organisers' list of supported projects -------------------------------------------------


@dataclass
class ProjectFilters:
    year: int | None = None
    unit_id: int | None = None  # the competition's unit, or a province and its communes
    category: str | None = None  # a national category code
    commune_id: int | None = None
    won_elsewhere: bool = False  # won a prize at a regional or national round
    search: str | None = None


def scoped_query(user: User) -> sa.Select:
    """Projects the user may list: all for admins; for an organiser, those followed by a unit she
    may act on (her unit and, for a province, its communes)."""
    query = sa.select(SupportedProject)
    if user.has_role(Role.ADMIN):
        return query
    scope = [unit.id for unit in user.organiser_units()]
    if not scope:
        return query.where(sa.false())
    return query.where(SupportedProject.unit_id.in_(unit_services.within(scope)))


def projects_query(user: User, filters: ProjectFilters) -> sa.Select:
    """The projects in the user's scope that pass the filters, newest year first."""
    query = scoped_query(user)
    if filters.year:
        query = query.where(SupportedProject.year == filters.year)
    if filters.unit_id:
        query = query.where(SupportedProject.unit_id.in_(unit_services.within([filters.unit_id])))
    if filters.category:
        query = query.where(SupportedProject.category_code == filters.category)
    if filters.commune_id:
        query = query.where(SupportedProject.commune_id == filters.commune_id)
    if filters.won_elsewhere:
        query = query.where(
            sa.exists().where(
                ExternalAward.entry_id == SupportedProject.entry_id,
                ExternalAward.level.in_(EXTERNAL_LEVELS),
            )
        )
    key = fold(filters.search)
    if key:
        query = query.where(SupportedProject.search_text.contains(key, autoescape=True))
    return query.order_by(SupportedProject.year.desc(), SupportedProject.title, SupportedProject.id)


def for_page(query: sa.Select) -> sa.Select:
    """What a line of her own projects shows: owner, units, entry and competition, each read in
    a query of its own for the rows found (the organisers' list reads columns instead:
    `listed_projects`)."""
    return query.options(
        selectinload(SupportedProject.owner).noload(User.roles),
        selectinload(SupportedProject.unit),
        selectinload(SupportedProject.commune).joinedload(Unit.parent),
        selectinload(SupportedProject.entry)
        .options(
            load_only(Entry.id, Entry.reference, Entry.competition_id),
            noload(Entry.attachments),
            noload(Entry.team_members),
        )
        .joinedload(Entry.competition)
        .options(noload(Competition.categories), noload(Competition.rounds)),
        defer(SupportedProject.search_text),
        defer(SupportedProject.story_text),
    )


@dataclass(frozen=True)
class ListedProject:
    """A row of the organisers' list: what it shows of a project, read as columns."""

    id: int
    title: str
    entry_id: int
    year: int
    category_label: str
    owner: str
    commune: str | None
    reference: str
    competition: str


def listed_projects(query: sa.Select, number: int, per_page: int) -> list[ListedProject]:
    """Page `number` of `query`: its projects sorted and cut over the projects alone, then what a
    row shows of those few, joined and read as columns. Joined before the LIMIT, owners, units
    and entries were joined to every project of the province (50 ms for 2,000); read as mapped
    objects, a page of 50 made 300 of them in five queries (9 ms of CPU a view)."""
    ids = list(
        db.session.scalars(
            query.with_only_columns(SupportedProject.id)
            .limit(per_page)
            .offset((number - 1) * per_page)
        )
    )
    if not ids:
        return []
    rows = db.session.execute(
        sa.select(
            SupportedProject.id,
            SupportedProject.title,
            SupportedProject.entry_id,
            SupportedProject.year,
            SupportedProject.category_code,
            SupportedProject.category_name,
            User.full_name,
            Unit.name,
            Entry.reference,
            Competition.title,
        )
        .join(User, User.id == SupportedProject.owner_id)
        .outerjoin(Unit, Unit.id == SupportedProject.commune_id)
        .join(Entry, Entry.id == SupportedProject.entry_id)
        .join(Competition, Competition.id == Entry.competition_id)
        .where(SupportedProject.id.in_(ids))
    )
    found = {
        id_: ListedProject(
            id_, title, entry_id, year, category_name(code, name), owner, commune, ref, held_by
        )
        for id_, title, entry_id, year, code, name, owner, commune, ref, held_by in rows
    }
    return [found[i] for i in ids]


# --- The counting rule: a project counts while it holds a valid prize --------------------------
#
# A supported project outlives its prizes: revoking its award keeps the record (and any support
# given). But the union's figures ("N projects supported") count only the projects that still
# hold at least one valid prize, here (a valid award of published results) or at a regional or
# national round. A project whose every award was revoked, with no prize elsewhere, stays in the
# list, marked "No valid award", and the totals say how many were set aside.


def has_valid_prize() -> sa.ColumnElement[bool]:
    """SQL: the project (SupportedProject in the enclosing query) still holds a valid prize."""
    valid_here = sa.exists().where(
        Award.entry_id == SupportedProject.entry_id,
        Award.status == AwardStatus.ACTIVE,
        Award.certificate_code.is_not(None),
        sa.exists().where(
            AwardDecision.competition_id == Award.competition_id,
            AwardDecision.status == DecisionStatus.PUBLISHED,
        ),
    )
    elsewhere = sa.exists().where(
        ExternalAward.entry_id == SupportedProject.entry_id,
        ExternalAward.level.in_(EXTERNAL_LEVELS),
    )
    return sa.or_(valid_here, elsewhere)


def holds_valid_prize(awards: list[Award], external: list[ExternalAward]) -> bool:
    """The same rule on what a page already loaded (`awards_of`, `external_awards_of`)."""
    return any(a.is_valid for a in awards) or any(x.level in EXTERNAL_LEVELS for x in external)


def set_aside(awards: dict[int, list[Award]], external: dict[int, list[ExternalAward]]) -> set[int]:
    """The entry ids (of those loaded) whose project no longer holds a valid prize."""
    return {
        entry_id
        for entry_id in awards
        if not holds_valid_prize(awards[entry_id], external.get(entry_id, []))
    }


@dataclass
class ProjectTotals:
    projects: int = 0  # listed projects that hold a valid prize, here or elsewhere
    awards: int = 0  # valid awards won at the competitions
    awards_cash: int = 0
    won_elsewhere: int = 0  # projects that won prizes at regional and national rounds
    external_awards: int = 0
    external_cash: int = 0
    set_aside: int = 0  # listed projects left without a valid prize (every award revoked)

    @property
    def cash(self) -> int:
        return self.awards_cash + self.external_cash


def totals(query: sa.Select) -> ProjectTotals:
    """The figures of what `query` lists, in one query whatever its length. Projects are
    counted by the rule above (`has_valid_prize`); the others are counted as set aside."""
    listed = query.order_by(None).with_only_columns(SupportedProject.entry_id)
    valid = (
        sa.select(Award.id)
        .join(AwardDecision, AwardDecision.competition_id == Award.competition_id)
        .where(
            AwardDecision.status == DecisionStatus.PUBLISHED,
            Award.status == AwardStatus.ACTIVE,
            Award.certificate_code.is_not(None),
            Award.entry_id.in_(listed),
        )
    )
    elsewhere = sa.select(ExternalAward.id).where(
        ExternalAward.entry_id.in_(listed), ExternalAward.level.in_(EXTERNAL_LEVELS)
    )

    def figure(select: sa.Select, column) -> sa.ScalarSelect:
        return select.with_only_columns(column).scalar_subquery()

    def projects(holding: bool) -> sa.ScalarSelect:
        rule = has_valid_prize() if holding else sa.not_(has_valid_prize())
        counted = query.order_by(None).where(rule).with_only_columns(SupportedProject.id)
        return sa.select(sa.func.count()).select_from(counted.subquery()).scalar_subquery()

    row = db.session.execute(
        sa.select(
            projects(True),
            figure(valid, sa.func.count(Award.id)),
            figure(valid, sa.func.coalesce(sa.func.sum(Award.cash_value), 0)),
            figure(elsewhere, sa.func.count(sa.distinct(ExternalAward.entry_id))),
            figure(elsewhere, sa.func.count(ExternalAward.id)),
            figure(elsewhere, sa.func.coalesce(sa.func.sum(ExternalAward.cash_value), 0)),
            projects(False),
        )
    ).one()
    return ProjectTotals(*(int(value or 0) for value in row))


@dataclass(frozen=True)
class UnitOption:
    """A unit as a filter offers it."""

    id: int
    name: str
    parent_id: int | None
    full_name: str


@dataclass
class FilterOptions:
    years: list[int]
    units: list[UnitOption]  # provinces, then the communes whose competitions have projects
    communes: list[UnitOption]


def filter_options(user: User) -> FilterOptions:
    """The values the filters offer: only those the user's projects have. Three queries over
    every project of her units (14 ms of PostgreSQL at 10,000 projects), so kept between views
    (core.cache) until a project or a unit changes."""

    def option(unit: Unit) -> list:
        return [unit.id, unit.name, unit.parent_id, unit.full_name]

    def compute() -> str:
        scoped = scoped_query(user).order_by(None)
        years = db.session.scalars(
            scoped.with_only_columns(SupportedProject.year)
            .distinct()
            .order_by(SupportedProject.year.desc())
        )
        followed = scoped.with_only_columns(SupportedProject.unit_id)
        units = db.session.scalars(
            sa.select(Unit)
            .where(
                sa.or_(
                    Unit.id.in_(followed),
                    Unit.id.in_(sa.select(Unit.parent_id).where(Unit.id.in_(followed))),
                )
            )
            .options(joinedload(Unit.parent))
            .order_by(Unit.parent_id.is_not(None), Unit.name_folded)
        )
        communes = db.session.scalars(
            sa.select(Unit)
            .where(Unit.id.in_(scoped.with_only_columns(SupportedProject.commune_id)))
            .options(joinedload(Unit.parent))
            .order_by(Unit.name_folded)
        )
        return json.dumps(
            {
                "years": list(years),
                "units": [option(u) for u in units],
                "communes": [option(c) for c in communes],
            }
        )

    scope = "all" if user.has_role(Role.ADMIN) else sorted(u.id for u in user.organiser_units())
    kept = json.loads(cache.remember(("project-filters", scope), compute))
    return FilterOptions(
        kept["years"],
        [UnitOption(*u) for u in kept["units"]],
        [UnitOption(*c) for c in kept["communes"]],
    )


def projects_of(user: User) -> list[SupportedProject]:
    """Her projects: those she owns and those whose team she is on with her account."""
    on_team = sa.select(TeamMember.entry_id).where(TeamMember.user_id == user.id)
    return list(
        db.session.scalars(
            for_page(
                sa.select(SupportedProject)
                .where(
                    sa.or_(
                        SupportedProject.owner_id == user.id,
                        SupportedProject.entry_id.in_(on_team),
                    )
                )
                .order_by(SupportedProject.year.desc(), SupportedProject.id.desc())
            )
        ).unique()
    )


# A project with its owner, team, competition and units, for the pages about it (its reports,
# its household, its story; its own page reads columns: projects/page.py). Not what those load
# with them by default (her roles, the entry's files, the competition's categories and rounds):
# four queries those pages never read; anything else that asks still gets them.
_PROJECT = (
    sa.select(SupportedProject)
    .where(SupportedProject.id == sa.bindparam("project_id"))
    .options(
        joinedload(SupportedProject.owner).lazyload(User.roles),
        joinedload(SupportedProject.unit),
        joinedload(SupportedProject.commune).joinedload(Unit.parent),
        joinedload(SupportedProject.entry).lazyload(Entry.attachments),
        joinedload(SupportedProject.entry)
        .joinedload(Entry.competition)
        .options(lazyload(Competition.categories), lazyload(Competition.rounds)),
    )
)  # built once (docs/performance.md)


def load_project(project_id: int) -> SupportedProject | None:
    return db.session.scalar(_PROJECT, {"project_id": project_id})
