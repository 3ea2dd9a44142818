"""The judges' rules: drafts, submission, changes, the deadline, double submission, recusal."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale

from portal.auth.models import Role
from portal.core.audit import AuditLog
from portal.core.errors import DomainError
from portal.extensions import db
from portal.judging.models import Assignment, AssignmentSource, ScoreSheet, SheetStatus
from portal.judging.scoring import services as scoring
from portal.judging.scoring.services import EntryState, Outcome, SheetInput
from tests.conftest import mails_to
from tests.factories import UserFactory, make_judging
from tests.snapshots import cached

NOW = datetime(2026, 5, 10, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False) as clock, force_locale("en"):
        yield clock


def make_world(units):
    world = make_judging(units, entries=3, judges=2)
    world.round.scoring_closes_at = NOW + timedelta(days=5)
    db.session.commit()
    return world


@pytest.fixture
def world(units):
    return cached(make_world, units)


def assign(world, judge, entry, round_=None) -> Assignment:
    assignment = Assignment(
        round_id=(round_ or world.round).id,
        entry_id=entry.id,
        judge_id=judge.id,
        source=AssignmentSource.MANUAL,
        created_by_id=world.organiser.id,
    )
    db.session.add(assignment)
    db.session.commit()
    return assignment


def full(world, value=10.0) -> SheetInput:
    return SheetInput({c.id: value for c in world.criteria}, "Ý tưởng tốt", "Nên làm rõ giá bán")


def audit_rows(action: str) -> list[AuditLog]:
    return list(
        db.session.scalars(
            sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        )
    )


def test_a_draft_may_leave_criteria_empty(world):
    judge = world.judges[0]
    assignment = assign(world, judge, world.entries[0])
    first = world.criteria[0]
    outcome = scoring.save_sheet(
        judge, assignment, SheetInput({first.id: 12.5}), submit=False, now=NOW
    )
    assert outcome is Outcome.DRAFT_SAVED
    sheet = scoring.own_sheet(assignment)
    assert sheet.status is SheetStatus.DRAFT
    assert sheet.points_by_criterion()[first.id] == 12.5
    assert sheet.points_by_criterion()[world.criteria[1].id] is None
    assert world.round.scoring_started_at is not None  # the rubric is now fixed
    [row] = audit_rows("score_sheet.draft_saved")
    assert row.actor_id == judge.id
    assert row.before["status"] is None
    assert row.after["points"][str(first.id)] == 12.5


def test_submit_needs_every_criterion_in_range_and_changes_nothing_when_refused(world):
    judge = world.judges[0]
    assignment = assign(world, judge, world.entries[0])
    points = {c.id: 5.0 for c in world.criteria}
    points[world.criteria[0].id] = None
    points[world.criteria[1].id] = 21  # max 20
    with pytest.raises(scoring.ScoresInvalid) as refused:
        scoring.save_sheet(judge, assignment, SheetInput(points), submit=True, now=NOW)
    assert set(refused.value.errors) == {world.criteria[1].id}  # range first
    points[world.criteria[1].id] = 7.3  # not a half
    with pytest.raises(scoring.ScoresInvalid) as refused:
        scoring.save_sheet(judge, assignment, SheetInput(points), submit=True, now=NOW)
    assert set(refused.value.errors) == {world.criteria[1].id}
    points[world.criteria[1].id] = 7.5
    with pytest.raises(scoring.ScoresInvalid) as refused:
        scoring.save_sheet(judge, assignment, SheetInput(points), submit=True, now=NOW)
    assert set(refused.value.errors) == {world.criteria[0].id}
    assert "Give points" in refused.value.errors[world.criteria[0].id]
    assert scoring.own_sheet(assignment) is None
    with pytest.raises(scoring.ScoresInvalid):  # negative points, even in a draft
        scoring.save_sheet(
            judge, assignment, SheetInput({world.criteria[0].id: -1}), submit=False, now=NOW
        )


def test_submit_then_change_until_the_round_closes(world, frozen):
    judge = world.judges[0]
    assignment = assign(world, judge, world.entries[0])
    scoring.save_sheet(judge, assignment, full(world, 10), submit=False, now=NOW)
    assert scoring.save_sheet(judge, assignment, full(world, 10), submit=True, now=NOW) is (
        Outcome.SUBMITTED
    )
    sheet = scoring.own_sheet(assignment)
    assert sheet.status is SheetStatus.SUBMITTED
    assert sheet.submitted_at == NOW
    assert sheet.comment == "Ý tưởng tốt"
    assert sheet.feedback == "Nên làm rõ giá bán"
    later = NOW + timedelta(days=1)
    assert scoring.save_sheet(judge, assignment, full(world, 9), submit=True, now=later) is (
        Outcome.SUBMITTED
    )
    db.session.refresh(sheet)
    assert set(sheet.points_by_criterion().values()) == {9}
    assert sheet.submitted_at == later
    [first, change] = audit_rows("score_sheet.submitted")
    assert first.before["status"] == "draft" and first.after["status"] == "submitted"
    assert change.before["points"][str(world.criteria[0].id)] == 10
    assert change.after["points"][str(world.criteria[0].id)] == 9
    # "Save draft" never turns a submitted sheet back into a draft.
    with pytest.raises(DomainError):
        scoring.save_sheet(judge, assignment, full(world, 3), submit=False, now=later)
    db.session.refresh(sheet)
    assert sheet.status is SheetStatus.SUBMITTED


def test_the_same_submission_twice_is_one_sheet_and_one_audit_row(world):
    judge = world.judges[0]
    assignment = assign(world, judge, world.entries[0])
    assert scoring.save_sheet(judge, assignment, full(world), submit=True, now=NOW) is (
        Outcome.SUBMITTED
    )
    assert scoring.save_sheet(judge, assignment, full(world), submit=True, now=NOW) is (
        Outcome.UNCHANGED
    )
    assert db.session.scalar(sa.select(sa.func.count(ScoreSheet.id))) == 1
    assert len(audit_rows("score_sheet.submitted")) == 1


def test_a_concurrent_insert_of_the_sheet_is_reloaded_not_duplicated(world, monkeypatch):
    """The second request read "no sheet" before the first committed one: its insert fails on
    the unique assignment, and it does its work again on the first request's sheet."""
    judge = world.judges[0]
    assignment = assign(world, judge, world.entries[0])
    scoring.save_sheet(judge, assignment, full(world), submit=True, now=NOW)
    real = scoring.own_sheet
    calls = []

    def stale_then_real(a):
        calls.append(a.id)
        return None if len(calls) == 1 else real(a)

    monkeypatch.setattr(scoring, "own_sheet", stale_then_real)
    outcome = scoring.save_sheet(judge, assignment, full(world), submit=True, now=NOW)
    assert outcome is Outcome.UNCHANGED
    assert len(calls) == 2
    assert db.session.scalar(sa.select(sa.func.count(ScoreSheet.id))) == 1


def test_after_the_deadline_a_submission_is_refused_and_kept_as_a_draft(world):
    judge = world.judges[0]
    assignment = assign(world, judge, world.entries[0])
    late = world.round.scoring_closes_at + timedelta(minutes=1)
    with pytest.raises(scoring.ScoringClosed) as refused:
        scoring.save_sheet(judge, assignment, full(world, 8), submit=True, now=late)
    assert refused.value.draft_kept
    assert "closed" in refused.value.message
    sheet = scoring.own_sheet(assignment)
    assert sheet.status is SheetStatus.DRAFT
    assert set(sheet.points_by_criterion().values()) == {8}
    assert len(audit_rows("score_sheet.draft_after_close")) == 1


def test_after_the_deadline_a_submitted_sheet_stays_as_submitted(world):
    judge = world.judges[0]
    assignment = assign(world, judge, world.entries[0])
    scoring.save_sheet(judge, assignment, full(world, 10), submit=True, now=NOW)
    late = world.round.scoring_closes_at
    with pytest.raises(scoring.ScoringClosed) as refused:
        scoring.save_sheet(judge, assignment, full(world, 2), submit=True, now=late)
    assert not refused.value.draft_kept
    sheet = scoring.own_sheet(assignment)
    db.session.refresh(sheet)
    assert sheet.status is SheetStatus.SUBMITTED
    assert set(sheet.points_by_criterion().values()) == {10}


def test_final_results_close_scoring_and_keep_nothing(world):
    judge = world.judges[0]
    assignment = assign(world, judge, world.entries[0])
    world.round.results_final_at = NOW - timedelta(hours=1)
    db.session.commit()
    with pytest.raises(scoring.ScoringClosed) as refused:
        scoring.save_sheet(judge, assignment, full(world), submit=False, now=NOW)
    assert not refused.value.draft_kept
    assert scoring.own_sheet(assignment) is None


def test_the_first_submission_moves_nothing_else(world):
    judge = world.judges[0]
    entry = world.entries[0]
    status = entry.status
    version = world.round.assignment_version
    assignment = assign(world, judge, entry)
    scoring.save_sheet(judge, assignment, full(world), submit=True, now=NOW)
    db.session.refresh(entry)
    assert entry.status is status
    assert world.round.assignment_version == version
    assert world.competition.status.value == "judging"


def test_a_recused_or_foreign_assignment_cannot_be_scored(world):
    judge, other = world.judges
    assignment = assign(world, judge, world.entries[0])
    with pytest.raises(DomainError):
        scoring.save_sheet(other, assignment, full(world), submit=True, now=NOW)
    scoring.recuse(judge, assignment, "", NOW)
    with pytest.raises(DomainError):
        scoring.save_sheet(judge, assignment, full(world), submit=True, now=NOW)


def test_recusal_deletes_the_draft_bumps_the_version_audits_and_tells_the_organisers(world, units):
    judge = world.judges[0]
    provincial = world.organiser
    commune_organiser = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])], language="vi")
    assignment = assign(world, judge, world.entries[0])
    scoring.save_sheet(judge, assignment, SheetInput({}), submit=False, now=NOW)
    version = world.round.assignment_version
    scoring.recuse(judge, assignment, "Người thân của tôi", NOW)
    db.session.refresh(assignment)
    assert assignment.recused_at == NOW
    assert assignment.recusal_reason == "Người thân của tôi"
    assert world.round.assignment_version == version + 1
    assert db.session.scalar(sa.select(sa.func.count(ScoreSheet.id))) == 0
    [row] = audit_rows("assignment.recused")
    assert row.before["sheet"] == "draft" and row.after["sheet"] is None
    [mail] = mails_to(provincial.email)
    assert world.entries[0].reference in mail.subject
    assert "Người thân của tôi" in mail.body_text
    assert judge.full_name in mail.body_text
    assert f"/judging/rounds/{world.round.id}" in mail.body_text  # where to find a replacement
    assert mail.body_html and world.entries[0].reference in mail.body_html
    assert mails_to(commune_organiser.email) == []  # another province
    with pytest.raises(DomainError):
        scoring.recuse(judge, assignment, "", NOW)


def test_recusal_keeps_a_submitted_sheet_for_the_record(world):
    judge = world.judges[0]
    assignment = assign(world, judge, world.entries[0])
    scoring.save_sheet(judge, assignment, full(world), submit=True, now=NOW)
    scoring.recuse(judge, assignment, "", NOW)
    sheet = db.session.scalar(sa.select(ScoreSheet))
    assert sheet.status is SheetStatus.SUBMITTED
    [row] = audit_rows("assignment.recused")
    assert row.after["sheet"] == "submitted"


def test_the_dashboard_counts_her_work_per_round(world):
    judge, other = world.judges
    a1 = assign(world, judge, world.entries[0])
    a2 = assign(world, judge, world.entries[1])
    a3 = assign(world, judge, world.entries[2])
    assign(world, other, world.entries[0])
    scoring.save_sheet(judge, a1, full(world), submit=True, now=NOW)
    scoring.save_sheet(judge, a2, SheetInput({}), submit=False, now=NOW)
    scoring.recuse(judge, a3, "", NOW)
    [work] = scoring.dashboard(judge, NOW)
    assert work.competition.id == world.competition.id
    [round_work] = work.rounds
    assert round_work.open
    assert (round_work.submitted, round_work.assigned, round_work.total) == (1, 2, 3)
    # What is left to do first: the draft, then what is done.
    assert [e.state for e in round_work.entries] == [
        EntryState.DRAFT,
        EntryState.SUBMITTED,
        EntryState.RECUSED,
    ]
    assert [e.entry_id for e in round_work.entries] == [
        world.entries[1].id,
        world.entries[0].id,
        world.entries[2].id,
    ]


def test_an_invitation_made_by_email_is_linked_when_her_account_is_made(world):
    from portal.auth import services as auth_services
    from portal.judging.models import CompetitionJudge

    record = CompetitionJudge(
        competition_id=world.competition.id,
        email="Moi.GiamKhao@Example.vn",
        invited_by_id=world.organiser.id,
    )
    db.session.add(record)
    db.session.commit()
    judge = auth_services.register_applicant(
        email="moi.giamkhao@example.vn",
        password="mat-khau-2026",
        full_name="Hà Thị Mới",
        phone=None,
        language="vi",
        ip=None,
    )
    assert record.user_id == judge.id
    assert audit_rows("judge.account_linked")
    [work] = scoring.dashboard(judge, NOW)  # her dashboard shows the competition at once
    assert work.rounds == []


def test_declaration_keeps_choices_of_the_competition_only(world, units):
    judge = world.judges[0]
    from portal.judging.common import judge_record

    record = judge_record(judge, world.competition)
    category = world.competition.categories[1]
    declaration = scoring.Declaration(
        expertise=[category.id],
        conflict_people="Lò Thị Ứng Viên 1\n\n  lo@example.vn \nlò thị ứng viên 1\n",
        conflict_commune_ids=[units["muong_phang"].id],
        conflict_organisations="HTX Mường Phăng",
    )
    scoring.declare(judge, record, declaration, NOW)
    db.session.refresh(record)
    assert record.expertise == [category.id]
    assert record.conflict_people == "Lò Thị Ứng Viên 1\nlo@example.vn"
    assert record.conflict_commune_ids == [units["muong_phang"].id]
    assert record.declared_at == NOW
    assert audit_rows("judge.declared")
    with pytest.raises(DomainError) as refused:
        scoring.declare(
            judge,
            record,
            scoring.Declaration([], "", [units["sa_pa"].id], ""),
            NOW,
        )
    assert refused.value.field == "conflict_communes"
    with pytest.raises(DomainError) as refused:
        scoring.declare(judge, record, scoring.Declaration([999_999], "", [], ""), NOW)
    assert refused.value.field == "expertise"


def test_a_withdrawn_entry_is_not_scored(world):
    from portal.entries.models import EntryStatus

    judge = world.judges[0]
    assignment = assign(world, judge, world.entries[0])
    world.entries[0].status = EntryStatus.WITHDRAWN
    db.session.commit()
    with pytest.raises(DomainError):
        scoring.save_sheet(judge, assignment, full(world), submit=True, now=NOW)
    assert scoring.own_sheet(assignment) is None
