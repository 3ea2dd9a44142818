"""Judging: a competition in judging with its entries and judges, assignments and score sheets.

`make_judging(units, entries=6, judges=4)` builds it through the models (entries are written
directly as screened eligible, which the entry tests cover through the services) and returns a
`JudgingWorld` with everything a test needs. `JudgeFactory`, `AssignmentFactory` and
`ScoreSheetFactory` make one of each; `assign()` and `score()` do the same inside a world.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import factory

from portal.auth.models import Role, User
from portal.competitions.models import Competition, CompetitionStatus, Round
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.judging import common
from portal.judging.models import (
    Assignment,
    AssignmentSource,
    CompetitionJudge,
    RubricCriterion,
    Score,
    ScoreSheet,
    SheetStatus,
)
from tests.factories.accounts import UserFactory
from tests.factories.competitions import EntryFactory, make_competition


@dataclass
class JudgingWorld:
    organiser: User
    competition: Competition
    round: Round  # the first round (preliminary)
    final: Round
    criteria: list[RubricCriterion]
    entries: list[Entry]
    judges: list[User]
    applicants: list[User] = field(default_factory=list)


def make_judging(units, *, entries: int = 6, judges: int = 4, status="judging") -> JudgingWorld:
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], full_name="Cán bộ Hội")
    now = utcnow()
    competition = make_competition(
        organiser,
        units["dien_bien"],
        status="closed",
        opens=now - timedelta(days=40),
        closes=now - timedelta(days=10),
        reference_prefix="DB",
    )
    first, final = competition.rounds
    criteria = common.ensure_rubric(first)
    common.ensure_rubric(final)
    categories = competition.categories
    made_entries, applicants = [], []
    for n in range(entries):
        applicant = UserFactory(full_name=f"Lò Thị Ứng Viên {n + 1}")
        applicants.append(applicant)
        commune = units["muong_phang"] if n % 2 == 0 else units["dien_bien_phu"]
        entry = Entry(
            competition_id=competition.id,
            applicant_id=applicant.id,
            category_id=categories[n % len(categories)].id,
            status=EntryStatus.ELIGIBLE,
            reference=f"DB-{now.year}-{n + 1:04d}",
            title=f"Ý tưởng số {n + 1}",
            summary="Tóm tắt",
            commune_id=commune.id,
            submitted_at=now - timedelta(days=20, minutes=n),
            first_submitted_at=now - timedelta(days=20, minutes=n),
        )
        db.session.add(entry)
        made_entries.append(entry)
    competition.last_entry_number = entries
    made_judges = []
    for n in range(judges):
        judge = UserFactory(roles=[Role.JUDGE], full_name=f"Giám khảo {n + 1}", language="en")
        db.session.add(
            CompetitionJudge(
                competition_id=competition.id,
                email=judge.email,
                user_id=judge.id,
                invited_by_id=organiser.id,
            )
        )
        made_judges.append(judge)
    competition.status = CompetitionStatus(status)
    db.session.commit()
    return JudgingWorld(
        organiser, competition, first, final, criteria, made_entries, made_judges, applicants
    )


class JudgeFactory(factory.alchemy.SQLAlchemyModelFactory):
    """`JudgeFactory(competition=c)`: a judge's account, invited to the competition.

    Returns her CompetitionJudge row (`.user` is the account).
    """

    class Meta:
        model = CompetitionJudge
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "commit"

    competition = factory.SubFactory("tests.factories.competitions.CompetitionFactory")
    user = factory.SubFactory(UserFactory, roles=[Role.JUDGE], language="en")
    email = factory.SelfAttribute("user.email")
    invited_by_id = factory.SelfAttribute("competition.created_by_id")


class AssignmentFactory(factory.alchemy.SQLAlchemyModelFactory):
    """`AssignmentFactory(entry=e, judge=u)`: the judge asked to score the entry in its first
    round (`round=` for another), by the competition's creator."""

    class Meta:
        model = Assignment
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "commit"

    entry = factory.SubFactory(EntryFactory, status=EntryStatus.ELIGIBLE)
    round = factory.LazyAttribute(lambda o: o.entry.competition.rounds[0])
    judge = factory.LazyAttribute(lambda o: JudgeFactory(competition=o.entry.competition).user)
    source = AssignmentSource.MANUAL
    created_by_id = factory.SelfAttribute("entry.competition.created_by_id")


class ScoreSheetFactory(factory.alchemy.SQLAlchemyModelFactory):
    """`ScoreSheetFactory(assignment=a, points=0.8)`: the judge's submitted sheet, every
    criterion of the round's rubric at `points` (a share of its maximum when at most 1, else
    points; a dict code → points gives each its own)."""

    class Meta:
        model = ScoreSheet
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "commit"

    assignment = factory.SubFactory(AssignmentFactory)
    round_id = factory.SelfAttribute("assignment.round_id")
    status = SheetStatus.SUBMITTED
    submitted_at = factory.LazyFunction(utcnow)

    @factory.post_generation
    def points(sheet, create, extracted, **kwargs):
        points = 0.8 if extracted is None else extracted
        criteria = common.ensure_rubric(sheet.assignment.round)
        sheet.scores = [Score(criterion_id=c.id, points=_points(c, points)) for c in criteria]
        if create:
            db.session.commit()


def _points(criterion: RubricCriterion, points) -> float:
    if isinstance(points, dict):
        return points[criterion.code]
    return round(points * criterion.max_points, 2) if points <= 1 else points


def assign(world, entry, judge, round_=None, *, recused: bool = False) -> Assignment:
    """The judge assigned to the entry in the world's first round (or `round_`); flushed."""
    round_ = round_ or world.round
    assignment = Assignment(
        round_id=round_.id,
        entry_id=entry.id,
        judge_id=judge.id,
        source=AssignmentSource.MANUAL,
        created_by_id=world.organiser.id,
        recused_at=utcnow() if recused else None,
        recusal_reason="Người quen" if recused else None,
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def score(
    world,
    entry,
    judge,
    points,
    *,
    round_=None,
    status: SheetStatus = SheetStatus.SUBMITTED,
    submitted_at: datetime | None = None,
) -> ScoreSheet:
    """Assign the judge and give a sheet: `points` is a number (the same for every criterion, as a
    share of its maximum when below 1) or a dict code → points."""
    round_ = round_ or world.round
    assignment = assign(world, entry, judge, round_)
    criteria = list(world.criteria) if round_ is world.round else common.criteria_of(round_)
    sheet = ScoreSheet(
        assignment_id=assignment.id,
        round_id=round_.id,
        status=status,
        submitted_at=submitted_at or utcnow(),
    )
    for c in criteria:
        sheet.scores.append(Score(criterion_id=c.id, points=_points(c, points)))
    db.session.add(sheet)
    db.session.flush()
    return sheet
