"""Every action and object the code writes to the audit log has a label, and the admin's log
shows them in words, with before → after as readable lines in Vietnamese."""

import ast
import pathlib

import sqlalchemy as sa

from portal.auth.models import Role
from portal.core import audit
from portal.extensions import db
from tests.conftest import login
from tests.factories import UserFactory

PORTAL = pathlib.Path(__file__).resolve().parents[2] / "portal"


def _strings(node: ast.AST) -> set[str]:
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _written_codes() -> tuple[set[str], set[str]]:
    """The literal codes passed to audit.record (first argument or action=, object_type=),
    to record_scores(action=…), to helpers that take the action as an argument, and the action
    tables of the status homes."""
    actions, objects = set(), set()
    for path in PORTAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            # The status homes name the action of each move in a table (ACTIONS, OTHER_MOVES).
            if isinstance(node, ast.Assign) and any(
                getattr(target, "id", None) in ("ACTIONS", "OTHER_MOVES") for target in node.targets
            ):
                actions |= _strings(node.value)
            if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "ACTIONS":
                actions |= _strings(node.value)
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name == "record" and node.args:
                actions |= _strings(node.args[0])
            if name == "_delete" and len(node.args) == 3:
                actions |= _strings(node.args[2])
            for keyword in node.keywords:
                if keyword.arg == "action":
                    actions |= _strings(keyword.value)
                if keyword.arg == "object_type" and name == "record":
                    objects |= _strings(keyword.value)
    return actions, objects


def test_every_action_and_object_written_has_a_label():
    actions, objects = _written_codes()
    assert "award.decision_finalised" in actions and "score_sheet" in objects
    assert actions - set(audit.ACTION_LABELS) == set()
    assert objects - set(audit.OBJECT_LABELS) == set()


def test_the_audit_log_shows_words_and_vietnamese(app, client):
    admin = UserFactory(roles=[Role.ADMIN])
    audit.record(
        "entry.screened",
        actor_id=admin.id,
        object_type="score_sheet",
        object_id=30,
        before={"status": "submitted"},
        after={"status": "ineligible", "reason": "Thiếu kế hoạch kinh doanh"},
    )
    db.session.commit()
    login(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    table = page.split("<tbody>")[1]
    assert "<td>Sơ loại bài dự thi</td>" in table and "<td>Phiếu chấm 30</td>" in table
    assert "status</code>: Đã nộp" in table and "status</code>: Không đủ điều kiện" in table
    assert "reason</code>: Thiếu kế hoạch kinh doanh" in table and "\\u" not in table
    assert "entry.screened" not in table and "ineligible" not in table


def test_the_log_stores_vietnamese_as_written(app):
    audit.record("entry.screened", actor_id=None, object_type="entry", after={"reason": "Thiếu"})
    db.session.commit()
    stored = db.session.execute(sa.text("SELECT after FROM audit_log")).scalar_one()
    assert "Thiếu" in str(stored)
