"""Re-issuing a certificate: an organiser corrects the name or the idea's title it shows.

What a certificate says is frozen on the award when the results are published (`Award.freeze`),
so that a winner editing her profile cannot change her certificate or its public verification
page. A real mistake (a misspelt name, a title typed wrongly) is corrected here, by an organiser
of the competition, with a written reason; the audit log keeps before → after and the winner is
told by e-mail. The verification code stays the same: the QR code on the paper she already has
still leads to the page, which now shows the corrected text and the day it was re-issued.
"""

import unicodedata
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.messages import tell
from portal.auth.models import User
from portal.awards import common
from portal.awards.models import Award, AwardStatus
from portal.competitions.services import may_manage_competition
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.urls import external_url
from portal.extensions import db

REASON_MAX = 2000
NAME_MAX = 120
TITLE_MAX = 200


_CHANGED = _l("This certificate was changed meanwhile. Look at it again before correcting it.")


def _clean(text: str | None) -> str:
    # One space between words, the composed form: what is printed is what was meant.
    return unicodedata.normalize("NFC", " ".join((text or "").split()))


def _already_reads(award: Award, winner_name: str, entry_title: str) -> bool:
    return (award.winner_name, award.entry_title) == (winner_name, entry_title)


class ReissueConflict(DomainError):
    """The certificate's text changed since the organiser's page was shown (409)."""

    status = 409  # the certificate changed since the form was shown


def reissuable(award: Award) -> bool:
    """A valid award of published results: a revoked certificate is not corrected."""
    return award.entry_id is not None and award.is_valid and common.is_published(award.competition)


def reissue(
    actor: User,
    award: Award,
    *,
    winner_name: str,
    entry_title: str,
    reason: str,
    now: datetime,
    seen: tuple[str, str] | None = None,
) -> Award:
    """Correct the winner's name and/or the idea's title on a valid certificate, with a reason.

    Organisers who may manage the competition (and admins) only. Refused without a reason, with
    an empty or over-long name or title, when nothing changes, and for a revoked award. The
    UPDATE is conditional on the text the organiser corrected, so two organisers correcting the
    same certificate at once cannot silently overwrite each other: the second is refused. `seen`
    is the (name, title) the organiser's page showed: a page older than the certificate (another
    organiser re-issued it meanwhile) is refused too, with ReissueConflict.
    """
    if not may_manage_competition(actor, award.competition):
        raise DomainError(
            _l("Only the organisers of this competition may re-issue its certificates.")
        )
    winner_name, entry_title = _clean(winner_name), _clean(entry_title)
    reason = (reason or "").strip()
    if not winner_name:
        raise DomainError(_l("Write the winner's name as it must be printed."), field="winner_name")
    if len(winner_name) > NAME_MAX:
        raise DomainError(
            _l("Write at most %(num)d characters.", num=NAME_MAX), field="winner_name"
        )
    if not entry_title:
        raise DomainError(_l("Write the idea's title as it must be printed."), field="entry_title")
    if len(entry_title) > TITLE_MAX:
        raise DomainError(
            _l("Write at most %(num)d characters.", num=TITLE_MAX), field="entry_title"
        )
    if not reason:
        raise DomainError(_l("Write why the certificate is corrected."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_l("Write at most %(num)d characters.", num=REASON_MAX), field="reason")
    if not reissuable(award):
        raise DomainError(_l("Only a valid certificate of published results can be re-issued."))
    before = {"winner_name": award.winner_name, "entry_title": award.entry_title}
    if (
        seen is not None
        and _already_reads(award, winner_name, entry_title)
        and tuple(seen) != (award.winner_name, award.entry_title)
    ):
        return award  # the same correction sent twice (a double click): done once already
    if seen is not None and tuple(seen) != (award.winner_name, award.entry_title):
        raise ReissueConflict(_CHANGED)
    after = {"winner_name": winner_name, "entry_title": entry_title}
    if before == after:
        raise DomainError(
            _l("Nothing to correct: the name and the title are those already printed.")
        )
    done = db.session.execute(
        sa.update(Award)
        .where(
            Award.id == award.id,
            Award.status == AwardStatus.ACTIVE,
            Award.winner_name == before["winner_name"],
            Award.entry_title == before["entry_title"],
        )
        .values(winner_name=winner_name, entry_title=entry_title, reissued_at=now, updated_at=now),
        execution_options={"synchronize_session": False},
    )
    if done.rowcount != 1:
        db.session.rollback()
        db.session.refresh(award)
        if _already_reads(award, winner_name, entry_title):
            return award  # the same correction, sent at the same moment, was just made
        raise ReissueConflict(_CHANGED)
    db.session.expire(award)
    audit.record(
        "award.reissued",
        actor_id=actor.id,
        object_type="award",
        object_id=award.id,
        before=before,
        after={**after, "reason": reason, "certificate_code": award.certificate_code},
    )
    entry = award.entry
    applicant = entry.applicant
    tell(
        applicant,
        "award_reissued",
        _l(
            "Your certificate in %(competition)s was corrected", competition=award.competition_title
        ),
        award=award,
        entry=entry,
        reason=reason,
        awards_url=external_url("awards.my_award", award_id=award.id),
    )
    db.session.commit()
    return award
