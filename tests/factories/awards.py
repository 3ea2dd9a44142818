"""Awards: a competition whose final round's results are final, with prize tiers and a special
prize; its decision published; prize tiers and awards one at a time.

`make_awards(units)` builds it through the models and returns an `AwardsWorld`; the final
round ranks entry n at rank n+1 (entry 0 is first). `publish_directly(world)` writes a published
decision straight into the tables (first prize to entry 0, and so on), for the tests of what
comes after publishing; the deciding tests go through the services instead.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import factory
import sqlalchemy as sa

from portal.auth.models import Role, User
from portal.awards.common import new_certificate_code
from portal.awards.models import (
    Award,
    AwardDecision,
    DecisionStatus,
    Prize,
    PrizeKind,
)
from portal.competitions.models import Competition, CompetitionStatus, Round
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.judging.models import RoundEntry, RoundResult
from portal.projects.services import ensure_project
from tests.factories.accounts import UserFactory
from tests.factories.judging import make_judging

# The first applicants' names carry the diacritics a certificate must keep.
NAMES = ["Lò Thị Hương", "Vàng Thị Mỷ", "Quàng Thị Ẻn", "Lường Thị Ượi"]


@dataclass
class AwardsWorld:
    organiser: User
    second_organiser: User  # another organiser of the same unit, for approvals
    competition: Competition
    round: Round  # the final round, whose ranking the prizes are drawn from
    entries: list[Entry]  # in rank order: entries[0] is first
    applicants: list[User]
    tiers: list[Prize]  # first (1), second (2), third (3), consolation (4)
    special: Prize  # best idea by an ethnic-minority woman
    awards: list[Award] = field(default_factory=list)  # filled by publish_directly


def make_awards(units, *, entries: int = 12) -> AwardsWorld:
    world = make_judging(units, entries=entries, judges=3)
    competition, final = world.competition, world.final
    now = utcnow()
    for n, (entry, applicant) in enumerate(zip(world.entries, world.applicants, strict=True)):
        if n < len(NAMES):
            applicant.full_name = NAMES[n]
        entry.status = EntryStatus.ADVANCED
        entry.consent_publish = n % 2 == 0
        entry.ethnic_minority = n in (2, 7)
        db.session.add(
            RoundEntry(round_id=final.id, entry_id=entry.id, carried_by_id=world.organiser.id)
        )
        db.session.add(
            RoundResult(
                round_id=final.id,
                entry_id=entry.id,
                rank=n + 1,
                raw_score=90.0 - n,
                normalised_score=90.0 - n,
                sheets=3,
                flags=[],
                advanced=False,
            )
        )
    world.round.results_final_at = now - timedelta(days=5)
    final.results_final_at = now - timedelta(days=1)
    competition.status = CompetitionStatus.RESULTS_FINAL
    tiers = [
        Prize(
            competition_id=competition.id,
            kind=PrizeKind.TIER,
            position=i,
            name=name,
            prize_count=count,
            cash_value=cash,
            in_kind=in_kind,
        )
        for i, (name, count, cash, in_kind) in enumerate(
            [
                ("Giải Nhất", 1, 10_000_000, "Máy sấy nông sản"),
                ("Giải Nhì", 2, 5_000_000, ""),
                ("Giải Ba", 3, 3_000_000, ""),
                ("Giải Khuyến khích", 4, 1_000_000, "Tập huấn xây dựng thương hiệu"),
            ]
        )
    ]
    special = Prize(
        competition_id=competition.id,
        kind=PrizeKind.SPECIAL,
        position=0,
        name="Ý tưởng xuất sắc của phụ nữ dân tộc thiểu số",
        prize_count=1,
        cash_value=2_000_000,
        rule={"ethnic_minority": True},
    )
    db.session.add_all([*tiers, special])
    second = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], full_name="Phó Chủ tịch Hội")
    db.session.commit()
    return AwardsWorld(
        world.organiser, second, competition, final, world.entries, world.applicants, tiers, special
    )


def publish_directly(world: AwardsWorld) -> list[Award]:
    """First prize to entry 0, second to 1–2, third to 3–5, consolation to 6–9, the special
    prize to entry 2 (an ethnic-minority woman who also won a second prize)."""
    now = utcnow()
    organiser = world.organiser
    plan = [
        (world.tiers[0], [0]),
        (world.tiers[1], [1, 2]),
        (world.tiers[2], [3, 4, 5]),
        (world.tiers[3], [6, 7, 8, 9]),
        (world.special, [2]),
    ]
    awards = []
    for tier, indexes in plan:
        for slot, index in enumerate(indexes, start=1):
            entry = world.entries[index]
            award = Award(
                competition_id=world.competition.id,
                tier_id=tier.id,
                slot=slot,
                entry_id=entry.id,
                proposed_entry_id=entry.id,
                cash_value=tier.cash_value,
                in_kind=tier.in_kind,
                certificate_code=new_certificate_code(),
                issued_at=now,
            )
            db.session.add(award)
            db.session.flush()
            award.freeze()
            entry.status = EntryStatus.AWARDED
            ensure_project(entry, actor_id=organiser.id)
            awards.append(award)
    db.session.add(
        AwardDecision(
            competition_id=world.competition.id,
            status=DecisionStatus.PUBLISHED,
            special_with_tier=True,
            round_id=world.round.id,
            proposed_at=now - timedelta(days=1),
            finalised_by_id=organiser.id,
            finalised_at=now - timedelta(hours=5),
            approved_by_id=world.second_organiser.id,
            approved_at=now - timedelta(hours=2),
            published_by_id=organiser.id,
            published_at=now,
            version=3,
        )
    )
    world.competition.status = CompetitionStatus.RESULTS_PUBLISHED
    db.session.commit()
    world.awards = awards
    return awards


def make_published(units) -> AwardsWorld:
    """make_awards, then publish_directly: the decision published, every prize with its project."""
    world = make_awards(units)
    publish_directly(world)
    return world


class PrizeFactory(factory.alchemy.SQLAlchemyModelFactory):
    """`PrizeFactory(competition=c)`: a tier of one 5.000.000 ₫ prize, after the others."""

    class Meta:
        model = Prize
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "commit"

    competition = factory.SubFactory("tests.factories.competitions.CompetitionFactory")
    kind = PrizeKind.TIER
    position = factory.LazyAttribute(
        lambda o: db.session.scalar(
            sa.select(sa.func.count(Prize.id)).where(
                Prize.competition_id == o.competition.id, Prize.kind == o.kind
            )
        )
    )
    name = factory.Sequence(lambda n: f"Giải {n + 1}")
    prize_count = 1
    cash_value = 5_000_000
    in_kind = ""


class AwardFactory(factory.alchemy.SQLAlchemyModelFactory):
    """`AwardFactory(tier=t, entry=e)`: the entry holds the tier's next prize: a line with its
    certificate code, the entry marked awarded and its supported project made. There is no
    decision: for a competition whose prizes are published, use make_published."""

    class Meta:
        model = Award
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "commit"

    tier = factory.SubFactory(PrizeFactory)
    competition = factory.SelfAttribute("tier.competition")
    entry = factory.SubFactory(
        "tests.factories.competitions.EntryFactory",
        competition=factory.SelfAttribute("..tier.competition"),
        status=EntryStatus.ADVANCED,
    )
    proposed_entry = factory.SelfAttribute("entry")
    slot = factory.LazyAttribute(
        lambda o: (
            1
            + db.session.scalar(
                sa.select(sa.func.count(Award.id)).where(Award.tier_id == o.tier.id)
            )
        )
    )
    cash_value = factory.SelfAttribute("tier.cash_value")
    in_kind = factory.SelfAttribute("tier.in_kind")
    certificate_code = factory.LazyFunction(new_certificate_code)
    issued_at = factory.LazyFunction(utcnow)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        award = super()._create(model_class, *args, **kwargs)
        if award.certificate_code is not None:
            award.freeze()
        award.entry.status = EntryStatus.AWARDED
        ensure_project(award.entry, actor_id=award.competition.created_by_id)
        db.session.commit()
        return award
