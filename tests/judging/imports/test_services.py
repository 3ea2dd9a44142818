"""Paper score sheets from a CSV file: every bad row named, all or nothing."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.core.audit import AuditLog
from portal.core.time import utcnow
from portal.extensions import db
from portal.judging.imports import services as imports
from portal.judging.imports.services import Context, parse, validate
from portal.judging.models import ScoreSheet, SheetStatus
from tests.factories import assign, make_judging, score
from tests.snapshots import cached

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")

HEADER = "reference,judge_email,criterion,points,comment\n"


@pytest.fixture(autouse=True)
def english(app):
    """The messages are checked in English; the pages show them in the reader's language."""
    with app.app_context(), force_locale("en"):
        yield


def context(**changes) -> Context:
    values = {
        "entries": {"DB-2026-0001": 1, "DB-2026-0002": 2},
        "judges": {"a@x.vn": 10, "b@x.vn": 11},
        "criteria": {"creativity": (100, 20.0), "team": (101, 15.0)},
        "assignments": {(1, 10): 500, (2, 10): 501, (1, 11): 502},
    }
    values.update(changes)
    return Context(**values)


def run(text: str, ctx: Context | None = None):
    rows, problems = parse(text.encode("utf-8"))
    if problems:
        return [], problems
    return validate(rows, ctx or context())


GOOD = (
    HEADER
    + "DB-2026-0001,a@x.vn,creativity,18,Ý tưởng hay\n"
    + "DB-2026-0001,a@x.vn,team,12.5,\n"
    + 'DB-2026-0002,A@X.VN,creativity,"10,5",\n'
    + "db-2026-0002,a@x.vn,team,0,\n"
)


def test_a_clean_file_makes_one_sheet_per_entry_and_judge():
    sheets, problems = run(GOOD)
    assert problems == []
    assert [(s.entry_id, s.judge_id, s.assignment_id, s.points) for s in sheets] == [
        (1, 10, 500, {100: 18.0, 101: 12.5}),
        (2, 10, 501, {100: 10.5, 101: 0.0}),
    ]
    assert sheets[0].comment == "Ý tưởng hay"


def test_a_bom_and_semicolons_from_excel_are_accepted():
    text = "\ufeff" + GOOD.replace(",", ";").replace('"10;5"', "10,5")
    sheets, problems = run(text)
    assert problems == [] and len(sheets) == 2


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("DB-2026-0009,a@x.vn,creativity,10,", "No entry DB-2026-0009"),
        ("DB-2026-0001,c@x.vn,creativity,10,", "c@x.vn is not a judge"),
        ("DB-2026-0001,a@x.vn,beauty,10,", "Unknown criterion “beauty”"),
        ("DB-2026-0001,a@x.vn,creativity,mười,", "are not a number"),
        ("DB-2026-0001,a@x.vn,creativity,,", "are not a number"),
        ("DB-2026-0001,a@x.vn,creativity,nan,", "are not a number"),
        ("DB-2026-0001,a@x.vn,creativity,21,", "outside 0 to 20"),
        ("DB-2026-0001,a@x.vn,creativity,-1,", "outside 0 to 20"),
        ("DB-2026-0002,b@x.vn,creativity,10,", "not assigned to score DB-2026-0002"),
        (",a@x.vn,creativity,10,", "reference is empty"),
        ("DB-2026-0001,,creativity,10,", "e-mail is empty"),
        ("DB-2026-0001,a@x.vn,,10,", "criterion is empty"),
        ("DB-2026-0001,a@x.vn,creativity,10,,extra", "cells"),
    ],
)
def test_each_bad_row_is_named_by_its_line(row, expected):
    text = (
        HEADER + "DB-2026-0001,b@x.vn,creativity,10,\nDB-2026-0001,b@x.vn,team,10,\n" + row + "\n"
    )
    sheets, problems = run(text)
    assert sheets == []
    assert any(p.line == 4 and expected in p.message for p in problems), problems


def test_every_bad_row_is_reported_not_only_the_first():
    text = (
        HEADER
        + "DB-2026-0001,a@x.vn,creativity,99,\n"
        + "DB-2026-0001,a@x.vn,team,10,\n"
        + "DB-2026-0007,a@x.vn,creativity,1,\n"
        + "DB-2026-0001,z@x.vn,team,1,\n"
    )
    sheets, problems = run(text)
    assert sheets == []
    assert [p.line for p in problems] == [2, 4, 5]


def test_a_duplicate_score_names_the_first_line():
    text = GOOD + "DB-2026-0001,a@x.vn,creativity,17,\n"
    _, problems = run(text)
    assert [(p.line, "already on line 2" in p.message) for p in problems] == [(6, True)]


def test_a_sheet_needs_every_criterion():
    text = HEADER + "DB-2026-0001,a@x.vn,creativity,18,\n"
    _, problems = run(text)
    assert len(problems) == 1
    assert problems[0].line == 2 and "team" in problems[0].message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (HEADER.encode(), "no rows"),
        (b"ref,judge,points\nDB,a,1\n", "first line must name the columns"),
        (b"reference,judge_email,criterion,points,comment,colour\n", "first line"),
        (
            "reference,judge_email,criterion,points\nDB-2026-0001,a@x.vn,team,đ\n".encode("cp1258"),
            "UTF-8",
        ),
        (b"PK\x03\x04\x00\x00binary", "not a CSV"),
    ],
)
def test_unreadable_files_are_refused(data, expected):
    rows, problems = parse(data)
    assert rows == []
    assert len(problems) == 1 and expected in problems[0].message


def test_the_comment_column_is_optional():
    text = GOOD.replace(",comment", "").replace(",Ý tưởng hay", "").replace(",\n", "\n")
    sheets, problems = run(text)
    assert problems == [] and len(sheets) == 2


def test_final_results_refuse_the_whole_file():
    _, problems = run(GOOD, context(results_final=True))
    assert problems and problems[0].line is None and "final" in problems[0].message


# --- Against the database --------------------------------------------------------------------------


def make_world(units):
    w = make_judging(units, entries=3, judges=3)
    for entry in w.entries:
        for judge in w.judges[:2]:
            assign(w, entry, judge)
    db.session.commit()
    return w


@pytest.fixture
def world(units):
    return cached(make_world, units)


def paper_csv(world, *, points=None, skip=()) -> bytes:
    lines = [HEADER.strip()]
    for entry in world.entries:
        for judge in world.judges[:2]:
            for c in world.criteria:
                if (entry, judge, c.code) in skip:
                    continue
                value = points if points is not None else c.max_points // 2
                lines.append(f"{entry.reference},{judge.email},{c.code},{value},Phiếu giấy")
    return ("\n".join(lines) + "\n").encode()


def test_a_clean_file_is_imported_in_one_go_and_audited(world):
    now = utcnow()
    summary = imports.import_file(
        world.organiser, world.round, filename="phieu.csv", data=paper_csv(world), now=now
    )
    assert (summary.sheets, summary.entries, summary.rows) == (6, 3, 36)
    sheets = list(db.session.scalars(sa.select(ScoreSheet)))
    assert len(sheets) == 6
    assert all(s.imported and s.status is SheetStatus.SUBMITTED for s in sheets)
    assert all(s.submitted_at == now and s.comment == "Phiếu giấy" for s in sheets)
    assert all(len(s.scores) == 6 for s in sheets)
    actions = [a.action for a in db.session.scalars(sa.select(AuditLog))]
    assert actions.count("score.imported") == 6
    [file_row] = [
        a for a in db.session.scalars(sa.select(AuditLog)) if a.action == "scores.imported"
    ]
    assert file_row.object_id == world.round.id
    assert file_row.after["file"] == "phieu.csv" and file_row.after["rows"] == 36
    assert world.round.scoring_started_at == now


def test_an_import_updates_an_existing_sheet(world):
    existing = score(world, world.entries[0], world.judges[2], 0.3)
    db.session.commit()
    data = (
        paper_csv(world)
        + "".join(
            f"{world.entries[0].reference},{world.judges[2].email},{c.code},{c.max_points},\n"
            for c in world.criteria
        ).encode()
    )
    imports.import_file(world.organiser, world.round, filename="a.csv", data=data, now=utcnow())
    db.session.refresh(existing)
    assert existing.imported
    assert sorted(s.points for s in existing.scores) == sorted(
        float(c.max_points) for c in world.criteria
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScoreSheet)) == 7


def test_one_bad_row_imports_nothing(world):
    data = (
        paper_csv(world)
        + f"{world.entries[0].reference},{world.judges[2].email},team,5,\n".encode()
    )
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.import_file(world.organiser, world.round, filename="a.csv", data=data, now=utcnow())
    assert len(rejected.value.problems) == 2  # not assigned, and the sheet lacks criteria
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScoreSheet)) == 0
    assert world.round.scoring_started_at is None


def test_a_recused_judge_cannot_be_imported(world):
    from portal.judging.models import Assignment

    assignment = db.session.scalar(
        sa.select(Assignment).where(Assignment.judge_id == world.judges[0].id).limit(1)
    )
    assignment.recused_at = utcnow()
    db.session.commit()
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.import_file(
            world.organiser, world.round, filename="a.csv", data=paper_csv(world), now=utcnow()
        )
    assert len(rejected.value.problems) == 6
    assert all("not assigned" in p.message for p in rejected.value.problems)
