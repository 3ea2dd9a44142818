"""Roles: who may invite whom, and an admin giving and taking a role or an account's access."""

from flask_babel import lazy_gettext as _l

from portal.auth.models import Role, RoleGrant, User, new_session_token
from portal.core import audit
from portal.core.errors import DomainError
from portal.extensions import db


def may_invite(actor: User) -> list[Role]:
    """Admins invite judges, organisers and admins; organisers invite judges."""
    if actor.has_role(Role.ADMIN):
        return [Role.JUDGE, Role.ORGANISER, Role.ADMIN]
    if actor.has_role(Role.ORGANISER):
        return [Role.JUDGE]
    return []


def check_scope(role: Role, unit_id: int | None) -> None:
    """An organiser's role needs a unit."""
    if role is Role.ORGANISER and not unit_id:
        raise DomainError(_l("An organiser's role needs a province or commune."), field="province")


def grant_role(
    actor: User, user: User, role: Role, unit_id: int | None, ip: str | None
) -> RoleGrant:
    """Give a role (admins only). An organiser's role is scoped to a unit; the others are not."""
    if not actor.has_role(Role.ADMIN):
        raise DomainError(_l("Only an administrator can change roles."))
    check_scope(role, unit_id)
    if role is not Role.ORGANISER:
        unit_id = None
    for grant in user.roles:
        if grant.role is role and grant.unit_id == unit_id:
            raise DomainError(_l("This person already has this role."), field="role")
    grant = add_grant(user, role, unit_id, actor.id, ip)
    db.session.commit()
    return grant


def add_grant(
    user: User, role: Role, unit_id: int | None, actor_id: int | None, ip: str | None
) -> RoleGrant:
    """Give `user` the role, audited; does not commit (grant_role and accept_invitation do)."""
    grant = RoleGrant(role=role, unit_id=unit_id, granted_by_id=actor_id)
    user.roles.append(grant)
    db.session.flush()
    audit.record(
        "role.granted",
        actor_id=actor_id,
        object_type="user",
        object_id=user.id,
        after=grant.describe(),
        ip=ip,
    )
    return grant


def revoke_role(actor: User, grant: RoleGrant, ip: str | None) -> None:
    if not actor.has_role(Role.ADMIN):
        raise DomainError(_l("Only an administrator can change roles."))
    if grant.role is Role.ADMIN and grant.user_id == actor.id:
        raise DomainError(_l("You cannot remove your own administrator role."))
    user = grant.user
    audit.record(
        "role.revoked",
        actor_id=actor.id,
        object_type="user",
        object_id=user.id,
        before=grant.describe(),
        ip=ip,
    )
    user.roles.remove(grant)
    db.session.commit()


def set_active(actor: User, user: User, active: bool, ip: str | None) -> None:
    if not actor.has_role(Role.ADMIN):
        raise DomainError(_l("Only an administrator can change accounts."))
    if user.id == actor.id:
        raise DomainError(_l("You cannot deactivate your own account."))
    if user.active == active:
        return
    audit.record(
        "user.activated" if active else "user.deactivated",
        actor_id=actor.id,
        object_type="user",
        object_id=user.id,
        before={"active": user.active},
        after={"active": active},
        ip=ip,
    )
    user.active = active
    if not active:
        user.session_token = new_session_token()  # logs the account out everywhere
    db.session.commit()
