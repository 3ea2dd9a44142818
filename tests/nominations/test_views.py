"""The cascade through its pages, as the national organiser, the provincial organisers and the
woman nominated would walk it."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.competitions.models import CompetitionLevel, CompetitionStatus
from portal.core.time import to_vietnam, utcnow
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.judging import common
from portal.judging.models import Assignment, AssignmentSource
from portal.nominations import services
from portal.nominations.models import Nomination, NominationSource, NominationStatus
from tests.conftest import login as log_in
from tests.conftest import mails_to
from tests.factories import UserFactory, make_competition
from tests.factories.judging import JudgeFactory
from tests.factories.nominations import make_cascade
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def cascade(units):
    return cached(make_cascade, units)


def login(client, user):
    """Logged in, reading English (the accounts of the worlds read Vietnamese)."""
    user.language = "en"
    db.session.commit()
    return log_in(client, user)


def text(response) -> str:
    return response.get_data(as_text=True)


def local(moment) -> str:
    return to_vietnam(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_national_organiser_sets_the_deadline_and_who_may_nominate(client, cascade, units):
    national = cascade.competition
    login(client, cascade.organiser)
    url = f"/competitions/{national.id}/nominations"
    page = text(client.get(url))
    assert "Nominations from the competitions below" in page
    assert "Every provincial competition of the provinces it draws from" in page
    # After the competition's own deadline: refused, with what she typed kept.
    late = local(national.closes_at + timedelta(days=1))
    response = client.post_form(url, {"nominations_close_at": late, "save_deadline": "1"})
    assert response.status_code == 422
    assert "the women nominated have time to confirm" in text(response)
    assert f'value="{late}"' in text(response)
    moment = local(national.closes_at - timedelta(days=5))
    assert (
        client.post_form(url, {"nominations_close_at": moment, "save_deadline": "1"}).status_code
        == 302
    )
    db.session.refresh(national)
    assert local(national.nominations_close_at) == moment
    # One province's competitions, three entries each.
    response = client.post_form(
        url,
        {"level": "provincial", "unit": str(units["lao_cai"].id), "quota": "3", "add_source": "1"},
    )
    assert response.status_code == 302
    assert "Every provincial competition of Lào Cai" in text(client.get(url))
    # A quota of nothing is refused next to its field.
    response = client.post_form(url, {"level": "provincial", "quota": "0", "add_source": "1"})
    assert response.status_code == 422
    assert "Enter a number from 1 to 100." in text(response)
    source = db.session.scalars(
        sa.select(NominationSource).where(NominationSource.unit_id == units["lao_cai"].id)
    ).one()
    remove = f"{url}/sources/{source.id}/remove"
    assert client.post_form(remove, {"version": "0"}).status_code == 302
    assert "Every provincial competition of Lào Cai" not in text(client.get(url))


def test_the_provincial_organisers_nominate_and_approve(client, cascade):
    below = cascade.below
    first, second = below.organiser, below.second_organiser
    login(client, first)
    url = f"/competitions/{below.competition.id}/nominate"
    page = text(client.get(url))
    assert cascade.competition.title in page
    assert "0 of 2 places used." in page
    assert below.entries[0].title in page and "Giải Nhất" in page
    propose = f"/competitions/{below.competition.id}/nominate/{cascade.competition.id}"
    response = client.post_form(propose, {"entry_id": str(below.entries[0].id), "version": "0"})
    assert response.status_code == 302
    page = text(client.get(url))
    assert "1 of 2 places used." in page
    assert "Proposed, awaiting a second organiser" in page
    assert "A second organiser of this competition must approve it." in page
    nomination = db.session.scalars(sa.select(Nomination)).one()
    # The organiser who proposed it cannot approve it, whatever she sends.
    response = client.post_form(
        f"/nominations/{nomination.id}/approve", {"version": str(nomination.version)}
    )
    assert response.status_code == 403
    client.post_form("/logout")
    login(client, second)
    response = client.post_form(
        f"/nominations/{nomination.id}/approve", {"version": str(nomination.version)}
    )
    assert response.status_code == 302
    assert "Approved, awaiting her answer" in text(client.get(url))
    woman = below.entries[0].applicant
    assert [m.template for m in mails_to(woman.email)][-1] == "nomination_offered"


def test_a_full_quota_is_said_on_the_page(client, cascade):
    below = cascade.below
    cascade.nominate(below.entries[0], approve=False)
    cascade.nominate(below.entries[1], approve=False)
    login(client, below.second_organiser)
    propose = f"/competitions/{below.competition.id}/nominate/{cascade.competition.id}"
    response = client.post_form(propose, {"entry_id": str(below.entries[2].id), "version": "0"})
    assert response.status_code == 422
    assert "has nominated them all" in text(response)


def test_she_confirms_on_her_entry_page_and_follows_her_path(client, cascade):
    below = cascade.below.entries[0]
    nomination = cascade.nominate(below)
    woman = below.applicant
    login(client, woman)
    page = text(client.get(f"/entries/{below.id}"))
    assert f"Your idea is nominated to {cascade.competition.title}" in page
    response = client.post_form(
        f"/nominations/{nomination.id}/accept", {"version": str(nomination.version)}
    )
    assert response.status_code == 302
    carried = db.session.scalars(
        sa.select(Entry).where(Entry.competition_id == cascade.competition.id)
    ).one()
    assert response.location == f"/entries/{carried.id}"
    page = text(client.get(response.location))
    assert f"Your idea is entered in {cascade.competition.title}" in page
    assert "The path of your idea" in page
    assert page.index(cascade.below.competition.title) < page.index("National")
    assert "Change it" in page  # she may update it until the deadline
    # The entry below shows the same path, and no offer any more.
    page = text(client.get(f"/entries/{below.id}"))
    assert "The path of your idea" in page and "Confirm and enter" not in page
    # The double tap: the same answer again leads to the same entry.
    again = client.post_form(
        f"/nominations/{nomination.id}/accept", {"version": str(nomination.version)}
    )
    assert again.location == f"/entries/{carried.id}"


def test_she_declines(client, cascade):
    below = cascade.below.entries[1]
    nomination = cascade.nominate(below)
    login(client, below.applicant)
    response = client.post_form(
        f"/nominations/{nomination.id}/decline", {"version": str(nomination.version)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).status is NominationStatus.DECLINED
    assert "Nomination declined" in text(client.get(f"/entries/{below.id}"))


def test_the_higher_round_sees_the_lower_round_and_its_blind_judges_do_not(client, cascade):
    below = cascade.below.entries[0]
    nomination = cascade.nominate(below)
    carried = services.accept(below.applicant, nomination, now=utcnow(), version=nomination.version)
    national = cascade.competition
    login(client, cascade.organiser)
    page = text(client.get(f"/entries/{carried.id}"))
    assert f"Nominated by {cascade.below.competition.title}" in page
    assert "Prize there: Giải Nhất" in page
    assert re.search(r"Final ranking: 1 of 12, score 90[.,]00", page)
    client.post_form("/logout")
    # A judge of the national round, on her score sheet of that entry.
    national.status = CompetitionStatus.JUDGING
    carried.status = EntryStatus.ELIGIBLE
    round_ = national.rounds[0]
    common.ensure_rubric(round_)
    judge = JudgeFactory(competition=national).user
    db.session.add(
        Assignment(
            round_id=round_.id,
            entry_id=carried.id,
            judge_id=judge.id,
            source=AssignmentSource.MANUAL,
            created_by_id=cascade.organiser.id,
        )
    )
    db.session.commit()
    login(client, judge)
    response = client.get(f"/judging/rounds/{round_.id}/entries/{carried.id}/score")
    assert response.status_code == 200
    sheet = text(response)
    assert carried.title in sheet
    for hidden in (cascade.below.competition.title, "Giải Nhất", below.reference, "Final ranking"):
        assert hidden not in sheet
    assert client.get(f"/entries/{carried.id}").status_code == 403


def test_the_overview_along_the_cascade(client, cascade):
    below = cascade.below.entries[0]
    nomination = cascade.nominate(below)
    services.accept(below.applicant, nomination, now=utcnow(), version=nomination.version)
    cascade.nominate(cascade.below.entries[1], approve=False)
    login(client, cascade.organiser)
    page = text(client.get(f"/competitions/{cascade.competition.id}/nominations"))
    assert "Nominations received" in page
    assert below.title in page and "Confirmed by her" in page
    assert cascade.below.entries[1].title in page
    page = text(client.get("/nominations"))
    assert cascade.competition.title in page  # her competition that takes nominations
    client.post_form("/logout")
    login(client, cascade.below.organiser)
    page = text(client.get("/nominations"))
    assert "Your nominees in the higher rounds" in page
    assert below.title in page and cascade.competition.title in page
    assert "Confirmed by her" in page
    # Another province's organiser sees none of Điện Biên's nominees.
    client.post_form("/logout")
    login(client, UserFactory(roles=[(Role.ORGANISER, _lao_cai(cascade))]))
    assert below.title not in text(client.get("/nominations"))


def _lao_cai(cascade):
    from portal.units.models import Unit

    return db.session.scalars(sa.select(Unit).where(Unit.name == "Lào Cai")).one()


def test_the_competition_page_offers_no_direct_entry_to_a_final_by_nomination(client, cascade):
    login(client, UserFactory(roles=[Role.APPLICANT]))
    page = text(client.get(f"/competitions/{cascade.competition.id}"))
    assert "Enter this competition" not in page
    assert "takes its entries only by nomination" in page


def test_a_nomination_she_did_not_answer_in_time_lapses(client, cascade, frozen_time):
    below = cascade.below.entries[0]
    nomination = cascade.nominate(below)
    frozen_time.shift(timedelta(days=31))
    login(client, below.applicant)
    page = text(client.get(f"/entries/{below.id}"))
    assert "Confirm and enter" not in page
    assert "Nominated, not confirmed in time" in page
    # Her answer sent from a page kept open: refused, with the reason and the way back.
    response = client.post_form(
        f"/nominations/{nomination.id}/accept", {"version": str(nomination.version)}
    )
    assert response.status_code == 422
    assert "no longer takes entries" in text(response)
    assert f'href="/entries/{below.id}"' in text(response)
    client.post_form("/logout")
    login(client, cascade.below.organiser)
    assert "Not confirmed in time" in text(client.get("/nominations"))


def test_an_answer_sent_again_after_declining_is_refused_with_a_409(client, cascade):
    below = cascade.below.entries[0]
    nomination = cascade.nominate(below)
    login(client, below.applicant)
    url = f"/nominations/{nomination.id}"
    version = {"version": str(nomination.version)}
    assert client.post_form(f"{url}/decline", version).status_code == 302
    response = client.post_form(f"{url}/accept", version)
    assert response.status_code == 409
    assert "You have already answered this nomination." in text(response)


def test_a_carried_entry_missing_what_the_higher_round_asks_opens_as_a_draft(client, cascade):
    cascade.competition.business_plan_required = True
    db.session.commit()
    below = cascade.below.entries[0]
    nomination = cascade.nominate(below)
    login(client, below.applicant)
    response = client.post_form(
        f"/nominations/{nomination.id}/accept", {"version": str(nomination.version)}
    )
    carried = db.session.scalars(
        sa.select(Entry).where(Entry.competition_id == cascade.competition.id)
    ).one()
    assert response.location == f"/entries/{carried.id}/edit"
    page = text(client.get(response.location))
    assert "as a draft: its rules ask for more" in page


def queries(client, url) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_the_cascade_lists_run_the_same_queries_however_many_they_hold(client, cascade):
    below = cascade.below
    urls = [
        "/nominations",
        f"/competitions/{below.competition.id}/nominate",
        f"/competitions/{cascade.competition.id}/nominations",
    ]
    cascade.nominate(below.entries[0])
    login(client, below.organiser)
    one = [queries(client, url) for url in urls[:2]]
    cascade.nominate(below.entries[1])
    assert [queries(client, url) for url in urls[:2]] == one
    client.post_form("/logout")
    login(client, cascade.organiser)
    counts = []
    for entry in below.entries[:2]:
        nomination = db.session.scalar(
            sa.select(Nomination).where(Nomination.from_entry_id == entry.id)
        )
        services.accept(entry.applicant, nomination, now=utcnow(), version=nomination.version)
        counts.append(queries(client, urls[2]))
    assert counts[0] == counts[1]


def test_a_draft_higher_competition_is_not_found_through_a_nomination(client, cascade):
    draft = make_competition(
        cascade.organiser,
        cascade.nation,
        level=CompetitionLevel.NATIONAL,
        status="draft",
        title="Chung kết chưa công bố",
        reference_prefix="TWB",
    )
    login(client, cascade.below.organiser)
    response = client.post_form(
        f"/competitions/{cascade.below.competition.id}/nominate/{draft.id}",
        {"entry_id": str(cascade.below.entries[0].id), "version": "0"},
    )
    assert response.status_code == 404
    assert "Chung kết chưa công bố" not in text(response)


def test_a_source_is_removed_only_from_its_own_competition(client, cascade):
    other = make_competition(
        cascade.organiser,
        cascade.nation,
        level=CompetitionLevel.NATIONAL,
        title="Chung kết thứ hai",
        reference_prefix="TWB",
    )
    source = services.add_source(
        cascade.organiser, other, quota=1, level=CompetitionLevel.PROVINCIAL
    )
    login(client, cascade.organiser)
    url = f"/competitions/{cascade.competition.id}/nominations/sources/{source.id}/remove"
    assert client.post_form(url, {"version": "0"}).status_code == 404
    assert db.session.get(NominationSource, source.id) is not None
