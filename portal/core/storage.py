"""Uploaded files live outside static/, under random names, and are served only through views
that check permission. Their type is read from their content, never from their name.

A file belongs to the database transaction that wrote it: callers flush the row that names
it, then `store` the bytes. A transaction that is rolled back (or closed without a commit)
removes the files it wrote, and a file `discard`ed is removed only once the commit that let go
of its row has happened. What a killed process leaves behind is found by `orphans` (the
`flask storage sweep` command)."""

import contextlib
import io
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import filetype
import sqlalchemy as sa
from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l
from PIL import Image
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from portal.core.errors import DomainError
from portal.extensions import db

# Put on every column that holds a stored file's name: the sweep keeps the files they name.
STORED_FILE = {"stored_file": True}


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sniff(data: bytes) -> str | None:
    """The MIME type the content shows, or None when it shows none we know."""
    kind = filetype.guess(data)
    return kind.mime if kind else None


def new_name() -> str:
    """A random name for a file not written yet: the row can carry it before the bytes exist."""
    return secrets.token_hex(16)


def store(data: bytes, name: str | None = None) -> str:
    """Write the bytes under `name` (a new random one by default) and return the name. The
    file is tied to the session's current transaction: it goes if that transaction does not
    commit."""
    name = name or new_name()
    transaction = _current_transaction()
    with open(path_of(name), "xb") as handle:  # never overwrite
        handle.write(data)
    _files(db.session())["written"].append((name, transaction))
    return name


def discard(stored_name: str) -> None:
    """Remove a file once the transaction that removed its row has committed (not before: a
    failed commit keeps the row, and so must keep the file)."""
    _files(db.session())["discarded"].append((stored_name, _current_transaction()))


def send_stored(
    stored_name: str | None, content_type: str | None, filename: str | None, default: str
):
    """The response that hands a stored file over: a PDF downloaded, an image shown, never
    cached; 404 when there is no file."""
    if not stored_name:
        abort(404)
    return send_file(
        path_of(stored_name),
        mimetype=content_type,
        as_attachment=content_type == "application/pdf",
        download_name=filename or default,
        max_age=0,
    )


def path_of(stored_name: str) -> Path:
    if not stored_name.isalnum():
        raise ValueError("not a stored file name")
    return upload_folder() / stored_name


def delete(stored_name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path_of(stored_name))


# --- Files follow their transaction -------------------------------------------------------------


def _current_transaction() -> SessionTransaction:
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:
        session.connection()  # begins the transaction the file will belong to
        transaction = session.get_transaction()
    return transaction


def _files(session: Session) -> dict[str, list[tuple[str, SessionTransaction]]]:
    return session.info.setdefault("stored_files", {"written": [], "discarded": []})


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(db.session, "after_commit")
def _after_commit(session: Session) -> None:
    files = session.info.pop("stored_files", None)
    for name, _ in files["discarded"] if files else ():
        delete(name)


@event.listens_for(db.session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    files = session.info.get("stored_files")
    if not files:
        return
    for name, transaction in files["written"]:
        if _within(transaction, previous_transaction):
            delete(name)
    files["written"] = [f for f in files["written"] if not _within(f[1], previous_transaction)]
    files["discarded"] = [f for f in files["discarded"] if not _within(f[1], previous_transaction)]


@event.listens_for(db.session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # A session closed without a commit (the end of a request that failed) writes nothing.
    if transaction.parent is None and "stored_files" in session.info:
        for name, _ in session.info.pop("stored_files")["written"]:
            delete(name)


# --- The sweep ------------------------------------------------------------------------------------


def referenced_names() -> set[str]:
    """Every stored name a row holds, in every column marked STORED_FILE."""
    names: set[str] = set()
    for table in db.metadata.tables.values():
        for column in table.columns:
            if column.info.get("stored_file"):
                names.update(
                    n for n in db.session.scalars(sa.select(column).where(column.is_not(None)))
                )
    return names


def orphans(grace_seconds: float) -> Iterator[Path]:
    """Files that no row names and that were last written more than `grace_seconds` ago (a
    request in flight writes its file before it commits its row)."""
    folder = upload_folder()
    referenced = referenced_names()
    cutoff = time.time() - grace_seconds
    for path in sorted(folder.iterdir()):
        if (
            path.is_file()
            and path.name.isalnum()
            and path.name not in referenced
            and path.stat().st_mtime < cutoff
        ):
            yield path


# --- Checks of content ---------------------------------------------------------------------------

IMAGE_DAMAGED = _l(
    "This image could not be read: the file is incomplete or damaged. Take the photo or make "
    "the scan again."
)


def check_image(data: bytes, *, field: str) -> None:
    """Pillow must decode the whole image, within its decompression-bomb limit: a file that only
    starts like an image, is cut short, or declares billions of pixels is refused."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > Image.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError
            image.load()
    except Image.DecompressionBombError:
        raise DomainError(
            _l(
                "This image is too large to open (more than %(num)d million pixels): send a "
                "smaller photo or scan.",
                num=Image.MAX_IMAGE_PIXELS // 1_000_000,
            ),
            field=field,
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise DomainError(IMAGE_DAMAGED, field=field) from None


# Receipts and evidence: a scan or a photo of a paper, or the PDF a bank or a jury sent.
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


def read_document(
    upload: tuple[bytes, str] | None, *, field: str, wrong_type, too_large, default_name: str
) -> tuple[bytes, str, str] | None:
    """(data, file name, MIME type) of an uploaded PDF, JPEG or PNG, or None when nothing was
    sent. The type is read from the content and an image must decode whole; the size limit is
    MAX_PLAN_BYTES. Refusals carry the caller's messages and name its field."""
    if upload is None or not upload[0]:
        return None
    data, filename = upload
    mime = sniff(data[:8192])
    if mime not in DOCUMENT_TYPES:
        raise DomainError(wrong_type, field=field)
    if len(data) > current_app.config["MAX_PLAN_BYTES"]:
        raise DomainError(too_large, field=field)
    if mime.startswith("image/"):
        check_image(data, field=field)
    name = (os.path.basename((filename or "").replace("\\", "/")) or default_name)[:200]
    return data, name, mime
