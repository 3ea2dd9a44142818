"""Accounts: registration, confirmation, login, passwords, the profile, and invitations.

Roles are given and taken in portal.auth.roles; signed links are made and read in
portal.auth.tokens.

Every answer that could reveal whether an e-mail is registered is the same either way; the
difference goes only to the mailbox, which its owner controls.
"""

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import lazyload
from werkzeug.security import check_password_hash, generate_password_hash

from portal.auth import roles
from portal.auth.codes import one_at_a_time
from portal.auth.models import Invitation, Role, RoleGrant, User, new_session_token
from portal.auth.phones import NotAMobileNumber, mobile_number
from portal.auth.signals import account_created
from portal.auth.tokens import InvalidLink, read_token, sign_token
from portal.core import audit, idempotency
from portal.core.errors import DomainError
from portal.core.outbox import queue_mail
from portal.core.time import utcnow
from portal.core.urls import external_url
from portal.extensions import db
from portal.units.models import Unit

CONFIRM_SALT = "confirm-email"
RESET_SALT = "reset-password"
INVITATION_SALT = "invitation"

# Checked against when the e-mail is unknown, so that a failed login takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    """The account of an address, in one query whatever the answer: its roles load only when
    read, so that a known address costs the reset and confirmation mails no query more than an
    unknown one (the time would tell)."""
    return db.session.scalar(
        sa.select(User).where(User.email == normalise_email(email)).options(lazyload(User.roles))
    )


def find_by_phone(phone: str) -> User | None:
    """The account that logs in with `phone` (its kept form, auth/phones.py), in one query
    whatever the answer."""
    return db.session.scalar(
        sa.select(User).where(User.login_phone == phone).options(lazyload(User.roles))
    )


def _password_fingerprint(user: User) -> str:
    # Part of the reset token: once the password changes, the old link stops working.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


# --- Registration and confirmation ---------------------------------------------------------


def confirmation_token(user: User, address: str | None = None) -> str:
    return sign_token({"u": user.id, "e": address or user.email}, CONFIRM_SALT)


def register_applicant(
    *, email: str, password: str, full_name: str, phone: str | None, language: str, ip: str | None
) -> User | None:
    """Create an unconfirmed applicant and mail her a confirmation link.

    When the e-mail is already registered nothing is created: its owner gets a mail telling her
    so, and the caller shows the same page as for a new account.
    """
    one_at_a_time()  # beside a registration by number with this address (phone_accounts)
    email = normalise_email(email)
    existing = find_user(email)
    if existing is not None:
        generate_password_hash(password)  # take as long as a real registration would
        tell_already_registered(existing)
        db.session.commit()
        return None
    user = User(email=email, full_name=full_name.strip(), phone=phone or None, language=language)
    user.set_password(password)
    user.roles.append(RoleGrant(role=Role.APPLICANT))
    db.session.add(user)
    db.session.flush()
    account_created.send(user)
    audit.record("user.registered", actor_id=user.id, object_type="user", object_id=user.id, ip=ip)
    queue_confirmation(user)
    db.session.commit()
    return user


def tell_already_registered(user: User) -> None:
    """The mail to an address that tried to register again. The caller commits."""
    queue_mail(
        user.email,
        "already_registered",
        user.language,
        _l("You already have an account"),
        user=user,
        login_url=external_url("auth.login"),
        reset_url=external_url("auth.forgot_password"),
    )


def queue_confirmation(user: User, address: str | None = None) -> None:
    """The link that confirms her e-mail address; or, for an account by number, `address`, the
    one she asked to add (it is added when she confirms it). The caller commits."""
    address = address or user.email
    queue_mail(
        address,
        "confirm_email",
        user.language,
        _l("Confirm your e-mail address"),
        user=user,
        confirm_url=external_url("auth.confirm_email", token=confirmation_token(user, address)),
        hours=current_app.config["CONFIRM_TOKEN_MAX_AGE"] // 3600,
    )


def resend_confirmation(email: str, language: str) -> None:
    """Mail a new confirmation link when the address has an account waiting for one; else a
    mail saying that it is confirmed already, or that no account that can log in uses it (in
    `language`, the one she reads the page in).

    Every path does the same work, one lookup, one mail rendered and queued, one commit, so that
    neither the answer nor its time tells whether an account waits on the address.
    """
    email = normalise_email(email)
    user = find_user(email)
    if user is None or not user.active:
        queue_mail(
            email[:254],
            "confirm_no_account",
            language,
            _l("Confirm your e-mail address"),
            email=email,
            register_url=external_url("auth.register"),
        )
    elif user.confirmed_at is not None:
        queue_mail(
            user.email,
            "already_confirmed",
            user.language,
            _l("Confirm your e-mail address"),
            user=user,
            login_url=external_url("auth.login"),
            reset_url=external_url("auth.forgot_password"),
        )
    else:
        queue_confirmation(user)
    db.session.commit()


def user_to_confirm(token: str) -> User:
    """The account a confirmation link is for; a link for an old address or another account is
    refused."""
    data = read_token(token, CONFIRM_SALT, current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    user = db.session.get(User, data.get("u"))
    adding = user is not None and user.email is None and user.phone_confirmed_at is not None
    if user is None or (user.email != data.get("e") and not adding):
        raise InvalidLink(_l("This link is not valid. Please check that you copied all of it."))
    return user


def address_to_confirm(token: str) -> str:
    """The address a confirmation link is for (the account's, or one to add to it)."""
    return read_token(token, CONFIRM_SALT, current_app.config["CONFIRM_TOKEN_MAX_AGE"])["e"]


def confirm_email(token: str) -> User:
    """Mark the account confirmed (once: the same link used again changes nothing); for an
    account by number, add the address, unless another account took it meanwhile."""
    user = user_to_confirm(token)
    if user.email is None:
        address = address_to_confirm(token)
        if find_user(address) is not None:
            raise InvalidLink(_l("This e-mail address is already used by another account."))
        user.email = address
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()
        audit.record("user.confirmed", actor_id=user.id, object_type="user", object_id=user.id)
        db.session.commit()
    return user


# --- Login ----------------------------------------------------------------------------------


class LoginRefused(DomainError):
    pass


class NotConfirmed(DomainError):
    pass


def login_phone_in(account: str) -> str | None:
    """The mobile number she typed in "E-mail or mobile number", in its kept form; None for an
    address or for text that is neither."""
    if "@" in account:
        return None
    try:
        return mobile_number(account)
    except NotAMobileNumber:
        return None


def login_key(account: str) -> str:
    """One key per account however she types it, for the limits on failed logins."""
    return login_phone_in(account) or normalise_email(account)[:254]


def authenticate(account: str, password: str, ip: str | None) -> User:
    """Return the user whose credentials these are (`account`: her e-mail address or her mobile
    number, as typed), or raise with one message for every failure.

    Only someone who knows the password learns that the account is unconfirmed.
    """
    phone = login_phone_in(account)
    user = find_by_phone(phone) if phone else find_user(account)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        ok = False
    else:
        ok = user.check_password(password) and user.active
    if not ok:
        audit.record(
            "login.failed",
            actor_id=None,
            object_type="user",
            object_id=user.id if user else None,
            after={"account": login_key(account)},
            ip=ip,
        )
        db.session.commit()
        raise LoginRefused(_l("The e-mail address, number or password is not right."))
    if not user.is_confirmed:  # an account by number is made proved: an address waits its link
        queue_confirmation(user)
        db.session.commit()
        raise NotConfirmed(
            _l(
                "Please confirm your e-mail address first. "
                "We have sent you a new link; it may take a minute to arrive."
            )
        )
    record_login(user, ip)
    return user


def record_login(user: User, ip: str | None) -> None:
    """She is in: by her password, or by the code that proved her number just after she chose
    it. Commits."""
    user.last_login_at = utcnow()
    audit.record("login", actor_id=user.id, object_type="user", object_id=user.id, ip=ip)
    db.session.commit()


def record_logout(user: User, ip: str | None) -> None:
    """End the session for good: the session and remember-me cookies carry the session token,
    so a new token makes every copy of them worthless (on every device, as a password change)."""
    user.session_token = new_session_token()
    audit.record("logout", actor_id=user.id, object_type="user", object_id=user.id, ip=ip)
    db.session.commit()


# --- Passwords ------------------------------------------------------------------------------


def request_password_reset(email: str, language: str) -> None:
    """Mail a reset link when the address has an account that can log in, and otherwise a mail
    saying that no such account uses it (in `language`, the one she reads the page in).

    Both paths do the same work, one lookup, one mail rendered and queued, one commit, so that
    neither the answer nor its time tells whether the address is registered.
    """
    email = normalise_email(email)
    user = find_user(email)
    if user is None or not user.active or not _may_reset_by_mail(user):
        queue_mail(
            email[:254],
            "reset_no_account",
            language,
            _l("Reset your password"),
            email=email,
            register_url=external_url("auth.register"),
            forgot_url=external_url("auth.forgot_password"),
        )
    else:
        token = sign_token({"u": user.id, "p": _password_fingerprint(user)}, RESET_SALT)
        queue_mail(
            user.email,
            "reset_password",
            user.language,
            _l("Reset your password"),
            user=user,
            reset_url=external_url("auth.reset_password", token=token),
            minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
        )
    db.session.commit()


def _may_reset_by_mail(user: User) -> bool:
    """An address not yet proved, on an account proved by its number, is no way in: it may have
    been mistyped, and its owner would take the account."""
    return user.confirmed_at is not None or user.phone_confirmed_at is None


def user_for_reset_token(token: str) -> User:
    data = read_token(token, RESET_SALT, current_app.config["RESET_TOKEN_MAX_AGE"])
    user = db.session.get(User, data.get("u"))
    if (
        user is None
        or not user.active
        or not _may_reset_by_mail(user)
        or data.get("p") != _password_fingerprint(user)
    ):
        raise InvalidLink(_l("This link has already been used or is no longer valid."))
    return user


def reset_password(token: str, new_password: str, ip: str | None) -> User:
    """Set a new password from a reset link. The link works once; it also confirms the e-mail."""
    user = user_for_reset_token(token)
    user.set_password(new_password)
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()
    audit.record("password.reset", actor_id=user.id, object_type="user", object_id=user.id, ip=ip)
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str, ip: str | None) -> None:
    if not user.check_password(current):
        raise DomainError(_l("Your current password is not right."), field="current_password")
    user.set_password(new)
    audit.record("password.changed", actor_id=user.id, object_type="user", object_id=user.id, ip=ip)
    db.session.commit()


# --- Profile --------------------------------------------------------------------------------


def update_profile(
    user: User,
    *,
    full_name: str,
    phone: str | None,
    language: str,
    province_id: int | None,
    commune_id: int | None,
) -> None:
    """Save the profile; the commune must belong to the chosen province. Commits."""
    apply_profile(
        user,
        full_name=full_name,
        phone=phone,
        language=language,
        province_id=province_id,
        commune_id=commune_id,
    )
    db.session.commit()


def apply_profile(
    user: User,
    *,
    full_name: str,
    phone: str | None,
    language: str,
    province_id: int | None,
    commune_id: int | None,
) -> None:
    """update_profile without the commit, for a service that saves more with it (the
    applicant's profile)."""
    if commune_id:
        commune = db.session.get(Unit, commune_id)
        if commune is None or commune.parent_id != province_id:
            raise DomainError(_l("Choose a commune of the chosen province."), field="commune")
    before = _profile_snapshot(user)
    user.full_name = full_name.strip()
    user.phone = phone or None
    user.language = language
    user.province_id = province_id or None
    user.commune_id = commune_id or None
    after = _profile_snapshot(user)
    if before != after:
        audit.record(
            "profile.updated",
            actor_id=user.id,
            object_type="user",
            object_id=user.id,
            before=before,
            after=after,
        )


def _profile_snapshot(user: User) -> dict:
    return {
        "full_name": user.full_name,
        "phone": user.phone,
        "language": user.language,
        "province_id": user.province_id,
        "commune_id": user.commune_id,
    }


def set_language(user: User, language: str) -> None:
    if language in current_app.config["LANGUAGES"] and user.language != language:
        user.language = language
        db.session.commit()


# --- Invitations ----------------------------------------------------------------------------


def invite(
    actor: User,
    *,
    email: str,
    role: Role,
    unit_id: int | None,
    language: str,
    ip: str | None,
    form_key: str | None = None,
) -> Invitation:
    """Invite someone with a role. An organiser may invite judges, for a unit she acts on.

    While an invitation for the same address, role and unit is pending, it is returned as it is;
    the same form sent twice at once makes one invitation (idempotency.AlreadySent). Commits.
    """
    invitation = create_invitation(
        actor,
        email=email,
        role=role,
        unit_id=unit_id,
        language=language,
        ip=ip,
        form_key=form_key,
    )
    db.session.commit()
    return invitation


def create_invitation(
    actor: User,
    *,
    email: str,
    role: Role,
    unit_id: int | None,
    language: str,
    ip: str | None,
    form_key: str | None = None,
) -> Invitation:
    """invite without the commit, for a service that writes more with it (a judge added to a
    competition without an account yet)."""
    if role not in roles.may_invite(actor):
        raise DomainError(_l("You cannot invite someone with this role."), field="role")
    roles.check_scope(role, unit_id)
    if unit_id and not actor.can_act_on_unit(unit_id):
        raise DomainError(_l("You can only invite people for your own unit."), field="province")
    if role is Role.ADMIN:
        unit_id = None
    email = normalise_email(email)
    pending = db.session.scalar(
        sa.select(Invitation).where(
            Invitation.email == email,
            Invitation.role == role,
            Invitation.unit_id.is_(None) if unit_id is None else Invitation.unit_id == unit_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
    )
    if pending is not None:
        return pending  # a second click, or a second organiser: one invitation, one mail
    claimed = idempotency.claim(form_key, kind="invitation", actor_id=actor.id)
    invitation = Invitation(
        email=email,
        role=role,
        unit_id=unit_id,
        language=language,
        invited_by_id=actor.id,
        expires_at=utcnow() + timedelta(seconds=current_app.config["INVITATION_MAX_AGE"]),
    )
    db.session.add(invitation)
    db.session.flush()
    idempotency.made(claimed, invitation)
    audit.record(
        "invitation.created",
        actor_id=actor.id,
        object_type="invitation",
        object_id=invitation.id,
        after={"email": email, "role": role.value, "unit_id": unit_id},
        ip=ip,
    )
    queue_mail(
        email,
        "invitation",
        language,
        _l("You are invited to the women's start-up portal"),
        invitation=invitation,
        inviter=actor,
        role_label=role.label,
        accept_url=external_url(
            "auth.accept_invitation", token=sign_token({"i": invitation.id}, INVITATION_SALT)
        ),
        days=current_app.config["INVITATION_MAX_AGE"] // 86400,
    )
    return invitation


def invitation_for_token(token: str) -> Invitation:
    data = read_token(token, INVITATION_SALT, current_app.config["INVITATION_MAX_AGE"])
    invitation = db.session.get(Invitation, data.get("i"))
    if invitation is None or invitation.status(utcnow()) != "pending":
        raise InvalidLink(
            _l("This invitation has already been used, was withdrawn or has expired.")
        )
    return invitation


def accept_invitation(
    token: str,
    *,
    user: User | None,
    full_name: str | None = None,
    password: str | None = None,
    ip: str | None = None,
) -> User:
    """Take up an invitation.

    Someone new sets her name and password: the link proves the address, so the account is
    confirmed at once. Someone who already has an account accepts while logged in as that address.
    """
    invitation = invitation_for_token(token)
    existing = find_user(invitation.email)
    if existing is not None:
        if user is None or user.id != existing.id:
            raise DomainError(
                _l(
                    "This invitation is for an existing account. Log in as %(email)s to accept it.",
                    email=invitation.email,
                )
            )
        account = existing
    else:
        if not full_name or not password:
            raise DomainError(_l("Enter your name and a password."))
        account = User(
            email=invitation.email,
            full_name=full_name.strip(),
            language=invitation.language,
            confirmed_at=utcnow(),
        )
        account.set_password(password)
        db.session.add(account)
        db.session.flush()
        account_created.send(account)
        audit.record(
            "user.registered", actor_id=account.id, object_type="user", object_id=account.id, ip=ip
        )
    if not any(
        g.role is invitation.role and g.unit_id == invitation.unit_id for g in account.roles
    ):
        roles.add_grant(account, invitation.role, invitation.unit_id, invitation.invited_by_id, ip)
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = account.id
    audit.record(
        "invitation.accepted",
        actor_id=account.id,
        object_type="invitation",
        object_id=invitation.id,
        ip=ip,
    )
    db.session.commit()
    return account


def may_withdraw_invitation(actor: User, invitation: Invitation) -> bool:
    """An admin withdraws any invitation; anyone else only those she sent."""
    return actor.has_role(Role.ADMIN) or invitation.invited_by_id == actor.id


def revoke_invitation(actor: User, invitation: Invitation, ip: str | None) -> None:
    if not may_withdraw_invitation(actor, invitation):
        raise DomainError(_l("You cannot withdraw this invitation."))
    if invitation.status(utcnow()) != "pending":
        raise DomainError(_l("Only a pending invitation can be withdrawn."))
    invitation.revoked_at = utcnow()
    audit.record(
        "invitation.revoked",
        actor_id=actor.id,
        object_type="invitation",
        object_id=invitation.id,
        ip=ip,
    )
    db.session.commit()


def invitations_visible_to(actor: User) -> sa.Select:
    query = sa.select(Invitation).order_by(Invitation.created_at.desc(), Invitation.id.desc())
    if actor.has_role(Role.ADMIN):
        return query
    return query.where(Invitation.invited_by_id == actor.id)
