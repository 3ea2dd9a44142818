"""Copies of uploaded files without what they say about who made them: a photo's EXIF (artist,
camera owner, GPS position), XMP and comments; a PDF's document information and XMP; a DOCX's
or ODT's author, last editor, company and the names on tracked changes and comments. Judges of
a blind round are served these copies; the owner and the organisers keep the original."""

import io
import re
import struct
import zipfile
import zlib

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

PHOTO_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"


# A DOCX or ODT is a ZIP: one that would unpack to more than this is not a business plan.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


class Unreadable(ValueError):
    """The file cannot be copied safely (a ZIP that would unpack to far too much)."""


class Damaged(Unreadable):
    """A DOCX or ODT whose archive cannot be read whole (cut short, a part's checksum wrong, a
    compression we cannot undo): its metadata cannot be removed, so it is not kept."""


# What zipfile raises on an archive or a part it cannot read.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError)


def stripped(data: bytes, mime: str) -> bytes:
    """The same file without identifying metadata (unchanged for a type we do not know).
    Raises Unreadable for an archive too large to unpack."""
    if mime in PHOTO_FORMATS:
        return _photo(data, PHOTO_FORMATS[mime])
    if mime == PDF:
        return _pdf(data)
    if mime in (DOCX, ODT):
        return _office(data)
    return data


def _photo(data: bytes, format_: str) -> bytes:
    """Decoded and saved again from its pixels only, turned as its EXIF orientation says so
    that it still shows the right way up without it."""
    with Image.open(io.BytesIO(data)) as original:
        try:
            image = ImageOps.exif_transpose(original)  # a copy, turned the right way up
        except (SyntaxError, ValueError, TypeError, KeyError, IndexError, OSError, struct.error):
            # An EXIF block too damaged to read its orientation: the pixels as they are.
            image = original.copy()
        image.load()
    # Only what shows the pixels as they were is kept; EXIF, XMP, comments and text go.
    kept = ("icc_profile", "transparency", "gamma", "dpi")
    image.info = {k: v for k, v in image.info.items() if k in kept}
    clean = image
    options: dict = {"exif": b""}
    if format_ == "JPEG":
        options |= {"quality": 90, "optimize": True}
        if clean.mode not in ("RGB", "L", "CMYK"):
            clean = clean.convert("RGB")
    elif format_ == "WEBP":
        options |= {"quality": 90}
    out = io.BytesIO()
    clean.save(out, format_, **options)
    return out.getvalue()


DOCUMENT_INFO_KEYS = (b"/Author", b"/Creator", b"/Producer", b"/Title", b"/Subject", b"/Keywords")


def _pdf(data: bytes) -> bytes:
    """Written again without its document information and XMP; a PDF that pypdf cannot rewrite
    has those strings blanked in place (same length, so its cross-reference table holds)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValueError("encrypted")
        writer = PdfWriter(clone_from=reader)
        writer._info = None  # no /Info dictionary at all
        writer._root_object.pop(NameObject("/Metadata"), None)
        for page in writer.pages:
            page.pop(NameObject("/Metadata"), None)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except Exception:  # noqa: BLE001 - any file pypdf cannot rewrite is blanked in place
        return _blank_pdf_strings(data)


def _blank_pdf_strings(data: bytes) -> bytes:
    out = bytearray(data)
    for key in DOCUMENT_INFO_KEYS:
        for match in re.finditer(re.escape(key) + rb"\s*([(<])", data):
            start = match.end(1)
            if match.group(1) == b"<":
                end = data.find(b">", start)
                if end > 0:
                    out[start:end] = b" " * (end - start)
                continue
            depth, i = 1, start
            while i < len(data) and depth:
                if data[i] == 0x5C:  # backslash: the next byte is escaped
                    i += 2
                    continue
                depth += {0x28: 1, 0x29: -1}.get(data[i], 0)
                i += 1
            out[start : i - 1] = b" " * (i - 1 - start)
    for match in re.finditer(rb"<x:xmpmeta.*?</x:xmpmeta>", data, re.DOTALL):
        out[match.start() : match.end()] = b" " * (match.end() - match.start())
    return bytes(out)


EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
EMPTY_CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
# Who wrote or changed what, inside the document itself: tracked changes, comments, co-authors.
PERSON_ATTRIBUTES = re.compile(rb'\b(w:author|w:initials|w15:author|w15:userId)="[^"]*"')
APP_PERSONS = re.compile(rb"<(Company|Manager)>[^<]*</\1>")
ODF_CREATOR = re.compile(rb"<dc:creator>[^<]*</dc:creator>")
ODF_META = re.compile(rb"<office:meta>.*</office:meta>", re.DOTALL)


def _office(data: bytes) -> bytes:
    """Each part copied as it was (same order and compression, so an ODT's `mimetype` stays
    first and stored), with the parts that name people emptied."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS:
        raise Damaged("not a readable archive") from None
    if sum(info.file_size for info in source.infolist()) > MAX_UNPACKED_BYTES:
        raise Unreadable("unpacks to too much")
    out = io.BytesIO()
    try:
        with source, zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                target.writestr(info, _office_part(info.filename, source.read(info)))
    except _ZIP_ERRORS:
        raise Damaged("a part cannot be read") from None
    return out.getvalue()


def _office_part(name: str, part: bytes) -> bytes:
    if name == "docProps/core.xml":
        return EMPTY_CORE
    if name == "docProps/custom.xml":
        return EMPTY_CUSTOM
    if name == "docProps/app.xml":
        return APP_PERSONS.sub(b"", part)
    if name.startswith("word/") and name.endswith(".xml"):
        return PERSON_ATTRIBUTES.sub(rb'\1=""', part)
    if name == "meta.xml":
        return ODF_META.sub(b"<office:meta/>", part)
    if name in ("content.xml", "styles.xml"):
        return ODF_CREATOR.sub(b"<dc:creator/>", part)
    return part
