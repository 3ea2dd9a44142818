"""The cascade: a national competition that takes two entries from each provincial competition,
over the published Điện Biên competition of `make_published`.

`make_cascade(units)` returns a `CascadeWorld`: the national unit and two of its organisers, the
national competition (open, by nomination only, nominations open for ten more days, its entries
until thirty), and the provincial world below it (`world.below`).
"""

from dataclasses import dataclass
from datetime import timedelta

from portal.auth.models import Role, User
from portal.competitions.models import Competition, CompetitionLevel
from portal.core.time import utcnow
from portal.extensions import db
from portal.nominations import services
from portal.nominations.models import Nomination
from portal.units.models import Unit, UnitKind
from tests.factories.accounts import UserFactory
from tests.factories.awards import AwardsWorld, make_published
from tests.factories.competitions import make_competition
from tests.factories.units import UnitFactory


@dataclass
class CascadeWorld:
    below: AwardsWorld  # Điện Biên's competition, its prizes published
    nation: Unit
    organiser: User  # of the national unit
    second_organiser: User
    competition: Competition  # the national one

    def nominate(self, entry, *, approve: bool = True) -> Nomination:
        """Nominate an entry of the competition below (and approve it by its second organiser)."""
        now = utcnow()
        nomination = services.propose(self.below.organiser, self.competition, entry, now=now)
        if approve:
            services.approve(
                self.below.second_organiser, nomination, now=now, version=nomination.version
            )
        return nomination


def make_nation() -> Unit:
    nation = UnitFactory(
        kind=UnitKind.NATION,
        code=0,
        name="Trung ương Hội LHPN Việt Nam",
        division_type="trung ương",
    )
    db.session.commit()
    return nation


def make_cascade(units) -> CascadeWorld:
    below = make_published(units)
    nation = make_nation()
    organiser = UserFactory(roles=[(Role.ORGANISER, nation)], full_name="Cán bộ Trung ương")
    second = UserFactory(roles=[(Role.ORGANISER, nation)], full_name="Phó Ban Trung ương")
    now = utcnow()
    competition = make_competition(
        organiser,
        nation,
        title="Phụ nữ khởi nghiệp toàn quốc",
        level=CompetitionLevel.NATIONAL,
        reference_prefix="TW",
        by_nomination_only=True,
        opens=now - timedelta(days=1),
        closes=now + timedelta(days=30),
    )
    services.set_deadline(organiser, competition, now + timedelta(days=10))
    services.add_source(organiser, competition, quota=2, level=CompetitionLevel.PROVINCIAL)
    return CascadeWorld(below, nation, organiser, second, competition)
