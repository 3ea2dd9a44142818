"""How awards answers the features it builds on (their signals.py)."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.awards.models import AwardDecision, DecisionStatus
from portal.core.errors import DomainError
from portal.extensions import db
from portal.judging.models import Round
from portal.judging.signals import results_reopening


@results_reopening.connect
def refuse_once_prizes_decided(round_: Round, **_) -> None:
    """The prizes were decided from these results: past its draft, the decision holds them."""
    status = db.session.scalar(
        sa.select(AwardDecision.status).where(AwardDecision.competition_id == round_.competition_id)
    )
    if status is not None and status is not DecisionStatus.DRAFT:
        raise DomainError(
            _l(
                "The prizes were decided from these results: they can be reopened only while "
                "the prize decision is still a draft."
            )
        )
