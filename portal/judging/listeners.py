"""How judging answers the features it builds on (their signals.py)."""

from portal.auth.models import User
from portal.auth.signals import account_created
from portal.judging.scoring.services import link_account


@account_created.connect
def link_invited_judge(user: User, **_) -> None:
    """A judge invited by e-mail before she had an account is linked to it when it is made."""
    link_account(user)
