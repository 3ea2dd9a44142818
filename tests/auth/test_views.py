"""Account pages through HTTP: what a person sees, the status codes, the limits."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import template_rendered

from config import Config
from portal.auth import services
from portal.auth.models import Role, User
from portal.extensions import db
from tests.conftest import link_in, login, mails_to
from tests.factories import PASSWORD, UserFactory

EN = {"Accept-Language": "en"}


def text(response) -> str:
    return response.get_data(as_text=True)


def without_tokens(html: str) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', html)


def register_data(**overrides):
    data = {
        "full_name": "Lò Thị Hương",
        "email": "huong@example.vn",
        "password": "mat-khau-2026",
        "confirm": "mat-khau-2026",
        "language": "vi",
    }
    data.update(overrides)
    return data


# --- Registration -----------------------------------------------------------------------------


def test_the_register_form_labels_every_field_and_carries_a_csrf_token(client):
    page = text(client.get("/register"))
    for field in ("full_name", "mobile", "email", "password", "confirm"):
        assert f'<label class="form-label" for="{field}">' in page
    assert 'name="csrf_token"' in page


def test_registering_shows_check_your_email_and_queues_the_confirmation(client):
    response = client.post_form("/register", register_data(), headers=EN)
    assert response.status_code == 200
    assert "Check your e-mail" in text(response)
    user = db.session.scalar(sa.select(User).where(User.email == "huong@example.vn"))
    assert user.login_phone is None
    assert [m.template for m in mails_to("huong@example.vn")] == ["confirm_email"]


def test_registering_a_known_address_looks_the_same(client):
    first = client.post_form("/register", register_data(), headers=EN)
    second = client.post_form("/register", register_data(full_name="Người Khác"), headers=EN)
    assert second.status_code == first.status_code == 200
    assert without_tokens(text(second)) == without_tokens(text(first))


def test_a_registration_with_errors_keeps_what_was_typed(client):
    response = client.post_form(
        "/register",
        register_data(email="khong-phai-email", confirm="khac", mobile="12ab"),
        headers=EN,
    )
    page = text(response)
    assert response.status_code == 422
    assert 'value="Lò Thị Hương"' in page
    assert 'value="khong-phai-email"' in page
    assert "Enter an e-mail address like name@example.com." in page
    assert "The two passwords are not the same." in page
    assert "Enter a Vietnamese mobile number, for example 0912 345 678." in page
    assert 'value="12ab"' in page
    assert 'aria-invalid="true"' in page


def test_an_overlong_name_is_refused_with_a_message(client):
    response = client.post_form("/register", register_data(full_name="A" * 500), headers=EN)
    assert response.status_code == 422
    assert "Field cannot be longer than 120 characters." in text(response)


def test_html_in_a_name_is_shown_as_text(client, app):
    client.post_form("/register", register_data(full_name="<script>alert(1)</script>"))
    user = db.session.scalar(sa.select(User))
    services.confirm_email(services.confirmation_token(user))
    login(client, user, "mat-khau-2026")
    page = text(client.get("/profile"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_post_without_csrf_token_is_refused(client):
    response = client.post("/register", data=register_data(), headers=EN)
    assert response.status_code == 400
    assert "This form has expired" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


# --- Confirmation ------------------------------------------------------------------------------


def test_the_confirmation_link_confirms_and_leads_to_login(client):
    client.post_form("/register", register_data())
    link = link_in(mails_to("huong@example.vn")[0], "/confirm/")
    page = client.get(link, headers=EN)  # opening the link changes nothing: she presses a button
    assert page.status_code == 200 and "Confirm my e-mail address" in text(page)
    assert not db.session.scalar(sa.select(User)).is_confirmed
    response = client.post_form(link, headers=EN)
    assert response.status_code == 302 and response.location == "/login"
    assert "your e-mail address is confirmed" in text(client.get("/login", headers=EN))
    assert login(client, db.session.scalar(sa.select(User)), "mat-khau-2026").status_code == 302


def test_a_broken_confirmation_link_says_so(client):
    response = client.get("/confirm/not-a-token", headers=EN)
    assert response.status_code == 400
    assert "This link is not valid" in text(response)


def test_resending_the_confirmation_looks_the_same_for_any_address(client):
    user = UserFactory(confirmed_at=None)
    known = client.post_form("/confirm", {"email": user.email}, headers=EN)
    unknown = client.post_form("/confirm", {"email": "ai-do@example.vn"}, headers=EN)
    assert without_tokens(text(known)).replace(user.email, "X") == without_tokens(
        text(unknown)
    ).replace("ai-do@example.vn", "X")
    assert len(mails_to(user.email)) == 1


def test_resending_the_confirmation_does_the_same_work_for_any_address(app, client):
    """Same queries, same templates rendered, same page for an unconfirmed, a confirmed and an
    unknown address: the time cannot tell which addresses have an account waiting."""
    waiting, confirmed = UserFactory(confirmed_at=None), UserFactory(language="en")
    token = client.csrf_token()

    def ask(email: str) -> tuple[list[str], list[str], str]:
        statements, templates = [], []

        def count_statement(conn, cursor, statement, *args):
            statements.append(statement.split()[0].upper())

        def count_template(sender, template, context, **extra):
            templates.append(template.name.split("/")[0])  # mail/… or auth/…

        sa.event.listen(db.engine, "before_cursor_execute", count_statement)
        template_rendered.connect(count_template, app)
        try:
            response = client.post(
                "/confirm", data={"email": email, "csrf_token": token}, headers=EN
            )
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count_statement)
            template_rendered.disconnect(count_template, app)
        assert response.status_code == 200
        return statements, templates, without_tokens(text(response).replace(email, "X"))

    asked = [ask(waiting.email), ask(confirmed.email), ask("ai-do@example.vn")]
    assert asked[0] == asked[1] == asked[2]
    assert asked[0][1] == ["mail", "mail", "auth"]
    # What each address is told: a link, that it is confirmed already, that no account uses it.
    assert link_in(mails_to(waiting.email)[0], "/confirm/")
    assert "already confirmed" in mails_to(confirmed.email)[0].body_text
    assert (
        "No account that can log in uses this address" in mails_to("ai-do@example.vn")[0].body_text
    )


# --- Login -------------------------------------------------------------------------------------


def test_login_leads_home_with_a_welcome(client):
    user = UserFactory(full_name="Lò Thị Mai", language="en")
    response = login(client, user)
    assert response.status_code == 302 and response.location == "/"
    assert "Welcome, Lò Thị Mai." in text(client.get("/", headers=EN))


def test_her_account_and_roles_are_read_in_one_query(app, client, units):
    """Every page she sees logged in starts by loading her: one statement, roles and units with it."""
    user = UserFactory(roles=[Role.JUDGE, (Role.ORGANISER, units["dien_bien"])])
    login(client, user)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.remove()  # as a new request: nothing of hers is loaded yet
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.test_request_context():
            loaded = app.login_manager._user_callback(user.session_token)
            assert {grant.role for grant in loaded.roles} == {Role.JUDGE, Role.ORGANISER}
            assert [u.name for u in loaded.organiser_units()] == ["Điện Biên"]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1, statements


def test_a_wrong_password_keeps_the_email_and_says_one_thing(client):
    user = UserFactory()
    wrong = client.post_form("/login", {"account": user.email, "password": "sai"}, headers=EN)
    unknown = client.post_form(
        "/login", {"account": "ai@example.vn", "password": "sai"}, headers=EN
    )
    assert wrong.status_code == unknown.status_code == 422
    assert "The e-mail address, number or password is not right." in text(wrong)
    assert f'value="{user.email}"' in text(wrong)
    assert without_tokens(text(wrong)) == without_tokens(text(unknown))


def test_an_unconfirmed_account_is_asked_to_confirm(client):
    user = UserFactory(confirmed_at=None)
    response = client.post_form("/login", {"account": user.email, "password": PASSWORD}, headers=EN)
    assert response.status_code == 422
    assert "Please confirm your e-mail address first." in text(response)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/profile", "/profile"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirects_only_within_the_site(client, target, expected):
    user = UserFactory()
    response = client.post_form(
        "/login", {"account": user.email, "password": PASSWORD, "next": target}
    )
    assert response.location == expected


def test_a_protected_page_sends_to_login_and_back(client):
    response = client.get("/profile")
    assert response.location == "/login?next=%2Fprofile"
    page = text(client.get(response.location))
    assert 'name="next" type="hidden" value="/profile"' in page


def test_session_cookies_are_httponly_and_samesite_lax(client):
    user = UserFactory()
    response = client.post_form(
        "/login", {"account": user.email, "password": PASSWORD, "remember": "y"}
    )
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        assert "HttpOnly" in cookies[name]
        assert "SameSite=Lax" in cookies[name]


def test_production_cookies_are_secure():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE


def test_the_eleventh_failed_login_in_a_minute_gets_429(client):
    user = UserFactory()
    for _ in range(10):
        response = client.post_form("/login", {"account": user.email, "password": "sai"})
        assert response.status_code == 422
    response = client.post_form("/login", {"account": user.email, "password": "sai"}, headers=EN)
    assert response.status_code == 429
    assert "Too many attempts" in text(response)
    # The right password is refused too, until the minute is over.
    assert (
        client.post_form("/login", {"account": user.email, "password": PASSWORD}).status_code == 429
    )


def test_the_login_limit_follows_the_account_across_addresses(client):
    user = UserFactory()
    for n in range(10):
        client.post_form(
            "/login",
            {"account": user.email, "password": "sai"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )
    response = client.post_form(
        "/login",
        {"account": user.email, "password": "sai"},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert response.status_code == 429


def test_a_shared_phone_lets_the_next_woman_in_and_says_when_to_try_again(client, frozen_time):
    a, b = UserFactory(), UserFactory()
    for _ in range(10):
        assert (
            client.post_form("/login", {"account": a.email, "password": "sai"}).status_code == 422
        )
    # B, on the same phone (the same address), with her own right password: she gets in.
    assert login(client, b).location == "/"
    client.post_form("/logout")
    # A's 11th attempt is refused, and told when she can try again (10:00 in Vietnam now).
    refused = client.post_form("/login", {"account": a.email, "password": PASSWORD}, headers=EN)
    assert refused.status_code == 429
    assert "You can try again in 1 minute, at 10:01" in text(refused)
    frozen_time.shift(61)
    assert login(client, a).status_code == 302


def test_the_429_page_says_when_to_try_again_in_her_language(client, frozen_time):
    for _ in range(5):
        client.post_form("/password/forgot", {"account": "ai@example.vn"})
    refused = client.post_form("/password/forgot", {"account": "ai@example.vn"})
    assert refused.status_code == 429
    assert "Chị có thể thử lại sau 1 phút nữa, lúc 10:01." in text(refused)


def test_the_login_limit_of_an_address_is_for_a_whole_office(app, client):
    app.config["LOGIN_ADDRESS_LIMIT"] = "3 per hour"  # 100 by default: three keep the test short
    for n in range(3):
        client.post_form("/login", {"account": f"ai{n}@example.vn", "password": "sai"})
    assert (
        client.post_form("/login", {"account": "khac@example.vn", "password": "sai"}).status_code
        == 429
    )
    assert Config.LOGIN_ADDRESS_LIMIT == "100 per hour"


def test_successful_logins_do_not_count_towards_the_limit(client):
    user = UserFactory()
    for _ in range(12):
        assert login(client, user).status_code == 302
        client.post_form("/logout")


def test_logout_needs_a_post_with_a_token(client):
    user = UserFactory()
    login(client, user)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.post_form("/logout").status_code == 302
    assert client.get("/profile").status_code == 302


def test_a_copied_session_or_remember_me_cookie_is_worthless_after_logout(app, client):
    user = UserFactory()
    login(client, user, remember=True)
    copies = {name: client.get_cookie(name).value for name in ("session", "remember_token")}

    def replay(name: str):
        other = app.test_client()
        other.set_cookie(name, copies[name])
        return other.get("/profile")

    for name in copies:
        assert replay(name).status_code == 200  # a copy works while she is logged in
    client.post_form("/logout")
    for name in copies:
        response = replay(name)
        assert response.status_code == 302
        assert response.location.startswith("/login")


def test_logging_out_from_a_page_left_open_for_hours_ends_the_session(app, client):
    """On a shared computer she clicks "Log out" on a page opened hours ago: its token is past
    the forms' time limit, but the logout must not fail and leave her logged in for the next
    person."""
    import time_machine

    user = UserFactory()
    start = datetime(2026, 5, 10, 1, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        login(client, user)
        token = client.csrf_token()  # the page with the "Log out" button
        clock.shift(timedelta(hours=3))
        response = client.post("/logout", data={"csrf_token": token})
        assert response.status_code == 302
        assert client.get("/profile").status_code == 302  # to the login page
    # A token of another session, or none, still does not log anyone out.
    login(client, user)
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/profile").status_code == 200


# --- Passwords ----------------------------------------------------------------------------------


def test_forgot_password_looks_the_same_for_any_address(client):
    user = UserFactory()
    known = client.post_form("/password/forgot", {"account": user.email}, headers=EN)
    unknown = client.post_form("/password/forgot", {"account": "ai@example.vn"}, headers=EN)
    assert known.status_code == unknown.status_code == 200
    assert without_tokens(text(known)).replace(user.email, "X") == without_tokens(
        text(unknown)
    ).replace("ai@example.vn", "X")


def test_forgot_password_does_the_same_work_for_any_address(app, client):
    """Same queries, same templates rendered, same page: the time cannot tell them apart."""
    user = UserFactory()
    token = client.csrf_token()

    def ask(email: str) -> tuple[list[str], list[str], str]:
        statements, templates = [], []

        def count_statement(conn, cursor, statement, *args):
            statements.append(statement.split()[0].upper())

        def count_template(sender, template, context, **extra):
            templates.append(template.name.split("/")[0])  # mail/… or auth/…

        sa.event.listen(db.engine, "before_cursor_execute", count_statement)
        template_rendered.connect(count_template, app)
        try:
            response = client.post(
                "/password/forgot", data={"account": email, "csrf_token": token}, headers=EN
            )
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count_statement)
            template_rendered.disconnect(count_template, app)
        assert response.status_code == 200
        return statements, templates, text(response).replace(email, "X")

    known, unknown = ask(user.email), ask("ai@example.vn")
    assert known[0] == unknown[0]  # e.g. SELECT the account, INSERT the mail
    assert known[1] == unknown[1] == ["mail", "mail", "auth"]
    assert without_tokens(known[2]) == without_tokens(unknown[2])


def test_resetting_the_password_from_the_mail(client):
    user = UserFactory()
    client.post_form("/password/forgot", {"account": user.email})
    link = link_in(mails_to(user.email)[0], "/password/reset/")
    assert client.get(link).status_code == 200
    short = client.post_form(link, {"password": "ngan", "confirm": "ngan"}, headers=EN)
    assert short.status_code == 422
    assert "between 8 and 128 characters" in text(short)
    response = client.post_form(link, {"password": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"})
    assert response.location == "/login"
    assert client.get(link, headers=EN).status_code == 400  # used once
    assert login(client, user, "mat-khau-moi-1").status_code == 302


def test_changing_the_password_logs_out_other_devices(app, client):
    user = UserFactory(language="en")
    other_device = app.test_client()
    login(other_device, user)
    login(client, user)
    wrong = client.post_form(
        "/password/change",
        {"current_password": "sai", "password": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"},
        headers=EN,
    )
    assert wrong.status_code == 422
    assert "Your current password is not right." in text(wrong)
    response = client.post_form(
        "/password/change",
        {"current_password": PASSWORD, "password": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"},
    )
    assert response.location == "/profile"
    assert client.get("/profile").status_code == 200
    assert other_device.get("/profile").status_code == 302


# --- Profile and the unit picker ---------------------------------------------------------------


def test_the_profile_picker_works_without_javascript(client, units):
    user = UserFactory()
    login(client, user)
    # Step 1: pick a province and press "Show communes": nothing is saved, the list fills in.
    response = client.post_form(
        "/profile",
        {
            "full_name": "Tên mới đang gõ",
            "language": "vi",
            "province": units["dien_bien"].id,
            "commune": "",
            "show_communes": "Hiện",
        },
    )
    page = text(response)
    assert response.status_code == 200
    assert 'value="Tên mới đang gõ"' in page
    assert "Xã Mường Phăng" in page and "Phường Điện Biên Phủ" in page
    assert "Phường Sa Pa" not in page
    db.session.refresh(user)
    assert user.full_name != "Tên mới đang gõ"
    # Step 2: choose the commune and save.
    response = client.post_form(
        "/profile",
        {
            "full_name": "Tên mới đang gõ",
            "language": "vi",
            "province": units["dien_bien"].id,
            "commune": units["muong_phang"].id,
        },
    )
    assert response.location == "/profile"
    db.session.refresh(user)
    assert (user.full_name, user.commune_id) == ("Tên mới đang gõ", units["muong_phang"].id)


def test_a_commune_of_another_province_is_refused(client, units):
    login(client, UserFactory())
    response = client.post_form(
        "/profile",
        {
            "full_name": "Lò Thị Mai",
            "language": "en",
            "province": units["lao_cai"].id,
            "commune": units["muong_phang"].id,
        },
        headers=EN,
    )
    assert response.status_code == 422
    assert "Lựa chọn không hợp lệ" in text(response)  # WTForms speaks her language


def test_the_communes_of_a_province_as_json(client, units):
    response = client.get(f"/units/communes.json?province={units['lao_cai'].id}")
    assert response.json == [{"id": units["sa_pa"].id, "name": "Phường Sa Pa"}]
    assert client.get("/units/communes.json?province=abc").status_code == 404
    assert client.get(f"/units/communes.json?province={units['sa_pa'].id}").status_code == 404


# --- Invitations through the pages --------------------------------------------------------------


def test_an_organiser_is_offered_only_the_judge_role(client, units):
    login(client, UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="en"))
    page = text(client.get("/invitations"))
    assert '<option value="judge">Judge</option>' in page
    assert 'value="organiser"' not in page and 'value="admin"' not in page
    response = client.post_form(
        "/invitations", {"email": "x@example.vn", "role": "admin", "language": "vi"}, headers=EN
    )
    assert response.status_code == 422
    assert 'value="x@example.vn"' in text(response)


def test_an_organiser_invites_a_judge_who_then_joins(app, client, units):
    login(client, UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])]))
    response = client.post_form(
        "/invitations",
        {
            "email": "gk@example.vn",
            "role": "judge",
            "language": "en",
            "province": units["dien_bien"].id,
        },
    )
    assert response.location == "/invitations"
    link = link_in(mails_to("gk@example.vn")[0], "/invitations/accept/")
    judge_client = app.test_client()
    assert "Choose a password to finish" in text(judge_client.get(link, headers=EN))
    response = judge_client.post_form(
        link,
        {"full_name": "Trần Minh Ngọc", "password": "mat-khau-2026", "confirm": "mat-khau-2026"},
    )
    assert response.location == "/"
    assert "Your role: Judge" in text(judge_client.get("/", headers=EN))
    assert judge_client.get(link).status_code == 400  # the link is used up


def test_an_existing_account_is_asked_to_log_in_to_accept(app, client):
    admin = UserFactory(roles=[Role.ADMIN])
    member = UserFactory()
    services.invite(
        admin, email=member.email, role=Role.JUDGE, unit_id=None, language="en", ip=None
    )
    link = link_in(mails_to(member.email)[0], "/invitations/accept/")
    page = text(client.get(link, headers=EN))
    assert "Log in with it to accept" in page
    login(client, member)
    assert client.post_form(link).location == "/"
    db.session.refresh(member)
    assert member.has_role(Role.JUDGE)
