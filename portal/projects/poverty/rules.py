"""When a household counts as having left poverty: pure, no database.

A household's history is a list of (day, status). It "left poverty" in a period when, within the
period, its status went from poor or near-poor to neither, and at the period's end it is still
neither (it did not return). Moving from poor to near-poor is progress, but not yet out.
"""

from collections.abc import Iterable
from datetime import date

from portal.applicants.models import HouseholdStatus

IN_POVERTY = (HouseholdStatus.POOR, HouseholdStatus.NEAR_POOR)


def status_on(history: Iterable[tuple[date, HouseholdStatus]], day: date) -> HouseholdStatus | None:
    """The status in force on `day`: the latest record on or before it (of one day, the last
    recorded)."""
    found = None
    for when, status in sorted(history, key=lambda item: item[0]):
        if when > day:
            break
        found = status
    return found


def left_poverty(history: Iterable[tuple[date, HouseholdStatus]], start: date, end: date) -> bool:
    """True when the household left poverty between `start` and `end` (both included)."""
    records = sorted(history, key=lambda item: item[0])
    if status_on(records, end) is not HouseholdStatus.NEITHER:
        return False
    previous = status_on([r for r in records if r[0] < start], start)
    for when, status in records:
        if when < start:
            continue
        if when > end:
            break
        if previous in IN_POVERTY and status is HouseholdStatus.NEITHER:
            return True
        previous = status
    return False


def path(history: Iterable[tuple[date, HouseholdStatus]]) -> list[tuple[date, HouseholdStatus]]:
    """The history with repeats dropped: each change of status once, in order (poor 2025 →
    near-poor 2026 → neither 2027)."""
    changes: list[tuple[date, HouseholdStatus]] = []
    for when, status in sorted(history, key=lambda item: item[0]):
        if not changes or changes[-1][1] is not status:
            changes.append((when, status))
    return changes
