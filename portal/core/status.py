"""The conditional UPDATE every status home makes: the row moves only if it is still in the status
(and, when the form carried one, at the version) the action was shown with. Of two requests at
once, one moves it and the other is told False; the caller rolls back and refuses with its 409."""

from typing import Any

import sqlalchemy as sa

from portal.core import audit
from portal.extensions import db


def guarded_move(
    model: type,
    obj: Any,
    *,
    to: Any,
    actions: dict[tuple, str],
    actor_id: int,
    object_type: str,
    expected_version: int | None = None,
    after: dict | None = None,
    **values: Any,
) -> bool:
    """Move `obj` from the status it was read in to `to` (with `values`), raise its version and
    write the audit action `actions` names for that move; the caller commits. False, with nothing
    written, when another request moved or changed it first. A move the table does not have is a
    programming error (ValueError)."""
    was = obj.status
    if (was, to) not in actions:
        raise ValueError(f"{was} to {to} is not a move of {object_type}")
    action = actions[(was, to)]
    obj_id = obj.id
    statement = sa.update(model).where(model.id == obj_id, model.status == was)
    if expected_version is not None:
        statement = statement.where(model.version == expected_version)
    result = db.session.execute(
        statement.values(status=to, version=model.version + 1, **values),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(obj)
    if result.rowcount != 1:
        return False
    audit.record(
        action,
        actor_id=actor_id,
        object_type=object_type,
        object_id=obj_id,
        before={"status": was.value},
        after={"status": to.value, **(after or {})},
    )
    return True
