"""Each indicator: its code, its name and definition in words (shown beside the figure, and in
docs/indicators.md), the query of the records it counts, and how it counts them. A scope is the
units (a province with its communes; None for the whole country) and a range of years: a year,
a five-year term, or any range. Competitions count in the year they were held; entries, prizes
and projects in their competition's year; milestones, loans and grants by the day they happened.
Every figure is one SQL aggregate over the same query its records page lists, so the two always
agree."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.awards.models import Award, AwardStatus
from portal.capital.models import Loan, SupportAgreement, Tranche, TrancheStatus
from portal.competitions.models import Competition, CompetitionStatus
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.projects.milestones.models import Milestone, MilestoneKind, MilestoneStatus
from portal.projects.models import LegalForm, SupportedProject
from portal.units.models import Unit


@dataclass(frozen=True)
class Scope:
    unit_ids: list[int] | None  # the units and their communes; None: the whole country
    first_year: int
    last_year: int

    @property
    def start(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.last_year, 12, 31)


def units_within(unit_ids: list[int]) -> list[int]:
    """The units and their communes."""
    return list(
        db.session.scalars(
            sa.select(Unit.id).where(sa.or_(Unit.id.in_(unit_ids), Unit.parent_id.in_(unit_ids)))
        )
    )


def _in_units(column, scope: Scope):
    return sa.true() if scope.unit_ids is None else column.in_(scope.unit_ids)


def _competitions(scope: Scope) -> sa.Select:
    return sa.select(Competition.id).where(
        _in_units(Competition.unit_id, scope),
        Competition.year.between(scope.first_year, scope.last_year),
        Competition.status != CompetitionStatus.DRAFT,
    )


def competitions(scope: Scope) -> sa.Select:
    return sa.select(Competition).where(Competition.id.in_(_competitions(scope)))


def entries(scope: Scope) -> sa.Select:
    """Ideas sent in (a draft never sent, or an entry withdrawn, is not one)."""
    return sa.select(Entry).where(
        Entry.competition_id.in_(_competitions(scope)),
        Entry.first_submitted_at.is_not(None),
        Entry.status != EntryStatus.WITHDRAWN,
    )


def awards(scope: Scope) -> sa.Select:
    """Prizes given and published, not revoked."""
    return sa.select(Award).where(
        Award.competition_id.in_(_competitions(scope)),
        Award.entry_id.is_not(None),
        Award.issued_at.is_not(None),
        Award.status == AwardStatus.ACTIVE,
    )


def projects(scope: Scope) -> sa.Select:
    return sa.select(SupportedProject).where(
        _in_units(SupportedProject.unit_id, scope),
        SupportedProject.year.between(scope.first_year, scope.last_year),
    )


def milestones(
    scope: Scope, kind_code: str | None = None, legal_forms: tuple[LegalForm, ...] = ()
) -> sa.Select:
    """Milestones verified, reached within the years, of the projects followed by the units (of
    a kind; for a registration, of those legal forms)."""
    query = (
        sa.select(Milestone)
        .join(SupportedProject, SupportedProject.id == Milestone.project_id)
        .where(
            _in_units(SupportedProject.unit_id, scope),
            Milestone.status == MilestoneStatus.VERIFIED,
            Milestone.reached_on.between(scope.start, scope.end),
        )
    )
    if kind_code:
        query = query.join(MilestoneKind, MilestoneKind.id == Milestone.kind_id).where(
            MilestoneKind.code == kind_code
        )
    if legal_forms:
        query = query.where(Milestone.legal_form.in_(legal_forms))
    return query


def loans(scope: Scope) -> sa.Select:
    """Loans disbursed within the years to projects followed by the units."""
    return (
        sa.select(Loan)
        .join(SupportAgreement, SupportAgreement.id == Loan.agreement_id)
        .join(SupportedProject, SupportedProject.id == SupportAgreement.project_id)
        .where(
            _in_units(SupportedProject.unit_id, scope),
            Loan.disbursed_on.between(scope.start, scope.end),
        )
    )


def tranches(scope: Scope) -> sa.Select:
    """Grant tranches paid within the years (a reversed payment is not paid)."""
    return (
        sa.select(Tranche)
        .join(SupportAgreement, SupportAgreement.id == Tranche.agreement_id)
        .join(SupportedProject, SupportedProject.id == SupportAgreement.project_id)
        .where(
            _in_units(SupportedProject.unit_id, scope),
            Tranche.status == TrancheStatus.PAID,
            Tranche.paid_on.between(scope.start, scope.end),
        )
    )


@dataclass(frozen=True)
class Indicator:
    code: str
    name: object  # lazy strings, read in her language
    definition: object
    records: Callable[[Scope], sa.Select]  # the rows it counts
    measure: Callable[[sa.Select], sa.Select]  # the aggregate over them
    money: bool = False


def _count(records: sa.Select) -> sa.Select:
    sub = records.subquery()
    return sa.select(sa.func.count()).select_from(sub)


def _distinct(column: str) -> Callable[[sa.Select], sa.Select]:
    def measure(records: sa.Select) -> sa.Select:
        sub = records.subquery()
        return sa.select(sa.func.count(sa.distinct(sub.c[column])))

    return measure


def _sum(column: str) -> Callable[[sa.Select], sa.Select]:
    def measure(records: sa.Select) -> sa.Select:
        sub = records.subquery()
        return sa.select(sa.func.coalesce(sa.func.sum(sub.c[column]), 0))

    return measure


def _milestones_of(code: str, *legal_forms: LegalForm) -> Callable[[Scope], sa.Select]:
    return lambda scope: milestones(scope, code, legal_forms)


INDICATORS = [
    Indicator(
        "competitions",
        _l("Competitions held"),
        _l(
            "Competitions of the units (a province with its communes) held in the years, once opened."
        ),
        competitions,
        _count,
    ),
    Indicator(
        "entries",
        _l("Ideas submitted"),
        _l(
            "Entries sent in to those competitions; a draft never sent and a withdrawn entry do not count."
        ),
        entries,
        _count,
    ),
    Indicator(
        "women",
        _l("Women taking part"),
        _l("Different applicants of those ideas: a woman who sent two ideas counts once."),
        entries,
        _distinct("applicant_id"),
    ),
    Indicator(
        "prizes",
        _l("Prizes awarded"),
        _l(
            "Prizes of those competitions given to an entry and published; a revoked prize does not count."
        ),
        awards,
        _count,
    ),
    Indicator(
        "prize_money",
        _l("Prize money awarded"),
        _l("The cash value of those prizes, in đồng."),
        awards,
        _sum("cash_value"),
        money=True,
    ),
    Indicator(
        "projects",
        _l("Supported projects"),
        _l("Winners' projects followed by the units, from competitions of those years."),
        projects,
        _count,
    ),
    Indicator(
        "cooperatives",
        _l("Cooperatives founded"),
        _l(
            "Registrations as a cooperative or a cooperative group verified by an organiser, "
            "made in those years."
        ),
        _milestones_of("registered", LegalForm.COOPERATIVE, LegalForm.COOPERATIVE_GROUP),
        _count,
    ),
    Indicator(
        "registered",
        _l("Businesses registered"),
        _l(
            "Registrations (household business, cooperative group, cooperative, enterprise) "
            "verified by an organiser, made in those years."
        ),
        _milestones_of("registered"),
        _count,
    ),
    Indicator(
        "first_sales",
        _l("Projects with a first sale"),
        _l("Milestones “first sales” verified by an organiser, reached in those years."),
        _milestones_of("first_sales"),
        _count,
    ),
    Indicator(
        "loans",
        _l("Loans disbursed"),
        _l("Soft loans disbursed in those years to projects followed by the units."),
        loans,
        _count,
    ),
    Indicator(
        "loan_money",
        _l("Amount lent"),
        _l("The principal of those loans, in đồng."),
        loans,
        _sum("principal"),
        money=True,
    ),
    Indicator(
        "grants",
        _l("Grants paid"),
        _l("Grant tranches paid in those years, in đồng (a reversed payment does not count)."),
        tranches,
        _sum("amount"),
        money=True,
    ),
]
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}


def value(indicator: Indicator, scope: Scope) -> int:
    return int(db.session.scalar(indicator.measure(indicator.records(scope))) or 0)


def values(scope: Scope) -> dict[str, int]:
    """Every indicator for the scope: one query each."""
    return {indicator.code: value(indicator, scope) for indicator in INDICATORS}
