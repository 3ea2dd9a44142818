"""The entries counted by competition, category and status (competition_entry_count), checked
against the entries themselves and mended: `flask entries recount` (cli.py).

The triggers on `entry` keep the table right (models.py COUNTING_TRIGGERS); it can only go wrong
when they are bypassed: rows copied in with the triggers off (`pg_restore --data-only` without
`--disable-triggers`, a replica's role), or a table rebuilt on SQLite without them.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from portal.entries.models import CompetitionEntryCount, Entry, EntryStatus
from portal.extensions import db

Key = tuple[int, int, EntryStatus]  # competition id, category id (0: none), status


@dataclass(frozen=True)
class Difference:
    competition_id: int
    category_id: int
    status: EntryStatus
    kept: int  # in competition_entry_count
    counted: int  # in entry


def _kept() -> dict[Key, int]:
    table = CompetitionEntryCount
    rows = db.session.execute(
        sa.select(table.competition_id, table.category_id, table.status, table.count)
    )
    return {(competition, category, status): count for competition, category, status, count in rows}


def _counted() -> dict[Key, int]:
    category = sa.func.coalesce(Entry.category_id, 0)
    rows = db.session.execute(
        sa.select(Entry.competition_id, category, Entry.status, sa.func.count()).group_by(
            Entry.competition_id, category, Entry.status
        )
    )
    return {(competition, cat, status): count for competition, cat, status, count in rows}


def differences() -> list[Difference]:
    """Every (competition, category, status) whose kept count is not the entries' own count
    (a key with no row counts 0), in order; empty when the table is right."""
    kept, counted = _kept(), _counted()
    return [
        Difference(*key, kept.get(key, 0), counted.get(key, 0))
        for key in sorted(kept.keys() | counted.keys())
        if kept.get(key, 0) != counted.get(key, 0)
    ]


def recount() -> list[Difference]:
    """Make competition_entry_count what the entries say; returns what was wrong. Commits.

    On PostgreSQL the entries are locked against writes while they are counted (SHARE MODE:
    readers go on, a write waits a moment), so a move made meanwhile is neither lost nor
    counted twice.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("LOCK TABLE entry IN SHARE MODE"))
    wrong = differences()
    table = CompetitionEntryCount
    for difference in wrong:
        db.session.execute(
            sa.delete(table).where(
                table.competition_id == difference.competition_id,
                table.category_id == difference.category_id,
                table.status == difference.status,
            )
        )
        if difference.counted:
            db.session.execute(
                sa.insert(table).values(
                    competition_id=difference.competition_id,
                    category_id=difference.category_id,
                    status=difference.status,
                    count=difference.counted,
                )
            )
    db.session.commit()
    return wrong
