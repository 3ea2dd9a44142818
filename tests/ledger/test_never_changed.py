"""A posting is never updated or deleted: a mistake is undone by a reversing posting. This reads
the source of portal/ and fails when any code could change one: an UPDATE or DELETE of the
ledger's tables, a session.delete of a posting or a line, an assignment to a line's amount or
account or to a posting's lines."""

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"
LEDGER_MODELS = {"Posting", "PostingLine"}
LEDGER_TABLES = {"ledger_posting", "ledger_line"}


def changes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    where = path.relative_to(PORTAL).as_posix()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            first = ast.unparse(node.args[0]) if node.args else ""
            if name in ("update", "delete") and first.split(".")[-1] in LEDGER_MODELS:
                found.append(f"{where}:{node.lineno} {name}({first})")
            elif name == "delete" and "posting" in first.lower():
                found.append(f"{where}:{node.lineno} session.delete({first})")
            if name in ("text", "exec_driver_sql") and node.args:
                sql = ast.unparse(node.args[0]).lower()
                if any(table in sql for table in LEDGER_TABLES) and (
                    "update " in sql or "delete " in sql
                ):
                    found.append(f"{where}:{node.lineno} raw SQL on the ledger")
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr in (
                    "amount",
                    "account",
                    "lines",
                ):
                    owner = ast.unparse(target.value).lower()
                    if "posting" in owner or owner.split(".")[-1].split("[")[0] == "line":
                        found.append(f"{where}:{node.lineno} {ast.unparse(target)} = …")
    by_line = {int(c.split(":")[1].split(" ")[0]): c for c in found}  # one finding a line
    return [by_line[n] for n in sorted(by_line)]


def test_no_code_changes_or_deletes_a_posting():
    found = [c for path in sorted(PORTAL.rglob("*.py")) for c in changes(path)]
    assert found == [], "postings are never changed: reverse them instead:\n" + "\n".join(found)


def test_the_check_sees_each_kind_of_change(tmp_path, monkeypatch):
    monkeypatch.setattr("tests.ledger.test_never_changed.PORTAL", tmp_path)
    source = tmp_path / "feature.py"
    source.write_text(
        "db.session.execute(sa.update(PostingLine).values(amount=1))\n"
        "db.session.execute(sa.delete(Posting))\n"
        "db.session.delete(the_posting)\n"
        "line.amount = 5\n"
        "db.session.execute(sa.text('DELETE FROM ledger_line'))\n"
        "db.session.delete(entry)\n"
    )
    assert [c.split(" ", 1)[0] for c in changes(source)] == [
        "feature.py:1",
        "feature.py:2",
        "feature.py:3",
        "feature.py:4",
        "feature.py:5",
    ]
