"""Revoking a published award: its certificate stops being valid and the verification page says so."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.messages import tell
from portal.auth.models import User
from portal.awards import common
from portal.awards.models import Award, AwardStatus
from portal.awards.signals import award_revoked
from portal.competitions.services import may_manage_competition
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.urls import external_url
from portal.entries.models import Entry, EntryStatus
from portal.entries.status import change_entry_status
from portal.extensions import db
from portal.judging.models import RoundEntry

REASON_MAX = 2000


def revocable(award: Award) -> bool:
    """A published award given to an entry, whose certificate is still valid."""
    return award.entry_id is not None and award.is_valid and common.is_published(award.competition)


def revoke(actor: User, award: Award, reason: str, *, now: datetime) -> Award:
    """Revoke a published, valid award with a written reason (managers of the competition only).

    The certificate stops being valid at once. When the entry keeps no other valid award, it
    leaves AWARDED: back to ADVANCED if it had been carried into the round the prizes were
    decided from, else back to IN_JUDGING. The winner is told by e-mail, in her language, why.
    A second submission (the award already revoked) is refused, never applied twice.
    """
    if not may_manage_competition(actor, award.competition):
        raise DomainError(_l("Only the organisers of this competition may revoke its awards."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Write why the award is revoked."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_l("Write at most %(num)d characters.", num=REASON_MAX), field="reason")
    if award.status is AwardStatus.REVOKED:
        raise DomainError(_l("This award has already been revoked."))
    if not revocable(award):
        raise DomainError(_l("Only a valid award of published results can be revoked."))
    # Conditional on the award still being valid: two organisers revoking at once change it once.
    done = db.session.execute(
        sa.update(Award)
        .where(Award.id == award.id, Award.status == AwardStatus.ACTIVE)
        .values(
            status=AwardStatus.REVOKED,
            revoked_at=now,
            revoked_reason=reason,
            revoked_by_id=actor.id,
            updated_at=now,
        ),
        execution_options={"synchronize_session": False},
    )
    if done.rowcount != 1:
        db.session.rollback()
        raise DomainError(_l("This award has already been revoked."))
    db.session.expire(award)
    entry = award.entry
    award_revoked.send(award, actor_id=actor.id)
    audit.record(
        "award.revoked",
        actor_id=actor.id,
        object_type="award",
        object_id=award.id,
        before={
            "status": AwardStatus.ACTIVE.value,
            "entry_id": entry.id,
            "tier_id": award.tier_id,
            "certificate_code": award.certificate_code,
        },
        after={
            "status": AwardStatus.REVOKED.value,
            "revoked_at": now.isoformat(),
            "reason": reason,
        },
    )
    _step_back(actor, award, entry)
    applicant = entry.applicant
    tell(
        applicant,
        "award_revoked",
        _l("Your prize in %(competition)s has been revoked", competition=award.competition.title),
        award=award,
        entry=entry,
        competition=award.competition,
        reason=reason,
        awards_url=external_url("awards.my_awards"),
    )
    db.session.commit()
    return award


def _step_back(actor: User, award: Award, entry: Entry) -> None:
    """The entry leaves AWARDED when this was its last valid award."""
    if entry.status is not EntryStatus.AWARDED:
        return
    others = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Award)
        .where(
            Award.entry_id == entry.id,
            Award.id != award.id,
            Award.status == AwardStatus.ACTIVE,
            Award.certificate_code.is_not(None),
        )
    )
    if others:
        return
    decision = common.decision_of(award.competition)
    round_id = decision.round_id if decision is not None else None
    carried = round_id is not None and db.session.scalar(
        sa.select(RoundEntry.id).where(
            RoundEntry.round_id == round_id, RoundEntry.entry_id == entry.id
        )
    )
    status = EntryStatus.ADVANCED if carried else EntryStatus.IN_JUDGING
    change_entry_status(actor.id, entry, status, after={"award_revoked": award.id})
