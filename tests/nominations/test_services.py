"""The cascade's rules: places, deadlines, the second organiser, her answer, the entry carried
up, the prizes carried down once, and the figures counting an idea once."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.awards.certificates.revoking import revoke
from portal.competitions.models import CompetitionLevel, CompetitionStatus
from portal.core.errors import DomainError
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.figures.indicators import by_code, value
from portal.figures.measures import Scope
from portal.nominations import services
from portal.nominations.models import Nomination, NominationStatus
from portal.projects.models import ExternalAward, SupportedProject
from portal.projects.services import carry_results_down
from tests.conftest import mails_to
from tests.factories import EntryFactory, UserFactory, make_competition
from tests.factories.nominations import make_cascade
from tests.factories.projects import add_external
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def cascade(units):
    return cached(make_cascade, units)


def now():
    return utcnow()


def test_the_competition_below_nominates_within_its_places(cascade):
    entries = cascade.below.entries
    cascade.nominate(entries[0], approve=False)
    cascade.nominate(entries[1], approve=False)
    with pytest.raises(DomainError, match="đã đề cử đủ"):
        cascade.nominate(entries[2], approve=False)
    [call] = services.calls_for(cascade.below.competition)
    assert (call.quota, call.used) == (2, 2)


def test_a_withdrawn_nomination_frees_its_place_and_may_be_made_again(cascade):
    entries = cascade.below.entries
    first = cascade.nominate(entries[0], approve=False)
    cascade.nominate(entries[1], approve=False)
    services.withdraw(cascade.below.organiser, first, now=now(), version=first.version)
    third = cascade.nominate(entries[2], approve=False)
    services.withdraw(cascade.below.organiser, third, now=now(), version=third.version)
    again = cascade.nominate(entries[0], approve=False)
    assert again.id == first.id  # the same row, proposed again
    assert again.status is NominationStatus.PROPOSED


def cascade_nomination(entry) -> Nomination:
    return db.session.scalar(sa.select(Nomination).where(Nomination.from_entry_id == entry.id))


def test_a_nomination_needs_a_second_organiser(cascade):
    nomination = cascade.nominate(cascade.below.entries[0], approve=False)
    with pytest.raises(services.SamePerson):
        services.approve(cascade.below.organiser, nomination, now=now(), version=nomination.version)
    # An organiser of another unit (the nation's, even) is not one of them.
    with pytest.raises(services.NotYours):
        services.approve(cascade.organiser, nomination, now=now(), version=nomination.version)
    services.approve(
        cascade.below.second_organiser, nomination, now=now(), version=nomination.version
    )
    assert nomination.status is NominationStatus.APPROVED
    woman = cascade.below.entries[0].applicant
    [mail] = [m for m in mails_to(woman.email) if m.template == "nomination_offered"]
    assert cascade.competition.title in mail.subject


def test_an_approval_from_an_older_page_is_refused(cascade):
    nomination = cascade.nominate(cascade.below.entries[0], approve=False)
    shown = nomination.version
    services.withdraw(cascade.below.organiser, nomination, now=now(), version=shown)
    with pytest.raises(services.NominationConflict):
        services.approve(cascade.below.second_organiser, nomination, now=now(), version=shown)


def test_nothing_is_nominated_or_approved_after_the_deadline(cascade, frozen_time):
    nomination = cascade.nominate(cascade.below.entries[0], approve=False)
    frozen_time.shift(timedelta(days=10, seconds=1))
    with pytest.raises(DomainError, match="đã kết thúc"):
        cascade.nominate(cascade.below.entries[1], approve=False)
    with pytest.raises(DomainError, match="đã kết thúc"):
        services.approve(
            cascade.below.second_organiser, nomination, now=now(), version=nomination.version
        )


def test_only_the_final_ranking_or_a_prize_winner_is_nominated(cascade, units):
    applicant = UserFactory(roles=[Role.APPLICANT])
    from tests.factories import EntryFactory

    draft = EntryFactory(competition=cascade.below.competition, applicant=applicant)
    with pytest.raises(DomainError, match="bảng xếp hạng chung cuộc"):
        cascade.nominate(draft, approve=False)


def test_a_competition_not_named_may_not_nominate(cascade, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["sa_pa"])])
    commune = make_competition(
        organiser, units["sa_pa"], level=CompetitionLevel.COMMUNE, status="results_final"
    )
    # Provincial competitions may: a commune's is not one of them.
    assert services.quota_for(cascade.competition, commune) is None
    assert services.calls_for(commune) == []


def test_a_source_of_one_province_lets_only_its_competitions_nominate(cascade, units):
    lao_cai_organiser = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    lao_cai = make_competition(lao_cai_organiser, units["lao_cai"], status="results_final")
    regional = make_competition(
        cascade.organiser,
        cascade.nation,
        level=CompetitionLevel.NATIONAL,
        title="Chung kết thứ hai",
        reference_prefix="TWB",
    )
    services.add_source(
        cascade.organiser,
        regional,
        quota=1,
        level=CompetitionLevel.PROVINCIAL,
        unit_id=units["lao_cai"].id,
    )
    assert services.quota_for(regional, lao_cai) == 1
    assert services.quota_for(regional, cascade.below.competition) is None


def test_a_national_competition_is_run_by_the_national_unit_only(cascade, units):
    with pytest.raises(DomainError):
        make_competition(
            cascade.below.organiser, units["dien_bien"], level=CompetitionLevel.NATIONAL
        )
    with pytest.raises(DomainError):
        make_competition(cascade.organiser, cascade.nation, level=CompetitionLevel.PROVINCIAL)


def test_her_confirmation_carries_the_entry_up(cascade):
    below = cascade.below.entries[0]
    nomination = cascade.nominate(below)
    woman = below.applicant
    entry = services.accept(woman, nomination, now=now(), version=nomination.version)
    assert entry.competition_id == cascade.competition.id
    assert entry.status is EntryStatus.SUBMITTED
    assert entry.reference.startswith("TW-")
    assert entry.nominated_from_id == below.id and entry.origin_entry_id == below.id
    assert (entry.title, entry.summary, entry.solution) == (
        below.title,
        below.summary,
        below.solution,
    )
    assert [m.name for m in entry.team_members] == [m.name for m in below.team_members]
    assert nomination.status is NominationStatus.ACCEPTED and nomination.entry_id == entry.id
    # A second tap finds it made.
    again = services.accept(woman, nomination, now=now(), version=nomination.version - 1)
    assert again.id == entry.id
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(Entry.competition_id == cascade.competition.id)
        )
        == 1
    )


def test_only_she_answers_and_a_declined_place_is_free(cascade):
    entries = cascade.below.entries
    first = cascade.nominate(entries[0])
    cascade.nominate(entries[1])
    with pytest.raises(services.NotYours):
        services.accept(entries[1].applicant, first, now=now(), version=first.version)
    services.decline(entries[0].applicant, first, now=now(), version=first.version)
    assert first.status is NominationStatus.DECLINED
    with pytest.raises(services.NominationConflict):
        services.accept(entries[0].applicant, first, now=now(), version=first.version)
    cascade.nominate(entries[2])  # the place she left


def test_no_answer_once_the_higher_competition_closed(cascade, frozen_time):
    nomination = cascade.nominate(cascade.below.entries[0])
    frozen_time.shift(timedelta(days=30, seconds=1))
    with pytest.raises(DomainError, match="không còn hiệu lực"):
        services.accept(
            cascade.below.entries[0].applicant,
            nomination,
            now=now(),
            version=nomination.version,
        )


def test_no_one_applies_directly_to_a_competition_by_nomination(cascade):
    from portal.entries import services as entry_services

    applicant = UserFactory(roles=[Role.APPLICANT])
    with pytest.raises(DomainError):
        entry_services.start_entry(applicant, cascade.competition)


def test_a_national_prize_flows_back_down_once(cascade, units):
    below = cascade.below.entries[0]
    nomination = cascade.nominate(below)
    entry = services.accept(below.applicant, nomination, now=now(), version=nomination.version)
    projects_before = db.session.scalar(sa.select(sa.func.count(SupportedProject.id)))
    award = cascade.publish_prize(entry)
    [carried] = db.session.scalars(
        sa.select(ExternalAward).where(ExternalAward.entry_id == below.id)
    )
    assert (carried.award_id, carried.level, carried.prize, carried.cash_value) == (
        award.id,
        CompetitionLevel.NATIONAL,
        "Giải Nhất toàn quốc",
        30_000_000,
    )
    assert carried.body == cascade.nation.name
    # The idea stays the project it was in Điện Biên: no second project for the national entry.
    assert db.session.scalar(sa.select(sa.func.count(SupportedProject.id))) == projects_before
    # Published again (or the signal sent twice), nothing more is recorded.
    assert carry_results_down(entry, actor_id=cascade.organiser.id) == 0
    # Điện Biên counts one idea that won at a national round, however it was recorded.
    year = cascade.competition.year
    province = Scope(
        [units["dien_bien"].id, units["muong_phang"].id, units["dien_bien_phu"].id], year, year
    )
    indicator = by_code()["higher_round_ideas"]
    assert value(indicator, province) == 1
    # The whole country counts the idea once, not once per competition it went through.
    country = Scope(None, year, year)
    ideas = value(by_code()["entries"], country)
    assert ideas == len(cascade.below.entries)
    # A revoked national prize is no longer Điện Biên's.
    revoke(cascade.organiser, award, "Hồ sơ không trung thực", now=utcnow())
    db.session.commit()
    assert (
        db.session.scalars(sa.select(ExternalAward).where(ExternalAward.award_id == award.id)).all()
        == []
    )


def test_the_path_of_her_idea(cascade):
    from portal.nominations.cascade import path_of

    below = cascade.below.entries[0]
    nomination = cascade.nominate(below)
    path = path_of(below.id)
    assert [s.competition_id for s in path.steps] == [cascade.below.competition.id]
    assert [o.id for o in path.offers] == [nomination.id]
    entry = services.accept(below.applicant, nomination, now=now(), version=nomination.version)
    for shown_from in (below.id, entry.id):
        path = path_of(shown_from)
        assert [s.level for s in path.steps] == [
            CompetitionLevel.PROVINCIAL,
            CompetitionLevel.NATIONAL,
        ]
        assert path.steps[0].prizes == ["Giải Nhất"]
        assert path.offers == []


def test_the_competition_below_must_have_final_results(cascade):
    below = cascade.below.competition
    assert services.candidates(below)  # its results are final: its ranking and its winners
    below.status = CompetitionStatus.JUDGING  # reopened
    db.session.commit()
    assert services.candidates(below) == []
    with pytest.raises(DomainError, match="bảng xếp hạng chung cuộc"):
        cascade.nominate(cascade.below.entries[0], approve=False)


def test_a_carried_entry_that_lacks_what_the_higher_round_asks_stays_a_draft(cascade):
    cascade.competition.business_plan_required = True
    db.session.commit()
    below = cascade.below.entries[0]
    nomination = cascade.nominate(below)
    entry = services.accept(below.applicant, nomination, now=now(), version=nomination.version)
    assert entry.status is EntryStatus.DRAFT and entry.reference is None
    assert nomination.status is NominationStatus.ACCEPTED


def test_a_prize_recorded_by_hand_stays_as_it_was(cascade):
    """It may be another body's prize of the same level and year: the carried one is added."""
    below = cascade.below.entries[0]
    hand = add_external(
        cascade.below,
        below,
        level=CompetitionLevel.NATIONAL,
        year=cascade.competition.year,
        body="Bộ Khoa học và Công nghệ",
        prize="Giải Ba Techfest",
    )
    nomination = cascade.nominate(below)
    entry = services.accept(below.applicant, nomination, now=now(), version=nomination.version)
    award = cascade.publish_prize(entry)
    rows = db.session.scalars(
        sa.select(ExternalAward)
        .where(ExternalAward.entry_id == below.id)
        .order_by(ExternalAward.id)
    ).all()
    assert [(r.id, r.award_id, r.prize) for r in rows] == [
        (hand.id, None, "Giải Ba Techfest"),
        (rows[1].id, award.id, "Giải Nhất toàn quốc"),
    ]


def test_a_woman_the_higher_round_would_refuse_is_not_nominated(cascade):
    cascade.competition.max_age = 30  # the national final's rule; Điện Biên's had none
    db.session.commit()
    with pytest.raises(DomainError, match="không quá 30 tuổi"):
        cascade.nominate(cascade.below.entries[0], approve=False)
    assert services.calls_for(cascade.below.competition)[0].used == 0


def test_the_same_source_named_twice_is_one(cascade):
    before = len(services.sources_of(cascade.competition))
    services.add_source(
        cascade.organiser, cascade.competition, quota=3, level=CompetitionLevel.PROVINCIAL
    )
    sources = services.sources_of(cascade.competition)
    assert len(sources) == before and sources[0].quota == 3


def test_a_reference_another_competition_gave_is_passed_over(cascade, units):
    """Two competitions of the national unit in a year, both numbered TW: never the same."""
    other = make_competition(
        cascade.organiser,
        cascade.nation,
        level=CompetitionLevel.NATIONAL,
        title="Chung kết thứ hai",
        reference_prefix="TW",
    )
    taken = EntryFactory(
        competition=other,
        reference=f"TW-{cascade.competition.year}-0001",
        status=EntryStatus.SUBMITTED,
    )
    below = cascade.below.entries[0]
    nomination = cascade.nominate(below)
    entry = services.accept(below.applicant, nomination, now=now(), version=nomination.version)
    assert entry.reference == f"TW-{cascade.competition.year}-0002" != taken.reference


def test_ideas_are_listed_once_as_the_lowest_entry_of_their_path(cascade, units):
    from portal.figures.indicators import entries

    below = cascade.below.entries[0]
    nomination = cascade.nominate(below)
    services.accept(below.applicant, nomination, now=now(), version=nomination.version)
    year = cascade.competition.year
    rows = db.session.execute(entries(Scope(None, year, year))).all()
    assert len(rows) == len(cascade.below.entries)
    assert below.id in {row[0].id for row in rows}


def test_an_idea_from_a_commune_counts_once_and_stays_one_project(cascade, units):
    """A commune's idea nominated to Điện Biên's competition, then to the nation: the national
    prize is carried to both entries below it, the province counts one idea, and the project is
    the provincial entry's (the last round below the regional ones)."""
    commune_organiser = UserFactory(roles=[(Role.ORGANISER, units["muong_phang"])])
    commune = make_competition(
        commune_organiser,
        units["muong_phang"],
        level=CompetitionLevel.COMMUNE,
        status="results_final",
        reference_prefix="MP",
    )
    below = cascade.below.entries[11]  # no prize in Điện Biên: no project yet
    first = EntryFactory(
        competition=commune,
        applicant=below.applicant,
        status=EntryStatus.ADVANCED,
        first_submitted_at=utcnow(),
    )
    below.nominated_from_id, below.origin_entry_id = first.id, first.id
    first.nominated = True
    db.session.commit()
    nomination = cascade.nominate(below)
    entry = services.accept(below.applicant, nomination, now=now(), version=nomination.version)
    assert entry.origin_entry_id == first.id
    cascade.publish_prize(entry)
    held = db.session.scalars(
        sa.select(ExternalAward.entry_id).where(ExternalAward.award_id.is_not(None))
    ).all()
    assert sorted(held) == sorted([below.id, first.id])
    [project] = db.session.scalars(
        sa.select(SupportedProject).where(
            SupportedProject.entry_id.in_([first.id, below.id, entry.id])
        )
    )
    assert project.entry_id == below.id
    year = cascade.competition.year
    province = Scope(
        [units["dien_bien"].id, units["muong_phang"].id, units["dien_bien_phu"].id], year, year
    )
    assert value(by_code()["higher_round_ideas"], province) == 1


def test_a_nomination_she_has_not_answered_is_withdrawn_and_she_is_told(cascade):
    below = cascade.below.entries[0]
    nomination = cascade.nominate(below)
    services.withdraw(cascade.below.organiser, nomination, now=now(), version=nomination.version)
    assert nomination.status is NominationStatus.WITHDRAWN
    assert [m.template for m in mails_to(below.applicant.email)][-1] == "nomination_withdrawn"
    assert services.calls_for(cascade.below.competition)[0].used == 0
    with pytest.raises(services.NominationConflict):
        services.accept(below.applicant, nomination, now=now(), version=nomination.version)
    # One she has confirmed stays.
    other = cascade.nominate(cascade.below.entries[1])
    services.accept(other.from_entry.applicant, other, now=now(), version=other.version)
    with pytest.raises(services.NominationConflict):
        services.withdraw(cascade.below.organiser, other, now=now(), version=other.version)


def test_a_winner_without_a_result_in_the_last_round_is_a_candidate(cascade):
    """A prize may go to an entry of an earlier round: it may be nominated too."""
    from portal.judging.models import RoundResult

    first = cascade.below.entries[0]
    db.session.execute(
        sa.delete(RoundResult).where(
            RoundResult.entry_id == first.id, RoundResult.round_id == cascade.below.round.id
        )
    )
    db.session.commit()
    found = {c.entry.id: c for c in services.candidates(cascade.below.competition)}
    assert found[first.id].rank is None and found[first.id].prizes == ["Giải Nhất"]
