"""A phone shared with the family: "this is not my phone" keeps no remember-me cookie, logs her out
after 30 minutes without use, lets nothing be kept, and on logging out asks the browser to forget
this site; "Log out" is in sight on every page. And the service worker's own routes."""

from datetime import timedelta

import pytest

from portal.auth.models import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.usefixtures("frozen_time")

EN = {"Accept-Language": "en"}


def text(response) -> str:
    return response.get_data(as_text=True)


def log_in_shared(client, user, **extra):
    data = {"account": user.email, "password": PASSWORD, "shared": "y"} | extra
    return client.post_form("/login", data)


def test_a_shared_login_keeps_no_remember_me_cookie(client):
    user = UserFactory(language="en")
    answer = log_in_shared(client, user, remember="y")
    assert answer.status_code == 302
    assert "remember_token" not in answer.headers.get("Set-Cookie", "")
    page = client.get("/profile", headers=EN)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Shared phone: " in text(page) and "Log out when you finish." in text(page)


def test_an_ordinary_login_may_be_remembered_and_kept_privately(client):
    user = UserFactory()
    answer = client.post_form(
        "/login", {"account": user.email, "password": PASSWORD, "remember": "y"}
    )
    assert "remember_token" in answer.headers.get("Set-Cookie", "")
    page = client.get("/profile")
    assert "no-store" not in page.headers.get("Cache-Control", "")
    assert "Shared phone" not in text(page) and "Điện thoại dùng chung" not in text(page)


def test_thirty_minutes_without_use_log_her_out(client, frozen_time):
    user = UserFactory(language="en")
    log_in_shared(client, user)
    frozen_time.shift(timedelta(minutes=29))
    assert client.get("/profile").status_code == 200  # a page: the half hour starts again
    frozen_time.shift(timedelta(minutes=29))
    assert client.get("/profile").status_code == 200
    frozen_time.shift(timedelta(minutes=30, seconds=1))
    answer = client.get("/profile", headers=EN)
    assert answer.status_code == 302 and answer.location.startswith("/login?next=")
    login_page = text(client.get(answer.location, headers=EN))
    assert "You were logged out after 30 minutes without use" in login_page
    # She is out for good: the page after is a visitor's.
    assert client.get("/profile").status_code == 302


def test_an_ordinary_login_does_not_end_after_thirty_minutes(client, frozen_time):
    client.post_form("/login", {"account": UserFactory().email, "password": PASSWORD})
    frozen_time.shift(timedelta(hours=3))
    assert client.get("/profile").status_code == 200


def test_logging_out_of_a_shared_phone_clears_the_site(client):
    log_in_shared(client, UserFactory())
    page = text(client.get("/profile"))
    assert 'data-shared="1"' in page and 'data-idle-seconds="1800"' in page
    answer = client.post_form("/logout")
    assert answer.headers["Clear-Site-Data"] == '"cache"'
    # The next page tells the script to drop her drafts from the tab, once.
    assert 'data-forget-tab="1"' in text(client.get("/"))
    assert 'data-forget-tab="1"' not in text(client.get("/"))
    client.post_form("/login", {"account": UserFactory().email, "password": PASSWORD})
    assert client.post_form("/logout").headers["Clear-Site-Data"] == '"cache"'
    assert 'data-forget-tab="1"' not in text(client.get("/"))


def test_after_the_idle_logout_log_out_still_clears_the_site(client, frozen_time):
    log_in_shared(client, UserFactory())
    token = client.csrf_token()
    frozen_time.shift(timedelta(minutes=31))
    answer = client.post("/logout", data={"csrf_token": token})
    assert answer.status_code == 302 and answer.location == "/"
    assert answer.headers["Clear-Site-Data"] == '"cache"'


def test_the_idle_logout_clears_the_site(client, frozen_time):
    log_in_shared(client, UserFactory())
    frozen_time.shift(timedelta(minutes=31))
    answer = client.get("/profile")
    assert answer.status_code == 302 and answer.headers["Clear-Site-Data"] == '"cache"'
    assert 'data-forget-tab="1"' in text(client.get(answer.location))


def test_log_out_is_in_sight_on_every_page_outside_the_menu(client):
    user = UserFactory(roles=[Role.APPLICANT], full_name="Lò Thị Hương")
    client.post_form("/login", {"account": user.email, "password": PASSWORD})
    for url in ("/", "/profile", "/competitions/"):
        page = text(client.get(url))
        bar = page.split('class="account-bar', 1)[1].split("</div>\n    </div>", 1)[0]
        assert "Lò Thị Hương" in bar and "Đăng xuất" in bar
        assert page.count(">Đăng xuất</button>") == 1


def test_pages_tell_the_service_worker_whose_they_are(client, app):
    assert client.get("/").headers["X-Portal-Account"] == "0"
    first, second = UserFactory(), UserFactory()
    client.post_form("/login", {"account": first.email, "password": PASSWORD})
    mark = client.get("/").headers["X-Portal-Account"]
    assert len(mark) == 16 and str(first.id) != mark  # hers alone, and naming nothing
    other = app.test_client()
    other.post_form("/login", {"account": second.email, "password": PASSWORD})
    assert other.get("/").headers["X-Portal-Account"] not in ("0", mark)
    assert "X-Portal-Account" not in client.get("/healthz").headers


def test_the_service_worker_keeps_the_built_files_and_the_offline_page(client, app):
    answer = client.get("/service-worker.js")
    assert answer.status_code == 200 and answer.mimetype == "text/javascript"
    assert "no-cache" in answer.headers["Cache-Control"]
    script = text(answer)
    for name in app.extensions["assets"]["assets"].values():
        assert f"/static/{name}" in script
    assert 'const OFFLINE = "/offline";' in script


def test_the_offline_page_holds_nothing_of_hers_and_speaks_both_languages(client):
    client.post_form(
        "/login", {"account": UserFactory(full_name="Lò Thị Hương").email, "password": PASSWORD}
    )
    page = text(client.get("/offline"))
    assert "Không có kết nối mạng" in page and "No connection" in page
    assert "Lò Thị Hương" not in page and "csrf_token" not in page
