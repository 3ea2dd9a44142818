"""The factories build objects the portal itself would accept: linked, numbered and complete."""

import sqlalchemy as sa

from portal.auth.models import Role
from portal.awards.models import AwardStatus, PrizeKind
from portal.competitions.models import CompetitionStatus
from portal.entries import services as entry_services
from portal.entries.models import EntryStatus
from portal.extensions import db
from portal.judging.common import criteria_of
from portal.judging.models import CompetitionJudge, SheetStatus
from portal.projects.models import SupportedProject
from tests.factories import (
    AssignmentFactory,
    AwardFactory,
    CompetitionFactory,
    EntryFactory,
    JudgeFactory,
    PrizeFactory,
    ScoreSheetFactory,
    SupportedProjectFactory,
    UserFactory,
)


def test_a_competition_has_its_rounds_categories_and_an_organiser_of_its_unit(app):
    competition = CompetitionFactory(status="judging")
    assert competition.status is CompetitionStatus.JUDGING
    assert [r.name for r in competition.rounds] == ["Vòng sơ khảo", "Chung kết"]
    assert len(competition.categories) == 8
    organiser = db.session.get(type(UserFactory()), competition.created_by_id)
    assert organiser.can_act_on_unit(competition.unit_id)


def test_entries_are_numbered_as_the_service_numbers_them(app):
    first = EntryFactory()
    second = EntryFactory(competition=first.competition, status=EntryStatus.ELIGIBLE)
    draft = EntryFactory(competition=first.competition, status=EntryStatus.DRAFT)
    prefix = f"{first.competition.reference_prefix}-{first.competition.year}"
    assert (first.reference, second.reference) == (f"{prefix}-0001", f"{prefix}-0002")
    assert draft.reference is None and draft.submitted_at is None
    assert first.applicant.full_name and first.category in first.competition.categories
    # A real submission after them takes the next number.
    assert entry_services._next_reference(first.competition) == f"{prefix}-0003"


def test_factories_called_twice_make_two_of_everything(app):
    first, second = AwardFactory(), AwardFactory()
    assert first.competition_id != second.competition_id
    assert first.entry.reference != second.entry.reference
    assert len({SupportedProjectFactory().id, SupportedProjectFactory().id}) == 2
    assert EntryFactory().reference.startswith("T")


def test_a_judge_an_assignment_and_a_sheet_hang_together(app):
    sheet = ScoreSheetFactory(points=0.5)
    assignment = sheet.assignment
    competition = assignment.entry.competition
    assert assignment.round is competition.rounds[0]
    assert assignment.judge.has_role(Role.JUDGE)
    judge_row = db.session.scalar(
        sa.select(CompetitionJudge).where(CompetitionJudge.user_id == assignment.judge_id)
    )
    assert judge_row.competition_id == competition.id
    assert sheet.status is SheetStatus.SUBMITTED and sheet.round_id == assignment.round_id
    criteria = criteria_of(assignment.round)
    assert {s.criterion_id: s.points for s in sheet.scores} == {
        c.id: round(0.5 * c.max_points, 2) for c in criteria
    }


def test_a_judge_of_a_given_competition(app):
    competition = CompetitionFactory()
    judge = JudgeFactory(competition=competition)
    assert judge.email == judge.user.email and judge.invited_by_id == competition.created_by_id
    assignment = AssignmentFactory(
        entry=EntryFactory(competition=competition, status=EntryStatus.ELIGIBLE), judge=judge.user
    )
    assert assignment.judge_id == judge.user_id


def test_an_award_is_the_next_prize_of_its_tier_and_makes_a_project(app):
    tier = PrizeFactory(prize_count=2, cash_value=3_000_000)
    first = AwardFactory(tier=tier)
    second = AwardFactory(tier=tier)
    assert (first.slot, second.slot) == (1, 2)
    assert first.entry.competition_id == tier.competition_id
    assert first.cash_value == 3_000_000 and first.status is AwardStatus.ACTIVE
    assert first.entry.status is EntryStatus.AWARDED and first.certificate_code
    assert db.session.scalar(sa.select(sa.func.count(SupportedProject.id))) == 2
    special = PrizeFactory(competition=tier.competition, kind=PrizeKind.SPECIAL)
    assert (tier.position, special.position) == (0, 0)
    assert PrizeFactory(competition=tier.competition).position == 1


def test_a_supported_project_of_a_winning_entry(app):
    project = SupportedProjectFactory()
    assert project.entry.status is EntryStatus.AWARDED
    assert project.owner_id == project.entry.applicant_id
    assert project.unit_id == project.entry.competition.unit_id
    assert SupportedProjectFactory(entry=project.entry).id == project.id  # one per entry
