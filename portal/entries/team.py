"""An entry's team: members typed by the applicant, linked to an account only by consent.

A member typed on the entry form is a name (with an e-mail and a phone, if given). An address
gets one invitation per entry, mailed with a signed link; only when the woman who owns that
address logs in with it and accepts is the member linked to her account (and only then does she
count in judges' conflicts). The form answers the same whether the address has an account or
not: what differs goes only to the mailbox.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal.auth.models import User
from portal.auth.services import find_user, normalise_email
from portal.auth.tokens import InvalidLink, read_token, sign_token
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.outbox import queue_mail
from portal.core.time import utcnow
from portal.core.urls import external_url
from portal.entries.models import Entry, TeamInvitation, TeamMember
from portal.extensions import db

SALT = "team-invitation"
USED_LINK = _l("This invitation has already been answered, or she is no longer on the team.")


class WrongAccount(DomainError):
    """The invitation was sent to another address than the account's."""

    status = 403


@dataclass
class InvitationsSent:
    """What a save sent: the addresses invited now, and those held back by the hourly limit."""

    sent: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    retry_at: datetime | None = None


def invitations_of(entry: Entry) -> dict[str, TeamInvitation]:
    """The entry's invitations by address."""
    return {
        row.email: row
        for row in db.session.scalars(
            sa.select(TeamInvitation).where(TeamInvitation.entry_id == entry.id)
        )
    }


def link_from_invitations(entry: Entry, members: list[TeamMember]) -> None:
    """A member is linked to the account that accepted the invitation to her address, else to none.

    Called on every save, so a changed address drops the link and a member removed and typed
    again keeps the one she gave.
    """
    invitations = invitations_of(entry) if any(m.email for m in members) else {}
    for member in members:
        invitation = invitations.get(member.email or "")
        member.user_id = invitation.accepted_user_id if invitation is not None else None


def status_of(entry: Entry) -> dict[str, str]:
    """Address → what became of its invitation, in words, for the entry form."""
    now = utcnow()
    max_age = timedelta(seconds=current_app.config["INVITATION_MAX_AGE"])
    words = {}
    for email, row in invitations_of(entry).items():
        if row.accepted_at:
            words[email] = str(_l("She accepted and is on your team."))
        elif row.declined_at:
            words[email] = str(_l("She declined the invitation."))
        elif row.sent_at + max_age <= now:
            words[email] = str(_l("The invitation expired without an answer."))
        else:
            words[email] = str(_l("Invitation sent; waiting for her answer."))
    return words


def invite_team(owner: User, entry: Entry, ip: str | None = None) -> InvitationsSent:
    """Mail an invitation to every address of the team not invited yet for this entry.

    Each address is invited once per entry (a draft saved again sends nothing; a changed address
    is a new one), and again only when her link expired without an answer. At most
    TEAM_INVITATIONS_PER_HOUR are sent in an hour for the entry and for all the owner's entries
    together; the rest wait for a save after the hour. Commits.
    """
    if entry.applicant_id != owner.id:
        raise DomainError(_l("This is not your entry."))
    invited = invitations_of(entry)
    own = normalise_email(owner.email or "")
    now = utcnow()
    max_age = timedelta(seconds=current_app.config["INVITATION_MAX_AGE"])

    def due(email: str) -> bool:
        # Not invited yet, or her link expired unanswered: without a new one she could never join.
        row = invited.get(email)
        return row is None or (
            not row.accepted_at and not row.declined_at and row.sent_at + max_age <= now
        )

    addresses = list(
        dict.fromkeys(
            m.email for m in entry.team_members if m.email and m.email != own and due(m.email)
        )
    )
    outcome = InvitationsSent()
    if not addresses:
        return outcome
    hour_ago = now - timedelta(hours=1)
    recent = sa.select(TeamInvitation.sent_at).where(TeamInvitation.sent_at > hour_ago)
    for_entry = list(db.session.scalars(recent.where(TeamInvitation.entry_id == entry.id)))
    for_owner = list(db.session.scalars(recent.where(TeamInvitation.invited_by_id == owner.id)))
    limit = current_app.config["TEAM_INVITATIONS_PER_HOUR"]
    allowed = max(0, limit - max(len(for_entry), len(for_owner)))
    outcome.sent, outcome.held = addresses[:allowed], addresses[allowed:]
    if outcome.held:
        # The earliest moment one more may go: when the oldest send of the hour leaves it.
        window = sorted(for_owner if len(for_owner) >= len(for_entry) else for_entry)
        if len(window) >= limit:
            oldest = window[len(window) - limit]
        else:  # this save filled the hour
            oldest = window[0] if window else now
        outcome.retry_at = oldest + timedelta(hours=1)
    for email in outcome.sent:
        row = invited.get(email)
        if row is None:
            row = TeamInvitation(entry_id=entry.id, email=email, invited_by_id=owner.id)
            db.session.add(row)
        row.sent_at, row.invited_by_id = now, owner.id  # an expired one is sent again
        account = find_user(email)
        name = next((m.name for m in entry.team_members if m.email == email), "")
        queue_mail(
            email,
            "team_invitation",
            (account.language if account is not None else None) or "vi",
            _l("%(name)s invites you to her team", name=owner.full_name),
            name=name,
            owner=owner,
            entry=entry,
            accept_url=external_url("entries.team_invitation", token=token_for(entry, email)),
            days=current_app.config["INVITATION_MAX_AGE"] // 86400,
        )
        audit.record(
            "entry.team_invited",
            actor_id=owner.id,
            object_type="entry",
            object_id=entry.id,
            after={"email": email},
            ip=ip,
        )
    try:
        db.session.commit()
    except IntegrityError:
        # The same save sent twice at once: the other request invited them.
        db.session.rollback()
        return InvitationsSent()
    return outcome


def token_for(entry: Entry, email: str) -> str:
    return sign_token({"e": entry.id, "a": email}, SALT)


def _invitation_of(token: str) -> TeamInvitation:
    """The invitation a link names, answered or not; InvalidLink when there is none."""
    data = read_token(token, SALT, current_app.config["INVITATION_MAX_AGE"])
    invitation = db.session.scalar(
        sa.select(TeamInvitation).where(
            TeamInvitation.entry_id == data.get("e"), TeamInvitation.email == data.get("a")
        )
    )
    if invitation is None:
        raise InvalidLink(USED_LINK)
    return invitation


def _member_of(invitation: TeamInvitation) -> TeamMember:
    if invitation.accepted_at or invitation.declined_at:
        raise InvalidLink(USED_LINK)
    member = next((m for m in invitation.entry.team_members if m.email == invitation.email), None)
    if member is None:
        raise InvalidLink(USED_LINK)
    return member


def invitation_for_token(token: str) -> tuple[TeamInvitation, TeamMember]:
    """The invitation of a link, and the member it names; InvalidLink when it cannot be answered."""
    invitation = _invitation_of(token)
    return invitation, _member_of(invitation)


def _check_account(user: User, invitation: TeamInvitation) -> None:
    if normalise_email(user.email or "") != invitation.email:
        raise WrongAccount(
            _l(
                "This invitation was sent to another e-mail address. Log out, then log in (or "
                "create an account) with the address it was sent to."
            )
        )


def check_invitation(user: User, token: str) -> tuple[TeamInvitation, TeamMember]:
    """The invitation, when `user` may answer it."""
    invitation, member = invitation_for_token(token)
    _check_account(user, invitation)
    return invitation, member


def _already(invitation: TeamInvitation, user: User, *, accepted: bool) -> bool:
    """She gave this very answer already (a double click, the form sent again)."""
    if accepted:
        return invitation.accepted_user_id == user.id
    return invitation.declined_at is not None


def _answer(user: User, token: str, *, accepted: bool) -> tuple[TeamInvitation, bool]:
    """Record her answer once: (the invitation, True when this request recorded it). The UPDATE
    is conditional on no answer yet, so two clicks at once record one; the same answer sent
    again is not an error, another one is refused."""
    invitation = _invitation_of(token)
    _check_account(user, invitation)
    if _already(invitation, user, accepted=accepted):
        return invitation, False
    member = _member_of(invitation)
    values = {"accepted_at": utcnow(), "accepted_user_id": user.id} if accepted else {}
    done = db.session.execute(
        sa.update(TeamInvitation)
        .where(
            TeamInvitation.id == invitation.id,
            TeamInvitation.accepted_at.is_(None),
            TeamInvitation.declined_at.is_(None),
        )
        .values(values or {"declined_at": utcnow()}),
        execution_options={"synchronize_session": False},
    )
    if done.rowcount != 1:  # another request answered first
        db.session.rollback()
        db.session.refresh(invitation)
        if _already(invitation, user, accepted=accepted):
            return invitation, False
        raise InvalidLink(USED_LINK)
    db.session.refresh(invitation)
    if accepted:
        member.user_id = user.id
    return invitation, True


def accept(user: User, token: str, ip: str | None = None) -> Entry:
    """She joins the team: the member is linked to her account (a conflict for judges from now)."""
    invitation, recorded = _answer(user, token, accepted=True)
    if recorded:
        audit.record(
            "entry.team_accepted",
            actor_id=user.id,
            object_type="entry",
            object_id=invitation.entry_id,
            after={"email": invitation.email, "user_id": user.id},
            ip=ip,
        )
        db.session.commit()
    return invitation.entry


def decline(user: User, token: str, ip: str | None = None) -> Entry:
    """She says no: the member stays a name only, and the address is not invited again."""
    invitation, recorded = _answer(user, token, accepted=False)
    if recorded:
        audit.record(
            "entry.team_declined",
            actor_id=user.id,
            object_type="entry",
            object_id=invitation.entry_id,
            after={"email": invitation.email},
            ip=ip,
        )
        db.session.commit()
    return invitation.entry
