"""Uploaded files live outside static/, under random names, and are served only through views
that check permission. Their type is read from their content, never from their name."""

import contextlib
import os
import secrets
from pathlib import Path

import filetype
from flask import current_app

from portal.core.errors import DomainError


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sniff(data: bytes) -> str | None:
    """The MIME type the content shows, or None when it shows none we know."""
    kind = filetype.guess(data)
    return kind.mime if kind else None


def store(data: bytes) -> str:
    """Write the bytes under a new random name and return that name."""
    name = secrets.token_hex(16)
    path = upload_folder() / name
    with open(path, "xb") as handle:  # never overwrite
        handle.write(data)
    return name


def path_of(stored_name: str) -> Path:
    if not stored_name.isalnum():
        raise ValueError("not a stored file name")
    return upload_folder() / stored_name


def delete(stored_name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path_of(stored_name))


# Receipts and evidence: a scan or a photo of a paper, or the PDF a bank or a jury sent.
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


def read_document(
    upload: tuple[bytes, str] | None, *, field: str, wrong_type, too_large, default_name: str
) -> tuple[bytes, str, str] | None:
    """(data, file name, MIME type) of an uploaded PDF, JPEG or PNG, or None when nothing was
    sent. The type is read from the content; the size limit is MAX_PLAN_BYTES. Refusals carry
    the caller's messages and name its field."""
    if upload is None or not upload[0]:
        return None
    data, filename = upload
    mime = sniff(data[:8192])
    if mime not in DOCUMENT_TYPES:
        raise DomainError(wrong_type, field=field)
    if len(data) > current_app.config["MAX_PLAN_BYTES"]:
        raise DomainError(too_large, field=field)
    name = (os.path.basename((filename or "").replace("\\", "/")) or default_name)[:200]
    return data, name, mime
