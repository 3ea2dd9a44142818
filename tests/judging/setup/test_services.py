"""Rubric, round settings and the competition's judges (portal.judging.setup.services)."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.auth import services as auth_services
from portal.auth.models import Invitation, Role
from portal.core.audit import AuditLog
from portal.core.errors import DomainError
from portal.core.time import utcnow
from portal.extensions import db
from portal.judging.common import criteria_of
from portal.judging.models import Assignment, AssignmentSource, CompetitionJudge
from portal.judging.setup import services as setup
from tests.conftest import link_in, mails_to
from tests.factories import UserFactory

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture(autouse=True)
def english(app):
    with force_locale("en"):
        yield


def rubric(*items):
    return [setup.CriterionData(*item) for item in items]


def test_the_rubric_is_replaced_in_order_keeping_default_labels_translatable(judging):
    criteria = criteria_of(judging.round)
    items = [
        setup.CriterionData(c.code, c.display_label, c.display_description, c.max_points, c.weight)
        for c in criteria
    ]
    items[0].weight = 2.0
    items = [items[1], items[0], setup.CriterionData("local", "Local identity", "", 10, 0.5)]
    setup.save_rubric(judging.organiser, judging.round, items)
    saved = criteria_of(judging.round)
    assert [c.code for c in saved] == ["feasibility", "creativity", "local"]
    assert saved[1].weight == 2.0 and saved[1].label == ""  # still the translated default
    assert saved[2].display_label == "Local identity"
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "rubric.saved"))


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "at least one"),
        ([("Bad Code", "x", "", 10, 1)], "lower-case"),
        ([("a", "A", "", 10, 1), ("a", "B", "", 10, 1)], "used twice"),
        ([("a", "A", "", 0, 1)], "maximum"),
        ([("a", "A", "", 10, 0)], "weight"),
        ([("a", "", "", 10, 1)], "label"),
    ],
)
def test_a_rubric_that_cannot_be_scored_is_refused(judging, items, message):
    with pytest.raises(DomainError) as refused:
        setup.save_rubric(judging.organiser, judging.round, rubric(*items))
    assert message in refused.value.message
    assert len(criteria_of(judging.round)) == 6


def test_the_rubric_and_settings_are_fixed_once_scoring_started(judging):
    judging.round.scoring_started_at = utcnow()
    db.session.commit()
    with pytest.raises(DomainError, match="started"):
        setup.save_rubric(judging.organiser, judging.round, rubric(("a", "A", "", 10, 1)))
    with pytest.raises(DomainError, match="started"):
        setup.save_round_settings(
            judging.organiser, judging.round, setup.RoundSettingsData(2, False, "raw")
        )


def test_round_settings_are_saved_and_audited(judging):
    deadline = judging.round.closes_at.replace(year=judging.round.closes_at.year + 1)
    data = setup.RoundSettingsData(2, False, "raw", ["team", "creativity"], 15.0, deadline)
    setup.save_round_settings(judging.organiser, judging.round, data)
    round_ = judging.round
    assert (round_.judges_per_entry, round_.blind, round_.rank_by) == (2, False, "raw")
    assert round_.tie_break == ["team", "creativity"]
    assert round_.scoring_closes_at == deadline
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "round.judging_settings"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (setup.RoundSettingsData(0, True, "raw"), "judges_per_entry"),
        (setup.RoundSettingsData(3, True, "median"), "rank_by"),
        (setup.RoundSettingsData(3, True, "raw", ["nope"]), "tie_break"),
        (setup.RoundSettingsData(3, True, "raw", ["team", "team"]), "tie_break"),
        (setup.RoundSettingsData(3, True, "raw", [], 0), "disagreement_threshold"),
    ],
)
def test_bad_settings_are_refused_on_their_field(judging, data, field):
    with pytest.raises(DomainError) as refused:
        setup.save_round_settings(judging.organiser, judging.round, data)
    assert refused.value.field == field


def test_removing_a_criterion_drops_it_from_the_tie_break(judging):
    judging.round.tie_break = ["team", "creativity"]
    db.session.commit()
    setup.save_rubric(judging.organiser, judging.round, rubric(("team", "", "", 15, 1)))
    assert judging.round.tie_break == ["team"]


def test_an_organiser_of_another_province_cannot_change_the_rubric(judging, units):
    other = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    with pytest.raises(DomainError):
        setup.save_rubric(other, judging.round, rubric(("a", "A", "", 10, 1)))


def test_a_judge_with_an_account_is_linked_given_the_role_and_told(judging):
    person = UserFactory(email="chi.lan@example.vn", language="en")
    row = setup.add_judge(
        judging.organiser, judging.competition, " Chi.Lan@Example.vn ", language="vi"
    )
    assert row.user_id == person.id
    db.session.refresh(person)
    assert person.has_role(Role.JUDGE)
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "role.granted"))
    [mail] = mails_to("chi.lan@example.vn")
    assert judging.competition.title in mail.subject
    with pytest.raises(DomainError, match="already"):
        setup.add_judge(judging.organiser, judging.competition, "chi.lan@example.vn", language="vi")


def test_a_judge_without_an_account_is_invited_and_linked_when_she_has_one(judging):
    row = setup.add_judge(judging.organiser, judging.competition, "moi@example.vn", language="vi")
    assert row.user_id is None
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.email == "moi@example.vn")
    )
    assert invitation.role is Role.JUDGE and invitation.unit_id == judging.competition.unit_id
    assert len(mails_to("moi@example.vn")) == 1
    # She takes up the invitation: the account made is the judge's (auth tells judging).
    token = link_in(mails_to("moi@example.vn")[-1], "/invitations/accept/").rsplit("/", 1)[1]
    person = auth_services.accept_invitation(
        token, user=None, full_name="Lò Thị Mới", password="mat-khau-2026"
    )
    assert db.session.get(CompetitionJudge, row.id).user_id == person.id


def test_a_judge_invited_before_she_registered_is_linked_to_her_new_account(judging):
    row = setup.add_judge(
        judging.organiser, judging.competition, "Tu.Dang@example.vn", language="vi"
    )
    person = auth_services.register_applicant(
        email="tu.dang@example.vn",
        password="mat-khau-2026",
        full_name="Đặng Thị Tú",
        phone=None,
        language="vi",
        ip=None,
    )
    assert db.session.get(CompetitionJudge, row.id).user_id == person.id


def test_a_bad_address_is_refused(judging):
    with pytest.raises(DomainError) as refused:
        setup.add_judge(judging.organiser, judging.competition, "not an address", language="vi")
    assert refused.value.field == "email"


def _assign(judging, judge, entry):
    assignment = Assignment(
        round_id=judging.round.id,
        entry_id=entry.id,
        judge_id=judge.id,
        source=AssignmentSource.MANUAL,
        created_by_id=judging.organiser.id,
    )
    db.session.add(assignment)
    db.session.commit()
    return assignment


def test_removing_a_judge_takes_her_assignments_and_raises_the_version(judging):
    judge = judging.judges[0]
    _assign(judging, judge, judging.entries[0])
    row = db.session.scalar(sa.select(CompetitionJudge).where(CompetitionJudge.user_id == judge.id))
    setup.remove_judge(judging.organiser, row)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
    db.session.refresh(judging.round)
    assert judging.round.assignment_version == 1


def test_a_judge_with_a_submitted_sheet_stays(judging):
    from portal.judging.models import ScoreSheet, SheetStatus

    judge = judging.judges[0]
    assignment = _assign(judging, judge, judging.entries[0])
    db.session.add(
        ScoreSheet(
            assignment_id=assignment.id, round_id=judging.round.id, status=SheetStatus.SUBMITTED
        )
    )
    db.session.commit()
    row = db.session.scalar(sa.select(CompetitionJudge).where(CompetitionJudge.user_id == judge.id))
    with pytest.raises(DomainError, match="submitted"):
        setup.remove_judge(judging.organiser, row)


def test_the_panel_shows_declarations_and_loads(judging, units):
    judge = judging.judges[0]
    row = db.session.scalar(sa.select(CompetitionJudge).where(CompetitionJudge.user_id == judge.id))
    row.expertise = [judging.competition.categories[0].id]
    row.conflict_commune_ids = [units["muong_phang"].id]
    row.conflict_people = "Lò Văn A\n\n"
    row.conflict_organisations = "HTX Mường Phăng"
    db.session.commit()
    _assign(judging, judge, judging.entries[1])
    rows = {r.judge.user_id: r for r in setup.judge_rows(judging.competition)}
    mine = rows[judge.id]
    assert mine.expertise == [judging.competition.categories[0].name]
    assert mine.conflict_communes == ["Xã Mường Phăng"]
    assert mine.conflict_people == ["Lò Văn A"]
    assert mine.loads == {judging.round.id: 1}
    assert mine.assignable
