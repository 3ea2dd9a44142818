"""What a project's page shows, for its owner and for the organisers: its record, prizes,
reports, milestones, OCOP products, the household's path, the timeline and its chart. A fixed
number of queries whatever the project holds (tests/projects/reports/test_views.py counts them)."""

from datetime import date

from flask import url_for

from portal.auth.models import User
from portal.projects import services, timeline
from portal.projects.activities import services as activity_services
from portal.projects.milestones import services as milestone_services
from portal.projects.models import SupportedProject
from portal.projects.ocop import services as ocop_services
from portal.projects.ocop.scoring import next_recheck
from portal.projects.poverty import rules as poverty_rules
from portal.projects.poverty import services as poverty_services
from portal.projects.reports import services as report_services
from portal.projects.reports.schedule import PLANS


def project_page(user: User, project: SupportedProject, today: date) -> dict:
    manages = services.may_manage_project(user, project)
    is_owner = project.owner_id == user.id
    awards = services.awards_of([project.entry_id])[project.entry_id]
    external = services.external_awards_of([project.entry_id])[project.entry_id]
    links = {}
    for award in awards:
        if is_owner:
            links[award.id] = url_for("awards.my_award", award_id=award.id)
        elif award.certificate_code:
            links[award.id] = url_for("awards.verify", code=award.certificate_code)
    milestones = milestone_services.milestones_of([project.id])[project.id]
    reports = report_services.reports_of([project.id])[project.id]
    schedule = report_services.schedule_of(project)
    report_states = {r.id: report_services.state_of(r, today) for r in reports}
    products = ocop_services.products_of([project.id])[project.id]
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
        "entry": project.entry,
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
        "support": activity_services.support_of(project),
        "history": history,
        "household_path": poverty_rules.path([(h.as_of, h.status) for h in history]),
        "events": timeline.events(awards, milestones, reports, ratings, history, report_states),
        "chart": timeline.chart(points),
    }
