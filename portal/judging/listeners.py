"""How judging answers the features it builds on (their signals.py)."""

import sqlalchemy as sa

from portal.auth.models import User
from portal.auth.signals import account_created
from portal.extensions import db
from portal.judging.models import CompetitionJudge


@account_created.connect
def link_invited_judge(user: User, **_) -> None:
    """A judge invited by e-mail before she had an account is linked to it when it is made."""
    db.session.execute(
        sa.update(CompetitionJudge)
        .where(
            CompetitionJudge.user_id.is_(None),
            sa.func.lower(CompetitionJudge.email) == user.email.lower(),
        )
        .values(user_id=user.id)
        .execution_options(synchronize_session=False)
    )
