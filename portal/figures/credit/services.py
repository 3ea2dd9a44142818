"""Entrusted-credit figures: the bank's sheet for one unit and one period, every line checked, then
written in one transaction — all of it, or nothing.

Each line is checked before anything is written: its commune must be one of the unit's (by name,
with or without "Xã"/"Phường", or by its official code), every cell filled, counts and amounts
whole numbers not below zero, no more borrowers than members, no more overdue than outstanding,
a rating the bank uses (Tốt, Khá, Trung bình, Yếu), a group only once in the file and not already
in another unit's import of the same period. One problem refuses the file, with a report by line.

A unit has at most one import in force for a period. Sending the period again replaces it, with
a reason: the replaced import keeps its rows, marked replaced, in the history; the figures read
only imports in force (indicators.py)."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.auth.models import Role, User
from portal.core import audit, idempotency
from portal.core.errors import DomainError, NotAllowed
from portal.core.money import MoneyInputError, parse_vnd
from portal.core.text import fold, required_text
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.figures.credit.models import (
    CreditGroupFigures,
    CreditImport,
    CreditRating,
)
from portal.figures.credit.sheet import COLUMN_LABELS, Line, Problem
from portal.units.models import Unit, UnitKind

MAX_NAME = 200  # CreditGroupFigures.group_name, leader
MAX_FILE_NAME = 255
FIRST_YEAR = 2000
_PREFIXES = ("xa ", "phuong ", "dac khu ", "thi tran ")
_COUNT = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{3})+|[0-9]+")
_MAX_COUNT = 10**7
RATING_NAMES = {
    "tot": CreditRating.GOOD,
    "kha": CreditRating.FAIR,
    "trung binh": CreditRating.AVERAGE,
    "tb": CreditRating.AVERAGE,
    "yeu": CreditRating.WEAK,
    "yeu kem": CreditRating.WEAK,
} | {member.value: member for member in CreditRating}


class CreditRefused(DomainError):
    """What was sent cannot be imported as it is (422)."""


class PeriodTaken(DomainError):
    """The period's figures changed since the preview: imported or replaced by someone else."""

    status = 409

    def __init__(self):
        super().__init__(
            _l(
                "The figures of this period changed since the preview: they were imported or "
                "replaced in the meantime. Check the file again: the preview shows the figures in "
                "force and how to replace them."
            )
        )


@dataclass
class GroupLine:
    line: int
    commune: Unit
    group_name: str
    leader: str
    members: int
    borrowers: int
    outstanding: int
    overdue: int
    savings: int
    rating: CreditRating


@dataclass(frozen=True)
class Totals:
    groups: int = 0
    members: int = 0
    borrowers: int = 0
    outstanding: int = 0
    overdue: int = 0
    savings: int = 0


def _sum(rows) -> Totals:
    return Totals(
        len(rows),
        sum(r.members for r in rows),
        sum(r.borrowers for r in rows),
        sum(r.outstanding for r in rows),
        sum(r.overdue for r in rows),
        sum(r.savings for r in rows),
    )


@dataclass
class Batch:
    """What a check found: the problems by line, or the groups it writes (or wrote)."""

    unit: Unit
    period_end: date
    problems: list[Problem] = field(default_factory=list)
    groups: list[GroupLine] = field(default_factory=list)
    in_force: CreditImport | None = None  # the import of this unit and period it replaces
    written: CreditImport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def totals(self) -> Totals:
        return _sum(self.groups)


# --- Who may -------------------------------------------------------------------------------------


def may_manage(user: User, unit_id: int | None) -> bool:
    """Organisers of the unit (or of its province), and admins."""
    return bool(user.is_authenticated and user.can_act_on_unit(unit_id))


def may_read_import(user: User, credit_import: CreditImport) -> bool:
    return may_manage(user, credit_import.unit_id)


def units_for(user: User) -> list[Unit]:
    """The units she imports for: her own; an admin also any province."""
    units = {u.id: u for u in user.organiser_units()}
    if user.has_role(Role.ADMIN):
        for province in db.session.scalars(
            sa.select(Unit).where(Unit.kind == UnitKind.PROVINCE).order_by(Unit.name_folded)
        ):
            units.setdefault(province.id, province)
    return sorted(units.values(), key=lambda u: (u.kind != UnitKind.PROVINCE, u.name_folded))


# --- The check -----------------------------------------------------------------------------------


class _Communes:
    """The communes of the unit, found by name (with or without "Xã", "Phường"…) or by code."""

    def __init__(self, unit: Unit):
        self.unit = unit
        if unit.kind is UnitKind.PROVINCE:
            self.units = list(db.session.scalars(sa.select(Unit).where(Unit.parent_id == unit.id)))
        else:
            self.units = [unit]
        self.by_name: dict[str, set[int]] = {}
        self.by_code: dict[int, int] = {}
        self.by_id = {u.id: u for u in self.units}
        for commune in self.units:
            name = fold(commune.name)
            self.by_name.setdefault(name, set()).add(commune.id)
            for prefix in _PREFIXES:
                if name.startswith(prefix):
                    self.by_name.setdefault(name[len(prefix) :], set()).add(commune.id)
            self.by_code[commune.code] = commune.id

    def find(self, text: str) -> tuple[Unit | None, bool]:
        """The commune written, and whether the name fits several."""
        key = fold(text)
        if key.isdigit() and len(key) <= 9 and int(key) in self.by_code:
            return self.by_id[self.by_code[int(key)]], False
        found = self.by_name.get(key, set())
        if len(found) > 1:
            return None, True
        return (self.by_id[next(iter(found))] if found else None), False


def _missing(column: str) -> str:
    return str(_l("%(column)s is missing.", column=COLUMN_LABELS[column]))


def _about(column: str, problem) -> str:
    """The problem of one cell, after its column's name."""
    return f"{COLUMN_LABELS[column]}: {problem}"


def _count(text: str, column: str) -> tuple[int | None, str | None]:
    """A count of people: digits (groups of three may be separated), not below zero."""
    compact = text.replace(" ", "").replace("\xa0", "")
    if compact[:1] in ("-", "−", "–") and _COUNT.fullmatch(compact[1:]):
        return None, _about(column, _l("it cannot be negative."))
    if _COUNT.fullmatch(compact):
        number = int(compact.replace(".", "").replace(",", ""))
        if number < _MAX_COUNT:
            return number, None
    return None, _about(column, _l("write a whole number, for example 25."))


def _money(text: str, column: str) -> tuple[int | None, str | None]:
    try:
        return parse_vnd(text), None
    except MoneyInputError as error:
        return None, _about(column, error.message)


def _check_line(line: Line, communes: _Communes, refuse) -> GroupLine | None:
    cells = line.cells
    for column, text in cells.items():
        if not text:
            refuse(_missing(column))
    commune = None
    if cells["commune"]:
        commune, several = communes.find(cells["commune"])
        if several:
            refuse(
                _l(
                    "“%(value)s” is the name of several communes or wards: write it in full "
                    "(Xã …, Phường …) or give its code.",
                    value=cells["commune"],
                )
            )
        elif commune is None:
            refuse(
                _l(
                    "There is no commune or ward “%(value)s” in %(unit)s.",
                    value=cells["commune"],
                    unit=communes.unit.name,
                )
            )
    for column in ("group", "leader"):
        if len(cells[column]) > MAX_NAME:
            refuse(_about(column, _l("at most %(num)d characters.", num=MAX_NAME)))
    numbers = {}
    for column in ("members", "borrowers"):
        if cells[column]:
            numbers[column], message = _count(cells[column], column)
            if message:
                refuse(message)
    for column in ("outstanding", "overdue", "savings"):
        if cells[column]:
            numbers[column], message = _money(cells[column], column)
            if message:
                refuse(message)
    rating = RATING_NAMES.get(fold(cells["rating"])) if cells["rating"] else None
    if cells["rating"] and rating is None:
        refuse(
            _about(
                "rating",
                _l(
                    "“%(value)s” is not a rating of the bank: write %(ratings)s.",
                    value=cells["rating"],
                    ratings=", ".join(("Tốt", "Khá", "Trung bình", "Yếu")),
                ),
            )
        )
    members, borrowers = numbers.get("members"), numbers.get("borrowers")
    if members == 0:
        refuse(_l("A savings group has at least one member."))
    if members is not None and borrowers is not None and borrowers > members:
        refuse(
            _l(
                "More borrowers (%(borrowers)d) than members (%(members)d).",
                borrowers=borrowers,
                members=members,
            )
        )
    outstanding, overdue = numbers.get("outstanding"), numbers.get("overdue")
    if outstanding is not None and overdue is not None and overdue > outstanding:
        refuse(_l("The overdue amount is more than the outstanding amount."))
    if (
        None in (commune, members, borrowers, outstanding, overdue, rating)
        or numbers.get("savings") is None
    ):
        return None
    return GroupLine(
        line.number,
        commune,
        cells["group"],
        cells["leader"],
        members,
        borrowers,
        outstanding,
        overdue,
        numbers["savings"],
        rating,
    )


def _in_force(unit_id: int, period_end: date) -> CreditImport | None:
    return db.session.scalar(
        sa.select(CreditImport)
        .where(
            CreditImport.unit_id == unit_id,
            CreditImport.period_end == period_end,
            CreditImport.replaced_at.is_(None),
        )
        .options(joinedload(CreditImport.imported_by))
    )


def _imported_elsewhere(unit: Unit, period_end: date, commune_ids: set[int]) -> dict:
    """The groups of the communes already in another unit's import in force for the period."""
    if not commune_ids:
        return {}
    rows = db.session.execute(
        sa.select(CreditGroupFigures.commune_id, CreditGroupFigures.group_name, CreditImport)
        .join(CreditImport, CreditImport.id == CreditGroupFigures.import_id)
        .where(
            CreditImport.period_end == period_end,
            CreditImport.replaced_at.is_(None),
            CreditImport.unit_id != unit.id,
            CreditGroupFigures.commune_id.in_(commune_ids),
        )
        .options(joinedload(CreditImport.unit))
    )
    return {(commune_id, fold(name)): found for commune_id, name, found in rows}


def check(
    actor: User, unit_id: int | None, period_end: date | None, lines: list[Line], *, today: date
) -> Batch:
    """Check every line of the sheet for the unit and period; nothing is written."""
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is None:
        raise CreditRefused(_l("Choose the unit these figures are for."), field="unit")
    if not may_manage(actor, unit.id):
        raise NotAllowed(_l("You do not organise this unit."))
    if period_end is None:
        raise CreditRefused(_l("Write the day the figures stand at."), field="period")
    if period_end > today:
        raise CreditRefused(_l("The figures cannot stand at a day in the future."), field="period")
    if period_end.year < FIRST_YEAR:
        raise CreditRefused(
            _l("Write a day from the year %(year)d on.", year=FIRST_YEAR), field="period"
        )
    batch = Batch(unit, period_end, in_force=_in_force(unit.id, period_end))
    if not lines:
        batch.problems.append(
            Problem(1, str(_l("The file has no savings group below its column names.")))
        )
    communes = _Communes(unit)
    seen: dict[tuple[int, str], int] = {}
    for line in lines:

        def refuse(message, line=line):
            batch.problems.append(Problem(line.number, str(message)))

        before = len(batch.problems)
        group = _check_line(line, communes, refuse)
        if group is None or len(batch.problems) > before:
            continue
        key = (group.commune.id, fold(group.group_name))
        if key in seen:
            refuse(
                _l(
                    "The group “%(group)s” of %(commune)s is also on line %(line)d.",
                    group=group.group_name,
                    commune=group.commune.name,
                    line=seen[key],
                )
            )
            continue
        seen[key] = line.number
        batch.groups.append(group)
    elsewhere = _imported_elsewhere(unit, period_end, {g.commune.id for g in batch.groups})
    for group in list(batch.groups):
        found = elsewhere.get((group.commune.id, fold(group.group_name)))
        if found is not None:
            batch.problems.append(
                Problem(
                    group.line,
                    str(
                        _l(
                            "The group “%(group)s” of %(commune)s is already in the figures of "
                            "%(unit)s for this period.",
                            group=group.group_name,
                            commune=group.commune.name,
                            unit=found.unit.name,
                        )
                    ),
                )
            )
    if batch.problems:
        batch.groups = []
    batch.problems.sort(key=lambda p: p.line)
    return batch


# --- The import ----------------------------------------------------------------------------------


def clean_file_name(name: str | None) -> str:
    """Only the name of the file she sent, not the folders of her computer."""
    name = re.split(r"[\\/]", (name or "").strip())[-1]
    return name[:MAX_FILE_NAME]


def import_period(
    actor: User,
    unit_id: int | None,
    period_end: date | None,
    file_name: str | None,
    lines: list[Line],
    *,
    reason: str | None = None,
    replaces_id: int | None = None,
    now: datetime | None = None,
    form_key: str | None = None,
) -> Batch:
    """Check the lines again and, when every one is right, write the import and its groups in one
    transaction; the import in force for the unit and period (the one the preview showed,
    `replaces_id`) is replaced, which needs a reason. Commits, or writes nothing: a batch with
    problems comes back unwritten."""
    now = now or utcnow()
    # The same confirmation sent twice is one import: the second is told so.
    claimed = idempotency.claim(form_key, kind="credit_import", actor_id=actor.id)
    try:
        batch = check(actor, unit_id, period_end, lines, today=vietnam_date(now))
        if not batch.ok:
            db.session.rollback()
            return batch
        old = batch.in_force
        if (old.id if old else None) != replaces_id:
            raise PeriodTaken()
        if old is not None:
            reason = required_text(
                reason,
                field="reason",
                missing=_l("Write why these figures replace those imported before."),
            )
            moved = db.session.execute(
                sa.update(CreditImport)
                .where(CreditImport.id == old.id, CreditImport.replaced_at.is_(None))
                .values(replaced_at=now, replaced_by_id=actor.id, replaced_reason=reason)
            )
            if moved.rowcount != 1:
                raise PeriodTaken()
        new = CreditImport(
            unit_id=batch.unit.id,
            period_end=batch.period_end,
            file_name=clean_file_name(file_name),
            imported_by_id=actor.id,
            imported_at=now,
            replaces_id=old.id if old else None,
        )
        db.session.add(new)
        try:
            db.session.flush()  # one import in force per unit and period, whoever sends it
        except IntegrityError:
            raise PeriodTaken() from None
    except DomainError:
        db.session.rollback()
        raise
    db.session.execute(
        sa.insert(CreditGroupFigures),
        [
            {
                "import_id": new.id,
                "line": g.line,
                "commune_id": g.commune.id,
                "group_name": g.group_name,
                "leader": g.leader,
                "members": g.members,
                "borrowers": g.borrowers,
                "outstanding": g.outstanding,
                "overdue": g.overdue,
                "savings": g.savings,
                "rating": g.rating,
            }
            for g in batch.groups
        ],
    )
    totals = batch.totals
    audit.record(
        "credit_import.imported",
        actor_id=actor.id,
        object_type="credit_import",
        object_id=new.id,
        after={
            "unit": batch.unit.full_name,
            "period_end": batch.period_end.isoformat(),
            "file": new.file_name,
            "groups": totals.groups,
            "outstanding": totals.outstanding,
            "replaces": old.id if old else None,
        },
    )
    if old is not None:
        audit.record(
            "credit_import.replaced",
            actor_id=actor.id,
            object_type="credit_import",
            object_id=old.id,
            before={"in_force": True},
            after={"in_force": False, "reason": reason, "replacement": new.id},
        )
    idempotency.made(claimed, new)
    db.session.commit()
    batch.written = new
    return batch


# --- Reading what was imported -------------------------------------------------------------------


def imports_query(user: User) -> sa.Select:
    """The imports of the units she may act on (an admin: all), the latest period first, the one
    in force before those it replaced."""
    query = sa.select(CreditImport).options(
        joinedload(CreditImport.unit).joinedload(Unit.parent),
        joinedload(CreditImport.imported_by),
        joinedload(CreditImport.replaced_by),
    )
    if not user.has_role(Role.ADMIN):
        mine = [u.id for u in user.organiser_units()]
        query = query.where(
            CreditImport.unit_id.in_(
                sa.select(Unit.id).where(sa.or_(Unit.id.in_(mine), Unit.parent_id.in_(mine)))
            )
        )
    return query.order_by(
        CreditImport.period_end.desc(),
        CreditImport.unit_id,
        CreditImport.replaced_at.is_not(None),
        CreditImport.imported_at.desc(),
        CreditImport.id.desc(),
    )


def _totals_query():
    return sa.select(
        sa.func.count(CreditGroupFigures.id),
        sa.func.coalesce(sa.func.sum(CreditGroupFigures.members), 0),
        sa.func.coalesce(sa.func.sum(CreditGroupFigures.borrowers), 0),
        sa.func.coalesce(sa.func.sum(CreditGroupFigures.outstanding), 0),
        sa.func.coalesce(sa.func.sum(CreditGroupFigures.overdue), 0),
        sa.func.coalesce(sa.func.sum(CreditGroupFigures.savings), 0),
    )


def totals_of(import_ids: list[int]) -> dict[int, Totals]:
    """Each import's totals, in one query."""
    if not import_ids:
        return {}
    rows = db.session.execute(
        _totals_query()
        .add_columns(CreditGroupFigures.import_id)
        .where(CreditGroupFigures.import_id.in_(import_ids))
        .group_by(CreditGroupFigures.import_id)
    )
    found = {row[-1]: Totals(*(int(v) for v in row[:-1])) for row in rows}
    return {i: found.get(i, Totals()) for i in import_ids}


def load_import(import_id: int) -> CreditImport | None:
    return db.session.scalar(
        sa.select(CreditImport)
        .where(CreditImport.id == import_id)
        .options(
            joinedload(CreditImport.unit).joinedload(Unit.parent),
            joinedload(CreditImport.imported_by),
            joinedload(CreditImport.replaced_by),
            joinedload(CreditImport.replacement),
            joinedload(CreditImport.replaces),
        )
    )


def rows_query(credit_import: CreditImport) -> sa.Select:
    return (
        sa.select(CreditGroupFigures)
        .where(CreditGroupFigures.import_id == credit_import.id)
        .options(joinedload(CreditGroupFigures.commune))
        .order_by(CreditGroupFigures.line, CreditGroupFigures.id)
    )


def by_commune(credit_import: CreditImport) -> list[tuple[Unit, Totals]]:
    """The import's totals for each commune, in one query."""
    rows = db.session.execute(
        _totals_query()
        .add_columns(Unit)
        .join(Unit, Unit.id == CreditGroupFigures.commune_id)
        .where(CreditGroupFigures.import_id == credit_import.id)
        .group_by(Unit.id)
        .order_by(Unit.name_folded)
    )
    return [(row[-1], Totals(*(int(v) for v in row[:-1]))) for row in rows]
