"""The results pages: ranking, explanation, export, import report, final results, advancing."""

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.core.audit import AuditLog
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.judging import common
from portal.judging.models import RoundEntry, RoundRankingRow, RoundResult, ScoreSheet
from tests.conftest import login
from tests.factories import assign, make_judging, score

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")


def scored_world(units, entries=6, judges=3):
    """Every entry scored by every judge: entry n gets 90 − 5n from each, judge 0 a little more."""
    w = make_judging(units, entries=entries, judges=judges)
    for n, entry in enumerate(w.entries):
        for j, judge in enumerate(w.judges):
            score(w, entry, judge, round(0.9 - 0.01 * n + (0.02 if j == 0 else 0), 4))
    db.session.commit()
    return w


def actions(name: str) -> list[AuditLog]:
    return list(
        db.session.scalars(sa.select(AuditLog).where(AuditLog.action == name).order_by(AuditLog.id))
    )


def test_the_results_page_shows_the_ranking_and_its_explanation(client, units):
    w = scored_world(units)
    login(client, w.organiser)
    response = client.get(f"/judging/rounds/{w.round.id}/results")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert w.entries[0].reference in page and w.entries[0].title in page
    assert "90,67" in page  # (92 + 90 + 90) / 3, with the Vietnamese decimal comma
    assert "3/3" in page
    assert all(f">{c.display_label}</th>" in page for c in w.criteria)  # not their codes
    assert page.index(w.entries[0].reference) < page.index(w.entries[5].reference)
    assert f"/judging/rounds/{w.round.id}/results.csv" in page
    # Each reference leads to how its score was computed: who gave what, and the formulas.
    explained = f"/judging/rounds/{w.round.id}/results/{w.entries[0].id}"
    assert f'href="{explained}">{w.entries[0].reference}</a>' in page
    page = client.get(explained).get_data(as_text=True)
    assert f"Cách tính điểm của bài {w.entries[0].reference}" in page
    assert all(judge.full_name in page for judge in w.judges)
    assert ">92,00<" in page  # judge 0's total T
    assert "Điểm thô: trung bình các tổng điểm T của 3 giám khảo = 90,67." in page
    assert "N = M + S × (T − m) / s" in page


def test_an_entry_without_a_score_has_no_explanation(client, units):
    w = make_judging(units, entries=2, judges=2)
    score(w, w.entries[0], w.judges[0], 0.8)
    db.session.commit()
    login(client, w.organiser)
    base = f"/judging/rounds/{w.round.id}/results"
    page = client.get(base).get_data(as_text=True)
    assert f'href="{base}/{w.entries[1].id}"' not in page
    assert client.get(f"{base}/{w.entries[1].id}").status_code == 404  # no sheet yet
    assert client.get(f"{base}/999999").status_code == 404  # not in the round
    assert client.get(f"{base}/{w.entries[0].id}").status_code == 200


def test_filters_and_search_without_diacritics(client, units):
    w = scored_world(units)
    w.entries[2].title = "Trồng chè Shan tuyết Điện Biên"
    db.session.commit()
    login(client, w.organiser)
    page = client.get(f"/judging/rounds/{w.round.id}/results?q=dien+bien").get_data(as_text=True)
    assert w.entries[2].reference in page and w.entries[1].reference not in page
    page = client.get(f"/judging/rounds/{w.round.id}/results?flag=missing").get_data(as_text=True)
    assert w.entries[0].reference not in page
    category = w.competition.categories[1].id
    page = client.get(f"/judging/rounds/{w.round.id}/results?category={category}").get_data(
        as_text=True
    )
    assert w.entries[1].reference in page and w.entries[0].reference not in page
    # Nonsense in the filters is ignored, never a 500.
    response = client.get(f"/judging/rounds/{w.round.id}/results?category=x&flag=y&page=-3")
    assert response.status_code == 200


def statements_of(client, url) -> list[str]:
    statements = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    return statements


SHEET_TABLES = ("FROM score", "JOIN score", "judge_assignment")
WRITES = ("INSERT", "UPDATE", "DELETE")


def test_the_results_page_reads_one_page_of_the_stored_ranking_whatever_the_rounds_size(
    client, units
):
    w = scored_world(units, entries=5, judges=4)
    login(client, w.organiser)
    url = f"/judging/rounds/{w.round.id}/results"
    computing = statements_of(client, url)  # the first view computes the ranking and keeps it
    # Its lines go in by COPY on PostgreSQL, below the statements seen here.
    assert any(s.startswith("DELETE FROM round_ranking_row") for s in computing)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoundRankingRow)) == 5
    reading = statements_of(client, url)
    # The next views read it: no sheet, no score, nothing written; a handful of queries.
    assert not any(t in s for s in reading for t in SHEET_TABLES), reading
    assert not any(s.split(None, 1)[0] in WRITES for s in reading), reading
    assert len(reading) <= 10, reading
    filtered = url + "?page=1&flag=missing&q=y+tuong&category=1"
    first = w.entries[0]
    for n in range(5, 40):
        entry = Entry(
            competition_id=w.competition.id,
            applicant_id=first.applicant_id,
            category_id=w.competition.categories[n % 3].id,
            status=EntryStatus.ELIGIBLE,
            reference=f"DB-2026-{n + 1:04d}",
            title=f"Ý tưởng thêm {n + 1}",
            submitted_at=first.submitted_at,
        )
        db.session.add(entry)
        db.session.flush()
        for judge in w.judges[n % 2 : n % 2 + 3]:
            score(w, entry, judge, 0.5 + 0.01 * n)
    assign(w, entry, w.judges[0], recused=True)  # the last entry: judges 1 to 3 scored it
    common.ranking_changed(round_id=w.round.id)  # as the services that score do
    db.session.commit()
    assert len(statements_of(client, url)) == len(computing)  # computed again, the same way
    assert len(statements_of(client, url)) == len(reading)
    assert len(statements_of(client, url + "?page=2")) == len(reading)
    assert len(statements_of(client, filtered)) == len(reading) + 1  # the count of what matches
    assert len(statements_of(client, url + "?flag=disagreement")) == len(reading) + 1


def test_the_exports_have_the_agreed_columns(client, units):
    w = scored_world(units)
    login(client, w.organiser)
    response = client.get(f"/judging/rounds/{w.round.id}/results.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    emails = sorted(j.email for j in w.judges)
    # Heads in her language, each criterion by its label (never its code).
    assert rows[0] == [
        "Hạng",
        "Mã bài dự thi",
        "Tên ý tưởng",
        "Điểm thô",
        "Điểm chuẩn hoá",
        "Phiếu chấm",
        "Cảnh báo",
        *[c.display_label for c in w.criteria],
        *emails,
    ]
    assert len(rows) == 7
    assert rows[1][0] == "1" and rows[1][1] == w.entries[0].reference and rows[1][3] == "90.67"
    response = client.get(f"/judging/rounds/{w.round.id}/results.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in book.active[1]][:7] == rows[0][:7]
    assert book.active.title == "Kết quả"
    assert book.active.max_row == 7


def _upload(client, w, text: str, name="phieu.csv"):
    return client.post_form(
        f"/judging/rounds/{w.round.id}/import",
        {"file": (io.BytesIO(text.encode("utf-8")), name)},
        content_type="multipart/form-data",
    )


def _paper(w, value=10, extra=""):
    lines = ["reference,judge_email,criterion,points,comment"]
    for entry in w.entries[:2]:
        for c in w.criteria:
            lines.append(f"{entry.reference},{w.judges[0].email},{c.code},{value},")
    return "\n".join(lines) + "\n" + extra


def test_an_import_with_errors_shows_every_bad_line_and_imports_nothing(client, units):
    w = make_judging(units, entries=3, judges=2)
    for entry in w.entries[:2]:
        assign(w, entry, w.judges[0])
    db.session.commit()
    login(client, w.organiser)
    assert client.get(f"/judging/rounds/{w.round.id}/import").status_code == 200
    bad = _paper(w, extra=f"DB-1999-0001,{w.judges[0].email},team,5,\n").replace(
        ",creativity,10,", ",creativity,25,", 1
    )
    response = _upload(client, w, bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "DB-1999-0001" in page
    assert "<td>2</td>" in page and "<td>14</td>" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScoreSheet)) == 0
    response = _upload(client, w, "")
    assert response.status_code == 422
    response = client.post_form(f"/judging/rounds/{w.round.id}/import", {})
    assert response.status_code == 422  # no file chosen

    response = _upload(client, w, _paper(w))
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert (
        "2" in page and db.session.scalar(sa.select(sa.func.count()).select_from(ScoreSheet)) == 2
    )
    assert len(actions("scores.imported")) == 1


VERSION = re.compile(r'<input id="version" name="version" type="hidden" value="(\d+)">')


def shown_version(client, w) -> str:
    """The ranking version the results page carries in its finalise form."""
    page = client.get(f"/judging/rounds/{w.round.id}/results").get_data(as_text=True)
    return VERSION.search(page).group(1)


def make_final(client, w, **fields):
    """Press "Make the results final" on the results page, as she would."""
    data = {"version": shown_version(client, w), **fields}
    return client.post_form(f"/judging/rounds/{w.round.id}/finalise", data)


def test_finalising_asks_for_a_tick_when_sheets_are_missing(client, units):
    w = scored_world(units)
    w.round.judges_per_entry = 4
    db.session.commit()
    login(client, w.organiser)
    response = make_final(client, w)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'name="accept_missing"' in page
    assert VERSION.search(page).group(1) == shown_version(client, w)  # still the same ranking
    assert make_final(client, w, accept_missing="y").status_code == 302
    db.session.refresh(w.round)
    assert w.round.results_final_at is not None
    assert len(actions("results.finalised")) == 1
    # Final: no more imports.
    response = _upload(client, w, _paper(w))
    assert response.status_code == 422


def test_reopening_needs_a_reason(client, units):
    w = scored_world(units)
    login(client, w.organiser)
    make_final(client, w)
    url = f"/judging/rounds/{w.round.id}/reopen"
    assert client.get(url).status_code == 200
    assert client.post_form(url, {"reason": ""}).status_code == 422
    assert client.post_form(url, {"reason": "Nhập nhầm điểm của bài 3"}).status_code == 302
    [row] = actions("results.reopened")
    assert row.after["reason"] == "Nhập nhầm điểm của bài 3"
    assert client.post_form(url, {"reason": "Lần nữa"}).status_code == 422  # not final now


def test_the_advance_preview_names_each_entry_with_its_rank_and_score(client, units):
    w = scored_world(units)
    login(client, w.organiser)
    make_final(client, w)
    page = client.get(f"/judging/rounds/{w.round.id}/advance?mode=top&count=2").get_data(
        as_text=True
    )
    advancing, staying = page.split('id="plan-advancing"')[1].split('id="plan-staying"')
    results = db.session.scalars(sa.select(RoundResult).order_by(RoundResult.rank)).all()
    assert len(results) == 6
    for result in results:
        entry = result.entry
        score = f"{result.normalised_score:.2f}".replace(".", ",")  # as Vietnamese writes it
        row = (
            f'<td class="text-end">{result.rank}</td>\n        <td>{entry.reference}</td>\n'
            f'        <td>{entry.title}</td>\n        <td class="text-end">{score}</td>'
        )
        assert row in (advancing if result.rank <= 2 else staying), row
        assert entry.reference not in (staying if result.rank <= 2 else advancing)


def test_advancing_shows_a_preview_then_advances(client, units):
    w = scored_world(units)
    login(client, w.organiser)
    url = f"/judging/rounds/{w.round.id}/advance"
    response = client.get(url + "?mode=top&count=2")
    assert response.status_code == 422  # results not final yet
    make_final(client, w)
    page = client.get(url + "?mode=top&count=2").get_data(as_text=True)
    assert "2" in page and 'name="count" value="2"' in page
    assert client.get(url + "?mode=top").status_code == 422  # no number
    assert client.get(url + "?mode=score&threshold=200").status_code == 422
    response = client.post_form(url, {"mode": "top", "count": "2"})
    assert response.status_code == 302
    again = client.post_form(url, {"mode": "top", "count": "2"})
    assert again.status_code == 302
    carried = set(db.session.scalars(sa.select(RoundEntry.entry_id)))
    assert carried == {w.entries[0].id, w.entries[1].id}
    statuses = dict(db.session.execute(sa.select(Entry.id, Entry.status)).all())
    assert statuses[w.entries[0].id] is EntryStatus.ADVANCED
    assert statuses[w.entries[5].id] is EntryStatus.NOT_ADVANCED
    assert len(actions("results.advanced")) == 2
    # From the last round there is nowhere to go.
    w.final.results_final_at = utcnow()
    db.session.commit()
    response = client.post_form(
        f"/judging/rounds/{w.final.id}/advance", {"mode": "top", "count": "1"}
    )
    assert response.status_code == 422


def _judge_changes_her_scores(client, w, judge, entry, share: float) -> None:
    """The judge, on her own score page, submits new points (a share of each maximum)."""
    login(client, judge)
    data = {f"points_{c.id}": f"{c.max_points * share:g}" for c in w.criteria}
    url = f"/judging/rounds/{w.round.id}/entries/{entry.id}/score"
    assert client.post_form(url, {**data, "submit": "1"}).status_code == 302
    login(client, w.organiser)


def test_the_page_and_the_exports_show_a_judges_new_scores_on_the_next_view(client, units):
    w = scored_world(units)
    w.round.scoring_closes_at = utcnow() + timedelta(days=3)
    db.session.commit()
    login(client, w.organiser)
    url = f"/judging/rounds/{w.round.id}/results"
    page = client.get(url).get_data(as_text=True)
    assert "90,67" in page and "77,33" not in page
    _judge_changes_her_scores(client, w, w.judges[1], w.entries[0], 0.5)
    page = client.get(url).get_data(as_text=True)
    assert "77,33" in page and "90,67" not in page  # (92 + 50 + 90) / 3
    rows = list(csv.reader(io.StringIO(client.get(url + ".csv").get_data(as_text=True)[1:])))
    first = next(row for row in rows if row[1] == w.entries[0].reference)
    assert first[3] == "77.33" and first[0] != "1"  # no longer first


def test_a_ranking_that_changed_after_the_page_was_shown_is_not_made_final(client, units):
    w = scored_world(units)
    w.round.scoring_closes_at = utcnow() + timedelta(days=3)
    db.session.commit()
    login(client, w.organiser)
    seen = shown_version(client, w)
    _judge_changes_her_scores(client, w, w.judges[1], w.entries[0], 0.5)  # meanwhile
    url = f"/judging/rounds/{w.round.id}/finalise"
    response = client.post_form(url, {"version": seen})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "đã thay đổi sau khi trang này được mở" in page
    assert "77,33" in page  # the page shows the new ranking…
    newer = VERSION.search(page).group(1)
    assert newer != seen  # …and its button carries the new one
    assert client.post_form(url, {}).status_code == 409  # a form without its version
    db.session.expire_all()
    assert w.round.results_final_at is None and actions("results.finalised") == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoundResult)) == 0
    w.organiser.language = "en"
    db.session.commit()
    response = client.post_form(url, {"version": seen})
    assert response.status_code == 409
    assert "changed after this page was shown" in response.get_data(as_text=True)
    assert client.post_form(url, {"version": newer}).status_code == 302
    final = db.session.scalar(sa.select(RoundResult).where(RoundResult.entry_id == w.entries[0].id))
    assert round(final.raw_score, 2) == 77.33 and final.rank != 1


def test_the_exports_read_the_stored_ranking(client, units, monkeypatch):
    from portal.judging.results import ranking

    w = scored_world(units)
    login(client, w.organiser)
    page = client.get(f"/judging/rounds/{w.round.id}/results").get_data(as_text=True)
    monkeypatch.setattr(ranking, "compute", lambda *a, **k: pytest.fail("computed again"))
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/judging/rounds/{w.round.id}/results.csv").get_data(as_text=True)[1:]
            )
        )
    )
    for row in rows[1:]:
        assert f"{row[3].replace('.', ',')}" in page  # each raw score as the page shows it
    response = client.get(f"/judging/rounds/{w.round.id}/results.xlsx")
    assert load_workbook(io.BytesIO(response.data)).active.max_row == 7
