"""What a project's page shows, for its owner and for the organisers: its record, prizes,
reports, milestones, OCOP products, the household's path, the timeline and its chart. The
same queries however much the project holds (tests/projects/reports/test_views.py counts
them), and none for a kind of record it holds none of."""

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import aliased

from portal.auth.models import User
from portal.competitions.models import Competition
from portal.entries.models import Entry, TeamMember
from portal.extensions import db
from portal.projects import services, timeline
from portal.projects.activities import services as activity_services
from portal.projects.activities.models import Attendee
from portal.projects.milestones import services as milestone_services
from portal.projects.milestones.models import Milestone, MilestoneFile
from portal.projects.models import ExternalAward, SupportedProject
from portal.projects.ocop import services as ocop_services
from portal.projects.ocop.models import OcopProduct
from portal.projects.ocop.scoring import next_recheck
from portal.projects.poverty import rules as poverty_rules
from portal.projects.poverty import services as poverty_services
from portal.projects.reports import services as report_services
from portal.projects.reports.models import ReportSchedule
from portal.projects.reports.schedule import PLANS
from portal.units.models import Unit, unit_full_name


@dataclass(frozen=True, slots=True)
class Holdings:
    """Whether the project holds what its page reads in a query of its own. Most hold no prize
    from elsewhere, OCOP product, support activity or milestone file, and a query that finds
    nothing still costs its round trip: asked with the project, in the same query."""

    external_awards: bool
    products: bool
    support: bool
    milestone_files: bool


class TeamRow(NamedTuple):
    name: str
    role: str
    user_id: int | None


@dataclass(frozen=True, slots=True)
class ProjectPage:
    """The project (its own columns only: nothing the page reads loads a relation) and what its
    page shows of its owner, commune, entry and competition, read as columns with it."""

    project: SupportedProject
    schedule: ReportSchedule | None
    holdings: Holdings
    owner_name: str
    owner_email: str
    owner_phone: str | None
    commune_name: str | None
    competition_title: str
    entry_reference: str | None
    entry_title: str
    team: list[TeamRow]


_P = SupportedProject
_province = aliased(Unit)
# What the project holds, asked in its row (Holdings, in order), and its team, a row each.
_HOLDINGS = (
    sa.exists().where(ExternalAward.entry_id == _P.entry_id),
    sa.exists().where(OcopProduct.project_id == _P.id),
    sa.exists().where(sa.or_(Attendee.project_id == _P.id, Attendee.user_id == _P.owner_id)),
    sa.exists()
    .where(MilestoneFile.milestone_id == Milestone.id)
    .where(Milestone.project_id == _P.id),
)
_TEAM = (TeamMember.name, TeamMember.role, TeamMember.user_id)
# What the page shows of its owner, commune, competition and entry, in load_page's order.
_NAMED = (
    User.full_name,
    User.email,
    User.phone,
    Unit.name,
    _province.name,
    Competition.title,
    Entry.reference,
    Entry.title,
)
_HOLDINGS_AT = 2 + len(_NAMED)  # after the project and its schedule
_TEAM_AT = _HOLDINGS_AT + len(_HOLDINGS)
_PROJECT = (
    sa.select(_P, ReportSchedule, *_NAMED, *_HOLDINGS, *_TEAM)
    .join(User, User.id == _P.owner_id)
    .join(Entry, Entry.id == _P.entry_id)
    .join(Competition, Competition.id == Entry.competition_id)
    .outerjoin(Unit, Unit.id == _P.commune_id)
    .outerjoin(_province, _province.id == Unit.parent_id)
    .outerjoin(ReportSchedule, ReportSchedule.project_id == _P.id)
    # Her team in the same query, a row each (at most ten: entries.services.MAX_TEAM): one
    # round trip less than asking for it apart, 0.3 ms of a page that costs ten.
    .outerjoin(TeamMember, TeamMember.entry_id == _P.entry_id)
    .where(_P.id == sa.bindparam("project_id"))
    .order_by(TeamMember.position)
)  # built once (docs/performance.md)


def load_page(project_id: int) -> ProjectPage | None:
    """The project, its report schedule, its team and what its page shows of it, in one query."""
    rows = db.session.execute(_PROJECT, {"project_id": project_id}).all()
    if not rows:
        return None
    row = rows[0]
    project, schedule = row[0], row[1]
    name, email, phone, commune, province, competition, reference, title = row[2:_HOLDINGS_AT]
    team = [TeamRow(*r[_TEAM_AT:]) for r in rows if r[_TEAM_AT] is not None]
    return ProjectPage(
        project=project,
        schedule=schedule,
        holdings=Holdings(*row[_HOLDINGS_AT:_TEAM_AT]),
        owner_name=name,
        owner_email=email,
        owner_phone=phone,
        commune_name=unit_full_name(commune, province) if commune else None,
        competition_title=competition,
        entry_reference=reference,
        entry_title=title,
        team=team,
    )


def may_read_page(user: User, page: ProjectPage) -> bool:
    return services.may_read(user, page.project, {m.user_id for m in page.team if m.user_id})


def project_page(user: User, found: ProjectPage, today: date) -> dict:
    project, holds = found.project, found.holdings
    manages = services.may_manage_project(user, project)
    is_owner = project.owner_id == user.id
    awards = services.awards_of([project.entry_id])[project.entry_id]
    external = (
        services.external_awards_of([project.entry_id])[project.entry_id]
        if holds.external_awards
        else []
    )
    links = {}
    for award in awards:
        if is_owner:
            links[award.id] = url_for("awards.my_award", award_id=award.id)
        elif award.certificate_code:
            links[award.id] = url_for("awards.verify", code=award.certificate_code)
    milestones = milestone_services.milestones_of([project.id], files=holds.milestone_files)[
        project.id
    ]
    reports = report_services.report_lines_of([project.id])[project.id]
    schedule = found.schedule
    report_states = {r.id: report_services.state_of(r, today) for r in reports}
    products = ocop_services.products_of([project.id])[project.id] if holds.products else []
    ratings = [(r, p) for p in products for r in p.ratings]
    history = poverty_services.history_of([project.id])[project.id]
    points = [
        timeline.Point(
            f"{r.period_start:%m/%Y}–{r.period_end:%m/%Y}", r.revenue or 0, r.jobs_total or 0
        )
        for r in reports
        if r.status.value in ("submitted", "accepted")
    ]
    return {
        "project": project,
        "page": found,
        "manages": manages,
        "is_owner": is_owner,
        "sees_evidence": is_owner or manages,
        "awards": awards,
        "award_links": links,
        "external": external,
        "holds_valid_prize": services.holds_valid_prize(awards, external),
        "milestones": milestones,
        "may_record": milestone_services.may_record(user, project),
        "return_forms": {},
        "reports": reports,
        "report_states": report_states,
        "schedule": schedule,
        "plan_label": PLANS[schedule.plan].label if schedule and schedule.plan in PLANS else "",
        "products": products,
        "ratings": ratings,
        "may_add_product": ocop_services.may_add_product(user, project),
        "rating_states": {r.id: ocop_services.state_of(r, p, today) for r, p in ratings},
        "rechecks": {
            r.id: next_recheck(r.certificate_date or r.evaluated_on, r.recheck_months, today)
            for r, _product in ratings
            if r.recheck_months
        },
        "revoke_forms": {},
        "support": activity_services.support_of(project) if holds.support else [],
        "history": history,
        "household_path": poverty_rules.path([(h.as_of, h.status) for h in history]),
        "events": timeline.events(awards, milestones, reports, ratings, history, report_states),
        "chart": timeline.chart(points),
    }
