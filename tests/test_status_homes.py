"""Each stateful object has one home for its status: one transition table, one function that
moves it. This reads the source of portal/ and fails when any other code writes a status: an
assignment to `.status`, `setattr(…, "status", …)`, or an UPDATE statement with `status=`.

Creating an object in its first status (`Entry(status=…)`) is not a move and is not checked.
"""

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"

# The model whose status a module is the home of.
HOMES = {
    "Entry": "entries/status.py",
    "Competition": "competitions/status.py",
    "AwardDecision": "awards/decision/status.py",
    "Milestone": "projects/milestones/status.py",
    "ProgressReport": "projects/reports/status.py",
    "SupportAgreement": "capital/agreements/status.py",
    "Tranche": "capital/tranches/status.py",
    "Restructuring": "capital/restructuring/status.py",
    "Nomination": "nominations/status.py",
}
# Objects whose status has no state machine of its own (yet): a judge's score sheet and a mail
# in the outbox. Their names are what the code calls them where it writes them.
NO_HOME_YET = {"sheet", "message"}


def _target_name(node: ast.expr) -> str:
    return ast.unparse(node).split(".")[-1].split("[")[0]


def _updated_models(scope: ast.AST) -> set[str]:
    """The guarded models a function updates with `sa.update(Model)`."""
    models = set()
    for node in ast.walk(scope):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            model = ast.unparse(node.args[0]).split(".")[-1]
            if name == "update" and model in HOMES:
                models.add(model)
    return models


def _sets_status(call: ast.Call) -> bool:
    """`.values(status=…)`, or `.values(**values)` that may carry one."""
    return any(keyword.arg in ("status", None) for keyword in call.keywords)


def status_writes(path: Path) -> list[str]:
    """Every place in one file that writes a status, as `file:line what`."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    where = path.relative_to(PORTAL).as_posix()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "status"
                    and _target_name(target.value) not in NO_HOME_YET
                ):
                    found.append(f"{where}:{node.lineno} {ast.unparse(target)} = …")
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "setattr"
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "status"
        ):
            found.append(f"{where}:{node.lineno} setattr(…, 'status', …)")
    for scope in ast.walk(tree):
        if not isinstance(scope, ast.FunctionDef | ast.Module):
            continue
        updated = _updated_models(scope) if isinstance(scope, ast.FunctionDef) else set()
        for model in sorted(updated):
            if HOMES[model] == where:
                continue
            for node in ast.walk(scope):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "values"
                    and _sets_status(node)
                ):
                    found.append(f"{where}:{node.lineno} update({model}).values(status=…)")
    return found


def test_only_the_homes_write_a_status():
    homes = set(HOMES.values())
    writes = [
        write
        for path in sorted(PORTAL.rglob("*.py"))
        if path.relative_to(PORTAL).as_posix() not in homes
        for write in status_writes(path)
    ]
    assert writes == [], (
        "A status is written outside its home; move it through the one function of "
        + ", ".join(f"portal/{home}" for home in HOMES.values())
        + ":\n"
        + "\n".join(writes)
    )


def test_the_shared_move_is_called_only_by_the_homes():
    """`core/status.py: guarded_move` writes any model's status: only a home may call it."""
    homes = set(HOMES.values())
    callers = []
    for path in sorted(PORTAL.rglob("*.py")):
        where = path.relative_to(PORTAL).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "guarded_move"
                and where not in homes
            ):
                callers.append(f"{where}:{node.lineno}")
    assert callers == []


def test_the_check_finds_each_kind_of_write(tmp_path, monkeypatch):
    """The reader above is only a check if it sees each way of writing a status."""
    monkeypatch.setattr("tests.test_status_homes.PORTAL", tmp_path)
    source = tmp_path / "feature.py"
    source.write_text(
        "entry.status = EntryStatus.AWARDED\n"
        "round_.competition.status = new\n"
        "setattr(decision, 'status', 'draft')\n"
        "def move(s):\n"
        "    statement = sa.update(Entry).where(Entry.id == 1)\n"
        "    db.session.execute(statement.values(status=s))\n"
        "sheet.status = SheetStatus.SUBMITTED\n"
        "Entry(status=EntryStatus.DRAFT)\n"
        "db.session.execute(sa.update(Award).values(status=s))\n"
    )
    assert [write.split(" ", 1)[0] for write in status_writes(source)] == [
        "feature.py:1",
        "feature.py:2",
        "feature.py:3",
        "feature.py:6",
    ]
