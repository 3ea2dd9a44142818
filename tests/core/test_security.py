"""Security baseline: headers, redirects, errors in both languages."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.core.security import is_safe_next
from portal.core.text import fold


def test_security_headers_are_on_every_page(client):
    for url in ("/", "/login", "/nope"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["X-Frame-Options"] == "DENY"


def test_no_page_has_inline_script(client):
    for url in ("/", "/login", "/register"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and " onclick=" not in page and "javascript:" not in page


@pytest.mark.parametrize(
    "target",
    ["/", "/profile", "/admin/users?q=a", "/x#y"],
)
def test_paths_on_this_site_are_safe(target):
    assert is_safe_next(target)


@pytest.mark.parametrize(
    "target",
    [
        "",
        None,
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "http:/x",
        "javascript:alert(1)",
        "evil.example",
        "/\\/evil",
        "/a\nLocation: x",
    ],
)
def test_other_targets_are_not(target):
    assert not is_safe_next(target)


@given(st.text())
def test_a_safe_next_never_names_a_host(target):
    if is_safe_next(target):
        from urllib.parse import urlsplit

        assert urlsplit(target).netloc == "" and target.startswith("/")
        assert not target.startswith("//")


@pytest.mark.parametrize(
    ("language", "code", "title"),
    [
        ("en", 404, "Page not found"),
        ("vi", 404, "Không tìm thấy trang"),
        ("en", 403, "Not allowed"),
        ("vi", 403, "Không được phép"),
    ],
)
def test_error_pages_speak_the_persons_language(client, language, code, title):
    from tests.conftest import login
    from tests.factories import UserFactory

    if code == 403:
        login(client, UserFactory(language=language))
        response = client.get("/admin/users")
    else:
        response = client.get("/nope", headers={"Accept-Language": language})
    assert response.status_code == code
    assert title in response.get_data(as_text=True)


def test_a_too_large_request_gets_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post(
        "/register", data={"full_name": "x" * 5000}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)


@pytest.mark.fresh_app  # adds a route
def test_an_error_on_our_side_gets_a_500_page(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom", headers={"Accept-Language": "vi"})
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in response.get_data(as_text=True)


def test_the_429_page_is_translated(client):
    for _ in range(10):
        client.post_form("/login", {"account": "a@example.vn", "password": "x"})
    response = client.post_form("/login", {"account": "a@example.vn", "password": "x"})
    assert response.status_code == 429
    assert "Quá nhiều lần thử" in response.get_data(as_text=True)


def test_fold_ignores_diacritics_and_case():
    assert fold("  Điện   Biên ") == "dien bien"
    assert fold("Mường Phăng") == "muong phang"
    assert fold(None) == ""


@pytest.mark.fresh_app  # adds a route
def test_the_500_page_still_answers_when_the_database_is_gone(app, client, monkeypatch):
    from portal.core import errors

    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(errors, "render_template", broken)
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in response.get_data(as_text=True)


@pytest.mark.fresh_app  # adds a route
def test_a_row_changed_under_a_request_is_a_409_not_a_500(app, client):
    from sqlalchemy.orm.exc import StaleDataError

    @app.get("/changed")
    def changed():
        raise StaleDataError("UPDATE statement on table 'entry' expected to update 1 row")

    response = client.get("/changed", headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "Someone else changed this at the same moment" in response.get_data(as_text=True)
