"""Server-side permission checks for every route.

The user object (portal.auth.models.User) answers `has_role(role)` and `can_act_on_unit(unit_id)`;
core relies only on those two methods so that it imports no feature.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles: str) -> Callable:
    """Let the request through when the logged-in user holds any of `roles`; 403 otherwise."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not any(current_user.has_role(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require(allowed: bool) -> None:
    """Abort with 403 unless an object-level check passed (this entry, this unit…)."""
    if not allowed:
        abort(403)


def require_unit(unit_id: int | None) -> None:
    """The current user must be allowed to act on this unit (an organiser of it or of its province)."""
    require(current_user.is_authenticated and current_user.can_act_on_unit(unit_id))
