"""Numbers, NUL bytes and blanks at the edge: every id, query filter and form field answers a
4xx or a page with a message, never a 500 (on SQLite and on PostgreSQL)."""

import re

import pytest
import sqlalchemy as sa
from flask import current_app, request

from portal.auth.models import Role
from portal.core.inputs import bounded_int
from portal.entries import services as entry_services
from portal.extensions import db
from portal.projects.models import SupportedProject
from tests.conftest import login
from tests.factories import UserFactory, make_competition

pytestmark = pytest.mark.usefixtures("frozen_time")

# Past PostgreSQL's integer (2^31 - 1) and past SQLite's (2^63 - 1).
HUGE_IDS = ["2147483648", "9223372036854775808"]
HUGE = "9" * 400  # past a float's 309 digits
NUL = "a\x00b"


def _get_routes(app) -> list[tuple[str, list[str]]]:
    """Every GET rule with its int arguments, as a URL template with `{name}` for each."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        ints = re.findall(r"<int:([a-z_]+)>", rule.rule)
        if not ints:
            continue
        routes.append((re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule), ints))
    return sorted(routes)


@pytest.mark.parametrize("huge", HUGE_IDS)
@pytest.mark.parametrize("role", ["anonymous", "organiser"])
def test_no_route_answers_500_to_an_id_out_of_range(client, units, role, huge):
    app = client.application
    app.config["PROPAGATE_EXCEPTIONS"] = False  # every 500 listed, not the first
    if role == "organiser":
        login(client, UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])]))
    routes = _get_routes(app)
    assert len(routes) > 30
    wrong = {}
    for template, names in routes:
        url = template.format(**dict.fromkeys(names, huge))
        response = client.get(url)
        if response.status_code >= 500 or response.status_code == 200:
            wrong[url] = response.status_code
    assert wrong == {}
    # An id past the range is no such page: 404, as for an id that is not there.
    assert client.get(f"/competitions/{huge}").status_code == 404


# Every name a filter, a page number or a GET form of the portal reads from the query string.
FILTERS = [
    "page",
    "province",
    "commune",
    "year",
    "category",
    "unit",
    "level",
    "phase",
    "status",
    "role",
    "flag",
    "q",
    "sort",
    "code",
    "action",
    "household",
    "minority",
    "stage",
    "won",
    "mode",
    "count",
    "threshold",
]


def _filled_routes(world) -> list[str]:
    """Every GET page whose ids the published world has, with those ids."""
    ids = {
        "competition_id": world.competition.id,
        "round_id": world.round.id,
        "entry_id": world.entries[0].id,
        "award_id": world.awards[0].id,
        "tier_id": world.tiers[0].id,
        "user_id": world.applicants[0].id,
        "project_id": db.session.scalar(sa.select(sa.func.min(SupportedProject.id))),
    }
    urls = []
    for rule in current_app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if not set(rule.arguments) <= set(ids) or rule.rule.endswith((".pdf", ".zip")):
            continue  # (certificates read no filter, and are the slowest to make)
        urls.append(re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(ids[m.group(1)]), rule.rule))
    return sorted(urls)


@pytest.mark.parametrize("value", [HUGE_IDS[0], HUGE, NUL])
def test_query_filters_with_huge_numbers_or_nul_answer_no_500(client, published, value):
    admin = UserFactory(roles=[Role.ADMIN])
    client.application.config["PROPAGATE_EXCEPTIONS"] = False  # every 500 listed, not the first
    query = "&".join(f"{name}={value}" for name in FILTERS).replace("\x00", "%00")
    wrong = {}
    for who in ("anonymous", "admin"):  # an admin sees every page an organiser sees, and more
        if who == "admin":
            login(client, admin)
        for url in _filled_routes(published):
            response = client.get(f"{url}?{query}")
            if response.status_code >= 500:
                wrong[f"{who} {url}"] = response.status_code
    assert wrong == {}


def test_a_page_past_the_range_is_the_first_and_a_filter_says_why(client, published):
    login(client, published.organiser)
    url = f"/competitions/{published.competition.id}/entries"
    assert client.get(f"{url}?page={HUGE}").status_code == 200
    page = client.get(f"{url}?category={HUGE}")
    assert page.status_code == 400
    assert "Chọn một giá trị trong danh sách." in page.get_data(as_text=True)
    page = client.get(f"/competitions/?province={HUGE}")
    assert page.status_code == 400
    assert "Chọn một tỉnh, thành phố trong danh sách." in page.get_data(as_text=True)


def test_a_nul_byte_never_reaches_a_view(client, published):
    login(client, published.organiser)
    page = client.get(f"/competitions/{published.competition.id}/entries?q=Na%00m")
    assert page.status_code == 200
    assert 'value="Nam"' in page.get_data(as_text=True)


def _new_competition(**changes) -> dict:
    data = {
        "title": "Cuộc thi thử",
        "year": "2026",
        "level": "provincial",
        "province": "",
        "max_entries_per_applicant": "1",
        "photos_required": "0",
    }
    data.update(changes)
    return data


def test_a_form_with_a_400_digit_number_and_a_nul_byte_says_what_is_wrong(client, units):
    login(client, UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])]))
    response = client.post_form(
        "/competitions/new",
        _new_competition(title="Cuộc\x00 thi", year=HUGE, min_age=HUGE, max_age="1e400"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("Nhập một số nguyên, không quá 18 chữ số.") == 3
    assert "Cuộc thi" in page and "\x00" not in page


@pytest.mark.parametrize(
    "field",
    [
        "province",
        "commune",
        "ethnicity",
        "gender",
        "household_status",
        "union_member",
        "business_stage",
        "date_of_birth",
    ],
)
def test_a_blank_in_a_choice_of_the_profile_is_a_message(client, units, field):
    login(client, UserFactory())
    response = client.post_form(
        "/applicant/profile", {"full_name": "Lò Thị Mai", "phone": "0912345678", field: " "}
    )
    assert response.status_code in (200, 302, 422), response.status_code


def test_nul_bytes_are_taken_out_of_every_form_query_and_json_body(app):
    with app.test_request_context("/?q=a%00b", method="POST", data={"t\x00": "c\x00d"}):
        assert request.args["q"] == "ab" and request.form["t"] == "cd"
    with app.test_request_context("/", method="POST", json={"a\x00": ["b\x00", {"c": "\x00"}]}):
        assert request.get_json() == {"a": ["b", {"c": ""}]}


def test_an_entry_saved_with_huge_numbers_and_a_nul_byte_gets_messages(client, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    applicant = UserFactory()
    entry = entry_services.start_entry(applicant, make_competition(organiser, units["dien_bien"]))
    login(client, applicant)
    response = client.post_form(
        f"/entries/{entry.id}/edit",
        {"title": "Nuôi\x00 gà", "version": HUGE, "capital_needed": HUGE, "save": "1"},
    )
    assert response.status_code in (409, 422), response.status_code
    assert "Nuôi gà" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "raw, number",
    [
        ("12", 12),
        (" 7 ", 7),
        ("0", None),
        ("-3", None),
        ("²", None),
        ("--5", None),
        ("1e400", None),
        (HUGE_IDS[0], None),
        (HUGE, None),
        ("", None),
        (None, None),
    ],
)
def test_bounded_int_reads_ids_and_nothing_else(raw, number):
    assert bounded_int(raw) == number
