"""Once and only once: a form that moves money or creates a record carries a key of its own.

Each rendered form gets a new random key (a hidden `form_key` field, `macros/forms.html`
form_key()). The service that acts on it first claims the key, in the same transaction as the
record it writes: the key is unique in the database, so the same form sent again — a double
click, a second organiser sending the same page, a retry after a lost connection, today or next
week — finds the record already made (AlreadySent) instead of making a second one. A request
with the same key that is still being written when another arrives makes the other wait; if it
takes too long, the other is told so (StillSending, a 409) rather than guessing.

A request without a key (an API client, a page rendered before keys existed) is served as it
always was, without this protection.
"""

import re
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.errors import DomainError
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db

KEY = re.compile(r"^[0-9a-f]{32}$")
# How long a request waits for another one sending the same form before it answers 409.
WAIT = "5s"


class FormSubmission(db.Model):
    """A form that was acted on: its key, and the record it made."""

    __tablename__ = "form_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(32), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(64))  # what the form does: "prize_payment", …
    object_type: Mapped[str | None] = mapped_column(sa.String(64))
    object_id: Mapped[int | None] = mapped_column(sa.Integer)
    actor_id: Mapped[int | None] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AlreadySent(DomainError):
    """This form was sent before and its record made: `earlier` says which."""

    status = 409

    def __init__(self, earlier: FormSubmission):
        super().__init__(_l("This form was already sent: it was recorded once, not twice."))
        self.earlier = earlier


class StillSending(DomainError):
    """The same form is being recorded by another request right now."""

    status = 409

    def __init__(self):
        super().__init__(
            _l(
                "This form is being recorded from another window at this very moment. Wait a "
                "few seconds, then reload the page to see it."
            )
        )


def new_key() -> str:
    return secrets.token_hex(16)


def clean_key(value: str | None) -> str | None:
    """The key a form sent, or None when it sent none (or something that is not one)."""
    value = (value or "").strip().lower()
    return value if KEY.match(value) else None


def earlier(key: str | None) -> FormSubmission | None:
    if key is None:
        return None
    return db.session.scalar(sa.select(FormSubmission).where(FormSubmission.key == key))


def claim(key: str | None, *, kind: str, actor_id: int | None) -> FormSubmission | None:
    """Claim the form's key in the current transaction, before writing what the form makes.

    Raises AlreadySent when the form was already acted on, StillSending when another request
    with it has not finished within WAIT. Returns the claim (None for a request without a key);
    the caller names the record it made with `made()` and commits both together.
    """
    key = clean_key(key)
    if key is None:
        return None
    found = earlier(key)
    if found is not None:
        raise AlreadySent(found)
    row = FormSubmission(key=key, kind=kind, actor_id=actor_id)
    if db.session.get_bind().dialect.name != "postgresql":
        # SQLite writes one transaction at a time: no other request can be half-way through
        # this form, and `earlier` has seen every committed one.
        db.session.add(row)
        db.session.flush()
        return row
    try:
        with db.session.begin_nested():
            # A second request with this key waits here, on the unique index, until the first
            # one commits or rolls back; not for ever.
            db.session.execute(sa.text(f"SET LOCAL lock_timeout = '{WAIT}'"))
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        found = earlier(key)
        if found is None:  # the other request rolled back after all: the form is ours
            return claim(key, kind=kind, actor_id=actor_id)
        raise AlreadySent(found) from None
    except OperationalError:
        raise StillSending() from None
    finally:
        db.session.execute(sa.text("SET LOCAL lock_timeout = DEFAULT"))
    return row


def made(claimed: FormSubmission | None, obj) -> None:
    """Record which row the form made (flushed, so that it has an id)."""
    if claimed is not None:
        claimed.object_type = obj.__tablename__
        claimed.object_id = obj.id


def release(key: str | None) -> None:
    """Give a form's key back, when what it asked for was refused before anything was made (a
    limit): the same form may then be sent again. The caller commits."""
    key = clean_key(key)
    if key is not None:
        db.session.execute(sa.delete(FormSubmission).where(FormSubmission.key == key))
