"""A competition in judging: eligible entries from Điện Biên, judges invited, the default rubric.

`make_judging(units, entries=6, judges=4)` builds it through the models (entries are written
directly as screened eligible, which the entry tests cover through the services) and returns a
`JudgingWorld` with everything a test needs.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from portal.auth.models import Role, User
from portal.competitions.models import Competition, CompetitionStatus, Round
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.judging import services
from portal.judging.models import CompetitionJudge, RubricCriterion
from tests.factories import UserFactory, make_competition


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
    criteria = services.ensure_rubric(first)
    services.ensure_rubric(final)
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


@pytest.fixture
def judging(units) -> JudgingWorld:
    return make_judging(units)
