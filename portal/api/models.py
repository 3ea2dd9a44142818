"""The API's tokens and the log of every call made with one."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db
from portal.units.models import Unit


class ApiToken(db.Model):
    """A read-only key for a partner or the central union, issued by an admin. Only the SHA-256
    of the secret is kept: the secret is shown once, when issued, and can never be read again.
    Its unit (a province with its communes) bounds what it reads; none is the whole country."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))  # who holds it, what for
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))  # the secret's start, to recognise it
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit | None] = relationship()
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiCall(db.Model):
    """One call with a token, allowed or refused: the access log an admin reads."""

    __tablename__ = "api_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_token.id"), index=True)
    method: Mapped[str] = mapped_column(sa.String(8))
    path: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[int] = mapped_column(sa.SmallInteger)
    remote_addr: Mapped[str] = mapped_column(sa.String(64), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
