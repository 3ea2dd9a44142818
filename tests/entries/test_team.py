"""An entry's team: a member typed on the form is linked to an account only when she accepts
the invitation mailed to her address, and the form never tells whether an address has one."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from portal import create_app
from portal.entries.models import Entry, TeamMember
from portal.extensions import db
from portal.judging.assignment.services import entry_input
from tests.conftest import WorkerConfig, login, mails_to
from tests.core.test_migrations import empty_database  # noqa: F401 (fixture)
from tests.entries.test_services import applicant_with_profile
from tests.entries.test_views import competition, form, start, text  # noqa: F401 (fixture)
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen(frozen_time):
    return frozen_time


def new_applicant(units):
    user = applicant_with_profile(units)
    user.language = "en"
    db.session.commit()
    return user


def save(client, competition, entry, **team) -> object:  # noqa: F811
    return client.post_form(f"/entries/{entry.id}/edit", form(competition, entry, save="y", **team))


def link_in(address: str) -> str:
    [mail] = mails_to(address)
    return re.search(r"http://[^/]+(/team-invitations/\S+)", mail.body_text).group(1)


def conflicted(entry: Entry) -> set[int]:
    db.session.expire_all()
    return entry_input(db.session.get(Entry, entry.id)).team_member_ids


def invited(app, client, units, competition, address):  # noqa: F811
    """The applicant names Hoa with `address` on her entry; returns the entry."""
    login(client, new_applicant(units))
    entry = start(client, competition)
    assert save(client, competition, entry, **{"team-0-email": address}).status_code == 302
    client.post_form("/logout")
    return entry


def normalised(page: str, entry: Entry, address: str) -> str:
    page = page.replace(f"/entries/{entry.id}", "/entries/N").replace(address, "ADDRESS")
    page = re.sub(r'data-keep="[^"]*"', 'data-keep="KEY"', page)  # the browser draft's key
    return re.sub(r'value="[\w.-]{20,}"', 'value="TOKEN"', page)


def test_the_form_answers_the_same_for_a_known_and_an_unknown_address(
    app,
    units,
    competition,  # noqa: F811
):
    UserFactory(email="co.tai.khoan@example.vn", language="en")
    pages = []
    for address in ("co.tai.khoan@example.vn", "chua.co@example.vn"):
        client = app.test_client()
        login(client, new_applicant(units))
        entry = start(client, competition)
        response = save(client, competition, entry, **{"team-0-email": address})
        assert response.status_code == 302
        seen = [response.location.replace(str(entry.id), "N")]
        for url in (response.location, f"/entries/{entry.id}/edit"):
            page = client.get(url)
            seen.append((page.status_code, normalised(text(page), entry, address)))
        pages.append(seen)
        member = db.session.scalar(sa.select(TeamMember).where(TeamMember.entry_id == entry.id))
        assert member.user_id is None  # no link by the address alone
    assert pages[0] == pages[1]
    assert "An invitation to join your team was sent to ADDRESS" in pages[0][1][1]
    # Each is mailed, the one with an account in her language, the other in Vietnamese.
    assert mails_to("co.tai.khoan@example.vn")[0].subject.endswith("invites you to her team")
    assert mails_to("chua.co@example.vn")[0].subject.endswith("mời chị vào nhóm của mình")


def test_she_is_linked_and_conflicted_only_when_she_accepts(app, client, units, competition):  # noqa: F811
    hoa = UserFactory(email="hoa@example.vn")
    entry = invited(app, client, units, competition, "hoa@example.vn")
    url = link_in("hoa@example.vn")
    assert client.get(url).location.startswith("/login?next=")
    login(client, hoa)
    assert f"{url}/accept" in text(client.get(url))
    assert hoa.id not in conflicted(entry)
    assert client.post_form(f"{url}/accept").status_code == 302
    assert hoa.id in conflicted(entry)
    # The link is spent.
    assert client.get(url).status_code == 404


def test_an_answer_sent_twice_is_told_the_same_and_recorded_once(app, client, units, competition):  # noqa: F811
    from portal.core.audit import AuditLog

    hoa = UserFactory(email="hoa@example.vn", language="en")
    invited(app, client, units, competition, "hoa@example.vn")
    url = link_in("hoa@example.vn")
    login(client, hoa)
    answers = [client.post_form(f"{url}/accept") for _ in range(2)]  # a double click
    assert [a.status_code for a in answers] == [302, 302]
    assert "You are now on the team" in text(client.get(answers[1].location))
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.action.like("entry.team_%"))
    )
    assert sorted(actions) == ["entry.team_accepted", "entry.team_invited"]
    # The other answer, after this one, is refused.
    assert client.post_form(f"{url}/decline").status_code == 404


def test_declining_leaves_her_off_and_she_is_not_invited_again(app, client, units, competition):  # noqa: F811
    hoa = UserFactory(email="hoa@example.vn")
    entry = invited(app, client, units, competition, "hoa@example.vn")
    url = link_in("hoa@example.vn")
    login(client, hoa)
    assert client.post_form(f"{url}/decline").status_code == 302
    assert hoa.id not in conflicted(entry)
    client.post_form("/logout")
    login(client, entry.applicant)
    db.session.refresh(entry)
    assert save(client, competition, entry, **{"team-0-email": "hoa@example.vn"}).status_code == 302
    assert len(mails_to("hoa@example.vn")) == 1
    assert "She declined the invitation." in text(client.get(f"/entries/{entry.id}/edit"))


def test_another_account_cannot_accept(app, client, units, competition):  # noqa: F811
    UserFactory(email="hoa@example.vn")
    entry = invited(app, client, units, competition, "hoa@example.vn")
    url = link_in("hoa@example.vn")
    for someone in (UserFactory(email="ke.khac@example.vn", language="en"), entry.applicant):
        login(client, someone)
        response = client.get(url)
        assert response.status_code == 403
        assert "This invitation was sent to another e-mail address" in text(response)
        assert client.post_form(f"{url}/accept").status_code == 403
        client.post_form("/logout")
    assert conflicted(entry) == set()


def test_a_draft_saved_again_sends_nothing_and_a_new_address_is_invited(
    app,
    client,
    units,
    competition,  # noqa: F811
):
    applicant = new_applicant(units)
    login(client, applicant)
    entry = start(client, competition)
    save(client, competition, entry, **{"team-0-email": "hoa@example.vn"})
    db.session.refresh(entry)
    save(client, competition, entry, **{"team-0-email": "HOA@example.vn"})
    assert len(mails_to("hoa@example.vn")) == 1
    db.session.refresh(entry)
    save(client, competition, entry, **{"team-0-email": "hoa.moi@example.vn"})
    assert len(mails_to("hoa.moi@example.vn")) == 1


def test_invitations_are_limited_per_hour(app, client, units, competition, frozen):  # noqa: F811
    app.config["TEAM_INVITATIONS_PER_HOUR"] = 2
    login(client, new_applicant(units))
    entry = start(client, competition)
    team = {}
    for n in range(3):
        team |= {f"team-{n}-name": f"Thành viên {n}", f"team-{n}-email": f"tv{n}@example.vn"}
    save(client, competition, entry, **team)
    page = text(client.get(f"/entries/{entry.id}"))
    assert [len(mails_to(f"tv{n}@example.vn")) for n in range(3)] == [1, 1, 0]
    assert (
        "You have sent as many team invitations as allowed in an hour. The invitation to "
        "tv2@example.vn was not sent: save your entry again after 11:00 10/05/2026" in page
    )
    frozen.shift(timedelta(hours=1, seconds=1))
    db.session.refresh(entry)
    save(client, competition, entry, **team)
    assert len(mails_to("tv2@example.vn")) == 1


def test_an_invitation_that_expired_unanswered_is_sent_again_on_the_next_save(
    app,
    client,
    units,
    competition,  # noqa: F811
    frozen,
):
    hoa = UserFactory(email="hoa@example.vn", language="en")
    entry = invited(app, client, units, competition, "hoa@example.vn")
    frozen.shift(timedelta(days=15))  # she was away: the link expired unanswered
    login(client, entry.applicant)
    db.session.refresh(entry)
    page = text(client.get(f"/entries/{entry.id}/edit"))
    assert "The invitation expired without an answer." in page
    save(client, competition, entry, **{"team-0-email": "hoa@example.vn"})
    first, second = mails_to("hoa@example.vn")
    url = re.search(r"http://[^/]+(/team-invitations/\S+)", second.body_text).group(1)
    client.post_form("/logout")
    login(client, hoa)
    assert client.post_form(f"{url}/accept").status_code == 302
    assert hoa.id in conflicted(entry)


def test_members_linked_before_invitations_stay_linked(empty_database):  # noqa: F811
    """The migration keeps each linked member linked, as if she had accepted."""
    url, engine_options = empty_database

    class Config(WorkerConfig):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ENGINE_OPTIONS = engine_options

    app = create_app(Config)
    with app.app_context():
        upgrade(revision="d4e2b3c5f6a7")
        with db.engine.begin() as conn:
            # Only the rows the migration reads: the competition and its unit are left out.
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            else:
                conn.execute(sa.text("PRAGMA foreign_keys = OFF"))
            conn.execute(
                sa.text(
                    "INSERT INTO user_account (id, email, full_name, full_name_folded, language, "
                    "active, created_at, session_token) VALUES "
                    "(1, 'mai@example.vn', 'Mai', 'mai', 'vi', true, '2026-01-01', 't1'), "
                    "(2, 'Hoa@Example.vn', 'Hoa', 'hoa', 'en', true, '2026-01-01', 't2')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO entry (id, competition_id, applicant_id, status, title, summary, "
                    "problem, solution, customers, local_resources, consent_publish, version, "
                    "has_unsubmitted_changes, created_at, updated_at, search_text, organisation) "
                    "VALUES (1, 1, 1, 'draft', 't', '', '', '', '', '', false, 1, false, "
                    "'2026-01-01', '2026-01-01', '', '')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO entry_team_member (id, entry_id, position, name, role, user_id) "
                    "VALUES (1, 1, 0, 'Hoa', '', 2), (2, 1, 1, 'Lan', '', NULL)"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            members = conn.execute(
                sa.text("SELECT name, email, user_id FROM entry_team_member ORDER BY id")
            ).all()
            invitations = conn.execute(
                sa.text(
                    "SELECT entry_id, email, invited_by_id, accepted_user_id, declined_at "
                    "FROM entry_team_invitation"
                )
            ).all()
        db.engine.dispose()
    assert [tuple(m) for m in members] == [("Hoa", "hoa@example.vn", 2), ("Lan", None, None)]
    assert [tuple(i) for i in invitations] == [(1, "hoa@example.vn", 1, 2, None)]
