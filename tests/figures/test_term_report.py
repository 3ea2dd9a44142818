"""The term report: its sentences are the catalogue's templates filled with the indicators, each
number a link to its records; the DOCX and the XLSX say the same figures as the page; targets
are set by the unit's organisers, shown with the share reached, and setting one twice is one."""

import html
import io
import re

import pytest
import sqlalchemy as sa
from docx import Document
from openpyxl import load_workbook

from portal.extensions import db
from portal.figures import indicators as figures
from portal.figures.measures import Scope, units_within
from portal.figures.models import FigureTarget
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_report_writes_each_figure_into_its_sentence(client, published):
    year = published.competition.year
    login(client, published.organiser)
    page = text(client.get(f"/figures/report?from={year}&to={year}"))
    assert "Điện Biên" in page
    sentences = page.split('id="report-text">')[1].split("</div>")[0]
    found = figures.values(Scope(units_within([published.competition.unit_id]), year, year))
    # "…đã tổ chức 1 cuộc thi, thu hút 12 ý tưởng…": every figure a link to its records
    assert re.search(
        rf'href="/figures/entries\?[^"]*" id="report-entries">{found["entries"]}<', sentences
    )
    assert re.search(r'id="report-prize_money">35\.000\.000\xa0₫<', sentences)
    assert "%(" not in sentences  # no template left unfilled
    assert "Giải thưởng" in sentences  # the paragraphs' titles, in Vietnamese
    by_year = page.split('id="report-table-1"')[1].split("</table>")[0]
    assert str(year) in by_year


def test_the_docx_and_the_xlsx_say_what_the_page_says(client, published):
    year = published.competition.year
    login(client, published.organiser)
    query = f"?from={year}&to={year}"
    page = text(client.get(f"/figures/report{query}"))
    written = re.sub(r"<[^>]+>", "", page.split('id="report-text">')[1].split("</div>")[0])
    paragraphs = [line.strip() for line in written.splitlines() if line.strip()]

    response = client.get(f"/figures/report.docx{query}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    document = Document(io.BytesIO(response.data))
    docx_text = [p.text for p in document.paragraphs]
    for sentence in paragraphs:
        assert sentence in docx_text, sentence
    assert any("Báo cáo" in p for p in docx_text)
    by_year = document.tables[0]
    assert [c.text for c in by_year.rows[0].cells] == ["Chỉ tiêu", str(year)]
    rows = {row.cells[0].text: row.cells[1].text for row in by_year.rows[1:]}
    assert rows["Ý tưởng dự thi"] == "12"
    assert rows["Tiền thưởng đã trao"] == "35.000.000\xa0₫"

    response = client.get(f"/figures/report.xlsx{query}")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    cells = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    found = figures.values(Scope(units_within([published.competition.unit_id]), year, year))
    catalogue = figures.by_code()
    assert cells[str(catalogue["entries"].name)] == found["entries"]
    assert cells[str(catalogue["prize_money"].name)] == found["prize_money"] == 35_000_000


def test_targets_shown_with_the_share_reached(client, published, units):
    year = published.competition.year
    login(client, published.organiser)
    data = {
        "unit": str(published.competition.unit_id),
        "indicator": "entries",
        "first_year": str(year),
        "last_year": str(year + 4),
        "figure": "10",
        "yearly": "y",
        "note": "Nghị quyết Đại hội",
        "form_key": "target-1",
    }
    assert client.post_form("/figures/targets", data).status_code == 302
    assert client.post_form("/figures/targets", {**data, "figure": "12"}).status_code == 302
    targets = list(db.session.scalars(sa.select(FigureTarget)))
    assert [(t.figure, t.yearly) for t in targets] == [(12, True)]  # set twice: one target
    page = text(client.get(f"/figures?from={year}&to={year}&unit={published.competition.unit_id}"))
    # twelve ideas of a yearly target of twelve: 100 %
    assert re.search(r'id="target-entries">Mục tiêu: 12 — đạt 100,00\xa0%', page)
    two_years = text(client.get(f"/figures?from={year}&to={year + 1}"))
    assert re.search(r'id="target-entries">Mục tiêu: 24 — đạt 50,00\xa0%', two_years)

    refused = client.post_form("/figures/targets", {**data, "figure": "0"})
    assert refused.status_code == 422
    assert "Mục tiêu" in text(refused) and 'value="0"' in text(refused)  # what she typed stays
    wrong = client.post_form("/figures/targets", {**data, "unit": str(units["lao_cai"].id)})
    assert wrong.status_code in (403, 422)
    assert len(db.session.scalars(sa.select(FigureTarget)).all()) == 1

    login(
        client,
        UserFactory(
            roles=[
                (
                    __import__("portal.auth.models", fromlist=["Role"]).Role.ORGANISER,
                    units["lao_cai"],
                )
            ]
        ),
    )
    assert client.post_form(f"/figures/targets/{targets[0].id}/remove").status_code == 403
    login(client, published.organiser)
    assert client.post_form(f"/figures/targets/{targets[0].id}/remove").status_code == 302
    assert db.session.scalars(sa.select(FigureTarget)).all() == []


def test_an_admin_picks_a_province_an_organiser_only_hers(client, published, units):
    from portal.auth.models import Role

    year = published.competition.year
    dien_bien = published.competition.unit_id
    login(client, UserFactory(roles=[Role.ADMIN]))
    country = text(client.get(f"/figures?from={year}&to={year}"))
    assert '<option value="">Toàn quốc</option>' in country
    assert 'id="figure-entries">12<' in country
    lao_cai = text(client.get(f"/figures?from={year}&to={year}&unit={units['lao_cai'].id}"))
    assert 'id="figure-entries">0<' in lao_cai
    report = text(client.get(f"/figures/report?from={year}&to={year}&unit={dien_bien}"))
    assert f"Báo cáo của Điện Biên, năm {year}" in report

    login(client, UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]))
    theirs = text(client.get(f"/figures?from={year}&to={year}&unit={dien_bien}"))
    assert 'id="figure-entries">0<' in theirs  # her own province, not the one she asked for
    report = text(client.get(f"/figures/report?from={year}&to={year}&unit={dien_bien}"))
    assert "Báo cáo của Lào Cai" in report
