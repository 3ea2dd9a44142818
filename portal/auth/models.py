"""People, their roles and the invitations that bring judges, organisers and admins in."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from portal.auth.phones import written_mobile
from portal.core.outbox import Channel
from portal.core.text import fold
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db
from portal.units.models import Unit


def _enum(enum_class: type[enum.Enum]) -> sa.Enum:
    return sa.Enum(
        enum_class, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
    )


class Role(enum.StrEnum):
    APPLICANT = "applicant"
    JUDGE = "judge"
    ORGANISER = "organiser"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.APPLICANT: _l("Applicant"),
    Role.JUDGE: _l("Judge"),
    Role.ORGANISER: _l("Organiser"),
    Role.ADMIN: _l("Administrator"),
}


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # An applicant may have an e-mail address, a mobile number to log in with, or both; judges,
    # organisers and admins have an address (their invitation came to it).
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    # Kept as +84912345678 (auth/phones.py). `phone` below is only a number to call her on.
    login_phone: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    full_name: Mapped[str] = mapped_column(sa.String(120))
    # Lower-case ASCII copy of the name, kept by validates() below, for diacritic-free search.
    full_name_folded: Mapped[str] = mapped_column(sa.String(120), default="", index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    language: Mapped[str] = mapped_column(sa.String(5), default="vi")
    province_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    active: Mapped[bool] = mapped_column(default=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # her e-mail address
    phone_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # her login_phone
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Flask-Login keeps this token, not the id, in the session and the remember-me cookie:
    # changing the password or logging out rotates it, which logs the account out everywhere.
    session_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=new_session_token
    )

    province: Mapped[Unit | None] = relationship(foreign_keys=[province_id])
    commune: Mapped[Unit | None] = relationship(foreign_keys=[commune_id])
    roles: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user",
        foreign_keys="RoleGrant.user_id",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="RoleGrant.id",
    )

    @validates("full_name")
    def _fold_name(self, key: str, value: str) -> str:
        self.full_name_folded = fold(value)
        return value

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_confirmed(self) -> bool:
        """Whether she has proved one way in: her e-mail address (a link) or her number (a code)."""
        return self.confirmed_at is not None or self.phone_confirmed_at is not None

    @property
    def channel(self) -> Channel:
        """How messages reach her: by the way in she proved, e-mail first; before she proved
        either, by e-mail if she gave an address."""
        if self.email and (self.confirmed_at or not self.phone_confirmed_at):
            return Channel.MAIL
        return Channel.SMS if self.login_phone else Channel.MAIL

    @property
    def contact(self) -> str:
        """Her e-mail address, or her number as people write it, for the pages that show one."""
        if self.email:
            return self.email
        return written_mobile(self.login_phone) if self.login_phone else ""

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"]
        )
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def has_role(self, role: str) -> bool:
        return any(grant.role == role for grant in self.roles)

    @property
    def role_names(self) -> set[Role]:
        return {grant.role for grant in self.roles}

    def organiser_units(self) -> list[Unit]:
        return [g.unit for g in self.roles if g.role is Role.ORGANISER and g.unit is not None]

    def can_act_on_unit(self, unit_id: int | None) -> bool:
        """Admins act everywhere; an organiser on her unit and, for a province, on its communes."""
        if self.has_role(Role.ADMIN):
            return True
        if unit_id is None:
            return False
        unit = db.session.get(Unit, unit_id)
        if unit is None:
            return False
        return any(
            unit.id == scope.id or unit.parent_id == scope.id for scope in self.organiser_units()
        )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email or self.login_phone}>"


class RoleGrant(db.Model):
    """One role held by one user; an organiser's role is scoped to a unit."""

    __tablename__ = "role_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    unit: Mapped[Unit | None] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("user_id", "role", "unit_id", name="uq_role_grant"),)

    def describe(self) -> dict:
        return {"role": self.role.value, "unit_id": self.unit_id}


class Invitation(db.Model):
    """An e-mailed invitation to join with a role; the invitee sets her password from the link."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    language: Mapped[str] = mapped_column(sa.String(5), default="vi")
    invited_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit | None] = relationship()
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])

    def status(self, now: datetime) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"


class CodePurpose(enum.StrEnum):
    CONFIRM = "confirm"  # her number, when she registers with it
    RESET = "reset"  # a forgotten password
    # Asked and counted against the limits, but sent to no one: a number that has an account, or
    # none, or a browser that registered nothing. Never the latest code of a registration.
    UNSENT = "unsent"


class PhoneCode(db.Model):
    """A six-digit code sent by text message to prove that a number is hers (auth/codes.py).
    Kept hashed, never as sent; only the latest of a number and purpose counts."""

    __tablename__ = "phone_code"
    __table_args__ = (
        sa.Index("ix_phone_code_phone_created_at", "phone", "created_at"),
        sa.Index("ix_phone_code_sent_from_created_at", "sent_from", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(16))  # the kept form, +84912345678
    purpose: Mapped[CodePurpose] = mapped_column(_enum(CodePurpose))
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    # Who asked, as the limit counts her: the address, or an IPv6 address's /64 (codes.asker).
    sent_from: Mapped[str | None] = mapped_column(sa.String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tries: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The account a registration's code makes once proved: her name, language, password's hash
    # and e-mail address. Nothing is made before, so that no one holds a number unproved.
    registration: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))
