"""The results pages: ranking, explanation, export, import report, final results, advancing."""

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.core.audit import AuditLog
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.judging.models import RoundEntry, RoundResult, ScoreSheet
from tests.admin.test_views import count_queries
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
    assert "<details>" in page
    assert all(f">{c.display_label}</th>" in page for c in w.criteria)  # not their codes
    assert w.judges[0].full_name in page  # organisers see who gave what
    assert page.index(w.entries[0].reference) < page.index(w.entries[5].reference)
    assert f"/judging/rounds/{w.round.id}/results.csv" in page


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


def test_the_results_page_runs_the_same_queries_whatever_the_number_of_entries(client, units):
    w = scored_world(units, entries=5, judges=4)
    login(client, w.organiser)
    url = f"/judging/rounds/{w.round.id}/results"
    few = count_queries(client, url)
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
    db.session.commit()
    assert count_queries(client, url) == few
    assert count_queries(client, url + "?page=1&flag=missing&q=y+tuong") == few


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


def test_finalising_asks_for_a_tick_when_sheets_are_missing(client, units):
    w = scored_world(units)
    w.round.judges_per_entry = 4
    db.session.commit()
    login(client, w.organiser)
    url = f"/judging/rounds/{w.round.id}/finalise"
    response = client.post_form(url, {})
    assert response.status_code == 422
    assert 'name="accept_missing"' in response.get_data(as_text=True)
    assert client.post_form(url, {"accept_missing": "y"}).status_code == 302
    db.session.refresh(w.round)
    assert w.round.results_final_at is not None
    assert len(actions("results.finalised")) == 1
    # Final: no more imports.
    response = _upload(client, w, _paper(w))
    assert response.status_code == 422


def test_reopening_needs_a_reason(client, units):
    w = scored_world(units)
    login(client, w.organiser)
    client.post_form(f"/judging/rounds/{w.round.id}/finalise", {})
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
    client.post_form(f"/judging/rounds/{w.round.id}/finalise", {})
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
    client.post_form(f"/judging/rounds/{w.round.id}/finalise", {})
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
