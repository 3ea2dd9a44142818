"""What the pages along the cascade read: the path of an idea from commune to nation, the lower
round an organiser of the higher one sees on a nominated entry, the nominations coming into a
competition and those going up from a unit's competitions. Each list is a fixed number of
queries whatever its length."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, noload

from portal.auth.models import User
from portal.competitions.models import Competition, CompetitionLevel
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.judging.common import format_score
from portal.judging.models import RoundResult
from portal.nominations.models import Nomination, NominationStatus
from portal.nominations.services import answerable, prizes_of
from portal.units import services as unit_services
from portal.units.models import Unit

MAX_STEPS = 8  # commune, province, region, nation: a longer path is a loop in the data


@dataclass(frozen=True)
class Step:
    """One competition of an idea's path."""

    level: CompetitionLevel
    competition_id: int
    competition_title: str
    unit_name: str
    entry_id: int
    status: EntryStatus
    prizes: list[str]


@dataclass
class IdeaPath:
    steps: list[Step] = field(default_factory=list)
    # Nominations of the idea still waiting for her answer, answered by a no, or not answered
    # before the higher competition stopped taking entries.
    offers: list[Nomination] = field(default_factory=list)
    declined: list[Nomination] = field(default_factory=list)
    lapsed: list[Nomination] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return len(self.steps) > 1 or bool(self.offers or self.declined or self.lapsed)


# What the path reads of an entry: not its team and files, which its relationships would
# otherwise load with it (the page shows them from its own rows).
_LEAN = (
    noload(Entry.team_members),
    noload(Entry.attachments),
    joinedload(Entry.competition).joinedload(Competition.unit),
)


def path_of(entry_id: int) -> IdeaPath:
    """The entries of the idea from its first competition up to the highest it reached, with
    their prizes, and the nominations still open to her: four queries."""
    origin = db.session.scalar(
        sa.select(sa.func.coalesce(Entry.origin_entry_id, Entry.id)).where(Entry.id == entry_id)
    )
    if origin is None:
        return IdeaPath()
    # Every entry of the idea: the first, and those carried up from it.
    members = {
        e.id: e
        for e in db.session.scalars(
            sa.select(Entry)
            .where(sa.or_(Entry.id == origin, Entry.origin_entry_id == origin))
            .options(*_LEAN)
        )
    }
    above = {e.nominated_from_id: e for e in members.values() if e.nominated_from_id}
    chain = []
    current = members.get(origin)
    while current is not None and len(chain) < MAX_STEPS:
        chain.append(current)
        current = above.get(current.id)
    prizes = prizes_of([e.id for e in chain])
    path = IdeaPath(
        steps=[
            Step(
                e.competition.level,
                e.competition_id,
                e.competition.title,
                e.competition.unit.name,
                e.id,
                e.status,
                prizes.get(e.id, []),
            )
            for e in chain
        ]
    )
    open_nominations = db.session.scalars(
        sa.select(Nomination)
        .where(
            Nomination.from_entry_id.in_([e.id for e in chain]),
            Nomination.status.in_((NominationStatus.APPROVED, NominationStatus.DECLINED)),
        )
        .options(joinedload(Nomination.competition))
        .order_by(Nomination.id)
    )
    now = utcnow()
    for nomination in open_nominations:
        if nomination.status is NominationStatus.DECLINED:
            path.declined.append(nomination)
        elif answerable(nomination, now):
            path.offers.append(nomination)
        else:
            path.lapsed.append(nomination)
    return path


@dataclass(frozen=True)
class LowerRound:
    """What an organiser of the higher competition sees of the round that nominated an entry;
    never shown to judges."""

    competition: Competition
    entry: Entry
    prizes: list[str]
    rank: int | None
    ranked: int
    score: str | None  # written as her language writes numbers
    nomination: Nomination | None


def lower_round(entry_id: int) -> LowerRound | None:
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.nominated_from_id is None:
        return None
    below = entry.nominated_from
    competition = below.competition
    last = competition.rounds[-1] if competition.rounds else None
    rank = score = None
    ranked = 0
    if last is not None:
        result = db.session.scalar(
            sa.select(RoundResult).where(
                RoundResult.round_id == last.id, RoundResult.entry_id == below.id
            )
        )
        ranked = db.session.scalar(
            sa.select(sa.func.count()).where(
                RoundResult.round_id == last.id, RoundResult.rank.is_not(None)
            )
        )
        if result is not None:
            rank = result.rank
            score = result.raw_score if last.rank_by == "raw" else result.normalised_score
    nomination = db.session.scalar(
        sa.select(Nomination)
        .where(Nomination.entry_id == entry.id)
        .options(joinedload(Nomination.proposed_by), joinedload(Nomination.approved_by))
    )
    return LowerRound(
        competition,
        below,
        prizes_of([below.id]).get(below.id, []),
        rank,
        ranked,
        format_score(score) if score is not None else None,
        nomination,
    )


def _nominations(query: sa.Select) -> list[Nomination]:
    return list(
        db.session.scalars(
            query.options(
                joinedload(Nomination.from_entry).joinedload(Entry.applicant),
                # Their teams and files are not shown here.
                joinedload(Nomination.from_entry).noload(Entry.team_members),
                joinedload(Nomination.from_entry).noload(Entry.attachments),
                joinedload(Nomination.entry).noload(Entry.team_members),
                joinedload(Nomination.entry).noload(Entry.attachments),
                joinedload(Nomination.from_competition)
                .joinedload(Competition.unit)
                .joinedload(Unit.parent),
                joinedload(Nomination.competition).joinedload(Competition.unit),
                joinedload(Nomination.entry),
            ).order_by(Nomination.from_competition_id, Nomination.id)
        )
    )


@dataclass
class Incoming:
    """A competition below with what it nominated to a higher one."""

    competition: Competition
    nominations: list[Nomination]
    prizes: dict[int, list[str]]  # the prizes below, by entry below
    won: dict[int, list[str]]  # the prizes in the higher competition, by carried entry


def incoming(higher: Competition) -> list[Incoming]:
    """Every competition that nominated to `higher`, with its nominations and their state
    (those withdrawn before approval are not shown)."""
    rows = _nominations(
        sa.select(Nomination).where(
            Nomination.competition_id == higher.id,
            Nomination.status != NominationStatus.WITHDRAWN,
        )
    )
    prizes = prizes_of([n.from_entry_id for n in rows])
    won = prizes_of([n.entry_id for n in rows if n.entry_id])
    grouped: dict[int, Incoming] = {}
    for n in rows:
        group = grouped.setdefault(
            n.from_competition_id, Incoming(n.from_competition, [], prizes, won)
        )
        group.nominations.append(n)
    return sorted(
        grouped.values(), key=lambda g: (g.competition.unit.name_folded, g.competition.id)
    )


@dataclass
class Outgoing:
    nominations: list[Nomination]
    won: dict[int, list[str]]  # the prizes in the higher competition, by carried entry


def outgoing(user: User) -> Outgoing:
    """The nominees of her units' competitions and where each stands in the higher rounds (an
    admin: every nomination)."""
    query = sa.select(Nomination).where(Nomination.status != NominationStatus.WITHDRAWN)
    if not user.has_role("admin"):
        units = unit_services.within([u.id for u in user.organiser_units()])
        query = query.join(Competition, Competition.id == Nomination.from_competition_id).where(
            Competition.unit_id.in_(units)
        )
    rows = _nominations(query)
    return Outgoing(rows, prizes_of([n.entry_id for n in rows if n.entry_id]))


def receiving(user: User) -> list[tuple[Competition, int]]:
    """Her units' competitions that take nominations, with how many they hold."""
    query = sa.select(Competition).where(Competition.nominations_close_at.is_not(None))
    if not user.has_role("admin"):
        units = unit_services.within([u.id for u in user.organiser_units()])
        query = query.where(Competition.unit_id.in_(units))
    competitions = list(
        db.session.scalars(query.order_by(Competition.year.desc(), Competition.id.desc()))
    )
    counts = dict(
        db.session.execute(
            sa.select(Nomination.competition_id, sa.func.count())
            .where(
                Nomination.competition_id.in_([c.id for c in competitions]),
                Nomination.status != NominationStatus.WITHDRAWN,
            )
            .group_by(Nomination.competition_id)
        ).all()
    )
    return [(c, counts.get(c.id, 0)) for c in competitions]
