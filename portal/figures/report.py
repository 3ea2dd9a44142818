"""The term report drafted from the data: for a unit and a range of years, paragraphs whose
sentences are templates in the catalogues (so a union can change the wording in its
translation, not in code), each number an indicator linked to its records; a table of every
indicator by year and by commune; exported as DOCX and XLSX."""

import io
import re
from dataclasses import dataclass
from decimal import Decimal

from docx import Document
from docx.shared import Pt
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from openpyxl import Workbook

from portal.core.money import format_vnd
from portal.core.spreadsheets import inert
from portal.figures import indicators as figures
from portal.figures.breakdowns import commune_names
from portal.figures.measures import Indicator, Scope

# (title, sentence): each %(code)s is an indicator's figure. The sentences are read by people:
# a union changes them in its catalogue.
PARAGRAPHS = [
    (
        _l("Competitions and ideas"),
        _l(
            "From %(first_year)s to %(last_year)s, competitions held: %(competitions)s; "
            "they drew %(entries)s ideas, from %(women)s women taking part."
        ),
    ),
    (
        _l("Prizes"),
        _l(
            "Prizes awarded: %(prizes)s, with %(prize_money)s in cash; prizes with support in "
            "kind: %(prizes_in_kind)s. Ideas that won at regional and national rounds: "
            "%(higher_round_ideas)s."
        ),
    ),
    (
        _l("Cooperatives and enterprises"),
        _l(
            "Projects of winners followed: %(projects)s. Businesses registered: %(registered)s, "
            "of which cooperatives and cooperative groups: %(cooperatives)s; projects with a "
            "first sale: %(first_sales)s; women-owned cooperatives and enterprises: "
            "%(women_owned_firms)s."
        ),
    ),
    (
        _l("OCOP products"),
        _l(
            "OCOP products certified: %(ocop_products)s, of which owned by women: "
            "%(ocop_women)s (%(ocop_women_share)s)."
        ),
    ),
    (
        _l("Capital and loans"),
        _l(
            "Grants paid: %(grants)s. Soft loans disbursed: %(loans)s, for %(loan_money)s. "
            "At the end of the period, loans outstanding: %(outstanding)s, to %(borrowers)s "
            "members; overdue principal: %(in_arrears)s; portfolio at risk (PAR30): %(par30)s."
        ),
    ),
    (
        _l("Jobs and poverty"),
        _l(
            "Jobs for women in the supported projects: %(jobs_women)s. Households out of poverty "
            "and near-poverty: %(out_of_poverty)s."
        ),
    ),
]


@dataclass(frozen=True)
class Paragraph:
    title: str
    template: str  # in her language, with %(code)s for each figure
    codes: list[str]


@dataclass(frozen=True)
class TermReport:
    scope: Scope
    unit_name: str
    values: dict[str, int | Decimal]
    paragraphs: list[Paragraph]
    indicators: list[Indicator]
    years: list[tuple[int, dict]]  # (year, {code: figure})
    communes: list[tuple[str, dict]]  # (commune's name, {code: figure})


def _codes(template: str) -> list[str]:
    return re.findall(r"%\((\w+)\)s", template)


def term_report(scope: Scope, unit_name: str) -> TermReport:
    """Every figure of the report, computed once: the paragraphs, the tables and the exports
    all read them from here."""
    catalogue = figures.catalogue()
    paragraphs = [
        Paragraph(str(title), str(template), _codes(str(template)))
        for title, template in PARAGRAPHS
    ]
    years = []
    with figures.reading():
        figures.read_books(
            scope,
            [scope.as_of]
            + [
                Scope(scope.unit_ids, y, y).as_of
                for y in range(scope.first_year, scope.last_year + 1)
            ],
        )
        values = figures.values(scope)
        for year in range(scope.first_year, scope.last_year + 1):
            years.append((year, figures.values(Scope(scope.unit_ids, year, year))))
        grouped = {i.code: figures.by_commune(i, scope) for i in catalogue}
    communes: dict[int | None, dict] = {}
    for code, found in grouped.items():
        for commune, figure in found.items():
            communes.setdefault(commune, {})[code] = figure
    names = commune_names(communes)
    rows = sorted(
        ((names.get(c, ""), found) for c, found in communes.items() if c is not None),
        key=lambda row: row[0],
    )
    if None in communes:
        rows.append((_("Commune not given"), communes[None]))
    return TermReport(scope, unit_name, values, paragraphs, catalogue, years, rows)


def written(indicator: Indicator, figure) -> str:
    """A figure as the report writes it in her language."""
    if figure is None:
        return "0"
    if indicator.money:
        return format_vnd(int(figure), str(get_locale()))
    if indicator.percent:
        return format_decimal(figure, "#,##0.00") + "\u00a0%"
    return format_decimal(figure, "#,##0")


def sentence_text(report: TermReport, paragraph: Paragraph) -> str:
    codes = figures.by_code()
    return paragraph.template % _arguments(
        report, paragraph, lambda code: written(codes[code], report.values[code])
    )


def sentence_html(report: TermReport, paragraph: Paragraph, link) -> Markup:
    """The sentence with each figure a link to its records (`link(code)` gives the address)."""
    codes = figures.by_code()

    def linked(code: str) -> Markup:
        return Markup('<a href="{}" id="report-{}">{}</a>').format(
            link(code), code, written(codes[code], report.values[code])
        )

    return Markup(escape(paragraph.template)) % _arguments(report, paragraph, linked)


def _arguments(report: TermReport, paragraph: Paragraph, figure) -> dict:
    found = {"first_year": report.scope.first_year, "last_year": report.scope.last_year}
    for code in paragraph.codes:
        if code not in found:
            found[code] = figure(code)
    return found


def heading(scope: Scope, unit_name: str) -> str:
    if scope.first_year == scope.last_year:
        return _("Report of %(unit)s, %(year)d", unit=unit_name, year=scope.first_year)
    return _(
        "Report of %(unit)s, %(first)d–%(last)d",
        unit=unit_name,
        first=scope.first_year,
        last=scope.last_year,
    )


def as_docx(report: TermReport) -> bytes:
    document = Document()
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(13)
    document.add_heading(heading(report.scope, report.unit_name), level=1)
    for paragraph in report.paragraphs:
        document.add_heading(paragraph.title, level=2)
        document.add_paragraph(sentence_text(report, paragraph))
    document.add_heading(_("Every figure by year"), level=2)
    _docx_table(document, report, [str(y) for y, _v in report.years], [v for _y, v in report.years])
    document.add_heading(_("Every figure by commune"), level=2)
    _docx_table(
        document, report, [n for n, _v in report.communes], [v for _n, v in report.communes]
    )
    document.add_heading(_("Definitions"), level=2)
    for indicator in report.indicators:
        document.add_paragraph(f"{indicator.name}: {indicator.definition}", style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DOCX_COLUMNS = 6  # columns of figures a page's width holds; more go in the next table


def _docx_table(document, report: TermReport, columns: list[str], found: list[dict]) -> None:
    for start in range(0, max(len(columns), 1), DOCX_COLUMNS):
        part = columns[start : start + DOCX_COLUMNS]
        table = document.add_table(rows=1, cols=len(part) + 1)
        table.style = "Table Grid"
        table.rows[0].cells[0].text = _("Figure")
        for i, column in enumerate(part, start=1):
            table.rows[0].cells[i].text = column
        for indicator in report.indicators:
            cells = table.add_row().cells
            cells[0].text = str(indicator.name)
            for i, figures_of in enumerate(found[start : start + DOCX_COLUMNS], start=1):
                cells[i].text = written(indicator, figures_of.get(indicator.code, 0))
        document.add_paragraph()


def as_xlsx(report: TermReport) -> bytes:
    """Numbers as numbers, so that the union can sum and chart them in the spreadsheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Figures")[:31]
    sheet.append([inert(heading(report.scope, report.unit_name))])
    sheet.append([_("Figure"), _("Value"), _("Definition")])
    for indicator in report.indicators:
        figure = report.values[indicator.code]
        sheet.append([str(indicator.name), _cell(figure), inert(str(indicator.definition))])
    for title, columns, found in (
        (_("By year"), [str(y) for y, _v in report.years], [v for _y, v in report.years]),
        (_("By commune"), [n for n, _v in report.communes], [v for _n, v in report.communes]),
    ):
        sheet = workbook.create_sheet(title[:31])
        sheet.append([_("Figure"), *[inert(c) for c in columns]])
        for indicator in report.indicators:
            sheet.append([str(indicator.name), *[_cell(f.get(indicator.code, 0)) for f in found]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(figure):
    return float(figure) if isinstance(figure, Decimal) else int(figure or 0)
