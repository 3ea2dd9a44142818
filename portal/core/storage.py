"""Uploaded files live outside static/, under random names, and are served only through views
that check permission. Their type is read from their content, never from their name."""

import contextlib
import os
import secrets
from pathlib import Path

import filetype
from flask import current_app


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
