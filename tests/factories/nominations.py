"""The cascade: a national competition that takes two entries from each provincial competition,
over the published Điện Biên competition of `make_published`.

`make_cascade(units)` returns a `CascadeWorld`: the national unit and two of its organisers, the
national competition (open, by nomination only, nominations open for ten more days, its entries
until thirty), and the provincial world below it (`world.below`).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from portal.applicants.models import ApplicantProfile
from portal.auth.models import Role, User
from portal.awards.common import new_certificate_code
from portal.awards.models import Award, AwardDecision, DecisionStatus, Prize
from portal.competitions.models import Competition, CompetitionLevel
from portal.core.time import utcnow
from portal.entries.models import EntryStatus
from portal.entries.status import change_entry_status
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

    def publish_prize(self, entry, name: str = "Giải Nhất toàn quốc") -> Award:
        """The national competition's published decision gives the carried entry its first
        prize (written into the tables, as publish_directly does; the entry is awarded through
        its status home, so that what listens to it runs)."""
        prize = Prize(
            competition_id=self.competition.id,
            position=0,
            name=name,
            prize_count=1,
            cash_value=30_000_000,
        )
        db.session.add(prize)
        db.session.flush()
        award = Award(
            competition_id=self.competition.id,
            tier_id=prize.id,
            slot=1,
            entry_id=entry.id,
            proposed_entry_id=entry.id,
            cash_value=prize.cash_value,
            certificate_code=new_certificate_code(),
            issued_at=utcnow(),
        )
        db.session.add(award)
        db.session.flush()
        award.freeze()
        db.session.add(
            AwardDecision(
                competition_id=self.competition.id,
                status=DecisionStatus.PUBLISHED,
                finalised_by_id=self.organiser.id,
                approved_by_id=self.second_organiser.id,
                published_by_id=self.organiser.id,
                published_at=utcnow(),
            )
        )
        change_entry_status(self.organiser.id, entry, EntryStatus.ELIGIBLE)
        change_entry_status(self.organiser.id, entry, EntryStatus.AWARDED)
        db.session.commit()
        return award


def make_nation() -> Unit:
    nation = UnitFactory(
        kind=UnitKind.NATION,
        code=0,
        name="Trung ương Hội LHPN Việt Nam",
        division_type="trung ương",
    )
    db.session.commit()
    return nation


def _complete(below: AwardsWorld) -> None:
    """Entries and profiles as a woman's would be after her provincial round: every answer the
    higher round asks for, and her profile."""
    for n, entry in enumerate(below.entries):
        entry.problem = "Nông sản bán lẻ, giá thấp."
        entry.solution = "Sơ chế, đóng gói và bán qua hợp tác xã."
        entry.customers = "Khách du lịch và cửa hàng đặc sản."
        entry.capital_needed = 50_000_000
        entry.jobs_for_women = 3
        applicant = entry.applicant
        applicant.province_id = entry.commune.parent_id
        applicant.commune_id = entry.commune_id
        db.session.add(
            ApplicantProfile(
                user_id=applicant.id,
                date_of_birth=date(1985 + n % 10, 3, 8),
                gender="female",
                ethnicity="03",
                household_status="near_poor",
                union_member=True,
                business_stage="household_business",
            )
        )
    db.session.commit()


def make_cascade(units) -> CascadeWorld:
    below = make_published(units)
    _complete(below)
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
        business_plan_required=False,
        opens=now - timedelta(days=1),
        closes=now + timedelta(days=30),
    )
    services.set_deadline(organiser, competition, now + timedelta(days=10))
    services.add_source(organiser, competition, quota=2, level=CompetitionLevel.PROVINCIAL)
    return CascadeWorld(below, nation, organiser, second, competition)
