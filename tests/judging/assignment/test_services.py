"""Assignment services: solver inputs, proposals, confirmation races, manual changes, recusals."""

from collections import Counter

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.auth.models import Role, RoleGrant, User
from portal.competitions.models import CompetitionStatus
from portal.core.errors import DomainError
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus, TeamMember
from portal.extensions import db
from portal.judging.assignment import services as assigning
from portal.judging.models import Assignment, AssignmentSource, CompetitionJudge
from tests.factories import UserFactory, make_judging

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture(autouse=True)
def english(app):
    with force_locale("en"):
        yield


def row_of(judge) -> CompetitionJudge:
    return db.session.scalar(
        sa.select(CompetitionJudge).where(CompetitionJudge.user_id == judge.id)
    )


def active(round_) -> list[Assignment]:
    return list(
        db.session.scalars(
            sa.select(Assignment).where(
                Assignment.round_id == round_.id, Assignment.recused_at.is_(None)
            )
        )
    )


def test_conflicts_are_resolved_from_names_emails_teams_communes_and_organisations(judging, units):
    first, second, third = judging.entries[:3]
    member = UserFactory(full_name="Vàng Thị Mỷ")
    first.team_members.append(TeamMember(position=0, name="Vàng Thị Mỷ", user_id=member.id))
    second.organisation = "HTX Chè Shan"
    row = row_of(judging.judges[0])
    row.conflict_people = f"  vang thi my \n{judging.applicants[2].email.upper()}\nnobody"
    row.conflict_organisations = "htx  chè shan"
    row.conflict_commune_ids = [units["dien_bien_phu"].id]
    row.expertise = [judging.competition.categories[0].id]
    db.session.commit()
    data = assigning.load_round(judging.round)
    judge = data.judge_inputs[judging.judges[0].id]
    assert judge.conflict_person_ids == {first.applicant_id, third.applicant_id}
    assert data.to_judge[first.id].person_ids == {first.applicant_id, member.id}
    assert data.to_judge[second.id].organisations == {"HTX Chè Shan"}
    assert judge.expertise == {str(judging.competition.categories[0].id)}
    assert data.to_judge[first.id].category == str(first.category_id)


def test_a_proposal_then_confirm_writes_assignments_and_starts_judging(units):
    world = make_judging(units, entries=6, judges=4, status="closed")
    proposal = assigning.propose(world.organiser, world.round)
    assert proposal.plan is not None and len(proposal.plan.new) == 18
    assert not active(world.round)  # nothing written yet
    made = assigning.confirm(world.organiser, world.round, proposal.version, proposal.fingerprint)
    assert made == 18
    rows = active(world.round)
    assert {a.source for a in rows} == {AssignmentSource.AUTOMATIC}
    loads = [sum(a.judge_id == j.id for a in rows) for j in world.judges]
    assert max(loads) - min(loads) <= 1
    for entry in world.entries:
        db.session.refresh(entry)
        assert entry.status is EntryStatus.IN_JUDGING
    db.session.refresh(world.competition)
    assert world.competition.status is CompetitionStatus.JUDGING
    assert world.round.assignment_version == proposal.version + 1


def test_two_organisers_confirming_at_once_get_one_result(judging, units):
    other = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    first = assigning.propose(judging.organiser, judging.round)
    second = assigning.propose(other, judging.round)
    assigning.confirm(judging.organiser, judging.round, first.version, first.fingerprint)
    with pytest.raises(assigning.StaleProposal):
        assigning.confirm(other, judging.round, second.version, second.fingerprint)
    assert len(active(judging.round)) == 18


def test_a_proposal_whose_inputs_changed_is_refused(judging):
    proposal = assigning.propose(judging.organiser, judging.round)
    row = row_of(judging.judges[0])
    row.conflict_people = judging.applicants[0].email
    db.session.commit()
    shown = assigning.propose(judging.organiser, judging.round)
    if shown.fingerprint == proposal.fingerprint:
        pytest.skip("the declaration did not change the plan")
    with pytest.raises(assigning.StaleProposal):
        assigning.confirm(judging.organiser, judging.round, proposal.version, proposal.fingerprint)
    assert not active(judging.round)
    db.session.refresh(judging.round)
    assert judging.round.assignment_version == 0


def test_impossible_plans_are_worded_per_entry(judging):
    judging.round.judges_per_entry = 4
    row = row_of(judging.judges[0])
    row.conflict_people = judging.applicants[0].full_name
    db.session.commit()
    proposal = assigning.propose(judging.organiser, judging.round)
    assert proposal.plan is None
    assert proposal.problems == [
        f"entry {judging.entries[0].reference}: only 3 judges without a conflict, 4 needed"
    ]


def test_manual_changes_check_conflicts_and_raise_the_version(judging):
    entry = judging.entries[0]
    first, second, third = judging.judges[:3]
    added = assigning.add_assignment(judging.organiser, judging.round, entry.id, first.id)
    assert added.source is AssignmentSource.MANUAL
    db.session.refresh(entry)
    assert entry.status is EntryStatus.IN_JUDGING
    with pytest.raises(DomainError, match="already judges"):
        assigning.add_assignment(judging.organiser, judging.round, entry.id, first.id)
    row_of(second).conflict_people = judging.applicants[0].email
    db.session.commit()
    with pytest.raises(DomainError, match="conflict"):
        assigning.add_assignment(judging.organiser, judging.round, entry.id, second.id)
    replaced = assigning.replace_assignment(judging.organiser, added, third.id)
    assert replaced.judge_id == third.id
    assigning.remove_assignment(judging.organiser, replaced)
    assert not active(judging.round)
    db.session.refresh(judging.round)
    assert judging.round.assignment_version == 3


def test_a_recused_judge_is_replaced_by_another_and_never_again_given_the_entry(judging):
    proposal = assigning.propose(judging.organiser, judging.round)
    assigning.confirm(judging.organiser, judging.round, proposal.version, proposal.fingerprint)
    entry = judging.entries[0]
    recused = next(a for a in active(judging.round) if a.entry_id == entry.id)
    recused.recused_at = utcnow()
    recused.recusal_reason = "my cousin"
    db.session.commit()
    with pytest.raises(DomainError, match="recusal"):
        assigning.remove_assignment(judging.organiser, recused)
    [new] = assigning.find_replacement(judging.organiser, recused)
    judges_now = {a.judge_id for a in active(judging.round) if a.entry_id == entry.id}
    assert len(judges_now) == 3 and recused.judge_id not in judges_now
    assert new.judge_id in judges_now
    with pytest.raises(DomainError, match="already has all"):
        assigning.find_replacement(judging.organiser, recused)
    # A new proposal keeps everything and never gives her the entry again.
    again = assigning.propose(judging.organiser, judging.round)
    assert again.plan.new == ()


def test_assignments_wait_until_entries_are_closed(units):
    world = make_judging(units, status="open")
    with pytest.raises(DomainError, match="closed"):
        assigning.propose(world.organiser, world.round)


def big_round(units, entries: int, judges: int):
    """A round with many entries, written in bulk (the factories hash a password per person)."""
    world = make_judging(units, entries=0, judges=judges)
    now = utcnow()
    db.session.execute(
        sa.insert(User),
        [
            {
                "email": f"ung.vien{n}@example.vn",
                "full_name": f"Ứng Viên {n}",
                "session_token": f"t{n}",
            }
            for n in range(entries)
        ],
    )
    ids = db.session.scalars(
        sa.select(User.id).where(User.email.like("ung.vien%")).order_by(User.id)
    ).all()
    categories = world.competition.categories
    communes = [units["muong_phang"].id, units["dien_bien_phu"].id, None]
    db.session.execute(
        sa.insert(Entry),
        [
            {
                "competition_id": world.competition.id,
                "applicant_id": uid,
                "category_id": categories[n % len(categories)].id,
                "status": EntryStatus.ELIGIBLE,
                "reference": f"DB-2026-{n + 1:04d}",
                "title": f"Ý tưởng {n}",
                "commune_id": communes[n % 3],
                "organisation": f"HTX {n % 40}" if n % 5 == 0 else "",
                "submitted_at": now,
            }
            for n, uid in enumerate(ids)
        ],
    )
    for n, judge in enumerate(world.judges):
        row = row_of(judge)
        row.expertise = [categories[n % len(categories)].id]
        if n % 10 == 0:
            row.conflict_commune_ids = [units["muong_phang"].id]
            row.conflict_organisations = f"HTX {n % 40}"
    db.session.commit()
    return world


def test_two_thousand_entries_and_sixty_judges_are_assigned_evenly(units):
    # The time it takes is measured by tests/benchmarks/bench_assignment.py, not asserted here.
    world = big_round(units, 2000, 60)
    proposal = assigning.propose(world.organiser, world.round)
    assigning.confirm(world.organiser, world.round, proposal.version, proposal.fingerprint)
    assignments = active(world.round)
    assert len(assignments) == 6000
    loads = Counter(a.judge_id for a in assignments)
    assert set(loads.values()) == {100}


def test_a_judge_who_became_an_organiser_is_not_assigned_in_a_blind_round(judging, units):
    """She sees every name: kept off the blind round, though still on the panel."""
    judge = judging.judges[0]
    judge.roles.append(RoleGrant(role=Role.ORGANISER, unit_id=units["dien_bien"].id))
    db.session.commit()
    assert judging.round.blind
    assert judge.id not in assigning.load_round(judging.round).assignable
    judging.round.blind = False
    db.session.commit()
    assert judge.id in assigning.load_round(judging.round).assignable


def test_a_recusal_needs_a_replacement_until_the_entry_has_its_judges_again():
    from types import SimpleNamespace

    from portal.judging.assignment.services import RoundData

    def assignment(entry_id, judge_id, recused=False):
        return SimpleNamespace(
            entry_id=entry_id, judge_id=judge_id, recused_at=1 if recused else None
        )

    recusal = assignment(1, 10, recused=True)
    data = RoundData(
        round=SimpleNamespace(judges_per_entry=2),
        entries=[],
        judges={},
        assignable={},
        users={},
        assignments=[recusal, assignment(1, 11), assignment(2, 10), assignment(2, 12)],
    )
    assert data.needs_replacement(recusal)
    data.assignments.append(assignment(1, 12))  # another judge given the entry
    assert not data.needs_replacement(recusal)
