"""A message to a person, by the channel she reads (issue 17): e-mail, or a text message for an
account that has only a phone number. Every notification of the portal to someone with an
account goes through `tell`; mail to an address alone (an invitation, a team member not yet
registered) stays `queue_mail`.

A notification has two templates: `mail/<name>.txt` and `.html`, and `sms/<name>.txt`, the same
news in one or two segments with the link that matters.
"""

from typing import Any

from portal.auth.models import User
from portal.core.outbox import Channel, OutboxMessage, queue_mail, queue_sms


def tell(user: User, template: str, subject: Any, **context: Any) -> OutboxMessage:
    """Queue `template` for `user`, in her language, by her channel (User.channel). `subject` is
    a mail's (a lazy string). The caller commits."""
    if user.channel is Channel.SMS:
        return queue_sms(user.login_phone, template, user.language, user=user, **context)
    return queue_mail(user.email, template, user.language, subject, user=user, **context)
