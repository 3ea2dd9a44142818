"""The public pages are the same for every visitor, so a browser or a proxy may keep them: no CSRF
token, no cookie, Cache-Control public, an ETag answered with 304 when nothing changed. Someone
logged in gets her own page, which no proxy keeps."""

import pytest

from portal.awards.certificates import revoking
from portal.core.time import utcnow
from portal.extensions import db
from tests.conftest import login
from tests.factories import UserFactory
from tests.factories.awards import publish_directly

pytestmark = pytest.mark.usefixtures("frozen_time")


def public_urls(world) -> list[str]:
    competition = world.competition.id
    return [
        "/",
        "/competitions/",
        "/competitions/?phase=past",
        f"/competitions/{competition}",
        f"/competitions/{competition}/results",
        "/winners",
        "/winners?year=2026",
        "/verify",
        f"/verify/{world.awards[0].certificate_code}",
    ]


def assert_kept_for_everyone(response) -> None:
    assert response.status_code == 200
    assert "csrf_token" not in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert response.cache_control.public and response.cache_control.no_cache
    assert response.get_etag()[0]
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_each_public_page_is_the_same_for_every_visitor_and_revalidated(client, published):
    for url in public_urls(published):
        response = client.get(url)
        assert_kept_for_everyone(response)
        etag = response.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.data == b"" and again.headers["ETag"] == etag
        assert "Set-Cookie" not in again.headers


def test_a_compressed_page_is_revalidated_by_its_compressed_etag(client, published):
    url = f"/competitions/{published.competition.id}/results"
    response = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["ETag"].endswith(':br"')  # not the same bytes as the plain page
    assert "Accept-Encoding" in response.vary
    again = client.get(
        url, headers={"Accept-Encoding": "gzip, br", "If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    plain = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert plain.status_code == 200  # a client that cannot read Brotli gets the page itself


def test_each_language_has_its_own_etag(client, published):
    url = f"/competitions/{published.competition.id}"
    vietnamese = client.get(url)
    english = client.get(url, headers={"Accept-Language": "en"})
    assert vietnamese.headers["ETag"] != english.headers["ETag"]
    client.set_cookie("lang", "en")  # the switcher's cookie
    chosen = client.get(url, headers={"If-None-Match": english.headers["ETag"]})
    assert chosen.status_code == 304


def test_logged_in_the_same_pages_are_private(client, published):
    login(client, published.applicants[0])
    for url in public_urls(published):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cache_control.public, url
        assert response.cache_control.private, url
        assert "ETag" not in response.headers, url
        assert "csrf_token" in response.get_data(as_text=True)  # her "Log out" button


def test_a_page_that_shows_a_message_once_is_private(client, published):
    user = UserFactory()
    login(client, user)
    client.post_form("/logout")
    response = client.get("/")  # "You have logged out.", taken from her session cookie
    assert response.status_code == 200
    assert response.cache_control.private and not response.cache_control.public
    assert "ETag" not in response.headers
    assert_kept_for_everyone(client.get("/"))  # the next page is the visitors' page again


def test_a_refused_filter_is_not_kept(client, published):
    response = client.get("/winners?year=1900")
    assert response.status_code == 400
    assert not response.cache_control.public and "ETag" not in response.headers


def test_publishing_the_results_changes_the_competition_pages_etag(client, awards_world):
    urls = ["/", f"/competitions/{awards_world.competition.id}", "/winners"]
    before = {url: client.get(url).headers["ETag"] for url in urls}
    publish_directly(awards_world)
    detail = client.get(urls[1], headers={"If-None-Match": before[urls[1]]})
    assert detail.status_code == 200
    assert detail.headers["ETag"] != before[urls[1]]
    assert f"/competitions/{awards_world.competition.id}/results" in detail.get_data(as_text=True)
    gallery = client.get("/winners", headers={"If-None-Match": before["/winners"]})
    assert gallery.status_code == 200 and gallery.headers["ETag"] != before["/winners"]


def test_revoking_a_certificate_changes_its_verification_page(client, published):
    award = published.awards[0]
    url = f"/verify/{award.certificate_code}"
    before = client.get(url).headers["ETag"]
    revoking.revoke(published.organiser, award, "Sai phạm", now=utcnow())
    db.session.remove()
    after = client.get(url, headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["ETag"] != before


# --- The language switch on a visitor's page: a GET that only sets her cookie ----------------------


def test_a_visitor_switches_language_without_a_token(client, app):
    page = client.get("/competitions/").get_data(as_text=True)
    switcher = page.split('class="language-switcher"')[0].rsplit("<form", 1)[1]
    assert 'method="get"' in switcher
    response = client.get("/language", query_string={"language": "en", "next": "/competitions/"})
    assert response.status_code == 302
    assert response.location == "/competitions/"
    assert "lang=en" in response.headers["Set-Cookie"]
    assert '<html lang="en">' in client.get("/competitions/").get_data(as_text=True)


def test_the_visitors_switch_refuses_an_unknown_language_and_a_foreign_next(client, app):
    assert client.get("/language?language=fr&next=/").status_code == 400
    assert client.get("/language?next=/").status_code == 400
    response = client.get("/language?language=en&next=https://evil.example/")
    assert response.location == "/"


def test_logged_in_the_switch_is_a_post_and_a_get_saves_nothing(client, app):
    user = UserFactory(language="vi")
    login(client, user)
    page = client.get("/").get_data(as_text=True)
    switcher = page.split('class="language-switcher"')[0].rsplit("<form", 1)[1]
    assert 'method="post"' in switcher
    client.get("/language?language=en&next=/")  # a page kept from before she logged in
    db.session.refresh(user)
    assert user.language == "vi"  # a GET never writes; her saved choice still wins
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)
