"""The organisers' judging pages: rubric, settings, judges panel, proposal and confirmation."""

import re

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus, TeamMember
from portal.extensions import db
from portal.judging.common import criteria_of
from portal.judging.models import Assignment, CompetitionJudge
from tests.admin.test_views import count_queries
from tests.conftest import login, mails_to
from tests.factories import UserFactory, make_judging

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def organiser_client(client, judging):
    judging.organiser.language = "en"
    db.session.commit()
    login(client, judging.organiser)
    return client


def rubric_form(judging, **changes) -> dict:
    data = {}
    for n, c in enumerate(criteria_of(judging.round)):
        data.update(
            {
                f"criteria-{n}-code": c.code,
                f"criteria-{n}-label": c.display_label,
                f"criteria-{n}-description": c.display_description,
                f"criteria-{n}-max_points": str(c.max_points),
                f"criteria-{n}-weight": str(c.weight),
                f"criteria-{n}-order": str((n + 1) * 10),
            }
        )
    data.update(changes)
    return data


def test_the_overview_links_everything(organiser_client, judging):
    page = text(organiser_client.get(f"/judging/rounds/{judging.round.id}"))
    for url in (
        f"/judging/rounds/{judging.round.id}/rubric",
        f"/judging/rounds/{judging.round.id}/settings",
        f"/judging/rounds/{judging.round.id}/assignments",
        f"/judging/competitions/{judging.competition.id}/judges",
        f"/judging/rounds/{judging.round.id}/results",
    ):
        assert url in page
    detail = text(organiser_client.get(f"/competitions/{judging.competition.id}"))
    assert f"/judging/rounds/{judging.round.id}" in detail
    assert f"/judging/rounds/{judging.final.id}" in detail


def test_an_organiser_changes_a_weight_and_reorders(organiser_client, judging):
    url = f"/judging/rounds/{judging.round.id}/rubric"
    assert organiser_client.get(url).status_code == 200
    data = rubric_form(judging, **{"criteria-0-weight": "2.5", "criteria-0-order": "100"})
    response = organiser_client.post_form(url, data)
    assert response.status_code == 302
    db.session.expire_all()
    criteria = criteria_of(judging.round)
    assert criteria[-1].code == "creativity" and criteria[-1].weight == 2.5


def test_a_bad_rubric_comes_back_with_what_was_typed(organiser_client, judging):
    url = f"/judging/rounds/{judging.round.id}/rubric"
    data = rubric_form(judging, **{"criteria-1-code": "creativity", "criteria-2-label": "Tôi gõ"})
    response = organiser_client.post_form(url, data)
    assert response.status_code == 422
    assert "used twice" in text(response) and "Tôi gõ" in text(response)
    response = organiser_client.post_form(url, rubric_form(judging, **{"criteria-0-weight": "abc"}))
    assert response.status_code == 422


def test_adding_and_removing_criteria(organiser_client, judging):
    url = f"/judging/rounds/{judging.round.id}/rubric"
    response = organiser_client.post_form(url, rubric_form(judging, add="1"))
    assert response.status_code == 200 and 'name="criteria-6-code"' in text(response)
    data = rubric_form(
        judging,
        **{
            "criteria-5-remove": "y",
            "criteria-6-code": "local",
            "criteria-6-label": "Bản sắc",
            "criteria-6-max_points": "10",
            "criteria-6-weight": "1",
        },
    )
    assert organiser_client.post_form(url, data).status_code == 302
    db.session.expire_all()
    assert [c.code for c in criteria_of(judging.round)][-2:] == ["social_impact", "local"]


def test_a_locked_rubric_is_read_only_with_the_reason(organiser_client, judging):
    judging.round.scoring_started_at = utcnow()
    db.session.commit()
    url = f"/judging/rounds/{judging.round.id}/rubric"
    page = text(organiser_client.get(url))
    assert "no longer be changed" in page and 'name="criteria-0-code"' not in page
    assert organiser_client.post_form(url, rubric_form(judging)).status_code == 409
    assert (
        organiser_client.post_form(f"/judging/rounds/{judging.round.id}/settings", {}).status_code
        == 409
    )


def test_a_scoring_deadline_in_year_one_is_a_message(organiser_client, judging):
    url = f"/judging/rounds/{judging.round.id}/settings"
    data = {
        "judges_per_entry": "2",
        "blind": "open",
        "rank_by": "raw",
        "tie_break-0": "team",
        "disagreement_threshold": "15",
        "scoring_closes_at": "0001-01-01T00:00",
    }
    response = organiser_client.post_form(url, data)
    assert response.status_code == 422
    assert "Enter a date and time in the years 2000 to 2199." in text(response)


def test_settings_are_entered_in_vietnam_time(organiser_client, judging):
    url = f"/judging/rounds/{judging.round.id}/settings"
    assert organiser_client.get(url).status_code == 200
    year = judging.round.closes_at.year + 1
    data = {
        "judges_per_entry": "2",
        "blind": "open",
        "rank_by": "raw",
        "tie_break-0": "team",
        "tie_break-1": "",
        "disagreement_threshold": "15",
        "scoring_closes_at": f"{year}-01-10T17:00",
    }
    assert organiser_client.post_form(url, data).status_code == 302
    db.session.refresh(judging.round)
    assert judging.round.judges_per_entry == 2 and not judging.round.blind
    assert judging.round.tie_break == ["team"]
    assert judging.round.scoring_closes_at.hour == 10  # 17:00 in Vietnam
    bad = dict(data, judges_per_entry="zero", disagreement_threshold="-1")
    response = organiser_client.post_form(url, bad)
    assert response.status_code == 422 and 'value="zero"' in text(response)


def test_the_judges_panel_adds_and_removes(organiser_client, judging):
    url = f"/judging/competitions/{judging.competition.id}/judges"
    assert judging.judges[0].full_name in text(organiser_client.get(url))
    response = organiser_client.post_form(url, {"email": "moi.gk@example.vn"})
    assert response.status_code == 302
    assert len(mails_to("moi.gk@example.vn")) == 1
    assert "moi.gk@example.vn" in text(organiser_client.get(url))
    response = organiser_client.post_form(url, {"email": "<b>nope"})
    assert response.status_code == 422 and "&lt;b&gt;nope" in text(response)
    row = db.session.scalar(
        sa.select(CompetitionJudge).where(CompetitionJudge.email == "moi.gk@example.vn")
    )
    response = organiser_client.post_form(f"{url}/{row.id}/remove")
    assert response.status_code == 302
    assert not db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CompetitionJudge)
        .where(CompetitionJudge.id == row.id)
    )


def test_propose_shows_the_table_then_confirm_writes_it(organiser_client, judging):
    base = f"/judging/rounds/{judging.round.id}/assignments"
    assert organiser_client.get(base).status_code == 200
    response = organiser_client.post_form(f"{base}/propose")
    page = text(response)
    assert response.status_code == 200
    assert judging.entries[0].reference in page and "Confirm these assignments" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="(\w+)"', page).group(1)
    form = {"version": version, "fingerprint": fingerprint}
    response = organiser_client.post_form(f"{base}/confirm", form)
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 18
    # The same form again (a second organiser, a double click): refused, a fresh proposal shown.
    again = organiser_client.post_form(f"{base}/confirm", form)
    assert again.status_code == 409 and "changed since this proposal" in text(again)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 18


def test_manual_forms_on_the_assignments_page(organiser_client, judging):
    base = f"/judging/rounds/{judging.round.id}"
    entry, judge = judging.entries[0], judging.judges[0]
    response = organiser_client.post_form(
        f"{base}/assignments/add", {"entry": entry.id, "judge": judge.id}
    )
    assert response.status_code == 302
    assignment = db.session.scalar(sa.select(Assignment))
    response = organiser_client.post_form(
        f"/judging/assignments/{assignment.id}/replace", {"judge": judging.judges[1].id}
    )
    assert response.status_code == 302
    db.session.expire_all()
    replaced = db.session.scalar(sa.select(Assignment))
    assert replaced.judge_id == judging.judges[1].id
    bad = organiser_client.post_form(f"/judging/assignments/{replaced.id}/replace", {"judge": "x"})
    assert bad.status_code == 422
    again = organiser_client.post_form(
        f"{base}/assignments/add", {"entry": entry.id, "judge": judging.judges[1].id}
    )
    assert again.status_code == 422 and "already judges" in text(again)
    assert (
        organiser_client.post_form(f"/judging/assignments/{replaced.id}/remove").status_code == 302
    )


def test_a_recusal_is_shown_with_a_replacement_action(organiser_client, judging):
    base = f"/judging/rounds/{judging.round.id}"
    page = text(organiser_client.post_form(f"{base}/assignments/propose"))
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="(\w+)"', page).group(1)
    organiser_client.post_form(
        f"{base}/assignments/confirm", {"version": version, "fingerprint": fingerprint}
    )
    recused = db.session.scalar(sa.select(Assignment).order_by(Assignment.id))
    recused.recused_at = utcnow()
    db.session.commit()
    page = text(organiser_client.get(base))
    assert "Find a replacement" in page
    response = organiser_client.post_form(f"/judging/assignments/{recused.id}/replacement")
    assert response.status_code == 302
    assert "Replaced" in text(organiser_client.get(base))


def grow(world, entries: int, judges: int, start: int = 500) -> None:
    """More entries (with team members who have accounts) and more judges in the same round."""
    for n in range(entries):
        applicant = UserFactory()
        entry = Entry(
            competition_id=world.competition.id,
            applicant_id=applicant.id,
            category_id=world.competition.categories[n % 3].id,
            status=EntryStatus.ELIGIBLE,
            reference=f"DB-2099-{n + start:04d}",
            title=f"Thêm {n}",
            commune_id=world.entries[0].commune_id,
            organisation="HTX" if n % 2 else "",
        )
        entry.team_members.append(
            TeamMember(position=0, name="Thành viên", user_id=UserFactory().id)
        )
        db.session.add(entry)
    for _ in range(judges):
        judge = UserFactory(roles=[Role.JUDGE])
        db.session.add(
            CompetitionJudge(
                competition_id=world.competition.id,
                email=judge.email,
                user_id=judge.id,
                invited_by_id=world.organiser.id,
                conflict_people="Ai đó",
            )
        )
    db.session.commit()


PAGES = [
    "/judging/rounds/{round}",
    "/judging/rounds/{round}/assignments",
    "/judging/competitions/{competition}/judges",
]


def test_the_pages_run_a_constant_number_of_queries(client, units):
    world = make_judging(units, entries=3, judges=3)
    login(client, world.organiser)
    ids = {"round": world.round.id, "competition": world.competition.id}
    grow(world, entries=1, judges=1, start=100)
    before = [count_queries(client, url.format(**ids)) for url in PAGES]
    grow(world, entries=12, judges=4)
    after = [count_queries(client, url.format(**ids)) for url in PAGES]
    assert after == before


def proposal_queries(client, world) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    token = client.csrf_token()
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.post(
            f"/judging/rounds/{world.round.id}/assignments/propose", data={"csrf_token": token}
        )
        assert response.status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_the_proposal_runs_a_constant_number_of_queries(client, units):
    world = make_judging(units, entries=4, judges=3)
    login(client, world.organiser)
    grow(world, entries=1, judges=1, start=100)
    small = proposal_queries(client, world)
    grow(world, entries=20, judges=5)
    assert proposal_queries(client, world) == small


def test_an_organiser_of_a_blind_competition_cannot_be_its_judge(organiser_client, judging, units):
    """She sees every applicant's name: the panel refuses her and says why, on the page."""
    url = f"/judging/competitions/{judging.competition.id}/judges"
    assert judging.round.blind
    colleague = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"]), Role.JUDGE])
    colleague.email = "can.bo.hoi@example.vn"
    db.session.commit()
    response = organiser_client.post_form(url, {"email": "can.bo.hoi@example.vn"})
    assert response.status_code == 422
    assert (
        "can.bo.hoi@example.vn organises this competition and sees every applicant&#39;s name: "
        "she cannot judge it" in text(response)
    )
    assert not db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CompetitionJudge)
        .where(CompetitionJudge.email == "can.bo.hoi@example.vn")
    )


def test_in_open_rounds_an_organiser_judge_is_flagged(organiser_client, judging, units):
    url = f"/judging/competitions/{judging.competition.id}/judges"
    for round_ in judging.competition.rounds:
        round_.blind = False
    colleague = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"]), Role.JUDGE])
    db.session.commit()
    response = organiser_client.post_form(url, {"email": colleague.email})
    assert response.status_code == 302
    assert "Organises this competition: sees every name" in text(organiser_client.get(url))
