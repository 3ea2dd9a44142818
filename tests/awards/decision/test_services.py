"""Deciding the prizes: the proposal (tiers in rank order, ties at a boundary, special prizes),
changing a line, finalising, the maker-checker approval, withdrawing and reopening, races on the
decision's version, and publishing (certificate codes, statuses, projects, mails per language)."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale

from portal.auth.models import Role
from portal.awards import common
from portal.awards.decision import proposal as proposing
from portal.awards.decision import services as deciding
from portal.awards.decision.services import LineNote
from portal.awards.models import Award, DecisionStatus, Prize, PrizeKind
from portal.awards.publication import services as publication
from portal.competitions import services as competition_services
from portal.competitions.models import CompetitionStatus
from portal.core.audit import AuditLog
from portal.core.errors import DomainError
from portal.core.money import format_vnd
from portal.core.outbox import OutboxMessage
from portal.entries.models import EntryStatus
from portal.extensions import db
from portal.judging.models import (
    Assignment,
    AssignmentSource,
    RoundResult,
    ScoreSheet,
    SheetStatus,
)
from portal.judging.results import services as judging_results
from portal.projects.models import SupportedProject
from tests.conftest import link_in, mails_to
from tests.factories import UserFactory, make_awards

NOW = datetime(2026, 5, 10, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam


@pytest.fixture(autouse=True)
def frozen(app):
    """Time stands still; the services' messages are read in English (mails keep their own)."""
    with time_machine.travel(NOW, tick=False) as clock, force_locale("en"):
        yield clock


def by_tier(lines) -> dict[str, list]:
    """Tier name → the entries' indexes (None for not given) in slot order."""
    out: dict[str, list] = {}
    for line in lines:
        out.setdefault(line.tier.name, []).append(line)
    return out


def indexes(world, entries) -> list[int | None]:
    ids = [e.id for e in world.entries]
    return [ids.index(e.id) if e is not None else None for e in entries]


def proposed(world) -> dict[str, list[int | None]]:
    proposal = proposing.propose(world.competition)
    return {
        name: indexes(world, [line.candidate.entry if line.candidate else None for line in lines])
        for name, lines in by_tier(proposal.lines).items()
    }


def written(world) -> dict[str, list[int | None]]:
    db.session.expire_all()
    return {
        name: indexes(world, [line.entry for line in lines])
        for name, lines in by_tier(common.decision_awards(world.competition)).items()
    }


def allow_special_with_tier(world, allowed: bool = True) -> None:
    common.ensure_decision(world.competition).special_with_tier = allowed
    db.session.commit()


def set_rank(world, index: int, rank: int) -> None:
    result = db.session.scalar(
        sa.select(RoundResult).where(
            RoundResult.round_id == world.round.id,
            RoundResult.entry_id == world.entries[index].id,
        )
    )
    result.rank = rank
    db.session.commit()


def draw(world):
    return deciding.start_from_proposal(world.organiser, world.competition, now=NOW)


def finalise(world, **kw):
    return deciding.finalise(world.organiser, world.competition, now=NOW, **kw)


def approve(world, **kw):
    return deciding.approve(world.second_organiser, world.competition, now=NOW, **kw)


def line_of(world, tier, slot=1) -> Award:
    return db.session.scalar(sa.select(Award).where(Award.tier_id == tier.id, Award.slot == slot))


def decision(world):
    db.session.expire_all()
    return common.decision_of(world.competition)


def actions(name: str) -> list[AuditLog]:
    return list(
        db.session.scalars(sa.select(AuditLog).where(AuditLog.action == name).order_by(AuditLog.id))
    )


# --- The proposal --------------------------------------------------------------------------------


def test_tiers_fill_in_rank_order_and_nothing_is_written(awards_world):
    w = awards_world
    assert proposed(w) == {
        "Giải Nhất": [0],
        "Giải Nhì": [1, 2],
        "Giải Ba": [3, 4, 5],
        "Giải Khuyến khích": [6, 7, 8, 9],
        w.special.name: [None],  # both ethnic-minority entries already won a tier
    }
    assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 0
    assert common.decision_of(w.competition) is None


def test_a_special_prize_no_entry_qualifies_for_is_left_ungiven_and_says_so(awards_world):
    w = awards_world
    w.special.rule = {"union_member": True}  # nobody's profile says so
    allow_special_with_tier(w)
    proposal = proposing.propose(w.competition)
    special = [line for line in proposal.lines if line.tier.id == w.special.id]
    assert [(line.candidate, line.note) for line in special] == [(None, LineNote.NO_QUALIFYING)]


def test_special_with_tier_lets_a_tier_winner_take_the_special_prize(awards_world):
    w = awards_world
    allow_special_with_tier(w)
    assert proposed(w)[w.special.name] == [2]  # the best-ranked ethnic-minority entry
    allow_special_with_tier(w, False)
    assert proposed(w)[w.special.name] == [None]


def test_without_special_with_tier_the_best_qualifying_entry_without_a_tier_takes_it(
    awards_world,
):
    w = awards_world
    w.entries[11].ethnic_minority = True
    db.session.commit()
    assert proposed(w)[w.special.name] == [11]


def test_an_entry_takes_at_most_one_special_prize(awards_world):
    w = awards_world
    db.session.add(
        Prize(
            competition_id=w.competition.id,
            kind=PrizeKind.SPECIAL,
            position=1,
            name="Giải phụ nữ vùng cao",
            prize_count=1,
            cash_value=1_000_000,
            rule={"ethnic_minority": True},
        )
    )
    allow_special_with_tier(w)
    result = proposed(w)
    assert result[w.special.name] == [2]
    assert result["Giải phụ nữ vùng cao"] == [7]


def test_fewer_entries_than_prizes_leaves_the_last_lines_ungiven(units):
    w = make_awards(units, entries=5)
    proposal = proposing.propose(w.competition)
    lines = by_tier(proposal.lines)
    assert [line.note for line in lines["Giải Ba"]] == [None, None, LineNote.NOT_ENOUGH]
    assert all(line.candidate is None for line in lines["Giải Khuyến khích"])
    assert proposed(w)["Giải Ba"] == [3, 4, None]


def test_withdrawn_and_ineligible_entries_are_passed_over(awards_world):
    w = awards_world
    w.entries[0].status = EntryStatus.WITHDRAWN
    w.entries[3].status = EntryStatus.INELIGIBLE
    db.session.commit()
    result = proposed(w)
    assert result["Giải Nhất"] == [1]
    assert result["Giải Nhì"] == [2, 4]


def test_a_tie_at_a_tier_boundary_is_marked_on_both_sides(awards_world):
    w = awards_world
    set_rank(w, 1, 1)  # entries 0 and 1 share the first rank: one first prize
    proposal = proposing.propose(w.competition)
    notes = {(line.tier.name, line.slot): line.note for line in proposal.lines}
    # The slot counts stay; the tied entries keep their order and both lines say "decide".
    assert proposed(w)["Giải Nhất"] == [0]
    assert proposed(w)["Giải Nhì"] == [1, 2]
    assert notes[("Giải Nhất", 1)] is LineNote.TIE
    assert notes[("Giải Nhì", 1)] is LineNote.TIE
    assert notes[("Giải Nhì", 2)] is None


def test_a_tie_inside_one_tier_is_no_problem(awards_world):
    w = awards_world
    set_rank(w, 2, 2)  # entries 1 and 2 share the second rank, both in the second tier
    assert proposing.propose(w.competition).ties == []


def test_a_tie_at_the_last_prize_is_marked(awards_world):
    w = awards_world
    set_rank(w, 10, 10)  # entry 10 ties with entry 9, which takes the last consolation prize
    ties = proposing.propose(w.competition).ties
    assert [(line.tier.name, line.slot) for line in ties] == [("Giải Khuyến khích", 4)]


def test_a_tie_for_a_special_prize_is_marked(awards_world):
    w = awards_world
    w.entries[10].ethnic_minority = True
    w.entries[11].ethnic_minority = True
    db.session.commit()
    set_rank(w, 11, 11)
    ties = proposing.propose(w.competition).ties
    assert [line.tier.id for line in ties] == [w.special.id]


# --- Drawing the lines ---------------------------------------------------------------------------


def test_start_from_the_proposal_writes_one_line_per_slot(awards_world):
    w = awards_world
    lines = draw(w)
    assert len(lines) == 11
    assert all(line.entry_id == line.proposed_entry_id for line in lines)
    assert written(w)["Giải Khuyến khích"] == [6, 7, 8, 9]
    d = decision(w)
    assert d.status is DecisionStatus.DRAFT
    assert d.round_id == w.round.id
    assert d.proposed_at == NOW
    assert actions("award.lines_drawn")[0].after["round_id"] == w.round.id


def test_starting_again_replaces_the_draft_lines(awards_world):
    w = awards_world
    draw(w)
    deciding.change_line(
        w.organiser, line_of(w, w.tiers[0]), w.entries[11].id, "Hội đồng thống nhất", now=NOW
    )
    draw(w)
    assert written(w)["Giải Nhất"] == [0]
    assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 11
    second = actions("award.lines_drawn")[1]
    assert second.before["lines"][0][2] == w.entries[11].id


def test_no_lines_without_final_results(awards_world):
    w = awards_world
    w.round.results_final_at = None
    w.competition.rounds[0].results_final_at = None
    db.session.commit()
    with pytest.raises(DomainError, match="final results"):
        draw(w)
    assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 0


def test_no_lines_without_prizes(awards_world):
    w = awards_world
    db.session.execute(sa.delete(Prize))
    db.session.commit()
    with pytest.raises(DomainError, match="no prizes"):
        draw(w)


def test_an_organiser_of_another_unit_cannot_decide(awards_world, units):
    w = awards_world
    stranger = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    with pytest.raises(DomainError, match="Only the organisers"):
        deciding.start_from_proposal(stranger, w.competition, now=NOW)
    draw(w)
    with pytest.raises(DomainError, match="Only the organisers"):
        deciding.change_line(stranger, line_of(w, w.tiers[0]), None, "x", now=NOW)
    with pytest.raises(DomainError, match="Only the organisers"):
        deciding.finalise(stranger, w.competition, now=NOW)


# --- Changing a line -----------------------------------------------------------------------------


def test_a_change_from_the_proposal_needs_a_reason_and_is_audited(awards_world):
    w = awards_world
    draw(w)
    first = line_of(w, w.tiers[0])
    with pytest.raises(DomainError) as refused:
        deciding.change_line(w.organiser, first, w.entries[11].id, "  ", now=NOW)
    assert refused.value.field == "reason"
    deciding.change_line(
        w.organiser,
        first,
        w.entries[11].id,
        "Hồ sơ gốc của bài số 1 bị phát hiện sao chép",
        now=NOW,
    )
    assert written(w)["Giải Nhất"] == [11]
    row = actions("award.line_changed")[0]
    assert row.before == {"entry_id": w.entries[0].id, "reason": None}
    assert row.after["entry_id"] == w.entries[11].id
    assert row.after["reason"] == "Hồ sơ gốc của bài số 1 bị phát hiện sao chép"
    assert row.after["proposed_entry_id"] == w.entries[0].id


def test_a_line_may_be_left_ungiven_and_back_to_the_proposal_needs_no_reason(awards_world):
    w = awards_world
    draw(w)
    first = line_of(w, w.tiers[0])
    deciding.change_line(w.organiser, first, None, "Không đạt yêu cầu", now=NOW)
    assert written(w)["Giải Nhất"] == [None]
    deciding.change_line(w.organiser, line_of(w, w.tiers[0]), w.entries[0].id, "", now=NOW)
    line = line_of(w, w.tiers[0])
    assert (line.entry_id, line.change_reason) == (w.entries[0].id, None)
    # The same form again changes nothing and writes nothing.
    deciding.change_line(w.organiser, line, w.entries[0].id, "", now=NOW)
    assert len(actions("award.line_changed")) == 2


def test_the_same_entry_cannot_take_two_tier_lines(awards_world):
    w = awards_world
    draw(w)
    with pytest.raises(DomainError, match="already holds") as refused:
        deciding.change_line(w.organiser, line_of(w, w.tiers[0]), w.entries[1].id, "x", now=NOW)
    assert refused.value.field == "entry"


def test_an_entry_not_ranked_or_withdrawn_is_refused(awards_world):
    w = awards_world
    draw(w)
    set_rank(w, 11, None)
    with pytest.raises(DomainError, match="ranked in the round"):
        deciding.change_line(w.organiser, line_of(w, w.tiers[0]), w.entries[11].id, "x", now=NOW)
    w.entries[11].status = EntryStatus.WITHDRAWN
    set_rank(w, 11, 12)
    with pytest.raises(DomainError, match="ranked in the round"):
        deciding.change_line(w.organiser, line_of(w, w.tiers[0]), w.entries[11].id, "x", now=NOW)


def test_a_special_prize_goes_only_to_an_entry_that_qualifies(awards_world):
    w = awards_world
    draw(w)
    special = line_of(w, w.special)
    with pytest.raises(DomainError, match="does not meet the rule"):
        deciding.change_line(w.organiser, special, w.entries[10].id, "x", now=NOW)
    w.entries[10].ethnic_minority = True
    db.session.commit()
    deciding.change_line(w.organiser, special, w.entries[10].id, "Hội đồng đề xuất", now=NOW)
    assert written(w)[w.special.name] == [10]


def test_a_tier_winner_takes_a_special_prize_only_when_the_setting_allows(awards_world):
    w = awards_world
    draw(w)
    special = line_of(w, w.special)
    with pytest.raises(DomainError, match="cannot also take a special prize"):
        deciding.change_line(w.organiser, special, w.entries[2].id, "x", now=NOW)
    allow_special_with_tier(w)
    deciding.change_line(w.organiser, line_of(w, w.special), w.entries[2].id, "Được phép", now=NOW)
    assert written(w)[w.special.name] == [2]


def test_a_line_changed_meanwhile_is_not_overwritten(awards_world):
    w = awards_world
    draw(w)
    first = line_of(w, w.tiers[0])
    shown = first.entry_id
    deciding.change_line(w.organiser, first, None, "Người thứ nhất", now=NOW)
    with pytest.raises(deciding.DecisionConflict):
        deciding.change_line(
            w.second_organiser,
            line_of(w, w.tiers[0]),
            w.entries[11].id,
            "Người thứ hai",
            now=NOW,
            was=shown,
        )
    assert written(w)["Giải Nhất"] == [None]


def test_a_tie_line_needs_a_written_decision_before_finalising(awards_world):
    w = awards_world
    set_rank(w, 1, 1)
    draw(w)
    first = line_of(w, w.tiers[0])
    with pytest.raises(DomainError, match="both sides") as refused:
        deciding.change_line(w.organiser, first, first.entry_id, "", now=NOW)
    assert refused.value.field == "reason"
    with pytest.raises(DomainError, match="tied at a boundary"):
        finalise(w)
    deciding.change_line(w.organiser, first, first.entry_id, "Bốc thăm trước hội đồng", now=NOW)
    second = line_of(w, w.tiers[1])
    deciding.change_line(w.organiser, second, second.entry_id, "Bốc thăm trước hội đồng", now=NOW)
    finalise(w)
    assert decision(w).status is DecisionStatus.FINALISED


# --- Finalising, approving, withdrawing, reopening ----------------------------------------------


def test_finalising_locks_the_lines_and_copies_the_prizes(awards_world):
    w = awards_world
    w.competition.status = CompetitionStatus.JUDGING
    db.session.commit()
    draw(w)
    finalise(w)
    d = decision(w)
    assert (d.status, d.finalised_by_id, d.finalised_at) == (
        DecisionStatus.FINALISED,
        w.organiser.id,
        NOW,
    )
    first = line_of(w, w.tiers[0])
    assert (first.cash_value, first.in_kind) == (10_000_000, "Máy sấy nông sản")
    assert line_of(w, w.special).cash_value == 0  # not given
    assert w.competition.status is CompetitionStatus.RESULTS_FINAL
    assert actions("competition.status")[-1].after == {"status": "results_final"}
    assert actions("award.decision_finalised")
    with pytest.raises(deciding.DecisionConflict):
        deciding.change_line(w.organiser, line_of(w, w.tiers[0]), None, "x", now=NOW)


def test_finalising_refuses_lines_drawn_before_the_results_were_made_final_again(awards_world):
    w = awards_world
    draw(w)
    w.round.results_final_at = NOW + timedelta(hours=1)
    db.session.commit()
    with pytest.raises(DomainError, match="start again from the proposal"):
        finalise(w)


def test_the_finaliser_cannot_approve_her_own_decision(awards_world):
    w = awards_world
    draw(w)
    finalise(w)
    with pytest.raises(deciding.SamePerson, match="another organiser"):
        deciding.approve(w.organiser, w.competition, now=NOW)
    assert decision(w).status is DecisionStatus.FINALISED
    approve(w)
    d = decision(w)
    assert (d.status, d.approved_by_id) == (DecisionStatus.APPROVED, w.second_organiser.id)
    assert actions("award.decision_approved")[0].actor_id == w.second_organiser.id


def test_an_organiser_of_another_unit_cannot_approve(awards_world, units):
    w = awards_world
    draw(w)
    finalise(w)
    stranger = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    with pytest.raises(DomainError, match="Only the organisers"):
        deciding.approve(stranger, w.competition, now=NOW)


def test_nothing_to_approve_before_finalising(awards_world):
    w = awards_world
    draw(w)
    with pytest.raises(deciding.DecisionConflict, match="not been finalised"):
        approve(w)


def test_an_approval_can_be_withdrawn_before_publishing(awards_world):
    w = awards_world
    draw(w)
    finalise(w)
    approve(w)
    deciding.withdraw_approval(
        w.organiser, w.competition, reason="Cần kiểm tra lại hồ sơ bài số 3", now=NOW
    )
    d = decision(w)
    assert (d.status, d.approved_by_id, d.approved_at) == (DecisionStatus.FINALISED, None, None)
    row = actions("award.approval_withdrawn")[0]
    assert row.before["approved_by_id"] == w.second_organiser.id
    assert row.after["reason"] == "Cần kiểm tra lại hồ sơ bài số 3"
    with pytest.raises(deciding.DecisionConflict):
        deciding.withdraw_approval(w.organiser, w.competition, now=NOW)


def test_reopening_needs_a_reason_and_the_approval_withdrawn_first(awards_world):
    w = awards_world
    draw(w)
    finalise(w)
    approve(w)
    with pytest.raises(deciding.DecisionConflict, match="withdraw the approval"):
        deciding.reopen(w.organiser, w.competition, reason="Sửa", now=NOW)
    deciding.withdraw_approval(w.second_organiser, w.competition, now=NOW)
    with pytest.raises(DomainError) as refused:
        deciding.reopen(w.organiser, w.competition, reason=" ", now=NOW)
    assert refused.value.field == "reason"
    deciding.reopen(w.organiser, w.competition, reason="Sai sót ở giải Ba", now=NOW)
    d = decision(w)
    assert (d.status, d.finalised_by_id) == (DecisionStatus.DRAFT, None)
    assert actions("award.decision_reopened")[0].after["reason"] == "Sai sót ở giải Ba"
    # A line may change again; then someone finalises again and the other approves.
    deciding.change_line(w.organiser, line_of(w, w.tiers[2], 3), None, "Sai sót ở giải Ba", now=NOW)
    deciding.finalise(w.second_organiser, w.competition, now=NOW)
    deciding.approve(w.organiser, w.competition, now=NOW)
    assert decision(w).status is DecisionStatus.APPROVED


def test_a_double_click_finalises_once(awards_world):
    w = awards_world
    draw(w)
    shown = decision(w).version
    finalise(w, version=shown)
    with pytest.raises(deciding.DecisionConflict):
        finalise(w, version=shown)
    assert len(actions("award.decision_finalised")) == 1


def test_a_stale_page_cannot_approve_what_changed_meanwhile(awards_world):
    w = awards_world
    draw(w)
    finalise(w)
    shown = decision(w).version
    approve(w)
    deciding.withdraw_approval(w.organiser, w.competition, now=NOW)
    # The decision is finalised again, but not as the page showed it: refused.
    with pytest.raises(deciding.DecisionConflict, match="changed since"):
        approve(w, version=shown)
    assert decision(w).status is DecisionStatus.FINALISED


def test_a_line_change_makes_an_open_finalise_page_stale(awards_world):
    w = awards_world
    draw(w)
    shown = decision(w).version
    deciding.change_line(w.second_organiser, line_of(w, w.tiers[0]), None, "Không đạt", now=NOW)
    with pytest.raises(deciding.DecisionConflict):
        finalise(w, version=shown)
    assert decision(w).status is DecisionStatus.DRAFT


def test_results_cannot_be_reopened_once_the_prizes_are_decided(awards_world):
    w = awards_world
    draw(w)
    finalise(w)
    with pytest.raises(DomainError, match="prizes were decided"):
        judging_results.reopen(w.organiser, w.round, reason="Chấm lại", now=NOW)
    deciding.reopen(w.organiser, w.competition, reason="Chấm lại", now=NOW)
    judging_results.reopen(w.organiser, w.round, reason="Chấm lại", now=NOW)
    assert w.round.results_final_at is None


def test_results_are_no_longer_published_by_hand(awards_world):
    w = awards_world
    with pytest.raises(DomainError, match="cannot become"):
        competition_services.change_status(
            w.organiser, w.competition, CompetitionStatus.RESULTS_PUBLISHED
        )


# --- Publishing ----------------------------------------------------------------------------------


def approved(world):
    draw(world)
    finalise(world)
    approve(world)


def test_publishing_before_finalising_or_approving_is_refused(awards_world):
    w = awards_world
    with pytest.raises(deciding.DecisionConflict):
        publication.publish(w.organiser, w.competition, now=NOW)
    draw(w)
    with pytest.raises(deciding.DecisionConflict, match="finalised and then approved"):
        publication.publish(w.organiser, w.competition, now=NOW)
    finalise(w)
    with pytest.raises(deciding.DecisionConflict, match="finalised and then approved"):
        publication.publish(w.organiser, w.competition, now=NOW)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
    assert w.competition.status is CompetitionStatus.RESULTS_FINAL
    assert all(line.certificate_code is None for line in common.decision_awards(w.competition))


def test_publishing_issues_certificates_awards_entries_and_makes_projects(awards_world):
    w = awards_world
    allow_special_with_tier(w)  # entry 2 takes a second prize and the special prize
    approved(w)
    done = publication.publish(w.organiser, w.competition, now=NOW)
    assert (done.certificates, done.winners) == (11, 10)
    lines = common.decision_awards(w.competition)
    codes = [line.certificate_code for line in lines]
    assert all(codes) and len(set(codes)) == 11
    assert all(line.issued_at == NOW for line in lines)
    assert [e.status for e in w.entries[:10]] == [EntryStatus.AWARDED] * 10
    assert w.entries[10].status is EntryStatus.ADVANCED
    assert len(actions("entry.status")) == 10
    assert db.session.scalar(sa.select(sa.func.count(SupportedProject.id))) == 10
    assert w.competition.status is CompetitionStatus.RESULTS_PUBLISHED
    assert actions("competition.status")[-1].after == {"status": "results_published"}
    d = decision(w)
    assert (d.status, d.published_by_id, d.published_at) == (
        DecisionStatus.PUBLISHED,
        w.organiser.id,
        NOW,
    )
    assert common.is_published(w.competition)


def test_a_double_click_publishes_once(awards_world):
    w = awards_world
    approved(w)
    shown = decision(w).version
    publication.publish(w.organiser, w.competition, now=NOW, version=shown)
    with pytest.raises(deciding.DecisionConflict):
        publication.publish(w.organiser, w.competition, now=NOW, version=shown)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 12


def add_sheet(
    world, entry, judge, round_, feedback, *, status=SheetStatus.SUBMITTED, recused=False
):
    assignment = Assignment(
        round_id=round_.id,
        entry_id=entry.id,
        judge_id=judge.id,
        source=AssignmentSource.MANUAL,
        created_by_id=world.organiser.id,
        recused_at=NOW if recused else None,
    )
    db.session.add(assignment)
    db.session.flush()
    db.session.add(
        ScoreSheet(
            assignment_id=assignment.id,
            round_id=round_.id,
            status=status,
            feedback=feedback,
            submitted_at=NOW if status is SheetStatus.SUBMITTED else None,
        )
    )
    db.session.commit()


def test_every_applicant_is_told_once_in_her_language(awards_world):
    w = awards_world
    w.applicants[1].language = "en"  # a second prize, read in English
    w.applicants[10].language = "en"  # no prize, read in English
    db.session.commit()
    approved(w)
    publication.publish(w.organiser, w.competition, now=NOW)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 12

    [first] = mails_to(w.applicants[0].email)
    assert first.template == "award_won"
    assert "Lò Thị Hương" in first.body_text
    assert "Giải Nhất" in first.body_text
    assert format_vnd(10_000_000, "vi") in first.body_text
    assert "Máy sấy nông sản" in first.body_text
    assert link_in(first, "/competitions/").endswith(f"/competitions/{w.competition.id}/results")

    [second] = mails_to(w.applicants[1].email)
    assert second.template == "award_won"
    assert second.subject.startswith("Congratulations")
    assert format_vnd(5_000_000, "en") in second.body_text
    assert "Giải Nhì" in second.body_text

    [other] = mails_to(w.applicants[10].email)
    assert other.template == "award_not_won"
    assert "did not win a prize this time" in other.body_text
    assert "What the judges wrote" not in other.body_text  # no judge left any


def test_the_others_get_the_judges_feedback_without_their_names(awards_world):
    w = awards_world
    judge, recused_judge = (
        UserFactory(roles=[Role.JUDGE], full_name=n) for n in ("Bà Giám Khảo", "Ông Rút Lui")
    )
    first_round = w.competition.rounds[0]
    entry = w.entries[10]
    add_sheet(w, entry, judge, first_round, "Ý tưởng hay, cần làm rõ thị trường tiêu thụ.")
    add_sheet(w, entry, judge, w.round, "Nên liên kết với hợp tác xã địa phương.")
    add_sheet(w, entry, recused_judge, w.round, "KHÔNG ĐƯỢC GỬI: đã rút", recused=True)
    other_judge = UserFactory(roles=[Role.JUDGE])
    add_sheet(w, entry, other_judge, first_round, "KHÔNG ĐƯỢC GỬI: nháp", status=SheetStatus.DRAFT)
    add_sheet(w, entry, UserFactory(roles=[Role.JUDGE]), first_round, "   ")
    approved(w)
    publication.publish(w.organiser, w.competition, now=NOW)
    [mail] = mails_to(w.applicants[10].email)
    assert mail.template == "award_not_won"
    text = mail.body_text
    assert "Ý tưởng hay, cần làm rõ thị trường tiêu thụ." in text
    assert "Nên liên kết với hợp tác xã địa phương." in text
    assert text.index("Ý tưởng hay") < text.index("Nên liên kết")  # in round order
    assert "KHÔNG ĐƯỢC GỬI" not in text
    assert "Bà Giám Khảo" not in text and "Ông Rút Lui" not in text
    assert "Ý tưởng hay" in mail.body_html
    # The winners' mails carry no feedback section.
    assert "judges" not in mails_to(w.applicants[0].email)[0].body_text.lower()


def test_feedback_in_a_mail_is_escaped(awards_world):
    w = awards_world
    add_sheet(w, w.entries[11], UserFactory(roles=[Role.JUDGE]), w.round, "<script>x()</script>")
    approved(w)
    publication.publish(w.organiser, w.competition, now=NOW)
    [mail] = mails_to(w.applicants[11].email)
    assert "<script>" not in mail.body_html
    assert "&lt;script&gt;" in mail.body_html


def test_an_applicant_with_two_entries_gets_one_mail(awards_world):
    w = awards_world
    w.entries[11].applicant_id = w.applicants[0].id  # her second idea, without a prize
    db.session.commit()
    approved(w)
    publication.publish(w.organiser, w.competition, now=NOW)
    [mail] = mails_to(w.applicants[0].email)
    assert mail.template == "award_won"
    assert w.entries[0].title in mail.body_text and w.entries[11].title in mail.body_text
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 11


def test_the_publish_page_counts_winners_and_others(awards_world):
    w = awards_world
    approved(w)
    audience = publication.preview_audience(w.competition)
    assert (audience.winners, audience.others) == (10, 2)


def test_an_entry_withdrawn_since_the_lines_were_drawn_stops_publication(awards_world):
    w = awards_world
    approved(w)
    w.entries[0].status = EntryStatus.WITHDRAWN
    db.session.commit()
    with pytest.raises(DomainError, match="withdrawn or found not eligible") as refused:
        publication.publish(w.organiser, w.competition, now=NOW)
    assert w.entries[0].reference in refused.value.message
    assert decision(w).status is DecisionStatus.APPROVED
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


# --- After the review: who approves, rules changed after drawing, the competition's status --------


def test_an_admin_who_is_not_an_organiser_of_the_unit_cannot_approve(awards_world):
    w = awards_world
    draw(w)
    finalise(w)
    admin = UserFactory(roles=[Role.ADMIN])
    with pytest.raises(deciding.SamePerson, match="Only an organiser of Điện Biên"):
        deciding.approve(admin, w.competition, now=NOW)
    assert decision(w).status is DecisionStatus.FINALISED


def test_finalising_checks_the_lines_against_the_prizes_as_they_are_now(awards_world):
    w = awards_world
    allow_special_with_tier(w)  # entry 2 takes a second prize and the special prize
    draw(w)
    allow_special_with_tier(w, False)  # then the setting is turned off
    with pytest.raises(DomainError, match="Change the line before going on"):
        finalise(w)
    assert decision(w).status is DecisionStatus.DRAFT


def test_a_special_prize_whose_rule_changed_cannot_be_finalised(awards_world):
    w = awards_world
    allow_special_with_tier(w)  # entry 2 (handicrafts) takes the special prize
    draw(w)
    assert line_of(w, w.special).entry_id == w.entries[2].id
    w.special.rule = {"category_codes": ["digital_economy"], "ethnic_minority": True}
    db.session.commit()
    with pytest.raises(DomainError, match=w.special.name):
        finalise(w)


def test_results_taken_back_to_judging_cannot_be_published(awards_world):
    w = awards_world
    approved(w)
    w.competition.status = CompetitionStatus.JUDGING
    db.session.commit()
    with pytest.raises(deciding.DecisionConflict, match="must be final to be published"):
        publication.publish(w.organiser, w.competition, now=NOW)
    assert decision(w).status is DecisionStatus.APPROVED
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
