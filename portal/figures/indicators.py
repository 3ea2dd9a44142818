"""Each indicator: its code, its name and definition in words (shown beside the figure, and in
docs/indicators.md), the query of the records it counts, and how it counts them. A scope is the
units (a province with its communes; None for the whole country) and a range of years: a year,
a five-year term, or any range. Competitions count in the year they were held; entries, prizes
and projects in their competition's year; milestones, loans and grants by the day they happened.
Every figure is one SQL aggregate over the same query its records page lists, so the two always
agree."""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from portal.applicants.models import ApplicantProfile, Gender
from portal.awards.models import Award, AwardStatus
from portal.capital.models import Loan, SupportAgreement, Tranche, TrancheStatus
from portal.capital.portfolio import PAR_DAYS, LoanRow, portfolio, portfolios
from portal.competitions.models import Competition, CompetitionLevel, CompetitionStatus
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.figures.credit.indicators import CREDIT_INDICATORS
from portal.figures.measures import Indicator, Scope, count, distinct, in_units, share, total
from portal.projects.milestones.models import Milestone, MilestoneKind, MilestoneStatus
from portal.projects.models import ExternalAward, LegalForm, SupportedProject
from portal.projects.ocop.models import OcopProduct, OcopRating
from portal.projects.poverty.services import households_left_poverty
from portal.projects.reports.models import ProgressReport, ReportStatus


def _competitions(scope: Scope, any_year: bool = False) -> sa.Select:
    return sa.select(Competition.id).where(
        in_units(Competition.unit_id, scope),
        sa.true() if any_year else Competition.year.between(scope.first_year, scope.last_year),
        Competition.status != CompetitionStatus.DRAFT,
    )


def competitions(scope: Scope) -> sa.Select:
    return sa.select(Competition).where(Competition.id.in_(_competitions(scope)))


def entries(scope: Scope) -> sa.Select:
    """Ideas sent in (a draft never sent, or an entry withdrawn, is not one). An entry carried
    up to a higher competition is the same idea as the one below (`idea_id`): where the entry
    it was carried from is counted too, it is left out, so that the records and a breakdown (by
    category, by commune) hold the idea once, as the lowest entry of its path in the scope."""
    idea = sa.func.coalesce(Entry.origin_entry_id, Entry.id).label("idea_id")
    origin = aliased(Entry)
    counted_below = sa.exists().where(
        origin.id == Entry.nominated_from_id,
        origin.competition_id.in_(_competitions(scope)),
        origin.first_submitted_at.is_not(None),
        origin.status != EntryStatus.WITHDRAWN,
    )
    return (
        sa.select(Entry)
        .add_columns(idea)
        .where(
            Entry.competition_id.in_(_competitions(scope)),
            Entry.first_submitted_at.is_not(None),
            Entry.status != EntryStatus.WITHDRAWN,
            ~counted_below,
        )
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
        in_units(SupportedProject.unit_id, scope),
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
            in_units(SupportedProject.unit_id, scope),
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
            in_units(SupportedProject.unit_id, scope),
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
            in_units(SupportedProject.unit_id, scope),
            Tranche.status == TrancheStatus.PAID,
            Tranche.paid_on.between(scope.start, scope.end),
        )
    )


def _idea_of(entry_id) -> sa.ScalarSelect:
    """The idea an entry is of: the first entry of its path up the competitions."""
    return (
        sa.select(sa.func.coalesce(Entry.origin_entry_id, Entry.id))
        .where(Entry.id == entry_id)
        .scalar_subquery()
    )


def higher_round_ideas(scope: Scope) -> sa.Select:
    """Prizes won at regional and national rounds in the years by ideas of the units' own
    competitions, as recorded by their organisers or carried down from the higher
    competition's published results (with its idea, counted once however many entries of its
    path hold the prize)."""
    query = sa.select(ExternalAward).add_columns(_idea_of(ExternalAward.entry_id).label("idea_id"))
    return query.where(
        ExternalAward.level.in_((CompetitionLevel.REGIONAL, CompetitionLevel.NATIONAL)),
        ExternalAward.year.between(scope.first_year, scope.last_year),
        ExternalAward.entry_id.in_(
            sa.select(Entry.id).where(Entry.competition_id.in_(_competitions(scope, any_year=True)))
        ),
    )


def followed(scope: Scope) -> sa.Select:
    """The ids of the projects followed by the units, from competitions up to the last year."""
    return sa.select(SupportedProject.id).where(
        in_units(SupportedProject.unit_id, scope), SupportedProject.year <= scope.last_year
    )


def women_owned_firms(scope: Scope) -> sa.Select:
    """Projects followed by the units, registered as a cooperative or an enterprise, whose owner
    is a woman by her own profile."""
    return sa.select(SupportedProject).where(
        SupportedProject.id.in_(followed(scope)),
        SupportedProject.legal_form.in_((LegalForm.COOPERATIVE, LegalForm.ENTERPRISE)),
        SupportedProject.owner_id.in_(
            sa.select(ApplicantProfile.user_id).where(ApplicantProfile.gender == Gender.FEMALE)
        ),
    )


def _ratings_in_force(scope: Scope) -> sa.Select:
    """Certified ratings, not revoked, made by the end of the years and valid at some day of
    them."""
    return sa.select(OcopRating.product_id).where(
        OcopRating.revoked_at.is_(None),
        OcopRating.valid_until.is_not(None),
        OcopRating.evaluated_on <= scope.end,
        OcopRating.valid_until >= scope.start,
    )


def ocop_products(scope: Scope) -> sa.Select:
    """OCOP products of the projects followed by the units with a certificate in force at some
    day of the years."""
    return sa.select(OcopProduct).where(
        OcopProduct.project_id.in_(followed(scope)),
        OcopProduct.id.in_(_ratings_in_force(scope)),
    )


def ocop_products_of_women(scope: Scope) -> sa.Select:
    return ocop_products(scope).where(
        OcopProduct.project_id.in_(
            sa.select(SupportedProject.id).where(
                SupportedProject.owner_id.in_(
                    sa.select(ApplicantProfile.user_id).where(
                        ApplicantProfile.gender == Gender.FEMALE
                    )
                )
            )
        )
    )


def ocop_stars(scope: Scope) -> sa.ColumnElement:
    """A product's stars: the most of its ratings in force in the years."""
    return (
        sa.select(sa.func.max(OcopRating.stars))
        .where(
            OcopRating.product_id == OcopProduct.id,
            OcopRating.revoked_at.is_(None),
            OcopRating.valid_until.is_not(None),
            OcopRating.evaluated_on <= scope.end,
            OcopRating.valid_until >= scope.start,
        )
        .scalar_subquery()
    )


_SENT = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


def jobs_reports(scope: Scope) -> sa.Select:
    """Each followed project's latest report sent in the years that gives its jobs for women."""
    later = aliased(ProgressReport)
    in_years = (ProgressReport.period_end.between(scope.start, scope.end),)
    return sa.select(ProgressReport).where(
        ProgressReport.project_id.in_(followed(scope)),
        ProgressReport.status.in_(_SENT),
        ProgressReport.jobs_women.is_not(None),
        *in_years,
        ~sa.exists().where(
            later.project_id == ProgressReport.project_id,
            later.status.in_(_SENT),
            later.jobs_women.is_not(None),
            later.period_end.between(scope.start, scope.end),
            sa.or_(
                later.period_end > ProgressReport.period_end,
                sa.and_(
                    later.period_end == ProgressReport.period_end, later.id > ProgressReport.id
                ),
            ),
        ),
    )


def out_of_poverty(scope: Scope) -> sa.Select:
    """The followed projects whose household left poverty or near-poverty in the years and had
    not returned by their end (projects/poverty/rules.py)."""
    ids = households_left_poverty(followed(scope), scope.start, scope.end)
    return sa.select(SupportedProject).where(SupportedProject.id.in_(ids))


# The loan book read once for all the loan figures of one reading (see `reading`).
_books: ContextVar[dict | None] = ContextVar("loan_books", default=None)


@contextmanager
def reading():
    """Within it, the loan book of a scope is read once, however many figures use it; a reading
    within a reading shares its books."""
    if _books.get() is not None:
        yield
        return
    token = _books.set({})
    try:
        yield
    finally:
        _books.reset(token)


def _book_key(scope: Scope, day) -> tuple:
    return (None if scope.unit_ids is None else tuple(scope.unit_ids), day)


def _lenders(scope: Scope) -> sa.Select:
    """The projects whose loans are the units' book: those they follow, of any year."""
    return sa.select(SupportedProject.id).where(in_units(SupportedProject.unit_id, scope))


def loan_book(scope: Scope) -> list[LoanRow]:
    """The loans of the projects the units follow as they stood on the scope's day (written-off
    ones have left the book)."""
    books = _books.get()
    key = _book_key(scope, scope.as_of)
    if books is not None and key in books:
        return books[key]
    rows = portfolio(scope.as_of, projects=_lenders(scope))
    if books is not None:
        books[key] = rows
    return rows


def read_books(scope: Scope, days: list) -> None:
    """Within a reading, read the units' loan book on each of `days` in one pass (the end of
    each year of a term), for the figures that will ask for them."""
    books = _books.get()
    # A day asked twice (today is the end of this year and of the term) is read once.
    missing = sorted({d for d in days if books is not None and _book_key(scope, d) not in books})
    if missing:
        for day, rows in portfolios(missing, projects=_lenders(scope)).items():
            books[_book_key(scope, day)] = rows


def _loans_of(rows: list[LoanRow]) -> sa.Select:
    return sa.select(Loan).where(Loan.agreement_id.in_([r.agreement_id for r in rows]))


def outstanding_loans(scope: Scope) -> sa.Select:
    return _loans_of([r for r in loan_book(scope) if r.outstanding_principal > 0])


def loans_in_arrears(scope: Scope) -> sa.Select:
    return _loans_of([r for r in loan_book(scope) if r.days_past_due > 0])


def par30_loans(scope: Scope) -> sa.Select:
    return _loans_of([r for r in loan_book(scope) if r.days_past_due > PAR_DAYS])


def _by_commune(rule: Callable[[LoanRow], int]) -> Callable[[Scope], dict[int | None, int]]:
    def compute(scope: Scope) -> dict[int | None, int]:
        found: dict[int | None, int] = {}
        for row in loan_book(scope):
            found[row.commune_id] = found.get(row.commune_id, 0) + rule(row)
        return {commune: figure for commune, figure in found.items() if figure}

    return compute


def _borrowers(scope: Scope) -> dict[int | None, int]:
    owners: dict[int | None, set[int]] = {}
    for row in loan_book(scope):
        if row.outstanding_principal > 0:
            owners.setdefault(row.commune_id, set()).add(row.owner_id)
    return {commune: len(found) for commune, found in owners.items()}


def _households(scope: Scope) -> dict[int | None, int]:
    found: dict[int | None, int] = {}
    for commune_id in db.session.scalars(
        out_of_poverty(scope).with_only_columns(SupportedProject.commune_id)
    ):
        found[commune_id] = found.get(commune_id, 0) + 1
    return found


def _milestones_of(code: str, *legal_forms: LegalForm) -> Callable[[Scope], sa.Select]:
    return lambda scope: milestones(scope, code, legal_forms)


def _entry_commune() -> sa.ColumnElement:
    return Entry.commune_id


def _project_commune() -> sa.ColumnElement:
    return SupportedProject.commune_id


def _product_commune() -> sa.ColumnElement:
    return (
        sa.select(SupportedProject.commune_id)
        .where(SupportedProject.id == OcopProduct.project_id)
        .scalar_subquery()
    )


def _award_commune() -> sa.ColumnElement:
    return sa.select(Entry.commune_id).where(Entry.id == Award.entry_id).scalar_subquery()


COMPETITIONS = _l("Competitions and ideas")
PRIZES = _l("Prizes")
PROJECTS = _l("Projects, enterprises and OCOP")
POVERTY = _l("Jobs and poverty")
CAPITAL = _l("Capital and loans")

INDICATORS = [
    Indicator(
        "competitions",
        _l("Competitions held"),
        _l(
            "Competitions of the units (a province with its communes) held in the years, once opened."
        ),
        competitions,
        count,
        commune=lambda: Competition.unit_id,
        section=COMPETITIONS,
    ),
    Indicator(
        "entries",
        _l("Ideas submitted"),
        _l(
            "Entries sent in to those competitions; a draft never sent and a withdrawn entry do "
            "not count, and an idea carried up to a higher competition counts once."
        ),
        entries,
        distinct("idea_id"),
        commune=_entry_commune,
        section=COMPETITIONS,
    ),
    Indicator(
        "women",
        _l("Women taking part"),
        _l("Different applicants of those ideas: a woman who sent two ideas counts once."),
        entries,
        distinct("applicant_id"),
        commune=_entry_commune,
        section=COMPETITIONS,
    ),
    Indicator(
        "prizes",
        _l("Prizes awarded"),
        _l(
            "Prizes of those competitions given to an entry and published; a revoked prize does not count."
        ),
        awards,
        count,
        commune=_award_commune,
        section=PRIZES,
    ),
    Indicator(
        "prize_money",
        _l("Prize money awarded"),
        _l("The cash value of those prizes, in đồng."),
        awards,
        total("cash_value"),
        money=True,
        commune=_award_commune,
        section=PRIZES,
    ),
    Indicator(
        "prizes_in_kind",
        _l("Prizes with support in kind"),
        _l("Those prizes that come with support in kind (equipment, training, a stand at a fair)."),
        lambda scope: awards(scope).where(Award.in_kind != ""),
        count,
        commune=_award_commune,
        section=PRIZES,
    ),
    Indicator(
        "higher_round_ideas",
        _l("Ideas that won at regional and national rounds"),
        _l(
            "Different ideas sent to the units' competitions that won a prize in the years at a "
            "regional or national round, as their organisers recorded them or as the higher "
            "competition's published results carried them down."
        ),
        higher_round_ideas,
        distinct("idea_id"),
        commune=lambda: (
            sa.select(Entry.commune_id).where(Entry.id == ExternalAward.entry_id).scalar_subquery()
        ),
        section=PRIZES,
    ),
    Indicator(
        "projects",
        _l("Supported projects"),
        _l("Winners' projects followed by the units, from competitions of those years."),
        projects,
        count,
        commune=_project_commune,
        section=PROJECTS,
    ),
    Indicator(
        "cooperatives",
        _l("Cooperatives founded"),
        _l(
            "Registrations as a cooperative or a cooperative group verified by an organiser, "
            "made in those years."
        ),
        _milestones_of("registered", LegalForm.COOPERATIVE, LegalForm.COOPERATIVE_GROUP),
        count,
        commune=_project_commune,
        section=PROJECTS,
    ),
    Indicator(
        "registered",
        _l("Businesses registered"),
        _l(
            "Registrations (household business, cooperative group, cooperative, enterprise) "
            "verified by an organiser, made in those years."
        ),
        _milestones_of("registered"),
        count,
        commune=_project_commune,
        section=PROJECTS,
    ),
    Indicator(
        "first_sales",
        _l("Projects with a first sale"),
        _l("Milestones “first sales” verified by an organiser, reached in those years."),
        _milestones_of("first_sales"),
        count,
        commune=_project_commune,
        section=PROJECTS,
    ),
    Indicator(
        "women_owned_firms",
        _l("Women-owned cooperatives and enterprises"),
        _l(
            "Projects followed by the units (from competitions up to the last year) registered "
            "today as a cooperative or an enterprise, whose owner is a woman."
        ),
        women_owned_firms,
        count,
        commune=_project_commune,
        section=PROJECTS,
    ),
    Indicator(
        "ocop_products",
        _l("OCOP products"),
        _l(
            "Products of the followed projects with an OCOP certificate (three stars or more) in "
            "force at some day of the years, not revoked."
        ),
        ocop_products,
        count,
        commune=_product_commune,
        section=PROJECTS,
    ),
    Indicator(
        "ocop_women",
        _l("OCOP products owned by women"),
        _l("Those OCOP products whose project's owner is a woman, by her own profile."),
        ocop_products_of_women,
        count,
        commune=_product_commune,
        section=PROJECTS,
    ),
    Indicator(
        "ocop_women_share",
        _l("Share of OCOP products owned by women"),
        _l("OCOP products owned by women ÷ all OCOP products, in per cent."),
        ocop_products_of_women,
        ratio=("ocop_women", "ocop_products"),
        section=PROJECTS,
    ),
    Indicator(
        "jobs_women",
        _l("Jobs for women"),
        _l(
            "Women employed by the followed projects, as each project's latest progress report "
            "sent in the years says (a report sent back to her does not count)."
        ),
        jobs_reports,
        total("jobs_women"),
        commune=lambda: (
            sa.select(SupportedProject.commune_id)
            .where(SupportedProject.id == ProgressReport.project_id)
            .scalar_subquery()
        ),
        section=POVERTY,
    ),
    Indicator(
        "out_of_poverty",
        _l("Households out of poverty and near-poverty"),
        _l(
            "Households of the followed projects that went from poor or near-poor to neither in "
            "the years, and had not returned by their end."
        ),
        out_of_poverty,
        compute=_households,
        section=POVERTY,
    ),
    Indicator(
        "grants",
        _l("Grants paid"),
        _l("Grant tranches paid in those years, in đồng (a reversed payment does not count)."),
        tranches,
        total("amount"),
        money=True,
        commune=_project_commune,
        section=CAPITAL,
    ),
    Indicator(
        "loans",
        _l("Loans disbursed"),
        _l("Soft loans disbursed in those years to projects followed by the units."),
        loans,
        count,
        commune=_project_commune,
        section=CAPITAL,
    ),
    Indicator(
        "loan_money",
        _l("Amount lent"),
        _l("The principal of those loans, in đồng."),
        loans,
        total("principal"),
        money=True,
        commune=_project_commune,
        section=CAPITAL,
    ),
    Indicator(
        "outstanding",
        _l("Loans outstanding"),
        _l(
            "The principal not yet repaid of the followed projects' loans at the end of the "
            "years (or today), in đồng; a written-off loan has left the book."
        ),
        outstanding_loans,
        compute=_by_commune(lambda row: row.outstanding_principal),
        money=True,
        section=CAPITAL,
    ),
    Indicator(
        "in_arrears",
        _l("Overdue principal"),
        _l("The principal of instalments fallen due and not paid on that day, in đồng."),
        loans_in_arrears,
        compute=_by_commune(lambda row: row.overdue_principal),
        money=True,
        section=CAPITAL,
    ),
    Indicator(
        "par30_money",
        _l("Outstanding more than 30 days late"),
        _l(
            "The outstanding principal of the loans more than 30 days past due on that day, in đồng."
        ),
        par30_loans,
        compute=_by_commune(
            lambda row: row.outstanding_principal if row.days_past_due > PAR_DAYS else 0
        ),
        money=True,
        section=CAPITAL,
    ),
    Indicator(
        "par30",
        _l("Portfolio at risk (PAR30)"),
        _l(
            "Outstanding more than 30 days late ÷ loans outstanding, in per cent (the CGAP "
            "definition)."
        ),
        par30_loans,
        ratio=("par30_money", "outstanding"),
        section=CAPITAL,
    ),
    Indicator(
        "borrowers",
        _l("Members with loans"),
        _l("Different women with a loan outstanding on that day."),
        outstanding_loans,
        compute=_borrowers,
        section=CAPITAL,
    ),
]


def catalogue() -> list[Indicator]:
    """Every indicator: the portal's own, then the entrusted credit the bank reports."""
    return INDICATORS + CREDIT_INDICATORS


def by_code() -> dict[str, Indicator]:
    return {indicator.code: indicator for indicator in catalogue()}


def value(indicator: Indicator, scope: Scope) -> int | Decimal:
    if indicator.ratio:
        codes = by_code()
        numerator, denominator = (value(codes[code], scope) for code in indicator.ratio)
        return share(int(numerator), int(denominator))
    if indicator.compute:
        return sum(indicator.compute(scope).values())
    return int(db.session.scalar(indicator.measure(indicator.records(scope))) or 0)


def values(scope: Scope) -> dict[str, int | Decimal]:
    """Every indicator for the scope: one query each (the loan book's a few, once)."""
    found: dict[str, int | Decimal] = {}
    with reading():
        for indicator in catalogue():
            if indicator.ratio:
                numerator, denominator = (found[code] for code in indicator.ratio)
                found[indicator.code] = share(int(numerator), int(denominator))
            else:
                found[indicator.code] = value(indicator, scope)
    return found


def by_commune(indicator: Indicator, scope: Scope) -> dict[int | None, int | Decimal]:
    """The figure of each commune (of the records' women, or the unit a competition belongs
    to); None gathers the records that name none."""
    if indicator.ratio:
        codes = by_code()
        numerators, denominators = (by_commune(codes[code], scope) for code in indicator.ratio)
        return {
            commune: share(int(numerators.get(commune, 0)), int(denominator))
            for commune, denominator in denominators.items()
        }
    if indicator.compute:
        return indicator.compute(scope)
    grouped = indicator.measure.grouped(indicator.records(scope), indicator.commune())
    return {commune: int(figure or 0) for commune, figure in db.session.execute(grouped)}
