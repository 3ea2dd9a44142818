"""API tokens: issued and revoked by an admin, checked on every call; and the log of calls."""

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.api.models import ApiCall, ApiToken
from portal.auth.models import Role, User
from portal.core import audit, idempotency
from portal.core.errors import DomainError, NotAllowed
from portal.core.time import utcnow
from portal.extensions import db
from portal.units.models import Unit

PREFIX = "hlhpn_"  # recognisable in a leaked file or a log
MAX_NAME = 120


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    actor: User,
    name: str,
    unit_id: int | None,
    *,
    form_key: str | None = None,
    secret: str | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which only this answer ever holds. Commits. The same form
    sent twice makes one token (AlreadySent). `secret` is the demo's own, known in advance so
    that the README's example works; anything else gets a random one."""
    if not actor.has_role(Role.ADMIN):
        raise NotAllowed(_l("Only an administrator issues API tokens."))
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_l("Write who the token is for."), field="name")
    if len(name) > MAX_NAME:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_NAME), field="name")
    if unit_id is not None:
        unit = db.session.get(Unit, unit_id)
        if unit is None or unit.parent_id is not None:
            raise DomainError(_l("Choose a province, or the whole country."), field="unit")
    claim = idempotency.claim(form_key, kind="api_token", actor_id=actor.id)
    secret = secret or PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        unit_id=unit_id,
        secret_hash=_hash(secret),
        prefix=secret[: len(PREFIX) + 4],
        issued_by_id=actor.id,
    )
    db.session.add(token)
    db.session.flush()
    idempotency.made(claim, token)
    audit.record(
        "api_token.issued",
        actor_id=actor.id,
        object_type="api_token",
        object_id=token.id,
        after={"name": name, "unit_id": unit_id},
    )
    db.session.commit()
    return token, secret


def revoke_token(actor: User, token: ApiToken) -> None:
    """From now on the token is refused. Commits; revoking twice changes nothing."""
    if not actor.has_role(Role.ADMIN):
        raise NotAllowed(_l("Only an administrator revokes API tokens."))
    if token.revoked_at is not None:
        return
    token.revoked_at, token.revoked_by_id = utcnow(), actor.id
    audit.record(
        "api_token.revoked",
        actor_id=actor.id,
        object_type="api_token",
        object_id=token.id,
        before={"name": token.name},
    )
    db.session.commit()


def token_for(secret: str | None) -> ApiToken | None:
    """The token whose secret this is, revoked or not; None for anything else."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    return db.session.scalar(sa.select(ApiToken).where(ApiToken.secret_hash == _hash(secret)))


def log_call(
    token: ApiToken, method: str, path: str, status: int, remote_addr: str, at: datetime
) -> None:
    """Write the call in the token's log (the access log an admin reads). Commits."""
    db.session.add(
        ApiCall(
            token_id=token.id,
            method=method,
            path=path[:500],
            status=status,
            remote_addr=(remote_addr or "")[:64],
            at=at,
        )
    )
    token.last_used_at = at
    db.session.commit()


def calls_of(token_ids: list[int]) -> dict[int, int]:
    """How many calls each token made: one query."""
    if not token_ids:
        return {}
    rows = db.session.execute(
        sa.select(ApiCall.token_id, sa.func.count())
        .where(ApiCall.token_id.in_(token_ids))
        .group_by(ApiCall.token_id)
    )
    return dict(rows.all())
