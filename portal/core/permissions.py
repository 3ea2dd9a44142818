"""Server-side permission checks for every route.

The user object (portal.auth.models.User) answers `has_role(role)` and `can_act_on_unit(unit_id)`;
core relies only on those two methods so that it imports no feature.

A view that acts on one object loads it with `load_or_404` (or checks what a service loaded with
`found_or_404`): 404 when it does not exist, or does not exist for her (`visible`), 403 when she
may not use it (`allowed`). Both checks take the logged-in user and the object, as the features'
`may_…(user, obj)` functions do, so that most views pass such a function as it is.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from portal.extensions import db

# Who runs competitions: organisers (within their units) and admins. The values of
# portal.auth.models.Role, written as strings because core imports no feature.
STAFF_ROLES = ("organiser", "admin")

T = TypeVar("T")
# (the logged-in user, the object) → may she?
Check = Callable[[Any, Any], bool]


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


def found_or_404(obj: T | None, *, visible: Check | None = None, allowed: Check | None = None) -> T:
    """`obj` as a service loaded it, checked for the logged-in user: 404 when it is None or when
    `visible(current_user, obj)` is false (a draft, results not published, a file of another
    entry: for her it does not exist), then 403 when `allowed(current_user, obj)` is false."""
    if obj is None or (visible is not None and not visible(current_user, obj)):
        abort(404)
    if allowed is not None and not allowed(current_user, obj):
        abort(403)
    return obj


def load_or_404(
    model: type[T], ident: Any, *, visible: Check | None = None, allowed: Check | None = None
) -> T:
    """The `model` row with primary key `ident`, checked as `found_or_404` does."""
    return found_or_404(db.session.get(model, ident), visible=visible, allowed=allowed)
