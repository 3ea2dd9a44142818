"""Helpers of the results tests: assignments and submitted sheets written straight to the models."""

from datetime import datetime

from portal.core.time import utcnow
from portal.extensions import db
from portal.judging.models import (
    Assignment,
    AssignmentSource,
    Score,
    ScoreSheet,
    SheetStatus,
)


def assign(world, entry, judge, round_=None, *, recused: bool = False) -> Assignment:
    round_ = round_ or world.round
    assignment = Assignment(
        round_id=round_.id,
        entry_id=entry.id,
        judge_id=judge.id,
        source=AssignmentSource.MANUAL,
        created_by_id=world.organiser.id,
        recused_at=utcnow() if recused else None,
        recusal_reason="Người quen" if recused else None,
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def score(
    world,
    entry,
    judge,
    points,
    *,
    round_=None,
    status: SheetStatus = SheetStatus.SUBMITTED,
    submitted_at: datetime | None = None,
) -> ScoreSheet:
    """Assign the judge and give a sheet: `points` is a number (the same for every criterion, as a
    share of its maximum when below 1) or a dict code → points."""
    round_ = round_ or world.round
    assignment = assign(world, entry, judge, round_)
    criteria = list(world.criteria) if round_ is world.round else _criteria(round_)
    sheet = ScoreSheet(
        assignment_id=assignment.id,
        round_id=round_.id,
        status=status,
        submitted_at=submitted_at or utcnow(),
    )
    for c in criteria:
        if isinstance(points, dict):
            value = points[c.code]
        elif points <= 1:
            value = round(points * c.max_points, 2)
        else:
            value = points
        sheet.scores.append(Score(criterion_id=c.id, points=value))
    db.session.add(sheet)
    db.session.flush()
    return sheet


def _criteria(round_):
    from portal.judging import services

    return services.criteria_of(round_)
