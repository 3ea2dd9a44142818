"""The decision's pages: the proposal and its lines, changing a line, finalising, the approval
by a second organiser, withdrawing it, reopening, publishing, and the 409 of a stale page."""

import re

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from portal.awards import common
from portal.awards.decision import services as deciding
from portal.awards.models import Award, DecisionStatus
from portal.core.outbox import OutboxMessage
from portal.core.time import utcnow
from portal.extensions import db
from portal.judging.models import RoundResult
from tests.conftest import login

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")

VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')


@pytest.fixture
def w(awards_world):
    for person in (awards_world.organiser, awards_world.second_organiser):
        person.language = "en"
    db.session.commit()
    return awards_world


def decide_url(w) -> str:
    return f"/awards/competitions/{w.competition.id}/decide"


def shown_version(client, w) -> str:
    return VERSION.search(client.get(decide_url(w)).get_data(as_text=True)).group(1)


def decision(w):
    db.session.expire_all()
    return common.decision_of(w.competition)


def first_line(w) -> Award:
    db.session.expire_all()
    return common.decision_awards(w.competition)[0]


def test_the_page_previews_the_proposal_then_writes_it(client, w):
    login(client, w.organiser)
    page = client.get(decide_url(w)).get_data(as_text=True)
    assert "No line has been written yet" in page
    assert "Start from this proposal" in page
    assert w.entries[0].reference in page
    assert "No entry qualifies: not given" in page  # the special prize, by default
    assert 'aria-current="page"' in page  # the awards navigation
    response = client.post_form(
        f"/awards/competitions/{w.competition.id}/propose", {"version": shown_version(client, w)}
    )
    assert response.status_code == 302
    assert len(common.decision_awards(w.competition)) == 11
    page = client.get(decide_url(w)).get_data(as_text=True)
    assert "As proposed" in page
    assert f"/awards/lines/{first_line(w).id}" in page
    assert "Finalise the decision" in page


def test_a_stale_start_is_a_409(client, w):
    login(client, w.organiser)
    shown = shown_version(client, w)
    url = f"/awards/competitions/{w.competition.id}/propose"
    assert client.post_form(url, {"version": shown}).status_code == 302
    response = client.post_form(url, {"version": shown})  # the double click
    assert response.status_code == 409
    assert "changed since this page was shown" in response.get_data(as_text=True)


def test_a_tie_at_the_boundary_is_shown(client, w):
    db.session.execute(
        sa.update(RoundResult)
        .where(RoundResult.round_id == w.round.id, RoundResult.entry_id == w.entries[1].id)
        .values(rank=1)
    )
    db.session.commit()
    login(client, w.organiser)
    page = client.get(decide_url(w)).get_data(as_text=True)
    assert page.count('text-bg-warning">Tie at the boundary: decide') == 2


def test_changing_a_line_needs_a_reason_and_keeps_what_was_typed(client, w):
    deciding.start_from_proposal(w.organiser, w.competition, now=utcnow())
    line = first_line(w)
    login(client, w.organiser)
    page = client.get(f"/awards/lines/{line.id}").get_data(as_text=True)
    assert f"{w.entries[0].reference} — {w.entries[0].title} — rank 1" in page
    assert "Not given" in page
    assert '<label class="form-label" for="reason">' in page
    chosen = str(w.entries[11].id)
    response = client.post_form(
        f"/awards/lines/{line.id}", {"entry": chosen, "reason": "", "was": str(line.entry_id)}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "differs from the proposal: write why" in page
    assert f'<option selected value="{chosen}">' in page
    response = client.post_form(
        f"/awards/lines/{line.id}",
        {"entry": chosen, "reason": "<b>Hồ sơ</b> sao chép", "was": str(line.entry_id)},
    )
    assert response.status_code == 302
    assert first_line(w).entry_id == w.entries[11].id
    page = client.get(decide_url(w)).get_data(as_text=True)
    assert "&lt;b&gt;Hồ sơ&lt;/b&gt; sao chép" in page
    assert w.entries[0].title in page  # the proposal, shown next to the change


def test_a_refused_entry_is_422_next_to_the_field(client, w):
    deciding.start_from_proposal(w.organiser, w.competition, now=utcnow())
    line = first_line(w)
    login(client, w.organiser)
    response = client.post_form(
        f"/awards/lines/{line.id}",
        {"entry": str(w.entries[1].id), "reason": "Đổi", "was": str(line.entry_id)},
    )
    assert response.status_code == 422
    assert 'id="entry-error"' in response.get_data(as_text=True)
    response = client.post_form(
        f"/awards/lines/{line.id}", {"entry": "nonsense", "reason": "Đổi", "was": ""}
    )
    assert response.status_code == 422


@pytest.mark.parametrize("was", ["²", "9" * 5000, "-1"])
def test_a_malformed_hidden_field_is_not_a_500(client, w, was):
    deciding.start_from_proposal(w.organiser, w.competition, now=utcnow())
    line = first_line(w)
    login(client, w.organiser)
    response = client.post_form(
        f"/awards/lines/{line.id}", {"entry": str(w.entries[0].id), "reason": "", "was": was}
    )
    assert response.status_code < 500


def test_a_line_changed_meanwhile_is_a_409(client, w):
    deciding.start_from_proposal(w.organiser, w.competition, now=utcnow())
    line = first_line(w)
    deciding.change_line(w.second_organiser, line, None, "Không đạt", now=utcnow())
    login(client, w.organiser)
    response = client.post_form(
        f"/awards/lines/{line.id}",
        {"entry": str(w.entries[11].id), "reason": "Đổi", "was": str(w.entries[0].id)},
    )
    assert response.status_code == 409
    assert first_line(w).entry_id is None


def test_finalise_approve_withdraw_and_reopen(client, w):
    deciding.start_from_proposal(w.organiser, w.competition, now=utcnow())
    base = f"/awards/competitions/{w.competition.id}"
    login(client, w.organiser)
    assert (
        client.post_form(f"{base}/finalise", {"version": shown_version(client, w)}).status_code
        == 302
    )
    assert decision(w).status is DecisionStatus.FINALISED
    page = client.get(decide_url(w)).get_data(as_text=True)
    assert "you cannot approve it" in page
    assert "Approve the decision" not in page
    assert "/awards/lines/" not in page  # locked: no edit links
    # The finaliser's page cannot approve, even by sending the form.
    response = client.post_form(f"{base}/approve", {"version": str(decision(w).version)})
    assert response.status_code == 403
    assert "another organiser of the competition must check" in response.get_data(as_text=True)

    client.post_form("/logout")
    login(client, w.second_organiser)
    page = client.get(decide_url(w)).get_data(as_text=True)
    assert "Approve the decision" in page
    assert w.organiser.full_name in page  # who finalised
    assert (
        client.post_form(f"{base}/approve", {"version": shown_version(client, w)}).status_code
        == 302
    )
    assert decision(w).status is DecisionStatus.APPROVED
    page = client.get(decide_url(w)).get_data(as_text=True)
    assert "Publish the results" in page and "Withdraw the approval" in page

    response = client.get(f"{base}/reopen")
    assert "withdraw the approval before reopening" in response.get_data(as_text=True)
    response = client.post_form(
        f"{base}/withdraw-approval",
        {"version": shown_version(client, w), "reason": "Kiểm tra lại"},
    )
    assert response.status_code == 302
    assert decision(w).status is DecisionStatus.FINALISED

    response = client.post_form(
        f"{base}/reopen", {"version": str(decision(w).version), "reason": ""}
    )
    assert response.status_code == 422
    assert "Write why the decision is reopened." in response.get_data(as_text=True)
    response = client.post_form(
        f"{base}/reopen", {"version": str(decision(w).version), "reason": "Sai giải Ba"}
    )
    assert response.status_code == 302
    assert decision(w).status is DecisionStatus.DRAFT


def test_a_double_click_on_finalise_is_a_409(client, w):
    deciding.start_from_proposal(w.organiser, w.competition, now=utcnow())
    login(client, w.organiser)
    shown = shown_version(client, w)
    url = f"/awards/competitions/{w.competition.id}/finalise"
    assert client.post_form(url, {"version": shown}).status_code == 302
    response = client.post_form(url, {"version": shown})
    assert response.status_code == 409
    assert "already final" in response.get_data(as_text=True)


def test_an_incomplete_action_form_is_422(client, w):
    deciding.start_from_proposal(w.organiser, w.competition, now=utcnow())
    login(client, w.organiser)
    response = client.post_form(f"/awards/competitions/{w.competition.id}/finalise", {})
    assert response.status_code == 422
    assert "reload the page" in response.get_data(as_text=True)
    assert decision(w).status is DecisionStatus.DRAFT


def test_publish_asks_to_confirm_then_publishes(client, w):
    deciding.start_from_proposal(w.organiser, w.competition, now=utcnow())
    deciding.finalise(w.organiser, w.competition, now=utcnow())
    deciding.approve(w.second_organiser, w.competition, now=utcnow())
    login(client, w.organiser)
    url = f"/awards/competitions/{w.competition.id}/publish"
    page = client.get(url).get_data(as_text=True)
    assert "12 applicants are told by e-mail or text message" in page
    assert "10 winners with their prizes" in page
    assert "2 other applicants" in page
    shown = VERSION.search(page).group(1)
    response = client.post_form(url, {"version": shown})
    assert response.status_code == 302
    assert decision(w).status is DecisionStatus.PUBLISHED
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 12
    assert client.post_form(url, {"version": shown}).status_code == 409
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 12
    page = client.get(decide_url(w)).get_data(as_text=True)
    assert "The public results page" in page


def test_the_page_runs_a_constant_number_of_queries(client, w, app):
    deciding.start_from_proposal(w.organiser, w.competition, now=utcnow())
    login(client, w.organiser)

    def count() -> int:
        seen = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(decide_url(w)).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    few = count()
    w.tiers[3].prize_count = 8  # more lines (two of them ungiven)
    db.session.commit()
    deciding.start_from_proposal(w.organiser, w.competition, now=utcnow())
    assert count() == few
