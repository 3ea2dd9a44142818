"""Editing a competition that has entries: categories and rounds keep their rows, a row in use is
not removed, and every mistake of the form is shown at once."""

from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
import time_machine

from portal.auth.models import Role
from portal.competitions.models import Category, Competition, Round
from portal.entries.models import Entry
from portal.extensions import db
from portal.judging.common import ensure_rubric
from tests.conftest import login
from tests.factories import EntryFactory, UserFactory, make_competition

NOW = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False):
        yield


class _Fields(HTMLParser):
    """What a browser sends for the page's form: (name, value) pairs, checked boxes only."""

    def __init__(self):
        super().__init__()
        self.fields: list[list[str]] = []
        self._open: list[str] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "file", "button"):
                self.fields.append([name, attrs.get("value") or ""])
        elif tag == "textarea" and name:
            self._open = [name, ""]
            self.fields.append(self._open)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append([self._select, attrs.get("value") or ""])

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._open = None
        elif tag == "select":
            self._select = None


def edit_form(client, competition) -> list[list[str]]:
    page = client.get(f"/competitions/{competition.id}/edit").get_data(as_text=True)
    parser = _Fields()
    parser.feed(page.split('<form method="post" novalidate')[1].split("</form>")[0])
    return parser.fields


def change(fields, **values) -> dict[str, list[str]]:
    """The form as sent after typing `values` (`rounds__0__name` for `rounds-0-name`)."""
    changed = {k.replace("__", "-"): v for k, v in values.items()}
    sent: dict[str, list[str]] = {}
    for name, value in fields:
        sent.setdefault(name, []).append(changed.get(name, value))
    return sent


def without(fields, name, value) -> list:
    return [f for f in fields if f != [name, value]]


@pytest.fixture
def world(units):
    """An open competition with two default categories and one named one, and an entry in
    each of two of them."""
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="vi")
    competition = make_competition(
        organiser,
        units["dien_bien"],
        category_codes=["agriculture", "handicrafts"],
        custom_categories=["Thổ cẩm"],
    )
    farming, _, weaving = competition.categories
    entries = [
        EntryFactory(competition=competition, category=farming),
        EntryFactory(competition=competition, category=weaving),
    ]
    return organiser, competition, entries


def categories_of(entries) -> list[tuple[int, str]]:
    db.session.expire_all()
    return [(e.category_id, db.session.get(Entry, e.id).category.name) for e in entries]


def test_moving_the_deadline_and_renaming_a_category_keeps_every_entrys_category(client, world):
    organiser, competition, entries = world
    before = [c.id for c in competition.categories]
    login(client, organiser)
    fields = edit_form(client, competition)
    assert ["custom_categories-0-name", "Thổ cẩm"] in fields
    response = client.post_form(
        f"/competitions/{competition.id}/edit",
        change(
            fields,
            rounds__0__closes_at="2026-04-15T17:00",
            custom_categories__0__name="Dệt thổ cẩm",
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    competition = db.session.get(Competition, competition.id)
    assert competition.closes_at == datetime(2026, 4, 15, 10, 0, tzinfo=UTC)
    assert [c.id for c in competition.categories] == before
    assert categories_of(entries) == [
        (before[0], "Nông nghiệp và chăn nuôi"),
        (before[2], "Dệt thổ cẩm"),
    ]


def test_a_category_with_entries_cannot_be_removed(client, world):
    organiser, competition, entries = world
    login(client, organiser)
    fields = without(edit_form(client, competition), "category_codes", "agriculture")
    response = client.post_form(
        f"/competitions/{competition.id}/edit",
        change(fields, rounds__0__closes_at="2026-04-15T17:00", custom_categories__0__name=""),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    # Next to the categories' checkboxes, and next to the emptied name.
    checkboxes, named = page.split('id="custom_categories-0-name"')
    assert (
        "Đang có bài dự thi thuộc lĩnh vực “Nông nghiệp và chăn nuôi”, nên không thể bỏ lĩnh vực này."
        in (checkboxes)
    )
    assert (
        "Đang có bài dự thi thuộc lĩnh vực “Thổ cẩm”, nên không thể bỏ lĩnh vực này."
        in named.split("custom_categories-1-name")[0]
    )
    assert 'value="2026-04-15T17:00"' in page  # what she typed is still there
    db.session.expire_all()
    competition = db.session.get(Competition, competition.id)
    assert len(competition.categories) == 3
    assert competition.closes_at != datetime(2026, 4, 15, 10, 0, tzinfo=UTC)
    assert [name for _, name in categories_of(entries)] == ["Nông nghiệp và chăn nuôi", "Thổ cẩm"]


def test_an_unused_category_and_round_are_removed_and_a_new_one_added(client, world):
    organiser, competition, entries = world
    farming, _, weaving = (c.id for c in competition.categories)
    final = competition.rounds[1].id
    login(client, organiser)
    fields = without(edit_form(client, competition), "category_codes", "handicrafts")
    response = client.post_form(
        f"/competitions/{competition.id}/edit",
        change(
            fields,
            rounds__1__name="",
            rounds__1__opens_at="",
            rounds__1__closes_at="",
            custom_categories__1__name="Du lịch homestay",
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    competition = db.session.get(Competition, competition.id)
    assert [(c.id, c.name) for c in competition.categories][:2] == [
        (farming, "Nông nghiệp và chăn nuôi"),
        (weaving, "Thổ cẩm"),
    ]
    assert competition.categories[2].name == "Du lịch homestay"
    assert [r.name for r in competition.rounds] == ["Vòng sơ khảo"]
    assert db.session.get(Round, final) is None
    assert db.session.scalar(sa.select(sa.func.count(Category.id))) == 3


def test_a_round_with_judging_set_up_cannot_be_removed(client, world):
    organiser, competition, _ = world
    ensure_rubric(competition.rounds[1])
    db.session.commit()
    login(client, organiser)
    response = client.post_form(
        f"/competitions/{competition.id}/edit",
        change(
            edit_form(client, competition),
            rounds__1__name="",
            rounds__1__opens_at="",
            rounds__1__closes_at="",
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    message = "Vòng “Chung kết” đã có thang điểm, giám khảo, phiếu chấm hoặc kết quả"
    assert message in page.split('id="rounds-1-name"')[1].split('id="rounds-1-opens_at"')[0]
    db.session.expire_all()
    assert len(db.session.get(Competition, competition.id).rounds) == 2


# --- Every mistake at once ------------------------------------------------------------------------

MISTAKES = {
    "vi": [
        ("title", "Vui lòng nhập tên cuộc thi."),
        ("province", "Bạn chỉ có thể tổ chức cuộc thi của đơn vị mình."),
        ("reference_prefix", "Vui lòng dùng từ 2 đến 6 chữ in hoa không dấu, ví dụ DB."),
        ("rounds-0-closes_at", "Vòng 1 có thời gian đóng trước thời gian mở."),
        ("rounds-1-closes_at", "Vui lòng điền ô này, hoặc để trống cả vòng thi."),
        ("min_age", "Tuổi thấp nhất đang lớn hơn tuổi cao nhất."),
    ],
    "en": [
        ("title", "Enter a title."),
        ("province", "You can only organise competitions of your own unit."),
        ("reference_prefix", "Use 2 to 6 capital letters without accents, for example DB."),
        ("rounds-0-closes_at", "Round 1 closes before it opens."),
        ("rounds-1-closes_at", "Fill in this field, or leave the whole round empty."),
        ("min_age", "The lowest age is above the highest."),
    ],
}


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("editing", [False, True], ids=["new", "edit"])
def test_one_submit_shows_every_mistake_next_to_its_field(client, units, language, editing):
    from tests.competitions.test_views import form_data

    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language=language)
    url = "/competitions/new"
    if editing:
        url = f"/competitions/{make_competition(organiser, units['dien_bien']).id}/edit"
    login(client, organiser)
    response = client.post_form(
        url,
        form_data(
            units,
            title="",
            province=units["lao_cai"].id,
            reference_prefix="đb",
            min_age="50",
            max_age="20",
            **{
                "description": "Mô tả của chị",
                "rounds-0-closes_at": "2026-03-09T08:00",
                "rounds-1-closes_at": "",
            },
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for name, message in MISTAKES[language]:
        assert f'<div id="{name}-error" class="invalid-feedback d-block">{message}</div>' in page
    # Everything she typed comes back.
    assert "Mô tả của chị" in page
    assert 'value="2026-03-09T08:00"' in page and 'value="2026-05-20T08:00"' in page
    assert 'value="50"' in page and 'value="20"' in page
    assert db.session.scalar(sa.select(sa.func.count(Competition.id))) == (1 if editing else 0)


def test_a_category_used_by_an_entry_saved_at_the_same_moment_is_not_removed(
    client, world, monkeypatch
):
    """The check and the write are apart: an entry filed under the category in between makes
    the database refuse the delete (PostgreSQL enforces the foreign key), and she is told."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite does not enforce the foreign key")
    from portal.competitions import services

    monkeypatch.setattr(services, "_removals_refused", lambda competition, data: [])
    organiser, competition, entries = world
    login(client, organiser)
    fields = without(edit_form(client, competition), "category_codes", "agriculture")
    response = client.post_form(f"/competitions/{competition.id}/edit", change(fields))
    assert response.status_code == 422
    assert "Không có gì bị thay đổi" in response.get_data(as_text=True)
    assert [name for _, name in categories_of(entries)] == ["Nông nghiệp và chăn nuôi", "Thổ cẩm"]


@pytest.mark.parametrize("row", ["custom_categories-0-id", "rounds-0-id"])
def test_a_row_id_that_is_no_number_is_no_row_not_a_500(client, world, row):
    """ "²" is a digit to str.isdigit() but not to int(): the row is then matched as one with no
    id (a category by its name, a round as a new one), never a 500."""
    organiser, competition, entries = world
    login(client, organiser)
    fields = edit_form(client, competition)
    response = client.post_form(
        f"/competitions/{competition.id}/edit",
        change(fields, **{row.replace("-", "__"): "²", "rounds__0__closes_at": "2026-04-15T17:00"}),
    )
    assert response.status_code in (302, 422)
    assert [name for _, name in categories_of(entries)] == ["Nông nghiệp và chăn nuôi", "Thổ cẩm"]


def test_the_edit_page_of_a_competition_with_as_many_rows_as_the_form_takes(client, world):
    """Six rounds and forty named categories, the most the form takes: the page shows them all,
    without the blank rows that would be one too many (a 500 before)."""
    organiser, competition, _ = world
    for n in range(1, 40):
        competition.categories.append(Category(position=10 + n, custom_name=f"Lĩnh vực {n}"))
    last = competition.rounds[-1]
    for n in range(4):
        competition.rounds.append(
            Round(
                position=2 + n,
                name=f"Vòng {3 + n}",
                opens_at=last.closes_at.replace(year=2027 + n),
                closes_at=last.closes_at.replace(year=2027 + n, month=12),
            )
        )
    db.session.commit()
    login(client, organiser)
    response = client.get(f"/competitions/{competition.id}/edit")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Lĩnh vực 39"' in page and 'value="Vòng 6"' in page
    assert "custom_categories-40-name" not in page and "rounds-6-name" not in page


def test_a_round_in_year_one_is_a_message_next_to_it_and_her_typing_stays(client, world):
    """Year 1 cannot be turned into UTC: it was a 500."""
    organiser, competition, _ = world
    login(client, organiser)
    response = client.post_form(
        f"/competitions/{competition.id}/edit",
        change(
            edit_form(client, competition),
            rounds__0__opens_at="0001-01-01T00:00",
            custom_categories__1__name="Du lịch cộng đồng",
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        "Nhập ngày giờ trong các năm từ 2000 đến 2199." in page.split('id="rounds-0-closes_at"')[0]
    )
    assert 'value="Du lịch cộng đồng"' in page
