"""Attachments: checked by content, limited in size and count, served only to who may see them."""

import io
import os
import zipfile
from datetime import UTC, datetime

import pytest
import time_machine
from PIL import Image

from portal.auth.models import Role
from portal.core import file_metadata, storage
from portal.extensions import db
from tests.conftest import login
from tests.core.test_storage import truncated_jpeg
from tests.entries.test_services import applicant_with_profile
from tests.entries.test_views import form, start
from tests.factories import UserFactory, make_competition

NOW = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def jpeg(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 120)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def competition(units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    return make_competition(organiser, units["dien_bien"], photos_required=1)


@pytest.fixture
def applicant(units):
    user = applicant_with_profile(units)
    user.language = "en"
    db.session.commit()
    return user


def upload(client, entry, competition, files, **fields):
    data = form(competition, entry, **fields)
    data.update(files)
    return client.post_form(f"/entries/{entry.id}/edit", data, content_type="multipart/form-data")


def test_she_uploads_her_plan_and_photos_and_submits(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    response = upload(
        client,
        entry,
        competition,
        {
            "business_plan": (io.BytesIO(PDF), "ke-hoach.pdf"),
            "photos": [(io.BytesIO(jpeg()), "san-pham.jpg"), (io.BytesIO(jpeg()), "vuon.jpg")],
        },
        submit="1",
    )
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.reference and entry.business_plan.original_name == "ke-hoach.pdf"
    assert [p.original_name for p in entry.photos] == ["san-pham.jpg", "vuon.jpg"]
    assert entry.versions[0].data["attachments"][0] == ["business_plan", "ke-hoach.pdf"]
    download = client.get(f"/entries/{entry.id}/attachments/{entry.business_plan.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"


def test_a_docx_plan_is_recognised_by_its_content(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    upload(
        client, entry, competition, {"business_plan": (io.BytesIO(docx()), "plan.docx")}, save="1"
    )
    db.session.refresh(entry)
    assert entry.business_plan.content_type.endswith("wordprocessingml.document")


def test_a_file_with_the_wrong_content_is_refused_and_the_text_is_kept(
    client, applicant, competition
):
    login(client, applicant)
    entry = start(client, competition)
    response = upload(
        client,
        entry,
        competition,
        {
            "business_plan": (io.BytesIO(b"MZ\x90\x00 not a pdf at all"), "ke-hoach.pdf"),
            "photos": [(io.BytesIO(PDF), "anh.jpg")],
        },
        title="Tiêu đề vẫn được lưu",
        save="1",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The business plan must be a PDF, DOCX or ODT file." in page
    assert "A photo must be a JPEG, PNG or WebP image." in page
    db.session.refresh(entry)
    assert entry.title == "Tiêu đề vẫn được lưu" and entry.attachments == []


def test_size_and_count_limits(app, client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    noise = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert len(buffer.getvalue()) > 5 * 1024 * 1024
    big = upload(
        client,
        entry,
        competition,
        {"photos": [(io.BytesIO(buffer.getvalue()), "to.png")]},
        save="1",
    )
    assert big.status_code == 422
    assert "A photo is larger than 5 MB." in big.get_data(as_text=True)
    app.config.update(MAX_PHOTOS=2)
    db.session.refresh(entry)
    three = [(io.BytesIO(jpeg()), f"{n}.jpg") for n in range(3)]
    response = upload(client, entry, competition, {"photos": three}, save="1")
    assert "You can attach at most 2 photos." in response.get_data(as_text=True)
    db.session.refresh(entry)
    assert len(entry.photos) == 2


def test_a_missing_required_photo_stops_the_submission(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    response = upload(
        client, entry, competition, {"business_plan": (io.BytesIO(PDF), "p.pdf")}, submit="1"
    )
    assert response.status_code == 422
    assert "Attach at least 1 photos." in response.get_data(as_text=True)


def test_files_are_served_only_to_who_may_see_the_entry(app, client, applicant, competition, units):
    login(client, applicant)
    entry = start(client, competition)
    upload(client, entry, competition, {"business_plan": (io.BytesIO(PDF), "p.pdf")}, save="1")
    db.session.refresh(entry)
    plan = entry.business_plan
    url = f"/entries/{entry.id}/attachments/{plan.id}"
    anonymous = app.test_client()
    assert anonymous.get(url).status_code == 302
    other = app.test_client()
    login(other, applicant_with_profile(units))
    assert other.get(url).status_code == 403
    stranger = app.test_client()
    login(stranger, UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]))
    assert stranger.get(url).status_code == 403
    judge = app.test_client()
    login(judge, UserFactory(roles=[Role.JUDGE]))
    assert judge.get(url).status_code == 403
    organiser = app.test_client()
    login(organiser, UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])]))
    assert organiser.get(url).status_code == 200
    assert client.get(f"/entries/{entry.id + 1}/attachments/{plan.id}").status_code == 404


def test_she_removes_a_file(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    upload(client, entry, competition, {"photos": [(io.BytesIO(jpeg()), "a.jpg")]}, save="1")
    db.session.refresh(entry)
    photo = entry.photos[0]
    client.post_form(f"/entries/{entry.id}/attachments/{photo.id}/delete")
    db.session.refresh(entry)
    assert entry.photos == []


def test_a_plan_that_would_unpack_to_far_too_much_is_refused_and_the_old_one_kept(
    client, applicant, competition, monkeypatch
):
    login(client, applicant)
    entry = start(client, competition)
    upload(client, entry, competition, {"business_plan": (io.BytesIO(PDF), "p.pdf")}, save="1")
    monkeypatch.setattr(file_metadata, "MAX_UNPACKED_BYTES", 10)  # as a ZIP bomb would
    response = upload(
        client, entry, competition, {"business_plan": (io.BytesIO(docx()), "to.docx")}, save="1"
    )
    assert response.status_code == 422
    assert "The business plan must be a PDF, DOCX or ODT file." in response.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.business_plan.original_name == "p.pdf"
    assert storage.path_of(entry.business_plan.stored_name).read_bytes() == PDF


def test_a_photo_cut_short_is_refused(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    response = upload(
        client, entry, competition, {"photos": [(io.BytesIO(truncated_jpeg()), "a.jpg")]}, save="1"
    )
    assert response.status_code == 422
    assert "This image could not be read" in response.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.photos == [] and list(storage.upload_folder().iterdir()) == []


def damaged_docx() -> bytes:
    """A DOCX whose text part was damaged in transit: its checksum no longer matches."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>" + "Ke hoach " * 50 + "</w:document>")
    data = bytearray(buffer.getvalue())
    data[data.index(b"word/document.xml") + 30] ^= 0xFF
    return bytes(data)


def test_a_damaged_plan_is_refused_with_a_message_and_her_text_kept(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    response = upload(
        client,
        entry,
        competition,
        {"business_plan": (io.BytesIO(damaged_docx()), "ke-hoach.docx")},
        save="1",
        title="Trà shan tuyết Mường Phăng",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This file could not be read: it is incomplete or damaged." in page
    assert "Trà shan tuyết Mường Phăng" in page
    db.session.refresh(entry)
    assert entry.business_plan is None and list(storage.upload_folder().iterdir()) == []


def test_a_damaged_plan_stored_before_copies_were_kept_is_not_served_to_judges(app):
    from portal.entries import attachments
    from portal.entries.models import Attachment, AttachmentKind

    legacy = Attachment(
        kind=AttachmentKind.BUSINESS_PLAN,
        original_name="cu.docx",
        stored_name=storage.store(damaged_docx()),
        content_type=file_metadata.DOCX,
        size=1,
    )
    assert attachments.public_copy(legacy) is None  # the judge's page answers 404, not 500


def test_a_photo_whose_exif_is_damaged_is_stored_without_it(client, applicant, competition):
    """Pillow decodes the pixels but cannot read the EXIF block (to turn the photo upright):
    the photo is kept as it is, and judges still get it without the block."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (9, 120, 60)).save(buffer, "PNG", exif=b"MX\x00*\x00\x00\x00\x08")
    login(client, applicant)
    entry = start(client, competition)
    response = upload(
        client, entry, competition, {"photos": [(io.BytesIO(buffer.getvalue()), "a.png")]}, save="1"
    )
    assert response.status_code == 302
    db.session.refresh(entry)
    [photo] = entry.photos
    served = Image.open(storage.path_of(photo.public_stored_name))
    assert served.size == (8, 8) and "exif" not in served.info


def test_a_nul_byte_in_a_file_name_is_taken_out_not_a_500(client, applicant, competition):
    """The name a browser sends with a file is text like any other: on PostgreSQL a NUL byte in
    it was a 500 when the attachment was stored."""
    login(client, applicant)
    entry = start(client, competition)
    response = upload(
        client,
        entry,
        competition,
        {"photos": [(io.BytesIO(jpeg()), "san\x00-pham.jpg")]},
        save="1",
    )
    assert response.status_code == 302
    db.session.refresh(entry)
    assert [p.original_name for p in entry.photos] == ["san-pham.jpg"]
