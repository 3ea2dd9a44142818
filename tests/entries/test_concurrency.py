"""A double-clicked Submit and two tabs saving at once, sent at the same moment to the live
server on PostgreSQL: one submission, one reference, one mail; one save, and a 409 with her text
for the other."""

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.core.audit import AuditLog
from portal.core.outbox import OutboxMessage
from portal.entries import services
from portal.entries.models import Entry, EntryStatus, EntryVersion
from portal.extensions import db
from tests.concurrency import Visitor, at_once
from tests.entries.test_services import applicant_with_profile
from tests.factories import PASSWORD, UserFactory, make_competition

ANSWERS = {
    "title": "Rượu men lá Mường Phăng",
    "summary": "Rượu men lá truyền thống.",
    "problem": "Chưa có thương hiệu.",
    "solution": "Làm thương hiệu.",
    "customers": "Khách du lịch.",
    "local_resources": "Men lá rừng.",
    "capital_needed": "150000000",
    "jobs_for_women": "6",
}


def drafts(units, count: int) -> list[tuple[str, Entry]]:
    """`count` applicants of Điện Biên, each with a fresh draft in the same open competition."""
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    competition = make_competition(
        organiser, units["dien_bien"], business_plan_required=False, reference_prefix="DB"
    )
    made = []
    for _ in range(count):
        applicant = applicant_with_profile(units)
        applicant.language = "en"
        made.append((applicant.email, services.start_entry(applicant, competition)))
    return made


def open_form(server: str, email: str, entry: Entry) -> tuple[Visitor, str, dict]:
    tab = Visitor(server)
    tab.log_in(email, PASSWORD)
    path = f"/entries/{entry.id}/edit"
    fields = tab.form(path) | ANSWERS
    fields["category"] = str(entry.competition.categories[0].id)
    return tab, path, fields


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("at_the_same_moment", [2, 2, 2, 50], ids=["2a", "2b", "2c", "50"])
def test_a_double_clicked_submit_is_one_submission(units, concurrent_server, at_the_same_moment):
    [(email, entry)] = drafts(units, 1)
    tab, path, fields = open_form(concurrent_server, email, entry)
    answers = at_once([lambda: tab.post(path, fields | {"submit": "1"})] * at_the_same_moment)

    assert {a.status for a in answers} == {302}, [a.status for a in answers]
    db.session.remove()
    entry = db.session.get(Entry, entry.id)
    assert entry.status is EntryStatus.SUBMITTED
    assert entry.reference == f"DB-{entry.competition.year}-0001"
    assert entry.competition.last_entry_number == 1  # no number taken and lost
    assert count(EntryVersion, EntryVersion.entry_id == entry.id) == 1
    assert count(AuditLog, AuditLog.action == "entry.submitted") == 1
    assert count(OutboxMessage, OutboxMessage.template == "entry_submitted") == 1
    # The others were told kindly: the entry was already received.
    page = tab.get(f"/entries/{entry.id}").text
    assert "already received" in page or "has been submitted" in page


def test_two_tabs_saving_at_once_one_is_saved_the_other_keeps_her_text(units, concurrent_server):
    [(email, entry)] = drafts(units, 1)
    first, path, fields = open_form(concurrent_server, email, entry)
    second = Visitor(concurrent_server)
    second.cookies = first.cookies  # the same browser, two tabs
    saves = [
        fields | {"title": "Tab một", "save": "1"},
        fields | {"title": "Tab hai", "save": "1"},
    ]
    answers = at_once([lambda: first.post(path, saves[0]), lambda: second.post(path, saves[1])])

    assert sorted(a.status for a in answers) == [302, 409], [a.status for a in answers]
    saved, refused = (0, 1) if answers[0].status == 302 else (1, 0)
    assert "changed in another window or on another device" in answers[refused].text
    assert f'value="{saves[refused]["title"]}"' in answers[refused].text  # hers, to copy
    db.session.remove()
    assert db.session.get(Entry, entry.id).title == saves[saved]["title"]


@pytest.mark.parametrize("at_the_same_moment", [2, 10])
def test_a_double_clicked_accept_joins_her_once(units, concurrent_server, at_the_same_moment):
    from functools import partial

    from portal.entries import team
    from portal.entries.models import TeamInvitation, TeamMember

    [(_, entry)] = drafts(units, 1)
    hoa = UserFactory(email="hoa@example.vn")
    entry.team_members.append(TeamMember(position=0, name="Lò Thị Hoa", email=hoa.email))
    db.session.add(
        TeamInvitation(entry_id=entry.id, email=hoa.email, invited_by_id=entry.applicant_id)
    )
    db.session.commit()
    tab = Visitor(concurrent_server)
    tab.log_in(hoa.email, PASSWORD)
    path = f"/team-invitations/{team.token_for(entry, hoa.email)}"
    sent = tab.form(path, f"{path}/accept")
    answers = at_once([partial(tab.post, f"{path}/accept", sent)] * at_the_same_moment)

    # Every click is told she is on the team; she joined once.
    assert [a.status for a in answers] == [302] * at_the_same_moment
    db.session.remove()
    accepted = sa.select(sa.func.count(AuditLog.id)).where(AuditLog.action == "entry.team_accepted")
    assert db.session.scalar(accepted) == 1
