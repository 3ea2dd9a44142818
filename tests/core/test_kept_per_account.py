"""The organisers' and judges' pages kept for the account and session that viewed them
(core.cache.kept_per_account): read from Redis until anything changes, never shown to anyone else,
her own token put back at every view."""

import pytest
from flask import flash, session

from portal.auth.models import Role
from portal.core import cache
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from tests.admin.test_views import count_queries
from tests.conftest import CSRF_INPUT, login
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.usefixtures("frozen_time")


def _entries(judging) -> str:
    return f"/competitions/{judging.competition.id}/entries"


def test_her_list_is_read_from_the_cache_until_anything_changes(kept, client, judging):
    login(client, judging.organiser)
    url = _entries(judging)
    entry = judging.entries[0]
    assert entry.title in client.get(url).text  # with the welcome message: not kept
    computed = count_queries(client, url)
    assert computed > 1
    assert count_queries(client, url) == 1  # her account, loaded as on every page; nothing else
    entry.title = "Nuôi ong lấy mật ở Mường Phăng"
    db.session.commit()
    assert "Nuôi ong lấy mật ở Mường Phăng" in client.get(url).text  # a change shows at once
    assert count_queries(client, url) == 1
    # A draft, begun and typed on, moves nothing: no organiser's list shows one (thousands are
    # saved a minute on the last day of a call for entries).
    draft = Entry(
        competition_id=judging.competition.id,
        applicant_id=judging.applicants[1].id,
        category_id=entry.category_id,
        title="Bản nháp",
    )
    db.session.add(draft)
    db.session.commit()
    draft.title = "Bản nháp: nuôi ong"
    db.session.commit()
    assert count_queries(client, url) == 1
    # Withdrawn before it was ever sent, it is listed: the list is computed again.
    draft.status = EntryStatus.WITHDRAWN
    db.session.commit()
    assert count_queries(client, url) > 1
    assert "Bản nháp: nuôi ong" in client.get(url).text


def test_each_view_of_a_kept_page_carries_her_own_token(kept, app, client, judging):
    other = app.test_client()
    login(client, judging.organiser), login(other, judging.organiser)
    client.get("/profile"), other.get("/profile")  # their welcome messages shown
    url = _entries(judging)
    assert count_queries(client, url) > 1  # rendered and kept
    assert count_queries(client, url) == 1  # read from the cache
    again = client.get(url).text
    theirs = other.get(url).text
    token = CSRF_INPUT.search(again).group(1)
    assert token != CSRF_INPUT.search(theirs).group(1)  # her session's page is hers alone
    # What is kept holds a mark where the token stood, never the token.
    kept_pages = [kept.get(key).decode() for key in kept.scan_iter("account-pages:*")]
    kept_pages = [page for page in kept_pages if "<html" in page]
    assert kept_pages and all(cache.TOKEN_MARK in page and token not in page for page in kept_pages)
    # The token of the page read from the cache is good for her next form.
    switched = client.post("/language", data={"csrf_token": token, "language": "en", "next": url})
    assert switched.status_code == 302
    assert "Entries" in client.get(url).text  # her language is her session's: a page of its own


def test_who_may_not_see_a_page_never_gets_it_from_the_cache(kept, app, client, judging, units):
    login(client, judging.organiser)
    url = _entries(judging)
    assert client.get(url).status_code == 200 and client.get(url).status_code == 200
    stranger = app.test_client()
    assert stranger.get(url).status_code == 302  # to the login page
    judge = app.test_client()
    login(judge, judging.judges[0])
    assert judge.get(url).status_code == 403
    elsewhere = app.test_client()
    login(elsewhere, UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]))
    assert elsewhere.get(url).status_code == 403


@pytest.mark.fresh_app
def test_only_a_plain_page_of_hers_is_kept(app, kept, judging):
    renders = []

    def route(name, answer):
        @app.route(f"/kept-{name}", endpoint=f"kept_{name}")
        @cache.kept_per_account
        def view():
            renders.append(name)
            return answer()

        return f"/kept-{name}"

    plain = route("plain", lambda: "<p>Danh sách</p>")
    flashing = route("flash", lambda: (flash("Đã lưu"), "<p>Đã lưu</p>")[1])
    writing = route("session", lambda: (session.update(seen=True), "<p>Đã xem</p>")[1])
    missing = route("missing", lambda: ("<p>Không có</p>", 404))
    download = route(
        "download", lambda: ("a,b", 200, {"Content-Disposition": "attachment; filename=a.csv"})
    )
    organiser = app.test_client()
    login(organiser, judging.organiser)
    assert organiser.get("/profile").status_code == 200  # her welcome message shown
    for url in (plain, plain, plain, missing, missing, download, download):
        organiser.get(url)
    assert renders == ["plain", "missing", "missing", "download", "download"]
    # A view that leaves a message, or writes her session, is not kept; nor is what is shown
    # while a message waits.
    for url in (flashing, flashing, plain, writing, writing):
        organiser.get(url)
    assert renders[5:] == ["flash", "flash", "plain", "session", "session"]
