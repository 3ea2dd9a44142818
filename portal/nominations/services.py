"""The cascade: a higher competition names who may nominate and how many; an organiser of a
competition below nominates from its final ranking or its prizes, a second one approves; the
woman confirms and her entry is carried up (`entries.services.carry_up`), or declines.

Statuses move only through `status.change_nomination_status` (its ACTIONS table,
`core.status.guarded_move`): of two requests at once, one moves the nomination and the other is
refused with a 409.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from portal.auth.messages import tell
from portal.auth.models import User
from portal.awards.models import Award, AwardStatus
from portal.competitions.models import (
    LEVEL_ORDER,
    Competition,
    CompetitionLevel,
    CompetitionStatus,
    Round,
)
from portal.competitions.services import may_manage_competition
from portal.core import audit, idempotency
from portal.core.errors import DomainError
from portal.core.time import to_vietnam
from portal.core.urls import external_url
from portal.entries.models import Entry, EntryStatus
from portal.entries.services import carry_up, eligibility_problems
from portal.extensions import db
from portal.judging.models import RoundResult
from portal.nominations.models import (
    HOLDING_A_PLACE,
    Nomination,
    NominationSource,
    NominationStatus,
)
from portal.nominations.status import change_nomination_status
from portal.units.models import Unit, UnitKind, region_province

_S = NominationStatus
# Entries judged in the competition below: those it may nominate, when they have a result.
JUDGED = (
    EntryStatus.IN_JUDGING,
    EntryStatus.ADVANCED,
    EntryStatus.NOT_ADVANCED,
    EntryStatus.AWARDED,
)
RESULTS_MADE = (
    CompetitionStatus.RESULTS_FINAL,
    CompetitionStatus.RESULTS_PUBLISHED,
    CompetitionStatus.ARCHIVED,
)
MAX_QUOTA = 100


class NominationConflict(DomainError):
    """The nomination is no longer in the state the page showed (409)."""

    status = 409


class SamePerson(DomainError):
    """The organiser who proposed a nomination tried to approve it (403)."""

    status = 403


class NotYours(DomainError):
    status = 403


def _move(actor: User, nomination: Nomination, to: NominationStatus, version: int | None, **values):
    if not change_nomination_status(actor.id, nomination, to, expected_version=version, **values):
        db.session.rollback()
        raise NominationConflict(
            _l("This nomination was changed in the meantime. Reload the page to see it as it is.")
        )


def _when(moment: datetime) -> str:
    return to_vietnam(moment).strftime("%H:%M %d/%m/%Y")


# --- The higher competition: who may nominate, how many, until when -----------------------------


def takes_nominations(competition: Competition) -> bool:
    """A competition above the commune level may take the best entries of those below it."""
    return LEVEL_ORDER.index(competition.level) > 0


def _require_manager(actor: User, competition: Competition) -> None:
    if not may_manage_competition(actor, competition):
        raise NotYours(_l("Only the organisers of this competition may do this."))


def set_deadline(actor: User, competition: Competition, closes_at: datetime | None) -> None:
    """Until when the competitions below may nominate and approve (None: no nominations). At
    most the higher competition's own deadline, so that every nominee has time to confirm."""
    _require_manager(actor, competition)
    if not takes_nominations(competition):
        raise DomainError(_l("A commune competition takes no nominations."))
    if closes_at is not None and closes_at > competition.closes_at:
        raise DomainError(
            _l(
                "Nominations must close by the competition's own deadline (%(when)s), so that "
                "the women nominated have time to confirm.",
                when=_when(competition.closes_at),
            ),
            field="nominations_close_at",
        )
    before = competition.nominations_close_at
    competition.nominations_close_at = closes_at
    audit.record(
        "competition.nominations_deadline",
        actor_id=actor.id,
        object_type="competition",
        object_id=competition.id,
        before={"closes_at": before.isoformat() if before else None},
        after={"closes_at": closes_at.isoformat() if closes_at else None},
    )
    db.session.commit()


def reach(competition: Competition) -> list[int] | None:
    """The provinces a higher competition draws from: a regional one its region's, a provincial
    one itself; None for a national one (every province)."""
    if competition.level is CompetitionLevel.REGIONAL and competition.region_id is not None:
        return list(
            db.session.scalars(
                sa.select(region_province.c.province_id).where(
                    region_province.c.region_id == competition.region_id
                )
            )
        )
    if competition.unit.is_nation:
        return None
    return [competition.unit.province_id]


def lower_levels(competition: Competition) -> list[CompetitionLevel]:
    return LEVEL_ORDER[: LEVEL_ORDER.index(competition.level)]


def possible_sources(competition: Competition) -> list[Competition]:
    """The competitions an organiser may name as a source: of a lower level, within the higher
    competition's reach, held in its year or the two before, not drafts."""
    provinces = reach(competition)
    query = (
        sa.select(Competition)
        .join(Unit, Unit.id == Competition.unit_id)
        .options(joinedload(Competition.unit).joinedload(Unit.parent))
        .where(
            Competition.id != competition.id,
            Competition.level.in_(lower_levels(competition)),
            Competition.year.between(competition.year - 2, competition.year),
            Competition.status != CompetitionStatus.DRAFT,
        )
        .order_by(Competition.year.desc(), Unit.name_folded, Competition.title)
    )
    if provinces is not None:
        query = query.where(sa.or_(Unit.id.in_(provinces), Unit.parent_id.in_(provinces)))
    return list(db.session.scalars(query))


def add_source(
    actor: User,
    competition: Competition,
    *,
    quota: int | None,
    source_competition_id: int | None = None,
    level: CompetitionLevel | str | None = None,
    unit_id: int | None = None,
) -> NominationSource:
    """Name a competition that may nominate, or a level (of one province, or of all those the
    competition draws from), with how many entries each competition may send."""
    _require_manager(actor, competition)
    if not takes_nominations(competition):
        raise DomainError(_l("A commune competition takes no nominations."))
    if not isinstance(quota, int) or isinstance(quota, bool) or not 1 <= quota <= MAX_QUOTA:
        raise DomainError(
            _l("Enter how many entries each may send, from 1 to %(max)d.", max=MAX_QUOTA),
            field="quota",
        )
    source = NominationSource(competition_id=competition.id, quota=quota, created_by_id=actor.id)
    if source_competition_id is not None:
        if source_competition_id not in {c.id for c in possible_sources(competition)}:
            raise DomainError(
                _l("Choose a competition of a lower level from the list."), field="source"
            )
        source.source_competition_id = source_competition_id
    else:
        try:
            level = CompetitionLevel(level) if level else None
        except ValueError:
            level = None
        if level is None or level not in lower_levels(competition):
            raise DomainError(
                _l("Choose a competition, or a level below this competition's."), field="level"
            )
        source.level = level
        if unit_id is not None:
            unit = db.session.get(Unit, unit_id)
            provinces = reach(competition)
            if (
                unit is None
                or unit.kind is not UnitKind.PROVINCE
                or (provinces is not None and unit.id not in provinces)
            ):
                raise DomainError(
                    _l("Choose a province this competition draws from."), field="unit"
                )
            source.unit_id = unit.id
    # The same source named again (the form sent twice, or a new number of places) is one row.
    same = db.session.scalar(
        sa.select(NominationSource).where(
            NominationSource.competition_id == competition.id,
            _same(NominationSource.source_competition_id, source.source_competition_id),
            _same(NominationSource.level, source.level),
            _same(NominationSource.unit_id, source.unit_id),
        )
    )
    if same is not None:
        source, same.quota = same, quota
    else:
        db.session.add(source)
    db.session.flush()
    audit.record(
        "nomination_source.added",
        actor_id=actor.id,
        object_type="competition",
        object_id=competition.id,
        after=_describe_source(source),
    )
    db.session.commit()
    return source


def _describe_source(source: NominationSource) -> dict:
    return {
        "source_competition_id": source.source_competition_id,
        "level": source.level.value if source.level else None,
        "unit_id": source.unit_id,
        "quota": source.quota,
    }


def _same(column, value):
    return column.is_(None) if value is None else column == value


def remove_source(actor: User, source: NominationSource) -> None:
    """Nominations already made stay; no more can be made under it."""
    _require_manager(actor, source.competition)
    audit.record(
        "nomination_source.removed",
        actor_id=actor.id,
        object_type="competition",
        object_id=source.competition_id,
        before=_describe_source(source),
    )
    db.session.delete(source)
    db.session.commit()


def sources_of(competition: Competition) -> list[NominationSource]:
    return list(
        db.session.scalars(
            sa.select(NominationSource)
            .where(NominationSource.competition_id == competition.id)
            .options(
                joinedload(NominationSource.source_competition)
                .joinedload(Competition.unit)
                .joinedload(Unit.parent),
                joinedload(NominationSource.unit),
            )
            .order_by(NominationSource.id)
        )
    )


def _matches(source: NominationSource, higher: Competition, lower: Competition, provinces) -> bool:
    """`provinces()` gives the provinces `higher` draws from (None: every one), read only when
    a source needs them."""
    if source.source_competition_id is not None:
        return source.source_competition_id == lower.id
    if source.level is not lower.level or not (higher.year - 1 <= lower.year <= higher.year):
        return False
    province = lower.unit.province_id
    if source.unit_id is not None:
        return province == source.unit_id
    reached = provinces()
    return reached is None or province in reached


def _reach_once(competition: Competition):
    kept: list = []

    def provinces():
        if not kept:
            kept.append(reach(competition))
        return kept[0]

    return provinces


def _reach_known(competition: Competition, regions: dict[int, list[int]]):
    """`reach` from the regions' provinces already read."""
    if competition.level is CompetitionLevel.REGIONAL and competition.region_id is not None:
        found = regions.get(competition.region_id, [])
        return lambda: found
    return _reach_once(competition)


def quota_for(
    higher: Competition,
    lower: Competition,
    sources: list[NominationSource] | None = None,
    provinces=None,
) -> int | None:
    """How many entries `lower` may nominate to `higher`; None when it may not. `sources` and
    `provinces` (a function giving its reach): the higher competition's, when the caller has
    read them."""
    if (
        lower.id == higher.id
        or LEVEL_ORDER.index(lower.level) >= LEVEL_ORDER.index(higher.level)
        or lower.status is CompetitionStatus.DRAFT
    ):
        return None
    sources = sources_of(higher) if sources is None else sources
    provinces = provinces or _reach_once(higher)
    quotas = [s.quota for s in sources if _matches(s, higher, lower, provinces)]
    return max(quotas) if quotas else None


# --- The competition below: its calls, its candidates, its nominations --------------------------


@dataclass(frozen=True)
class Call:
    """A higher competition the competition below may nominate to."""

    competition: Competition
    quota: int
    used: int

    def open(self, now: datetime) -> bool:
        closes = self.competition.nominations_close_at
        return (
            closes is not None
            and now < closes
            and self.competition.status is CompetitionStatus.OPEN
        )


def calls_for(lower: Competition) -> list[Call]:
    """The higher competitions that take nominations from `lower`, with its places used."""
    higher_levels = LEVEL_ORDER[LEVEL_ORDER.index(lower.level) + 1 :]
    candidates = db.session.scalars(
        sa.select(Competition)
        .where(
            Competition.level.in_(higher_levels),
            Competition.nominations_close_at.is_not(None),
            Competition.status.not_in((CompetitionStatus.DRAFT, CompetitionStatus.ARCHIVED)),
            Competition.id.in_(sa.select(NominationSource.competition_id)),
        )
        .order_by(Competition.nominations_close_at, Competition.id)
    )
    used = dict(
        db.session.execute(
            sa.select(Nomination.competition_id, sa.func.count())
            .where(
                Nomination.from_competition_id == lower.id,
                Nomination.status.in_(HOLDING_A_PLACE),
            )
            .group_by(Nomination.competition_id)
        ).all()
    )
    candidates = list(candidates)
    sources: dict[int, list[NominationSource]] = {}
    for source in db.session.scalars(
        sa.select(NominationSource)
        .where(NominationSource.competition_id.in_([c.id for c in candidates]))
        .order_by(NominationSource.id)
    ):
        sources.setdefault(source.competition_id, []).append(source)
    regions: dict[int, list[int]] = {}
    for region_id, province_id in db.session.execute(
        sa.select(region_province.c.region_id, region_province.c.province_id).where(
            region_province.c.region_id.in_({c.region_id for c in candidates if c.region_id})
        )
    ):
        regions.setdefault(region_id, []).append(province_id)
    calls = []
    for higher in candidates:
        provinces = _reach_known(higher, regions)
        quota = quota_for(higher, lower, sources.get(higher.id, []), provinces)
        if quota is not None:
            calls.append(Call(higher, quota, used.get(higher.id, 0)))
    return calls


@dataclass(frozen=True)
class Candidate:
    """An entry the competition below may nominate: its prizes and its final result."""

    entry: Entry
    prizes: list[str]
    rank: int | None
    score: float | None


def _last_round(competition: Competition) -> Round | None:
    return competition.rounds[-1] if competition.rounds else None


def _results_final(competition: Competition) -> bool:
    return competition.status in RESULTS_MADE


def prizes_of(entry_ids: list[int]) -> dict[int, list[str]]:
    """The valid prizes each entry won, by the name its certificate gives."""
    found: dict[int, list[str]] = {}
    if not entry_ids:
        return found
    rows = db.session.execute(
        sa.select(Award.entry_id, Award.prize_name)
        .where(
            Award.entry_id.in_(entry_ids),
            Award.certificate_code.is_not(None),
            Award.status == AwardStatus.ACTIVE,
        )
        .order_by(Award.entry_id, Award.id)
    )
    for entry_id, name in rows:
        found.setdefault(entry_id, []).append(name or "")
    return found


def candidates(lower: Competition) -> list[Candidate]:
    """Its judged entries with a result in the last round, and its prize winners (a prize may
    go to an entry of an earlier round): winners first, then by rank. None before its results
    are final."""
    last = _last_round(lower)
    if last is None or not _results_final(lower):
        return []
    won = sa.select(Award.entry_id).where(
        Award.competition_id == lower.id,
        Award.certificate_code.is_not(None),
        Award.status == AwardStatus.ACTIVE,
    )
    rows = db.session.execute(
        sa.select(Entry, RoundResult.rank, RoundResult.raw_score, RoundResult.normalised_score)
        .outerjoin(
            RoundResult,
            sa.and_(RoundResult.entry_id == Entry.id, RoundResult.round_id == last.id),
        )
        .where(
            Entry.competition_id == lower.id,
            Entry.status.in_(JUDGED),
            sa.or_(RoundResult.id.is_not(None), Entry.id.in_(won)),
        )
        .options(joinedload(Entry.applicant))
    ).all()
    prizes = prizes_of([row[0].id for row in rows])
    found = [
        Candidate(
            entry,
            prizes.get(entry.id, []),
            rank,
            raw if last.rank_by == "raw" else normalised,
        )
        for entry, rank, raw, normalised in rows
    ]
    found.sort(key=lambda c: (not c.prizes, c.rank is None, c.rank or 0, c.entry.id))
    return found


def nominations_from(lower: Competition) -> list[Nomination]:
    return list(
        db.session.scalars(
            sa.select(Nomination)
            .where(Nomination.from_competition_id == lower.id)
            .options(
                joinedload(Nomination.from_entry).joinedload(Entry.applicant),
                joinedload(Nomination.competition),
                joinedload(Nomination.entry),
                joinedload(Nomination.proposed_by),
                joinedload(Nomination.approved_by),
            )
            .order_by(Nomination.competition_id, Nomination.id)
        )
    )


def _lock(competition: Competition) -> None:
    """Two organisers nominating at once count the places one after the other (SQLite writes
    one transaction at a time and leaves FOR UPDATE out)."""
    db.session.execute(
        sa.select(Competition.id).where(Competition.id == competition.id).with_for_update()
    )


def _require_call_open(higher: Competition, now: datetime) -> None:
    if higher.status is not CompetitionStatus.OPEN or higher.nominations_close_at is None:
        raise NominationConflict(
            _l("%(competition)s takes no nominations now.", competition=higher.title)
        )
    if now >= higher.nominations_close_at:
        raise DomainError(
            _l(
                "Nominations to %(competition)s closed at %(when)s.",
                competition=higher.title,
                when=_when(higher.nominations_close_at),
            )
        )


def propose(
    actor: User, higher: Competition, entry: Entry, *, now: datetime, form_key: str | None = None
) -> Nomination:
    """Nominate an entry of a competition below, within its places and before the deadline.
    The same form sent twice makes one nomination (idempotency.AlreadySent)."""
    lower = entry.competition
    _require_manager(actor, lower)
    _require_call_open(higher, now)
    quota = quota_for(higher, lower)
    if quota is None:
        raise NotYours(
            _l(
                "%(competition)s takes no nominations from this competition.",
                competition=higher.title,
            )
        )
    if entry.id not in {c.entry.id for c in candidates(lower)}:
        raise DomainError(
            _l("Only an entry of the final ranking or a prize winner can be nominated.")
        )
    _require_eligible(entry.applicant, higher)
    claimed = idempotency.claim(form_key, kind="nomination", actor_id=actor.id)
    _lock(lower)
    used = db.session.scalar(
        sa.select(sa.func.count()).where(
            Nomination.competition_id == higher.id,
            Nomination.from_competition_id == lower.id,
            Nomination.status.in_(HOLDING_A_PLACE),
        )
    )
    existing = db.session.scalar(
        sa.select(Nomination).where(
            Nomination.competition_id == higher.id, Nomination.from_entry_id == entry.id
        )
    )
    if existing is not None and existing.status is not _S.WITHDRAWN:
        raise NominationConflict(_l("This entry is already nominated."))
    if used >= quota:
        db.session.rollback()  # the form's key too: she may send it again after a withdrawal
        raise DomainError(
            _l(
                "This competition may nominate %(num)d entries to %(competition)s, and has "
                "nominated them all. Withdraw one to nominate another.",
                num=quota,
                competition=higher.title,
            )
        )
    if existing is not None:
        _move(
            actor,
            existing,
            _S.PROPOSED,
            None,
            proposed_by_id=actor.id,
            proposed_at=now,
            withdrawn_by_id=None,
        )
        nomination = existing
    else:
        nomination = Nomination(
            competition_id=higher.id,
            from_competition_id=lower.id,
            from_entry_id=entry.id,
            status=_S.PROPOSED,
            proposed_by_id=actor.id,
            proposed_at=now,
        )
        db.session.add(nomination)
        db.session.flush()
        audit.record(
            "nomination.proposed",
            actor_id=actor.id,
            object_type="nomination",
            object_id=nomination.id,
            after={"competition_id": higher.id, "entry_id": entry.id},
        )
    entry.nominated = True
    idempotency.made(claimed, nomination)
    db.session.commit()
    return nomination


def _require_eligible(applicant: User, higher: Competition) -> None:
    """Who may enter the higher competition (women only, ages, residence, a complete profile):
    a woman it would refuse is not nominated, rather than asked to confirm what she cannot."""
    reasons = eligibility_problems(applicant, higher)
    if reasons:
        raise DomainError(
            _l(
                "%(name)s does not meet the rules of %(competition)s: %(reasons)s",
                name=applicant.full_name,
                competition=higher.title,
                reasons=" ".join(str(r) for r in reasons),
            )
        )


def approve(actor: User, nomination: Nomination, *, now: datetime, version: int) -> None:
    """A second organiser of the competition below approves; the woman is asked to confirm."""
    _require_manager(actor, nomination.from_competition)
    if nomination.proposed_by_id == actor.id:
        raise SamePerson(
            _l("A second organiser must approve the nomination: not the one who proposed it.")
        )
    if nomination.status is not _S.PROPOSED:
        raise NominationConflict(
            _l("This nomination is %(status)s.", status=nomination.status.label)
        )
    higher = nomination.competition
    _require_call_open(higher, now)
    entry = nomination.from_entry
    _move(actor, nomination, _S.APPROVED, version, approved_by_id=actor.id, approved_at=now)
    tell(
        entry.applicant,
        "nomination_offered",
        _l("Your idea is nominated to %(competition)s", competition=higher.title),
        entry=entry,
        competition=higher,
        deadline=higher.closes_at,
        entry_url=external_url("entries.detail", entry_id=entry.id),
    )
    db.session.commit()


def withdraw(actor: User, nomination: Nomination, *, now: datetime, version: int) -> None:
    """The organisers take back a nomination she has not answered (one she cannot be reached
    for, say): its place is free again, while nominations are open. Once she was asked, she is
    told."""
    _require_manager(actor, nomination.from_competition)
    if nomination.status not in (_S.PROPOSED, _S.APPROVED):
        raise NominationConflict(
            _l(
                "Only a nomination she has not answered can be withdrawn; this one is %(status)s.",
                status=nomination.status.label,
            )
        )
    asked = nomination.status is _S.APPROVED
    if asked:
        _require_call_open(nomination.competition, now)
    entry, higher = nomination.from_entry, nomination.competition
    _move(actor, nomination, _S.WITHDRAWN, version, withdrawn_by_id=actor.id)
    if asked:
        tell(
            entry.applicant,
            "nomination_withdrawn",
            _l("Your nomination to %(competition)s", competition=higher.title),
            entry=entry,
            competition=higher,
            entry_url=external_url("entries.detail", entry_id=entry.id),
        )
    db.session.commit()


# --- The woman nominated ------------------------------------------------------------------------


def _require_owner(applicant: User, nomination: Nomination) -> None:
    if nomination.from_entry.applicant_id != applicant.id:
        raise NotYours(_l("This is not your entry."))


def answerable(nomination: Nomination, now: datetime) -> bool:
    """Approved, and the higher competition still takes entries: she may answer."""
    higher = nomination.competition
    return (
        nomination.status is _S.APPROVED
        and higher.status is CompetitionStatus.OPEN
        and now < higher.closes_at
    )


def _require_answerable(nomination: Nomination, now: datetime) -> None:
    higher = nomination.competition
    if nomination.status is not _S.APPROVED:
        raise NominationConflict(_l("You have already answered this nomination."))
    if not answerable(nomination, now):
        raise DomainError(
            _l(
                "%(competition)s no longer takes entries: the nomination has lapsed.",
                competition=higher.title,
            )
        )


def accept(applicant: User, nomination: Nomination, *, now: datetime, version: int) -> Entry:
    """She confirms: her entry is carried up and submitted to the higher competition. A second
    confirmation (a double tap) finds it made and returns it."""
    _require_owner(applicant, nomination)
    if nomination.status is _S.ACCEPTED and nomination.entry is not None:
        return nomination.entry
    _require_answerable(nomination, now)
    higher = nomination.competition
    below = nomination.from_entry
    _require_eligible(applicant, higher)
    try:
        _move(applicant, nomination, _S.ACCEPTED, version, answered_at=now)
    except NominationConflict:
        done = db.session.get(Nomination, nomination.id)
        if done is not None and done.status is _S.ACCEPTED and done.entry is not None:
            return done.entry
        raise
    entry = carry_up(below, higher, now=now)
    nomination.entry_id = entry.id
    db.session.commit()
    return entry


def decline(applicant: User, nomination: Nomination, *, now: datetime, version: int) -> None:
    """She says no: her place is free for another entry while nominations are open."""
    _require_owner(applicant, nomination)
    _require_answerable(nomination, now)
    _move(applicant, nomination, _S.DECLINED, version, answered_at=now)
    db.session.commit()
