"""Paper score sheets typed into a CSV file: `reference,judge_email,criterion,points,comment`.

Reading and checking are pure functions over the file's bytes and plain lookup tables
(`parse`, `validate`), so that every rule is tested without a database; `import_file` loads the
tables, and writes a clean file in one transaction through `common.record_scores`. Any bad
row rejects the whole file, with every bad row named by its line number.
"""

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.models import User
from portal.competitions.models import Round
from portal.core import audit
from portal.core.errors import DomainError
from portal.entries.models import Entry
from portal.extensions import db
from portal.judging import common
from portal.judging.models import Assignment, CompetitionJudge, ScoreSheet, SheetStatus

REQUIRED_COLUMNS = ("reference", "judge_email", "criterion", "points")
COLUMNS = (*REQUIRED_COLUMNS, "comment")
MAX_ROWS = 100_000
MAX_COMMENT = 5000


@dataclass(frozen=True)
class Problem:
    line: int | None  # None: the whole file
    message: str


@dataclass
class Row:
    line: int
    reference: str
    judge_email: str
    criterion: str
    points: str
    comment: str = ""


@dataclass
class Context:
    """What a file is checked against: plain tables read from the database."""

    entries: dict[str, int]  # reference (upper case) → entry id, the round's entries only
    judges: dict[str, int]  # e-mail (lower case) → user id, the competition's judges
    criteria: dict[str, tuple[int, float]]  # code → (criterion id, maximum points)
    assignments: dict[tuple[int, int], int]  # (entry id, judge id) → active assignment id
    results_final: bool = False


@dataclass
class SheetData:
    entry_id: int
    judge_id: int
    assignment_id: int
    points: dict[int, float]  # criterion id → points
    comment: str
    lines: list[int] = field(default_factory=list)


class ImportRejected(DomainError):
    def __init__(self, problems: list[Problem]):
        super().__init__(_l("The file was not imported: correct the rows below and send it again."))
        self.problems = problems


def _problem(at: int | None, message, **values) -> Problem:
    return Problem(at, str(message) % values if values else str(message))


def parse(data: bytes) -> tuple[list[Row], list[Problem]]:
    """The file's rows, or what makes it unreadable (encoding, header, no rows)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [
            _problem(
                None,
                _l(
                    "The file is not a CSV file in UTF-8. In Excel, save it as "
                    "“CSV UTF-8 (comma delimited)”."
                ),
            )
        ]
    if "\x00" in text:
        return [], [_problem(None, _l("The file is not a CSV file."))]
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if not header or not any(cell.strip() for cell in header):
        return [], [_problem(None, _l("The file is empty."))]
    names = [cell.strip().lower() for cell in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    unknown = [n for n in names if n and n not in COLUMNS]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if missing or unknown or repeated:
        return [], [
            _problem(
                1,
                _l("The first line must name the columns %(expected)s (found: %(found)s)."),
                expected=",".join(COLUMNS),
                found=",".join(header) or "—",
            )
        ]
    index = {name: position for position, name in enumerate(names) if name}
    rows: list[Row] = []
    problems: list[Problem] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are skipped
            if len(rows) >= MAX_ROWS:
                problems.append(
                    _problem(None, _l("The file has more than %(max)d rows."), max=MAX_ROWS)
                )
                break
            if len(cells) > len(names):
                problems.append(
                    _problem(
                        line,
                        _l("This row has %(found)d cells; the header names %(expected)d."),
                        found=len(cells),
                        expected=len(names),
                    )
                )
                continue

            def cell(name: str, cells=cells) -> str:
                position = index.get(name)
                return (
                    cells[position].strip()
                    if position is not None and position < len(cells)
                    else ""
                )

            rows.append(
                Row(
                    line,
                    cell("reference"),
                    cell("judge_email"),
                    cell("criterion"),
                    cell("points"),
                    cell("comment"),
                )
            )
    except csv.Error:
        problems.append(
            _problem(reader.line_num, _l("This line cannot be read (a quote is not closed?)."))
        )
    if not rows and not problems:
        problems.append(_problem(None, _l("The file has a header but no rows of scores.")))
    return rows, problems


def _number(text: str) -> float | None:
    value = text.replace(" ", "")
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")  # 12,5 as written in Vietnamese
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _format(number: float) -> str:
    return f"{number:g}"


def validate(rows: list[Row], context: Context) -> tuple[list[SheetData], list[Problem]]:
    """Every row checked against the round; the sheets a clean file makes, or every problem."""
    problems: list[Problem] = []
    if context.results_final:
        problems.append(
            _problem(None, _l("The results of this round are final: scores can no longer change."))
        )
    sheets: dict[tuple[int, int], SheetData] = {}
    seen: dict[tuple[str, str, str], int] = {}
    groups: dict[tuple[str, str], int] = {}  # (reference, e-mail) → its first line
    codes_by_group: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        reference, email, code = row.reference.upper(), row.judge_email.lower(), row.criterion
        errors: list[Problem] = []
        entry_id = context.entries.get(reference)
        judge_id = context.judges.get(email)
        criterion = context.criteria.get(code) or context.criteria.get(code.lower())
        if not row.reference:
            errors.append(_problem(row.line, _l("The reference is empty.")))
        elif entry_id is None:
            errors.append(
                _problem(
                    row.line, _l("No entry %(reference)s in this round."), reference=row.reference
                )
            )
        if not row.judge_email:
            errors.append(_problem(row.line, _l("The judge's e-mail is empty.")))
        elif judge_id is None:
            errors.append(
                _problem(
                    row.line,
                    _l("%(email)s is not a judge of this competition."),
                    email=row.judge_email,
                )
            )
        if not code:
            errors.append(_problem(row.line, _l("The criterion is empty.")))
        elif criterion is None:
            errors.append(
                _problem(
                    row.line,
                    _l("Unknown criterion “%(code)s”: the rubric's codes are %(codes)s."),
                    code=code,
                    codes=", ".join(context.criteria),
                )
            )
        points = _number(row.points)
        if points is None:
            errors.append(
                _problem(
                    row.line, _l("The points “%(points)s” are not a number."), points=row.points
                )
            )
        elif criterion is not None and not 0 <= points <= criterion[1]:
            errors.append(
                _problem(
                    row.line,
                    _l("%(points)s points is outside 0 to %(max)s for %(code)s."),
                    points=_format(points),
                    max=_format(criterion[1]),
                    code=code,
                )
            )
        if len(row.comment) > MAX_COMMENT:
            errors.append(
                _problem(
                    row.line,
                    _l("The comment is longer than %(max)d characters."),
                    max=MAX_COMMENT,
                )
            )
        assignment_id = None
        if entry_id is not None and judge_id is not None:
            assignment_id = context.assignments.get((entry_id, judge_id))
            if assignment_id is None:
                errors.append(
                    _problem(
                        row.line,
                        _l("%(email)s is not assigned to score %(reference)s in this round."),
                        email=row.judge_email,
                        reference=row.reference,
                    )
                )
        if row.reference and row.judge_email and code:
            key = (reference, email, code.lower())
            if key in seen:
                errors.append(
                    _problem(
                        row.line,
                        _l("The same score appears twice: already on line %(line)d."),
                        line=seen[key],
                    )
                )
            else:
                seen[key] = row.line
        if entry_id is not None and judge_id is not None and code:
            group = (reference, email)
            groups.setdefault(group, row.line)
            codes_by_group[group].add(code.lower())
        problems.extend(errors)
        if errors:
            continue
        sheet = sheets.get((entry_id, judge_id))
        if sheet is None:
            sheet = sheets[(entry_id, judge_id)] = SheetData(
                entry_id, judge_id, assignment_id, {}, ""
            )
        sheet.points[criterion[0]] = points
        sheet.lines.append(row.line)
        if row.comment and row.comment not in sheet.comment.split("\n"):
            sheet.comment = f"{sheet.comment}\n{row.comment}" if sheet.comment else row.comment
    all_codes = {code.lower() for code in context.criteria}
    for group, first_line in groups.items():
        lacking = [c for c in context.criteria if c.lower() not in codes_by_group[group]]
        if lacking and codes_by_group[group] & all_codes:
            reference = next(r.reference for r in rows if r.line == first_line)
            email = next(r.judge_email for r in rows if r.line == first_line)
            problems.append(
                _problem(
                    first_line,
                    _l(
                        "The sheet of %(email)s for %(reference)s lacks the criteria %(codes)s: "
                        "a sheet needs every criterion."
                    ),
                    email=email,
                    reference=reference,
                    codes=", ".join(lacking),
                )
            )
    problems.sort(key=lambda p: p.line or 0)
    return (list(sheets.values()) if not problems else []), problems


def load_context(round_: Round) -> Context:
    entries = {
        (reference or "").upper(): entry_id
        for entry_id, reference in db.session.execute(
            common.round_entries_query(round_).with_only_columns(Entry.id, Entry.reference)
        )
        if reference
    }
    judges: dict[str, int] = {}
    for user_id, email, invited in db.session.execute(
        sa.select(User.id, User.email, CompetitionJudge.email)
        .join(CompetitionJudge, CompetitionJudge.user_id == User.id)
        .where(CompetitionJudge.competition_id == round_.competition_id)
    ):
        judges[email.lower()] = user_id
        judges.setdefault(invited.lower(), user_id)
    criteria = {c.code: (c.id, float(c.max_points)) for c in common.criteria_of(round_)}
    assignments = {
        (entry_id, judge_id): assignment_id
        for assignment_id, entry_id, judge_id in db.session.execute(
            sa.select(Assignment.id, Assignment.entry_id, Assignment.judge_id).where(
                Assignment.round_id == round_.id, Assignment.recused_at.is_(None)
            )
        )
    }
    return Context(entries, judges, criteria, assignments, round_.results_final_at is not None)


@dataclass
class ImportSummary:
    sheets: int
    entries: int
    rows: int


def import_file(
    actor: User, round_: Round, *, filename: str, data: bytes, now: datetime
) -> ImportSummary:
    """Import a file of paper score sheets, all or nothing. Raises ImportRejected."""
    if not common.may_manage_round(actor, round_):
        raise DomainError(_l("Only the organisers of this competition may import scores."))
    rows, problems = parse(data)
    if problems:
        raise ImportRejected(problems)
    sheets, problems = validate(rows, load_context(round_))
    if problems:
        raise ImportRejected(problems)
    existing = {
        sheet.assignment_id: sheet
        for sheet in db.session.scalars(
            sa.select(ScoreSheet).where(
                ScoreSheet.assignment_id.in_([s.assignment_id for s in sheets])
            )
        )
    }
    try:
        for data_sheet in sheets:
            sheet = existing.get(data_sheet.assignment_id)
            if sheet is None:
                sheet = ScoreSheet(
                    assignment_id=data_sheet.assignment_id,
                    round_id=round_.id,
                    created_at=now,
                )
                db.session.add(sheet)
            sheet.status = SheetStatus.SUBMITTED
            sheet.imported = True
            sheet.comment = data_sheet.comment
            sheet.submitted_at = now
            common.record_scores(
                sheet, data_sheet.points, actor=actor, action="score.imported", now=now
            )
        audit.record(
            "scores.imported",
            actor_id=actor.id,
            object_type="round",
            object_id=round_.id,
            after={
                "file": filename,
                "rows": len(rows),
                "sheets": len(sheets),
                "entries": len({s.entry_id for s in sheets}),
            },
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ImportSummary(len(sheets), len({s.entry_id for s in sheets}), len(rows))
