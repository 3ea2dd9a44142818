"""The same figure is the same number everywhere it is shown: on the dashboard, in the term
report (its sentences and its table), in the report's XLSX and DOCX, and in the API."""

import html
import io
import re
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from portal.api import services as tokens
from portal.auth.models import Role
from portal.capital.loans import services as loans
from portal.figures import indicators as figures
from portal.figures.measures import Scope, units_within
from tests.capital.loans.test_services import approved_loan
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026


def digits(text: str) -> str:
    """A figure as written in Vietnamese, reduced to its digits (12.000.000 ₫, 48,37 %)."""
    return re.sub(r"\D", "", text)


def test_each_figure_is_the_same_on_every_page_and_file(client, published):
    _, agreement = approved_loan(published)
    loans.disburse(published.organiser, agreement, date(2026, 1, 10))
    year = published.competition.year
    query = f"?from={year}&to={year}"
    scope = Scope(units_within([published.competition.unit_id]), year, year)
    expected = figures.values(scope)
    admin = UserFactory(roles=[Role.ADMIN])
    _token, secret = tokens.issue_token(admin, "Trung ương Hội", published.competition.unit_id)
    api = client.get(f"/api/v1/indicators{query}", headers={"Authorization": f"Bearer {secret}"})
    in_api = {i["code"]: i["value"] for i in api.json["indicators"]}
    login(client, published.organiser)

    dashboard = html.unescape(client.get(f"/figures{query}").get_data(as_text=True))
    report = html.unescape(client.get(f"/figures/report{query}").get_data(as_text=True))
    book = load_workbook(io.BytesIO(client.get(f"/figures/report.xlsx{query}").data))
    in_xlsx = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)}
    document = Document(io.BytesIO(client.get(f"/figures/report.docx{query}").data))
    in_docx = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows[1:]}
    by_year = report.split('id="report-table-1"')[1].split("</table>")[0]

    for indicator in figures.catalogue():
        code, name = indicator.code, str(indicator.name)
        value = expected[code]
        written = digits(f"{value:.2f}") if indicator.percent else str(value)
        shown = re.search(rf'id="figure-{code}">([^<]+)<', dashboard).group(1)
        assert digits(shown) == written, code
        row = re.search(rf">{re.escape(name)}</th>(.*?)</tr>", by_year, re.S).group(1)
        assert digits(re.sub(r"<[^>]+>", "", row)) == written, code
        sentence = re.search(rf'id="report-{code}">([^<]+)<', report)
        if sentence:
            assert digits(sentence.group(1)) == written, code
        assert float(in_xlsx[name]) == float(value), code
        assert digits(in_docx[name]) == written, code
        assert in_api[code] == (float(value) if indicator.percent else value), code
    assert expected["loans"] == 1 and expected["outstanding"] == 6_000_000
