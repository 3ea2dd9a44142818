"""The figures broken down: ideas by category, ethnic group, household status and commune;
competitions by level; projects by legal form; OCOP products by stars; capital by source; any
indicator by year or by commune. Each is the indicator's own query grouped in SQL, so the parts
add up to the figure."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.applicants.ethnicities import ETHNICITIES
from portal.applicants.models import ApplicantProfile, HouseholdStatus
from portal.capital.models import CapitalSource
from portal.capital.portfolio import SourceLine, by_source, funding_sources
from portal.competitions.models import DEFAULT_CATEGORIES, Category, Competition, CompetitionLevel
from portal.entries.models import Entry
from portal.extensions import db
from portal.figures import indicators as figures
from portal.figures.measures import Indicator, Scope, count, in_units, share
from portal.projects.models import LegalForm, SupportedProject
from portal.units.models import Unit


@dataclass(frozen=True)
class Part:
    label: str
    figure: int


@dataclass(frozen=True)
class Breakdown:
    code: str
    title: str
    indicator: str  # the indicator it breaks down; its parts add up to it
    parts: list[Part]


def _grouped(indicator: Indicator, scope: Scope, key: sa.ColumnElement) -> dict:
    query = indicator.measure.grouped(indicator.records(scope), key)
    return {k: int(v or 0) for k, v in db.session.execute(query)}


def _parts(found: dict, label, missing: str) -> list[Part]:
    """Largest first; the records that say nothing last."""
    known = sorted(
        (Part(label(k), v) for k, v in found.items() if k is not None and v),
        key=lambda p: (-p.figure, p.label),
    )
    if found.get(None):
        known.append(Part(missing, found[None]))
    return known


def commune_names(ids) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())


def entries_by_category(scope: Scope) -> Breakdown:
    key = (
        sa.select(sa.func.coalesce(Category.code, Category.custom_name))
        .where(Category.id == Entry.category_id)
        .scalar_subquery()
    )
    found = _grouped(figures.by_code()["entries"], scope, key)
    return Breakdown(
        "entries_by_category",
        _("Ideas by category"),
        "entries",
        _parts(found, lambda k: str(DEFAULT_CATEGORIES.get(k, k)), _("No category")),
    )


def entries_by_ethnic_group(scope: Scope) -> Breakdown:
    key = (
        sa.select(ApplicantProfile.ethnicity)
        .where(ApplicantProfile.user_id == Entry.applicant_id)
        .scalar_subquery()
    )
    found = _grouped(figures.by_code()["entries"], scope, key)
    return Breakdown(
        "entries_by_ethnic_group",
        _("Ideas by the applicant's ethnic group"),
        "entries",
        _parts(found, lambda k: ETHNICITIES.get(k, k), _("Not given")),
    )


def entries_by_household(scope: Scope) -> Breakdown:
    found = _grouped(figures.by_code()["entries"], scope, Entry.household_status)
    return Breakdown(
        "entries_by_household",
        _("Ideas by household status"),
        "entries",
        _parts(found, lambda k: HouseholdStatus(k).label, _("Not given")),
    )


def entries_by_commune(scope: Scope) -> Breakdown:
    found = _grouped(figures.by_code()["entries"], scope, Entry.commune_id)
    names = commune_names(found)
    return Breakdown(
        "entries_by_commune",
        _("Ideas by commune"),
        "entries",
        _parts(found, lambda k: names.get(k, ""), _("Not given")),
    )


def competitions_by_level(scope: Scope) -> Breakdown:
    found = _grouped(figures.by_code()["competitions"], scope, Competition.level)
    return Breakdown(
        "competitions_by_level",
        _("Competitions by level"),
        "competitions",
        _parts(found, lambda k: CompetitionLevel(k).label, ""),
    )


def projects_by_legal_form(scope: Scope) -> Breakdown:
    """The projects followed by the units, from competitions up to the last year, by what they
    are registered as today."""
    indicator = Indicator(
        "followed",
        "",
        "",
        lambda s: sa.select(SupportedProject).where(SupportedProject.id.in_(figures.followed(s))),
        count,
    )
    found = _grouped(indicator, scope, SupportedProject.legal_form)
    return Breakdown(
        "projects_by_legal_form",
        _("Projects followed, by legal form"),
        "",
        _parts(found, lambda k: LegalForm(k).label, _("Not registered yet")),
    )


def ocop_by_stars(scope: Scope) -> Breakdown:
    found = _grouped(figures.by_code()["ocop_products"], scope, figures.ocop_stars(scope))
    return Breakdown(
        "ocop_by_stars",
        _("OCOP products by stars"),
        "ocop_products",
        sorted(
            (Part(_("%(stars)d stars", stars=k), v) for k, v in found.items() if k),
            key=lambda p: p.label,
        ),
    )


def entry_breakdowns(scope: Scope) -> list[Breakdown]:
    return [
        competitions_by_level(scope),
        entries_by_category(scope),
        entries_by_ethnic_group(scope),
        entries_by_household(scope),
        entries_by_commune(scope),
        projects_by_legal_form(scope),
        ocop_by_stars(scope),
    ]


def capital_by_source(scope: Scope) -> list[SourceLine]:
    """Each capital source's loans, grants and in-kind support to the followed projects, as
    they stood on the scope's day."""
    projects = sa.select(SupportedProject.id).where(in_units(SupportedProject.unit_id, scope))
    known = list(
        db.session.scalars(
            sa.select(CapitalSource)
            .where(in_units(CapitalSource.unit_id, scope))
            .order_by(CapitalSource.name)
        )
    )
    sources = known + funding_sources(known, projects)
    rows = figures.loan_book(scope)  # the same book the loan figures read
    return by_source(rows, sources, scope.as_of, projects=projects)


def by_year(scope: Scope, codes: list[str]) -> list[tuple[int, dict]]:
    """(year, {code: figure}) for each year of the scope."""
    catalogue = figures.by_code()
    figures.read_books(
        scope,
        [Scope(scope.unit_ids, y, y).as_of for y in range(scope.first_year, scope.last_year + 1)],
    )
    found = []
    for year in range(scope.first_year, scope.last_year + 1):
        one = Scope(scope.unit_ids, year, year)
        found.append((year, {code: figures.value(catalogue[code], one) for code in codes}))
    return found


CHART_YEARS = 5


def year_ends(scope: Scope, last: int = CHART_YEARS) -> list:
    """The days the book is read on for the charts: the end of each of the last years."""
    years = range(max(scope.first_year, scope.last_year - last + 1), scope.last_year + 1)
    return [Scope(scope.unit_ids, y, y).as_of for y in years]


def sources_by_year(scope: Scope, last: int = CHART_YEARS) -> tuple[list[str], list, list]:
    """(source names, [(year, [outstanding of each source])], [(year, [PAR30 % of each])]) for
    the scope's last `last` years: each year's book as it stood at the end of that year (or
    today)."""
    years = range(max(scope.first_year, scope.last_year - last + 1), scope.last_year + 1)
    figures.read_books(scope, year_ends(scope, last))
    lines_by_year = [
        (year, capital_by_source(Scope(scope.unit_ids, scope.first_year, year))) for year in years
    ]
    names: dict[int, str] = {}
    for _year, lines in lines_by_year:
        for line in lines:
            names.setdefault(line.source.id, line.source.name)
    outstanding, at_risk = [], []
    for year, lines in lines_by_year:
        found = {line.source.id: line for line in lines}
        outstanding.append((year, [found[i].outstanding if i in found else 0 for i in names]))
        at_risk.append(
            (
                year,
                [share(found[i].par30, found[i].outstanding) if i in found else 0 for i in names],
            )
        )
    return list(names.values()), outstanding, at_risk
