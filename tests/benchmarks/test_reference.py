"""The load benchmark's reference page (benchmarks/reference.py): one query, a 50-row table."""

import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from benchmarks import compare, run
from benchmarks.reference import Base, create_app
from portal.core import cache


def test_the_reference_page_shows_the_competitions_50_latest_entries_with_their_applicant(
    tmp_path,
):
    url = f"sqlite:///{tmp_path / 'reference.db'}"
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    start = datetime(2026, 5, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO user_account (id, full_name) VALUES (:id, :name)"),
            [{"id": n, "name": f"Lò Thị Ứng Viên {n}"} for n in range(1, 71)],
        )
        conn.execute(
            sa.text(
                "INSERT INTO entry (id, competition_id, applicant_id, reference, title, status, "
                "submitted_at) VALUES (:id, :c, :id, :ref, :title, 'submitted', :at)"
            ),
            [
                {
                    "id": n,
                    "c": 1 if n <= 60 else 2,
                    "ref": f"DB-2026-{n:04d}",
                    "title": f"Rượu ngô men lá số {n}",
                    "at": start + timedelta(hours=n),
                }
                for n in range(1, 71)
            ],
        )
    engine.dispose()
    client = create_app(url).test_client()

    page = client.get("/competitions/1/entries").get_data(as_text=True)

    rows = page.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == 50
    assert "DB-2026-0060" in page and "Lò Thị Ứng Viên 60" in page  # the newest first
    assert "DB-2026-0011" in page and "DB-2026-0010" not in page  # the 10 oldest left out
    assert "DB-2026-0061" not in page  # another competition's
    assert 3500 < len(page.split("<tbody>")[0]) + len(page.split("</tbody>")[1]) < 5000
    assert client.get("/competitions/9/entries").status_code == 404
    assert client.get("/hello").get_data(as_text=True) == "hello"


def test_scenarios_are_chosen_by_letters_or_keys_and_always_with_the_reference_page():
    assert run.parse_keys("all") == run.ALL_KEYS
    assert run.parse_keys("ak") == ["ref", "a", "k"]
    assert run.parse_keys("hello,l") == ["ref", "hello", "l"]
    assert run.parse_keys("ref") == ["ref"]


def test_compare_judges_each_page_against_the_goals_of_issue_16():
    assert compare.verdict("a", {"ratio": 1.9}, 1.1) == "met"
    assert compare.verdict("a", {"ratio": 2.5}, 1.1) == "missed: > 2×"
    assert compare.verdict("l", {"ratio": 2.5}, 1.3) == "missed: grows > 1.2×"
    assert compare.verdict("ref", {"ratio": 1.0}, 1.0) == ""
    assert compare.size_label(20_000) == "20k"


def test_writes_beside_the_load_move_the_kept_pages_version_at_their_pace(app, kept):
    writes = run.Writes(app.config["FIGURES_CACHE_URL"], every=0.02)
    started = time.monotonic()
    writes.start()
    time.sleep(0.2)
    moved = writes.stop()
    elapsed = time.monotonic() - started
    assert 2 <= moved <= elapsed / 0.02 + 1  # one at once, then one every 20 ms
    assert int(kept.get(cache.ACCOUNT_VERSION_KEY)) == moved
