"""The site menu is rendered once per language and set of roles (core/fragments.py): each person
still sees the menu of her own roles, in her own language, with her own token on "Log out"."""

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


def test_her_log_out_button_carries_her_own_token(app, units):
    first, second = UserFactory(), UserFactory()
    tokens = {CSRF_INPUT.search(menu_of(app, user)).group(1) for user in (first, second)}
    assert len(tokens) == 2
