"""Supported projects for the load benchmark: the winners' projects of earlier competitions,
followed for years, with their progress reports and milestones (bulk INSERTs, seeded).

Called by `benchmarks.generate` after the entries: P projects, each owned by one of the
generated applicants, in the communes of Điện Biên, from competitions of the last three years,
with a schedule "every three months the first year, then every six months" from the award. Each
project has its reports up to ten (about 10 per project once it is old enough), in the states a
real follow-up has: most accepted, some sent and waiting, some returned, some skipped, and the
recent ones open (due, late or upcoming by their dates); and one or two milestones.
"""

import random
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from portal.core.text import fold
from portal.core.time import VIETNAM
from portal.extensions import db
from portal.projects.milestones.kinds import add_default_kinds
from portal.projects.milestones.models import Milestone, MilestoneKind, MilestoneStatus
from portal.projects.models import SupportedProject
from portal.projects.reports.models import ProgressReport, ReportSchedule, ReportStatus
from portal.projects.reports.schedule import PLANS, periods

PLAN = "quarterly_then_half_yearly"
REPORTS_PER_PROJECT = 10


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=VIETNAM)


def generate_projects(
    rng: random.Random,
    *,
    count: int,
    entries: list[dict],
    entry_ids: list[int],
    unit_id: int,
    organiser_id: int,
    today: date,
) -> dict[str, int]:
    """Write `count` projects with their schedules, reports and milestones; returns counts."""
    add_default_kinds()
    kinds = [k.id for k in db.session.scalars(sa.select(MilestoneKind).order_by(MilestoneKind.id))]
    chosen = rng.sample(range(len(entry_ids)), min(count, len(entry_ids)))
    first_id = (db.session.scalar(sa.select(sa.func.max(SupportedProject.id))) or 0) + 1
    project_rows, schedule_rows, report_rows, milestone_rows = [], [], [], []
    plan = PLANS[PLAN]
    for offset, index in enumerate(chosen):
        entry = entries[index]
        project_id = first_id + offset
        # Awarded between three years and two months ago; the schedule starts that month.
        awarded = today - timedelta(days=rng.randrange(60, 3 * 365))
        starts_on = awarded.replace(day=1)
        project_rows.append(
            {
                "id": project_id,
                "entry_id": entry_ids[index],
                "owner_id": entry["applicant_id"],
                "unit_id": unit_id,
                "commune_id": entry["commune_id"],
                "title": entry["title"],
                "category_code": None,
                "category_name": "",
                "year": awarded.year,
                "search_text": fold(entry["title"]),
                "story_published": False,
                "story_text": "",
                "created_at": _moment(awarded),
            }
        )
        schedule_rows.append(
            {
                "project_id": project_id,
                "plan": PLAN,
                "starts_on": starts_on,
                "set_by_id": organiser_id,
                "set_at": _moment(awarded),
                "version": 1,
            }
        )
        for period in periods(plan, starts_on)[:REPORTS_PER_PROJECT]:
            status, answers = ReportStatus.OPEN, {}
            if period.due_on + timedelta(days=14) < today:
                status = rng.choices(
                    [
                        ReportStatus.ACCEPTED,
                        ReportStatus.SUBMITTED,
                        ReportStatus.RETURNED,
                        ReportStatus.SKIPPED,
                        ReportStatus.OPEN,
                    ],
                    weights=[70, 8, 4, 3, 15],
                )[0]
            if status is not ReportStatus.OPEN and status is not ReportStatus.SKIPPED:
                jobs = rng.randrange(1, 15)
                answers = {
                    "revenue": rng.randrange(0, 200) * 1_000_000,
                    "costs": rng.randrange(0, 120) * 1_000_000,
                    "jobs_total": jobs,
                    "jobs_women": jobs - rng.randrange(0, 2) if jobs > 1 else jobs,
                    "jobs_ethnic_women": rng.randrange(0, jobs),
                    "household_status": rng.choice(["poor", "near_poor", "neither"]),
                    "submitted_at": _moment(period.due_on - timedelta(days=rng.randrange(0, 10))),
                    "submitted_by_id": entry["applicant_id"],
                }
            report_rows.append(
                {
                    "project_id": project_id,
                    "number": period.number,
                    "period_start": period.start,
                    "period_end": period.end,
                    "due_on": period.due_on,
                    "status": status,
                    "products_sold": "",
                    "needs": [],
                    "needs_other": "",
                    "went_well": "",
                    "was_hard": "",
                    "comment": "Bổ sung ảnh." if status is ReportStatus.RETURNED else "",
                    "skip_reason": "Mùa lũ." if status is ReportStatus.SKIPPED else "",
                    "version": 1,
                    **answers,
                }
            )
        for _ in range(rng.choice([1, 1, 2])):
            milestone_rows.append(
                {
                    "project_id": project_id,
                    "kind_id": rng.choice(kinds[1:]),
                    "reached_on": awarded + timedelta(days=rng.randrange(10, 300)),
                    "note": "",
                    "evidence_link": "",
                    "status": rng.choices(
                        [MilestoneStatus.VERIFIED, MilestoneStatus.RECORDED], weights=[80, 20]
                    )[0],
                    "return_reason": "",
                    "recorded_by_id": entry["applicant_id"],
                    "recorded_at": _moment(awarded + timedelta(days=300)),
                    "version": 1,
                }
            )
    db.session.execute(sa.insert(SupportedProject), project_rows)
    db.session.execute(sa.insert(ReportSchedule), schedule_rows)
    db.session.execute(sa.insert(ProgressReport), report_rows)
    db.session.execute(sa.insert(Milestone), milestone_rows)
    db.session.execute(
        sa.text(
            "SELECT setval(pg_get_serial_sequence('supported_project', 'id'), "
            "(SELECT max(id) FROM supported_project))"
        )
    )
    db.session.commit()
    return {
        "projects": len(project_rows),
        "reports": len(report_rows),
        "milestones": len(milestone_rows),
    }
