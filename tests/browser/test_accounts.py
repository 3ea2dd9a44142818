"""Accounts in the browser: register and confirm, invitations, a wrong password."""

import re

from playwright.sync_api import Page, expect

from portal.auth.models import Role, User
from portal.extensions import db
from tests.browser.conftest import assert_accessible, fresh_db, log_in, open_menu
from tests.conftest import link_in, mails_to
from tests.factories import PASSWORD, UserFactory


def test_register_confirm_log_in_switch_language_and_log_out(page: Page):
    name, email = "Lò Thị Hương", "huong.lo@example.vn"

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)

    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Full name").fill(name)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill("mật khẩu dài 2024")
    page.get_by_label("Repeat the password").fill("mật khẩu dài 2024")
    page.get_by_role("radio", name="English").check()
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(email)
    assert_accessible(page)

    fresh_db()
    mails = mails_to(email)
    assert len(mails) == 1
    confirm_link = link_in(mails[0], "/confirm/")
    fresh_db()

    page.goto(confirm_link)
    expect(page.get_by_role("heading", name="Confirm your e-mail address")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my e-mail address").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_contain_text(
        "Thank you, your e-mail address is confirmed. You can log in now."
    )
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("E-mail or mobile number").fill(email)
    page.get_by_label("Password", exact=True).fill("mật khẩu dài 2024")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text(f"Welcome, {name}.")
    assert_accessible(page)

    # The switcher sits in the collapsed menu at phone width.
    open_menu(page)
    assert_accessible(page)
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    open_menu(page)
    expect(page.get_by_role("button", name="Tiếng Việt")).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("button", name="Đăng xuất", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ý tưởng khởi nghiệp của phụ nữ")
    assert_accessible(page)

    open_menu(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You have logged out.")
    open_menu(page)
    expect(page.locator("#nav-menu").get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    assert_accessible(page)


def test_an_invited_judge_sets_her_password_and_has_the_role(page: Page):
    admin = UserFactory(roles=[Role.ADMIN], language="en")
    admin_email = admin.email
    judge_email = "giam.khao@example.vn"
    fresh_db()

    log_in(page, admin_email, PASSWORD)
    assert_accessible(page)
    open_menu(page)
    page.get_by_role("link", name="Invitations").click()
    expect(page.get_by_role("heading", name="Invitations", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("E-mail address of the person to invite").fill(judge_email)
    page.get_by_label("Role", exact=True).select_option(label="Judge")
    page.get_by_role("radio", name="English").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"The invitation has been sent to {judge_email}."
    )
    sent = page.get_by_role("row").filter(has_text=judge_email)
    expect(sent).to_contain_text("Judge")
    expect(sent).to_contain_text("Waiting")
    assert_accessible(page)

    fresh_db()
    mails = mails_to(judge_email)
    assert len(mails) == 1
    accept_link = link_in(mails[0], "/invitations/accept/")
    fresh_db()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You have logged out.")
    assert_accessible(page)

    page.goto(accept_link)
    expect(page.get_by_role("heading", name="Accept the invitation")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("You are invited to join the portal as Judge.")
    expect(page.get_by_role("main")).to_contain_text(judge_email)
    assert_accessible(page)

    page.get_by_label("Full name").fill("Vàng Thị Mai")
    page.get_by_label("Password", exact=True).fill("một mật khẩu tốt")
    page.get_by_label("Repeat the password").fill("một mật khẩu tốt")
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("status")).to_contain_text("Welcome, Vàng Thị Mai. Your role: Judge.")
    expect(page.get_by_role("heading", name="Judge", exact=True)).to_be_visible()
    assert_accessible(page)

    open_menu(page)
    page.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    roles = page.get_by_role("heading", name="Your roles").locator("xpath=following-sibling::ul[1]")
    expect(roles.get_by_role("listitem")).to_have_text(["Judge"])
    assert_accessible(page)

    fresh_db()
    judge = db.session.scalar(db.select(User).where(User.email == judge_email))
    assert judge is not None and judge.is_confirmed and judge.has_role(Role.JUDGE)
    fresh_db()


def test_a_wrong_password_is_refused_next_to_the_form_and_the_email_is_kept(page: Page):
    user = UserFactory(language="en")
    email = user.email
    fresh_db()

    page.goto("/login")
    assert_accessible(page)
    page.get_by_label("E-mail or mobile number").fill(email)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    error = page.get_by_role("alert")
    expect(error).to_have_text("The e-mail address, number or password is not right.")
    expect(error).to_be_focused()  # announced by screen readers at once
    # The message stands right above the login form, and what was typed is kept.
    expect(
        page.locator("#form-errors + form").get_by_label("E-mail or mobile number")
    ).to_have_value(email)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    assert_accessible(page)
