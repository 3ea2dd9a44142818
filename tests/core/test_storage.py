"""Stored files follow their transaction: a commit that does not happen leaves no file, a file is
removed only once the removal is committed, and `flask storage sweep` finds what a killed
process left behind."""

import contextlib
import io
import os
import struct
import time
import zlib
from datetime import date

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from portal.awards.models import PrizePayment
from portal.awards.payments import services as payments
from portal.core import storage
from portal.entries import attachments
from portal.entries.models import Attachment, AttachmentKind
from portal.extensions import db
from portal.projects import services as project_services

pytestmark = pytest.mark.usefixtures("frozen_time")

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def bomb_png(width: int = 60_000, height: int = 60_000) -> bytes:
    """A small PNG file that declares width × height pixels (3.6 billion by default)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * (1 + 3 * width) * 4)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    """A real photo's first half: the type sniffs as JPEG, the image is cut short."""
    buffer = io.BytesIO()
    Image.effect_noise((200, 200), 64).convert("RGB").save(buffer, "JPEG", quality=95)
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def files_on_disk() -> set[str]:
    return {p.name for p in storage.upload_folder().iterdir()}


@contextlib.contextmanager
def commits_fail():
    """Every commit fails as it would with the connection lost (or the process killed) there."""

    def lost(session):
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    event.listen(db.session, "before_commit", lost)
    try:
        yield
    finally:
        event.remove(db.session, "before_commit", lost)


def test_a_receipt_whose_commit_fails_leaves_no_file(published):
    award = published.awards[0]
    with commits_fail(), pytest.raises(OperationalError):
        payments.record_payment(
            published.organiser,
            award,
            amount=1_000_000,
            paid_on=date.today(),
            method="cash",
            reference="",
            note="",
            receipt=(PDF, "bien-lai.pdf"),
        )
    assert files_on_disk() == set()
    assert db.session.scalar(sa.select(sa.func.count(PrizePayment.id))) == 0


def test_a_request_that_ends_without_its_commit_leaves_no_file(published):
    entry = published.entries[0]
    attachment = attachments.store_attachment(
        entry, AttachmentKind.PHOTO, "vuon.jpg", jpeg(), "image/jpeg"
    )
    assert files_on_disk() == {attachment.stored_name, attachment.public_stored_name}
    with commits_fail(), pytest.raises(OperationalError):
        db.session.commit()
    db.session.remove()  # what the end of the request does
    assert files_on_disk() == set()
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_a_removed_file_stays_until_its_removal_is_committed(published):
    external = project_services.record_external_award(
        published.organiser,
        published.entries[0],
        level="national",
        body="Trung ương Hội LHPN Việt Nam",
        prize="Giải Ba",
        year=published.competition.year,
        cash_value=None,
        evidence_note="",
        evidence=(PDF, "giay-khen.pdf"),
    )
    stored = external.evidence_stored_name
    with commits_fail(), pytest.raises(OperationalError):
        project_services.delete_external_award(published.organiser, external, "Nhập nhầm")
    db.session.rollback()
    assert files_on_disk() == {stored}  # the row is still there, so is its file
    project_services.delete_external_award(published.organiser, external, "Nhập nhầm")
    assert files_on_disk() == set()


def test_the_sweep_removes_orphans_and_keeps_referenced_and_fresh_files(app, published):
    payment = payments.record_payment(
        published.organiser,
        published.awards[0],
        amount=1_000_000,
        paid_on=date.today(),
        method="cash",
        reference="",
        note="",
        receipt=(PDF, "bien-lai.pdf"),
    )
    referenced = payment.receipt_stored_name
    orphan, fresh = storage.new_name(), storage.new_name()
    storage.path_of(orphan).write_bytes(PDF)  # as a killed request leaves it
    storage.path_of(fresh).write_bytes(PDF)  # a request still in flight
    two_days_ago = time.time() - 48 * 3600
    for name in (referenced, orphan):
        os.utime(storage.path_of(name), (two_days_ago, two_days_ago))
    runner = app.test_cli_runner()

    listed = runner.invoke(args=["storage", "sweep"])
    assert listed.exit_code == 0
    assert f"orphan: {orphan}" in listed.output
    assert referenced not in listed.output and fresh not in listed.output
    assert files_on_disk() == {referenced, orphan, fresh}  # a dry run by default

    removed = runner.invoke(args=["storage", "sweep", "--delete"])
    assert removed.exit_code == 0
    assert f"removed: {orphan}" in removed.output
    assert "1 orphan file(s) removed" in removed.output
    assert files_on_disk() == {referenced, fresh}
