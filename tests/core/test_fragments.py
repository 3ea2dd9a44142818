"""The site menu is rendered once per language and set of roles (core/fragments.py): each person
still sees the menu of her own roles, in her own language; and her own token on "Log out", which
stands outside the menu."""

import re

from portal.auth.models import Role
from tests.conftest import CSRF_INPUT, login
from tests.factories import UserFactory


def menu_of(app, user) -> str:
    client = app.test_client()
    login(client, user)
    page = client.get("/").get_data(as_text=True)
    return page[page.index('id="nav-menu"') : page.index("</nav>")]


def links(menu: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', menu))


def test_each_person_sees_the_menu_of_her_roles_whoever_came_before(app, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    judge = UserFactory(roles=[Role.JUDGE])
    applicant = UserFactory()
    admin = UserFactory(roles=[Role.ADMIN])
    for _ in range(2):  # the second time round, every menu is the kept one
        assert {"/competitions/manage", "/projects/follow-up"} <= links(menu_of(app, organiser))
        assert "/admin/users" not in links(menu_of(app, organiser))
        assert "/judging/" in links(menu_of(app, judge))
        assert not {"/competitions/manage", "/my/projects"} & links(menu_of(app, judge))
        assert "/my/projects" in links(menu_of(app, applicant))
        assert not {"/judging/", "/competitions/manage"} & links(menu_of(app, applicant))
        assert {"/admin/users", "/competitions/manage"} <= links(menu_of(app, admin))


def test_the_menu_speaks_her_language(app, units):
    vietnamese = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    english = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="en")
    for _ in range(2):
        assert "Cuộc thi của tôi" in menu_of(app, vietnamese)
        assert "My competitions" not in menu_of(app, vietnamese)
        assert "My competitions" in menu_of(app, english)


def account_bar_of(app, user) -> str:
    client = app.test_client()
    login(client, user)
    page = client.get("/").get_data(as_text=True)
    return page[page.index('class="account-bar') : page.index('id="content"')]


def test_her_log_out_button_carries_her_own_token(app, units):
    first, second = UserFactory(), UserFactory()
    tokens = {CSRF_INPUT.search(account_bar_of(app, user)).group(1) for user in (first, second)}
    assert len(tokens) == 2


def test_an_untouched_form_is_written_once_per_language_and_data(app, monkeypatch):
    from flask_babel import refresh

    from portal.core.fragments import form_fields, untouched_form
    from portal.entries.organiser_forms import ScreeningForm

    made = []

    class Counted(ScreeningForm):
        def __init__(self, *args, **kwargs):
            made.append(kwargs.get("decision"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(app.jinja_env, "auto_reload", False)  # as in production: kept only there
    fields = "entries/_screening_fields.html"
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        kept = untouched_form(fields, Counted, decision="ineligible")
        assert untouched_form(fields, Counted, decision="ineligible") is kept
        assert kept == form_fields(fields, ScreeningForm(formdata=None, decision="ineligible"))
        assert (
            'checked class="form-check-input" id="decision-1"' in kept and "Lưu quyết định" in kept
        )
        assert "csrf_token" not in kept  # the page's own, never one kept for everyone
        eligible = untouched_form(fields, Counted, decision="eligible")
        assert 'checked class="form-check-input" id="decision-0"' in eligible
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()  # the test's app context outlives each request's: its language read again
        assert "Record the decision" in untouched_form(fields, Counted, decision="ineligible")
    assert made == ["ineligible", "eligible", "ineligible"]
