"""The organisers' list at any size: the entries counted by the database, kept equal to the
entries through every kind of change; the same search and the same order on SQLite and on
PostgreSQL; a search led on page by page; the rows and filters written as before, faster."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from wtforms.widgets import Select

from portal.auth.models import Role
from portal.core.text import fold
from portal.entries import counts, listing, services
from portal.entries.listing import EntryFilters
from portal.entries.models import CompetitionEntryCount, Entry, EntryStatus
from portal.entries.organiser_forms import EntryFilterForm
from portal.entries.status import change_entry_status
from portal.extensions import db
from tests.conftest import login
from tests.entries.test_services import applicant_with_profile, complete
from tests.factories import UserFactory, make_competition
from tests.factories.competitions import EntryFactory

pytestmark = pytest.mark.usefixtures("frozen_time")
S = EntryStatus


@pytest.fixture
def organiser(units):
    return UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="en")


@pytest.fixture
def competition(organiser, units):
    return make_competition(organiser, units["dien_bien"], business_plan_required=False)


def agree() -> None:
    """The counter table holds what a GROUP BY over the entries says."""
    db.session.commit()
    assert counts.differences() == []


def by_status(competition) -> dict[EntryStatus, int]:
    return dict(listing.status_counts(listing.counts(competition)))


def test_the_counts_follow_every_change(app, organiser, competition, units):
    other = make_competition(organiser, units["dien_bien"], title="Cuộc thi khác")
    applicant = applicant_with_profile(units)
    first, second = competition.categories[0].id, competition.categories[1].id

    entry = services.start_entry(applicant, competition)  # a draft, no category yet
    agree()
    services.save_draft(applicant, entry, complete(competition), entry.version)
    agree()
    services.save_draft(applicant, entry, complete(competition, category_id=second), entry.version)
    agree()
    services.submit(applicant, entry, entry.version)
    agree()
    services.save_draft(applicant, entry, complete(competition, title="Mới"), entry.version)
    services.submit(applicant, entry, entry.version)  # submitted again: no move
    agree()
    assert by_status(competition) == {S.SUBMITTED: 1}
    services.screen(organiser, entry, eligible=False, reason="Thiếu hồ sơ.")
    agree()
    services.screen(organiser, entry, eligible=True, reason="")  # the decision corrected
    agree()
    for to in (S.IN_JUDGING, S.ADVANCED, S.IN_JUDGING, S.NOT_ADVANCED, S.AWARDED):
        change_entry_status(organiser.id, entry, to)  # judging and awards moving it along
        agree()
    assert by_status(competition) == {S.AWARDED: 1}

    draft = services.start_entry(applicant_with_profile(units), competition)
    services.withdraw(draft.applicant, draft)  # withdrawn before it was ever submitted
    agree()
    sent = services.start_entry(applicant_with_profile(units), competition)
    services.save_draft(sent.applicant, sent, complete(competition), sent.version)
    services.submit(sent.applicant, sent, sent.version)
    services.withdraw(sent.applicant, sent)
    agree()

    EntryFactory(competition=competition, status=S.ELIGIBLE)
    EntryFactory(competition=competition, status=S.DRAFT, category=None)
    agree()
    change_entry_status(organiser.id, sent, S.WITHDRAWN)  # already there: nothing moves
    db.session.rollback()
    moved = EntryFactory(competition=competition)
    change_entry_status(organiser.id, moved, S.ELIGIBLE)
    db.session.rollback()  # a move rolled back is not counted
    agree()

    db.session.execute(  # rows written in bulk, as an import or the benchmark writes them
        sa.insert(Entry),
        [
            {
                "competition_id": competition.id,
                "applicant_id": applicant.id,
                "category_id": first if n % 2 else None,
                "status": S.SUBMITTED if n % 3 else S.INELIGIBLE,
                "reference": f"BULK-{n}",
            }
            for n in range(12)
        ],
    )
    agree()
    bulk = Entry.reference.like("BULK-%")
    db.session.execute(
        sa.update(Entry).where(bulk, Entry.status == S.SUBMITTED).values(status=S.ELIGIBLE)
    )
    agree()
    db.session.execute(sa.update(Entry).where(bulk).values(category_id=second))
    agree()
    db.session.execute(
        sa.update(Entry).where(Entry.reference == "BULK-1").values(competition_id=other.id)
    )
    agree()
    db.session.delete(db.session.get(Entry, moved.id))
    agree()
    db.session.execute(sa.delete(Entry).where(Entry.reference.in_(["BULK-2", "BULK-3"])))
    agree()
    assert by_status(other) == {S.ELIGIBLE: 1}
    assert sum(by_status(competition).values()) == db.session.scalar(
        sa.select(sa.func.count()).where(
            Entry.competition_id == competition.id, Entry.status != S.DRAFT
        )
    )


def test_a_world_restored_from_its_snapshot_is_counted_once(judging):
    """The test worlds are written back as rows (tests/snapshots.py): the triggers count them
    as they go back, and the copy of the counts is not added on top."""
    assert counts.differences() == []
    assert by_status(judging.competition) == {S.ELIGIBLE: 6}


def test_the_demo_is_counted(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    assert counts.differences() == []
    assert db.session.scalar(sa.select(sa.func.sum(CompetitionEntryCount.count))) == (
        db.session.scalar(sa.select(sa.func.count(Entry.id)))
    )


def test_two_moves_of_one_entry_at_the_same_moment_are_counted_from_the_row(
    app, worker, competition, units
):
    """The screening and her withdrawal at once, each from the status it read: the second
    waits for the first and counts from the row the first left, not from what it had read."""
    if not worker.database.is_postgres:
        pytest.skip("two transactions at once need a connection each: PostgreSQL")
    entry = EntryFactory(competition=competition)
    entry_id = entry.id
    db.session.commit()
    move = sa.update(Entry).where(Entry.id == entry_id, Entry.status == S.SUBMITTED)
    blind = sa.update(Entry).where(Entry.id == entry_id)  # what the second read is stale
    errors, engine = [], db.engine
    with engine.connect() as first:
        first.execute(move.values(status=S.ELIGIBLE))

        def second():
            try:
                with engine.begin() as conn:
                    conn.execute(blind.values(status=S.WITHDRAWN))
            except Exception as error:  # pragma: no cover - shown by the assertion below
                errors.append(error)

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)  # the second is waiting for the entry's row
        assert thread.is_alive()
        first.commit()
        thread.join(timeout=10)
    assert errors == []
    db.session.expire_all()
    assert counts.differences() == []
    assert by_status(competition) == {S.WITHDRAWN: 1}


def test_recount_reports_and_mends_counts_written_behind_the_triggers(app, competition):
    EntryFactory(competition=competition)
    EntryFactory(competition=competition, status=S.ELIGIBLE)
    table = CompetitionEntryCount
    db.session.execute(sa.update(table).where(table.status == S.SUBMITTED).values(count=7))
    db.session.execute(sa.delete(table).where(table.status == S.ELIGIBLE))
    db.session.commit()
    runner = app.test_cli_runner()
    check = runner.invoke(args=["entries", "recount", "--check"])
    assert check.exit_code == 1
    assert "submitted: kept 7, counted 1" in check.output
    assert "eligible: kept 0, counted 1" in check.output
    mended = runner.invoke(args=["entries", "recount"])
    assert mended.exit_code == 0 and "2 difference(s) mended" in mended.output
    assert runner.invoke(args=["entries", "recount", "--check"]).exit_code == 0
    assert by_status(competition) == {S.SUBMITTED: 1, S.ELIGIBLE: 1}


def test_search_finds_the_same_entries_on_both_databases(app, competition, units):
    """What a search finds is what `fold` and `in` find in Python, special characters and
    short words included, on SQLite as on PostgreSQL (whose trigram index serves three
    letters or more)."""
    titles = [
        "Rượu men lá Mường Phăng",
        "RƯỢU NGÔ bản Phiêng",
        "Thổ cẩm 100% tự nhiên",
        "Mật ong_rừng",
        "Chè a/b Tủa Chùa",
        "Đan lát mây tre",
        "Gạo nếp",
    ]
    for title in titles:
        EntryFactory(competition=competition, title=title)
    EntryFactory(competition=competition, title="Rượu nháp", status=S.DRAFT)
    entries = db.session.scalars(sa.select(Entry).where(Entry.status != S.DRAFT)).all()
    for search in ["ruou", "RƯỢU", "men la", "100%", "%", "_", "ong_r", "a/b", "dan", "ng", "ô"]:
        expected = {e.id for e in entries if fold(search) in e.search_text}
        filters = EntryFilters(search=search)
        page, _ = listing.list_page(competition, filters, 1)
        assert {row.id for row in page.rows} == expected, search
        assert page.total == len(expected), search  # they end on the first page


def test_every_sort_gives_the_same_order_on_both_databases(app, competition, organiser, units):
    """Ties broken by the id, and an entry without a date, a reference or a capital (withdrawn
    before it was ever submitted) placed as PostgreSQL's indexes place it: first when the order
    comes down, last when it goes up."""
    now = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    for n, title in enumerate(["Bánh", "Anh", "Bánh", "Cam", "Anh"]):
        EntryFactory(
            competition=competition,
            title=title,
            submitted_at=now - timedelta(hours=n % 3),
            capital_needed=(n % 2) * 10_000_000,
        )
    draft = services.start_entry(applicant_with_profile(units), competition)
    services.withdraw(draft.applicant, draft)
    entries = db.session.scalars(sa.select(Entry).where(Entry.status != S.DRAFT)).all()
    never = datetime(1, 1, 1, tzinfo=UTC)

    def down(value, entry):  # NULLs first, then the largest
        return (value is not None, value, entry.id)

    expected = {
        "submitted": sorted(entries, key=lambda e: down(e.submitted_at, e), reverse=True),
        "oldest": sorted(
            entries, key=lambda e: (e.submitted_at is None, e.submitted_at or never, e.id)
        ),
        "reference": sorted(entries, key=lambda e: (e.reference is None, e.reference or "", e.id)),
        "title": sorted(entries, key=lambda e: (e.title, e.id)),
        "capital": sorted(entries, key=lambda e: down(e.capital_needed, e), reverse=True),
    }
    expected["submitted"].sort(key=lambda e: e.submitted_at is not None)  # NULLs first
    expected["capital"].sort(key=lambda e: e.capital_needed is not None)
    for sort, order in expected.items():
        rows = listing.page_rows(competition, EntryFilters(sort=sort), 1)
        assert [row.id for row in rows] == [e.id for e in order], sort


def test_a_search_is_led_on_page_by_page_and_counted_where_it_ends(
    client, organiser, competition, monkeypatch
):
    monkeypatch.setattr(listing, "PER_PAGE", 2)
    for n in range(5):
        EntryFactory(competition=competition, title=f"Rượu số {n}")
    EntryFactory(competition=competition, title="Chè")
    login(client, organiser)
    url = f"/competitions/{competition.id}/entries?q=ruou"
    page = client.get(url).get_data(as_text=True)
    assert "More than 2 entries match: narrow the search or the filters" in page
    assert "?page=2&amp;q=ruou" in page and "page=3" not in page and 'rel="next"' in page
    second = client.get(url + "&page=2").get_data(as_text=True)
    assert "More than 4 entries match" in second and "page=3&amp;q=ruou" in second
    last = client.get(url + "&page=3").get_data(as_text=True)
    assert "5 entries" in last and last.count("Rượu số") == 1 and 'rel="next"' not in last
    beyond = client.get(url + "&page=9").get_data(as_text=True)
    assert "No entry matches these filters." in beyond and "entries match" not in beyond
    listed = client.get(f"/competitions/{competition.id}/entries").get_data(as_text=True)
    assert "6 entries" in listed and "page=3" in listed  # counted: every page is linked


def test_the_counts_give_the_number_of_a_status_and_a_category(client, organiser, competition):
    first, second = competition.categories[:2]
    for status, category in [(S.SUBMITTED, first), (S.SUBMITTED, first), (S.ELIGIBLE, first)]:
        EntryFactory(competition=competition, status=status, category=category)
    EntryFactory(competition=competition, category=second)
    EntryFactory(competition=competition, status=S.DRAFT)
    login(client, organiser)
    url = f"/competitions/{competition.id}/entries"
    assert "4 entries" in client.get(url).get_data(as_text=True)
    page = client.get(f"{url}?status=submitted&category={first.id}").get_data(as_text=True)
    assert "2 entries" in page and "Submitted: 3</a>" in page and "Eligible: 1</a>" in page
    assert "1 entry" in client.get(f"{url}?category={second.id}").get_data(as_text=True)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_rows_dates_are_written_as_the_filter_writes_them(app, language):
    moments = [datetime(2026, 3, 8, 2, 5, tzinfo=UTC), datetime(2025, 12, 31, 17, 0, tzinfo=UTC)]
    with app.test_request_context("/", headers={"Accept-Language": language}):
        write = listing.moment_writer()
        written = app.jinja_env.filters["datetime"]
        assert [write(m) for m in moments + [None]] == [written(m) for m in moments + [None]]


def test_the_filters_selects_are_the_html_wtforms_writes(app, competition):
    query = "status=submitted&category=x&stage=<b>&sort=title"
    with app.test_request_context(f"/?{query}", headers={"Accept-Language": "vi"}):
        form = EntryFilterForm()
        form.status.choices = [("", "Tất cả"), ("submitted", 'Đã "nộp" <b>')]
        form.category.choices = [("", "Tất cả"), ("1", "Nông & lâm")]
        form.stage.choices = [("", "Tất cả"), ("idea", "Ý tưởng")]
        form.commune.choices = form.household.choices = [("", "Tất cả")]
        form.validate()
        for field in form:
            if field.type == "SelectField":
                extra = {"class_": "form-select", "aria-invalid": "true" if field.errors else False}
                assert field(**extra) == Select()(field, **extra), field.name
