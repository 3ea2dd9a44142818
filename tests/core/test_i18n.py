"""Two languages: complete catalogues, the choice order, Vietnam time and đồng."""

from datetime import UTC, datetime
from pathlib import Path

import flask_babel
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from flask_babel import force_locale, gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.core import i18n
from portal.core.money import format_vnd
from portal.core.time import to_vietnam
from tests.conftest import login
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def source_messages() -> set[str]:
    """Every user-facing string in the code and templates, extracted as `make translations` does."""
    method_map = [
        ("portal/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),
    ]
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalogue(language: str):
    with open(
        ROOT / "portal" / "translations" / language / "LC_MESSAGES" / "messages.po", "rb"
    ) as f:
        return read_po(f, locale=language)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_string_is_in_the_catalogue(language):
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(language) if m.id}
    missing = sorted(source_messages() - known)
    assert not missing, f"run `make translations`; missing from {language}: {missing[:10]}"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_string_is_translated(language):
    untranslated = [
        m.id
        for m in catalogue(language)
        if m.id
        and ("fuzzy" in m.flags or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    assert not untranslated, f"untranslated or fuzzy in {language}: {untranslated[:10]}"


def test_vietnamese_is_not_left_in_english():
    """A Vietnamese string equal to its English source is almost always a forgotten one."""
    allowed = {"Menu", "Email", "Tiếng Việt", "English"}
    same = [
        m.id
        for m in catalogue("vi")
        if m.id
        and isinstance(m.id, str)
        and m.string == m.id
        and m.id not in allowed
        and " " in m.id
    ]
    assert not same, same


# --- The choice order: saved preference, switcher cookie, Accept-Language, Vietnamese -------------


def lang_of(response) -> str:
    return response.get_data(as_text=True).split('<html lang="', 1)[1].split('"', 1)[0]


def test_vietnamese_is_the_default(client):
    assert lang_of(client.get("/")) == "vi"


def test_the_browser_language_comes_next(client):
    assert lang_of(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})) == "en"
    assert lang_of(client.get("/", headers={"Accept-Language": "fr"})) == "vi"


def test_the_switcher_beats_the_browser_language(client):
    response = client.post_form("/language", {"language": "vi", "next": "/login"})
    assert response.location == "/login"
    assert "lang=vi" in response.headers["Set-Cookie"]
    assert lang_of(client.get("/", headers={"Accept-Language": "en"})) == "vi"


def test_the_saved_preference_beats_the_switcher_cookie(client):
    user = UserFactory(language="en")
    client.set_cookie("lang", "vi")
    login(client, user)
    assert lang_of(client.get("/")) == "en"


def test_switching_while_logged_in_saves_the_preference(app, client):
    user = UserFactory(language="vi")
    login(client, user)
    client.post_form("/language", {"language": "en", "next": "/profile"})
    assert lang_of(client.get("/profile")) == "en"
    from portal.extensions import db

    db.session.refresh(user)
    assert user.language == "en"


def test_the_switcher_refuses_an_unknown_language_and_a_foreign_next(client):
    assert client.post_form("/language", {"language": "fr"}).status_code == 400
    response = client.post_form("/language", {"language": "en", "next": "https://evil.example/"})
    assert response.location == "/"


def test_the_switcher_is_on_every_page(client):
    for url in ("/", "/login", "/register", "/password/forgot", "/nope"):
        page = client.get(url).get_data(as_text=True)
        assert 'name="language" value="vi"' in page and 'name="language" value="en"' in page


# --- Time and money ------------------------------------------------------------------------------


def test_times_are_shown_in_vietnam_time(app):
    moment = datetime(2026, 3, 8, 17, 30, tzinfo=UTC)
    assert to_vietnam(moment).hour == 0  # the next day, 00:30 in Hà Nội
    with app.test_request_context(), force_locale("en"):
        rendered = app.jinja_env.from_string("{{ t|datetime('medium') }}").render(t=moment)
    assert rendered.startswith("Mar 9, 2026") and "12:30:00" in rendered


def test_money_is_formatted_per_language():
    assert format_vnd(1_300_000_000, "vi") == "1.300.000.000\xa0₫"
    assert format_vnd(1_300_000_000, "en") == "VND\xa01,300,000,000"


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        format_vnd(1.5, "vi")


@given(st.integers(min_value=0, max_value=10**15))
def test_formatted_money_keeps_every_dong(amount):
    for language, separator in (("vi", "."), ("en", ",")):
        digits = "".join(ch for ch in format_vnd(amount, language) if ch.isdigit())
        assert int(digits) == amount
        grouped = format_vnd(amount, language).replace("\xa0₫", "").replace("VND\xa0", "")
        assert all(len(group) == 3 for group in grouped.split(separator)[1:])


# --- The request's language, looked up once (portal.core.i18n) ----------------------------------


def test_the_kept_catalogue_follows_a_forced_language(app):
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        page = app.jinja_env.from_string("{{ _('Competitions') }}")
        assert page.render() == "Cuộc thi"
        with force_locale("en"):  # a mail to someone who reads English, sent from her request
            assert page.render() == "Competitions"
            assert gettext("Competitions") == "Competitions"
        assert page.render() == "Cuộc thi"
        assert gettext("Competitions") == "Cuộc thi"


def test_a_template_label_escapes_what_it_is_given_where_the_template_escapes(app):
    env = app.jinja_env
    label = "{{ _('Applicant: %(name)s, %(email)s', name=name, email='a@b.vn') }}"
    trans = "{% trans name=name, email='a@b.vn' %}Applicant: {{ name }}, {{ email }}{% endtrans %}"
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        for source in (label, trans):
            page = env.from_string("{% autoescape true %}" + source + "{% endautoescape %}")
            assert page.render(name="<b>Lò & Mai</b>") == (
                "Người dự thi: &lt;b&gt;Lò &amp; Mai&lt;/b&gt;, a@b.vn"
            )
            mail = env.from_string("{% autoescape false %}" + source + "{% endautoescape %}")
            assert mail.render(name="Lò & Mai") == "Người dự thi: Lò & Mai, a@b.vn"
        percent = env.from_string("{% autoescape true %}{{ _('100%% sent') }}{% endautoescape %}")
        assert percent.render() == "100% sent"  # a format string even with nothing to put in
        named = env.from_string("{{ _('%(string)s', string='chuỗi') }}")
        assert named.render() == "chuỗi"  # the label's own names leave the text's free
    assert env.globals["_"] is env.globals["gettext"] is i18n._template_gettext  # the one call


moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


# The app only provides the request context; nothing in it changes between examples.
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moment=moments, number=st.integers(min_value=-(10**15), max_value=10**15))
def test_the_quick_formats_write_what_flask_babel_writes(app, moment, number):
    for language in ("vi", "en"):
        with app.test_request_context(), force_locale(language):
            for pattern in ("HH:mm, dd/MM/yyyy", "d MMM yyyy, HH:mm", "medium"):
                assert i18n.format_moment(moment, pattern) == flask_babel.format_datetime(
                    moment, pattern
                )
            for pattern in ("short", "medium", "long", "MM/yyyy"):
                assert i18n.format_day(moment.date(), pattern) == flask_babel.format_date(
                    moment.date(), pattern
                )
                # A moment is the day it is in Vietnam.
                assert i18n.format_day(moment, pattern) == flask_babel.format_date(
                    to_vietnam(moment).date(), pattern
                )
            for pattern in ("#,##0", "#,##0.00"):
                assert i18n.format_number(number, pattern) == flask_babel.format_decimal(
                    number, pattern
                )
                assert i18n.format_number(number / 7, pattern) == flask_babel.format_decimal(
                    number / 7, pattern
                )


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_money_is_written_as_babel_writes_it(amount):
    assert format_vnd(amount, "vi") == format_currency(amount, "VND", locale="vi")
    assert format_vnd(amount, "en") == format_currency(
        amount, "VND", format="¤¤\xa0#,##0", locale="en"
    )
