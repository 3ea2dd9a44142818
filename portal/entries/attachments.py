"""An entry's files: the business plan and photos, checked, stored, and a copy without
metadata for the judges."""

import os

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image

from portal.auth.models import User
from portal.core import file_metadata, storage
from portal.core.errors import DomainError
from portal.core.time import utcnow
from portal.entries.models import (
    Attachment,
    AttachmentKind,
    Entry,
    EntryStatus,
)
from portal.entries.services import can_edit, require_owner
from portal.extensions import db

# --- Attachments --------------------------------------------------------------------------------

PLAN_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.oasis.opendocument.text": "ODT",
}
PHOTO_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}


def add_attachment(
    applicant: User, entry: Entry, kind: AttachmentKind, filename: str, data: bytes
) -> Attachment:
    """Attach a business plan (replacing the previous one) or a photo, checked by content."""
    require_owner(applicant, entry)
    if entry.status not in {EntryStatus.DRAFT, EntryStatus.SUBMITTED} or not can_edit(
        entry, utcnow()
    ):
        raise DomainError(_l("This entry can no longer be changed."))
    config = current_app.config
    mime = storage.sniff(data[:8192]) if data else None
    field_name = "business_plan" if kind is AttachmentKind.BUSINESS_PLAN else "photos"
    if kind is AttachmentKind.BUSINESS_PLAN:
        if mime not in PLAN_TYPES:
            raise DomainError(
                _l("The business plan must be a PDF, DOCX or ODT file."), field=field_name
            )
        if len(data) > config["MAX_PLAN_BYTES"]:
            raise DomainError(_l("The business plan is larger than 10 MB."), field=field_name)
    else:
        if mime not in PHOTO_TYPES:
            raise DomainError(_l("A photo must be a JPEG, PNG or WebP image."), field=field_name)
        if len(data) > config["MAX_PHOTO_BYTES"]:
            raise DomainError(_l("A photo is larger than 5 MB."), field=field_name)
        storage.check_image(data, field=field_name)
        if len(entry.photos) >= config["MAX_PHOTOS"]:
            raise DomainError(
                _l("You can attach at most %(num)d photos.", num=config["MAX_PHOTOS"]),
                field=field_name,
            )
    try:
        # Judges get a copy without what the file says about its author.
        public = file_metadata.stripped(data, mime)
    except file_metadata.Damaged:
        raise DomainError(
            _l(
                "This file could not be read: it is incomplete or damaged. Open it, save it "
                "again and send it once more."
            ),
            field=field_name,
        ) from None
    except file_metadata.Unreadable:
        raise DomainError(
            _l("The business plan must be a PDF, DOCX or ODT file."), field=field_name
        ) from None
    if kind is AttachmentKind.BUSINESS_PLAN and entry.business_plan is not None:
        _remove(entry, entry.business_plan)
    attachment = store_attachment(entry, kind, filename, data, mime, public=public)
    entry.version += 1
    if entry.status is EntryStatus.SUBMITTED:
        entry.has_unsubmitted_changes = True
    db.session.commit()
    return attachment


def store_attachment(
    entry: Entry,
    kind: AttachmentKind,
    filename: str,
    data: bytes,
    mime: str,
    *,
    public: bytes | None = None,
) -> Attachment:
    """The row of a checked file, then the file and the copy judges get (without what the file
    says about its author), written once the row is in; the transaction that does not commit
    removes them again. The caller checks and commits."""
    if public is None:
        public = file_metadata.stripped(data, mime)
    attachment = Attachment(
        kind=kind,
        original_name=(os.path.basename(filename or "") or "file")[:255],
        stored_name=storage.new_name(),
        public_stored_name=storage.new_name(),
        content_type=mime,
        size=len(data),
    )
    entry.attachments.append(attachment)
    db.session.flush()
    storage.store(data, attachment.stored_name)
    storage.store(public, attachment.public_stored_name)
    return attachment


def public_copy(attachment: Attachment) -> bytes | None:
    """What a judge is served: the stripped copy, made now for a file stored before copies
    were kept; None when such a file cannot be copied safely (it is then not served)."""
    if attachment.public_stored_name:
        return storage.path_of(attachment.public_stored_name).read_bytes()
    data = storage.path_of(attachment.stored_name).read_bytes()
    try:
        return file_metadata.stripped(data, attachment.content_type)
    except (file_metadata.Unreadable, Image.DecompressionBombError, OSError, ValueError):
        return None


def _remove(entry: Entry, attachment: Attachment) -> None:
    entry.attachments.remove(attachment)
    db.session.flush()
    # Gone with the commit only: a failed one keeps the row and so its files.
    storage.discard(attachment.stored_name)
    if attachment.public_stored_name:
        storage.discard(attachment.public_stored_name)


def remove_attachment(applicant: User, entry: Entry, attachment: Attachment) -> None:
    require_owner(applicant, entry)
    if attachment.entry_id != entry.id:
        raise DomainError(_l("This file is not part of this entry."))
    if not can_edit(entry, utcnow()):
        raise DomainError(_l("This entry can no longer be changed."))
    _remove(entry, attachment)
    entry.version += 1
    if entry.status is EntryStatus.SUBMITTED:
        entry.has_unsubmitted_changes = True
    db.session.commit()


def may_see(user: User, entry: Entry) -> bool:
    return may_see_entry_of(user, entry.applicant_id, entry.competition.unit_id)


def may_see_entry_of(user: User, applicant_id: int, unit_id: int | None) -> bool:
    """Its applicant, and the organisers of its competition's unit."""
    return user.is_authenticated and (applicant_id == user.id or user.can_act_on_unit(unit_id))
