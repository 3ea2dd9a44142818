"""A project's page as one story: every event in date order, and a chart of revenue and jobs
over the reports, drawn on the server as SVG (a table beside it says the same for a screen
reader). Pure: it reads what the page already loaded."""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

CHART_WIDTH, CHART_HEIGHT, PAD = 320, 160, 28


@dataclass(frozen=True)
class Event:
    day: date
    kind: str  # award, milestone, report, ocop, household
    text: str
    anchor: str  # where on the page it is told in full


def events(
    awards: list, milestones: list, reports: list, ratings: list, history: list, report_states: dict
) -> list[Event]:
    """Everything that happened to the project, newest first."""
    found = []
    for award in awards:
        if award.issued_at:
            found.append(Event(award.issued_at.date(), "award", str(award.tier.name), "#awards"))
    for m in milestones:
        found.append(
            Event(
                m.reached_on,
                "milestone",
                f"{m.kind.label} ({m.status.label})",
                f"#milestone-{m.id}",
            )
        )
    for r in reports:
        state = report_states[r.id]
        if state.value in ("upcoming",):
            continue
        day = r.submitted_at.date() if r.submitted_at else r.due_on
        text = str(_l("Report %(number)d", number=r.number)) + f": {state.label}"
        found.append(Event(day, "report", text, "#reports"))
    for rating, product in ratings:
        text = str(_l("%(product)s: %(num)d stars", product=product.name, num=rating.stars))
        found.append(Event(rating.evaluated_on, "ocop", text, "#ocop"))
    for record in history:
        text = f"{record.status.label} ({record.source.label})"
        found.append(Event(record.as_of, "household", text, "#household"))
    return sorted(found, key=lambda e: (e.day, e.kind), reverse=True)


@dataclass(frozen=True)
class Point:
    label: str  # the period, as the table shows it
    revenue: int
    jobs: int


@dataclass(frozen=True)
class Chart:
    points: list[Point]
    revenue_path: str
    jobs_path: str
    revenue_max: int
    jobs_max: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT


def chart(points: list[Point]) -> Chart | None:
    """Two lines on one frame (revenue on its own scale, jobs on another); None below two points."""
    if len(points) < 2:
        return None
    revenue_max = max(p.revenue for p in points) or 1
    jobs_max = max(p.jobs for p in points) or 1
    step = (CHART_WIDTH - 2 * PAD) / (len(points) - 1)

    def path(values: list[int], top: int) -> str:
        coords = [
            (PAD + i * step, CHART_HEIGHT - PAD - (v / top) * (CHART_HEIGHT - 2 * PAD))
            for i, v in enumerate(values)
        ]
        return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in coords)

    return Chart(
        points,
        path([p.revenue for p in points], revenue_max),
        path([p.jobs for p in points], jobs_max),
        revenue_max,
        jobs_max,
    )
