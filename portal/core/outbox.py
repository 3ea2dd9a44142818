"""Messages through an outbox: a row written in the event's own transaction, sent later by a worker.

Two channels: e-mail, and text messages (core/sms.py) for the accounts that have only a phone
number. The worker claims a row with a conditional UPDATE before sending it, so two workers never
send the same message; a failure is retried with exponential back-off until MAIL_MAX_ATTEMPTS,
then marked failed for a person to look at.
"""

import enum
import logging
import re
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_mail import Message
from sqlalchemy.orm import Mapped, mapped_column

from portal.core import sms
from portal.core.enums import enum_column
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db

log = logging.getLogger(__name__)

# A claim older than this means a worker died mid-send (a send itself gives up after
# MAIL_TIMEOUT seconds): we cannot know whether the message left, so it is marked failed rather
# than sent again, and the admin's outbox page shows it, and a claim older than a minute, too.
STALE_CLAIM = timedelta(minutes=10)
SLOW_CLAIM = timedelta(minutes=1)
# Stored as last_error of such a message (in English, as the transports' errors are), and shown
# on the admin's page in her language.
STOPPED_WORKER = "A worker stopped while sending this message."
SECRET_DIGITS = re.compile(r"\b[0-9]{6}\b")
EXPIRED_CODE = "The code expired before it could be sent."


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    OutboxStatus.PENDING: _l("Waiting"),
    OutboxStatus.SENDING: _l("Being sent"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.FAILED: _l("Failed"),
}


class Channel(enum.StrEnum):
    MAIL = "mail"
    SMS = "sms"

    @property
    def label(self) -> str:
        return str(CHANNEL_LABELS[self])


CHANNEL_LABELS = {Channel.MAIL: _l("E-mail"), Channel.SMS: _l("Text message")}


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, length=16), default=Channel.MAIL)
    # An e-mail address, or a mobile number in its kept form (+84912345678).
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(255))  # empty for a text message
    # A code to prove a number: sent before the other messages (it holds ten minutes), and its
    # text blanked once sent (the code is kept nowhere else but hashed).
    secret: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    template: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, length=16), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def error_text(self) -> str:
        """last_error as the outbox page shows it: the portal's own words translated, a mail
        server's answer as it came."""
        if self.last_error == STOPPED_WORKER:
            return str(_l("A worker stopped while sending this message."))
        if self.last_error == EXPIRED_CODE:
            return str(_l("The code expired before it could be sent."))
        return self.last_error or ""

    __table_args__ = (sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),)


def queue_mail(
    recipient: str, template: str, locale: str, subject: Any, **context: Any
) -> OutboxMessage:
    """Render `mail/<template>.txt` and `.html` in the recipient's language and add the row.

    `subject` is a lazy string, evaluated here in that language. The caller commits.
    """
    with force_locale(locale):
        subject_text = str(subject)
        body_text = render_template(f"mail/{template}.txt", subject=subject_text, **context)
        body_html = render_template(f"mail/{template}.html", subject=subject_text, **context)
    message = OutboxMessage(
        recipient=recipient,
        subject=subject_text,
        body_text=body_text,
        body_html=body_html,
        template=template,
    )
    db.session.add(message)
    return message


def queue_sms(
    phone: str, template: str, locale: str, *, secret: bool = False, **context: Any
) -> OutboxMessage:
    """Render `sms/<template>.txt` in the recipient's language, fitted to the segments the
    installation pays for (core/sms.fit), and add the row; `secret` for a code. The caller
    commits."""
    with force_locale(locale):
        text = sms.fit_for_app(render_template(f"sms/{template}.txt", **context))
    message = OutboxMessage(
        channel=Channel.SMS,
        recipient=phone,
        subject="",
        body_text=text,
        template=template,
        secret=secret,
    )
    db.session.add(message)
    return message


def _transport() -> Callable[[OutboxMessage], None]:
    kind = current_app.config["MAIL_TRANSPORT"]
    if kind == "console":
        return _print_message
    if kind == "record":
        return _record_message
    return _smtp_message


class PermanentRefusal(Exception):
    """The mail server refused the message for good (a 5xx answer): sending again cannot help."""


def _smtp_message(message: OutboxMessage) -> None:
    """Send through the SMTP server of the configuration, never waiting longer than
    MAIL_TIMEOUT seconds for it: a server that stops answering is a temporary failure, retried
    later, and the worker goes on with the next message. A 5xx answer to the recipients or to
    the message is PermanentRefusal."""
    config = current_app.config
    prepared = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body_text,
        html=message.body_html,
        sender=config["MAIL_DEFAULT_SENDER"],
    )
    timeout = config["MAIL_TIMEOUT"]
    server_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    try:
        server = server_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        try:
            if config["MAIL_USE_TLS"]:
                server.starttls()
            if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
                server.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            server.sendmail(prepared.sender, prepared.send_to, prepared.as_bytes())
        except BaseException:
            server.close()
            raise
        # Taken by the server: the message has left, whatever it answers to QUIT (an error
        # here must neither fail it nor send it a second time).
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            server.close()
    except smtplib.SMTPRecipientsRefused as refused:
        codes = [code for code, _text in refused.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise PermanentRefusal(f"refused: {refused.recipients}") from refused
        raise
    except smtplib.SMTPDataError as answer:
        # The message itself refused (too large, taken for spam): sending it again cannot help.
        if 500 <= answer.smtp_code < 600:
            raise PermanentRefusal(f"{answer.smtp_code} {answer.smtp_error!r}") from answer
        raise
    # Any other answer (the greeting, the login, the sender's address) is about the portal's
    # own settings, not this message: retried, so that mail waits while an admin corrects them.


def _print_message(message: OutboxMessage) -> None:
    print(
        f"----- mail #{message.id} -----\nTo: {message.recipient}\nSubject: {message.subject}\n\n"
        f"{message.body_text}\n-----------------",
        flush=True,
    )


def _record_message(message: OutboxMessage) -> None:
    """Testing transport: keeps what was sent on the app, like Flask-Mail's record_messages."""
    current_app.extensions.setdefault("sent_mail", []).append(message)


def _claim(message_id: int, now: datetime) -> bool:
    """Mark the message as being sent, if no other worker has; the caller commits the claim."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENDING, claimed_at=now)
    )
    return result.rowcount == 1


def _fail_stale_claims(now: datetime) -> None:
    db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_at < now - STALE_CLAIM,
        )
        .values(status=OutboxStatus.FAILED, last_error=STOPPED_WORKER)
    )


def retry_delay(attempts: int, base_seconds: int) -> timedelta:
    """Exponential back-off: base, 2×base, 4×base… capped at six hours."""
    return timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), 6 * 60 * 60))


def send_due(limit: int = 100) -> dict[str, int]:
    """Send every pending message whose time has come; return how many were sent, retried, failed.

    One transaction per step, committed here: the stale claims failed, then for each message its
    claim (committed before the mail goes, so that no other worker sends it too) and its outcome.
    """
    now = utcnow()
    _fail_stale_claims(now)
    db.session.commit()
    due_ids = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.secret.desc(), OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    senders = {Channel.MAIL: _transport(), Channel.SMS: sms.provider()}
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    base = current_app.config["MAIL_RETRY_BASE_SECONDS"]
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for message_id in due_ids:
        # Claimed at this moment, not the batch's: a slow server makes a batch last minutes,
        # and an old claim reads as a stopped worker (on the admin's page, and to another).
        claimed = _claim(message_id, utcnow())
        db.session.commit()
        if not claimed:
            continue  # another worker has it
        message = db.session.get(OutboxMessage, message_id)
        if message.secret and message.created_at < utcnow() - timedelta(
            minutes=current_app.config["PHONE_CODE_MINUTES"]
        ):
            # A code past its life: paid for and useless. She asks for a new one.
            message.status = OutboxStatus.FAILED
            message.last_error = EXPIRED_CODE
            message.body_text = SECRET_DIGITS.sub("······", message.body_text)
            counts["failed"] += 1
            db.session.commit()
            continue
        message.attempts += 1
        try:
            senders[message.channel](message)
        except Exception as exc:  # any transport error is retried; the worker goes on
            log.warning(
                "%s #%s to %s failed: %s", message.channel, message.id, message.recipient, exc
            )
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            refused = isinstance(exc, PermanentRefusal | sms.SmsRefused)
            if refused or message.attempts >= max_attempts:
                message.status = OutboxStatus.FAILED
                if message.secret:
                    message.body_text = SECRET_DIGITS.sub("······", message.body_text)
                counts["failed"] += 1
            else:
                message.status = OutboxStatus.PENDING
                message.next_attempt_at = utcnow() + retry_delay(message.attempts, base)
                counts["retry"] += 1
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            message.last_error = None
            if message.secret:
                message.body_text = SECRET_DIGITS.sub("······", message.body_text)
            counts["sent"] += 1
        db.session.commit()
    return counts


def requeue(message: OutboxMessage) -> None:
    """Give a failed message a fresh start (an admin's decision, after fixing the cause)."""
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_at = None
