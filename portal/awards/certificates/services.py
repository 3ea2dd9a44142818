"""Certificates: the PDF of an award, and all of a competition's in one ZIP.

Every certificate is bilingual, the same for every winner: each label in Vietnamese first with
its English after it ("Trao tặng / Awarded to"), so that the one paper serves at home and with
partners abroad. The labels go through the catalogue (forced to "vi", then to "en"); what people
typed (her name, the prize, the entry and competition titles) is printed once, as stored.

The text is drawn with Noto Serif, embedded (subset) in the PDF, which has every precomposed
Vietnamese letter; names are drawn in their composed (NFC) form so that "ỷ" is one glyph.
A QR code and a link point to the public verification page of the certificate's code.
"""

import io
import itertools
import re
import threading
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from portal.awards.models import Award
from portal.competitions.models import Competition
from portal.core.errors import DomainError
from portal.core.text import fold
from portal.core.time import to_vietnam
from portal.core.urls import external_url

FONT_DIR = Path(__file__).parent / "fonts"
REGULAR = "NotoSerif"
BOLD = "NotoSerif-Bold"
# Medium error correction: the code survives a fold or a smudge on paper.
QR_LEVEL = "M"
QR_SIZE = 96  # points, about 34 mm: easy for a phone camera

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 60
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
ACCENT = HexColor("#8a1550")  # the portal's colour
INK = HexColor("#222222")
GREY = HexColor("#555555")

_font_lock = threading.Lock()


def register_fonts() -> None:
    """Register the embedded fonts with reportlab, once per process."""
    if BOLD in pdfmetrics.getRegisteredFontNames():
        return
    with _font_lock:
        if BOLD in pdfmetrics.getRegisteredFontNames():
            return
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "NotoSerif-Regular.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "NotoSerif-Bold.ttf")))
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)


def verification_url(award: Award) -> str:
    """The absolute address of the public page that checks this certificate."""
    return external_url("awards.verify", code=award.certificate_code)


def issued_on(award: Award) -> date | None:
    """The day the certificate was issued (the results published), in Vietnam."""
    return to_vietnam(award.issued_at).date() if award.issued_at else None


def both(message) -> tuple[str, str]:
    """A catalogue string in Vietnamese and in English."""
    with force_locale("vi"):
        vi = str(message)
    with force_locale("en"):
        en = str(message)
    return vi, en


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


@dataclass(frozen=True)
class CertificateText:
    """What a certificate says, label by label, in both languages where it is ours to say."""

    union: tuple[str, str]
    title: tuple[str, str]
    awarded_to: tuple[str, str]
    name: str
    prize_label: tuple[str, str]
    prize: str
    idea_label: tuple[str, str]
    idea: str
    competition_label: tuple[str, str]
    competition: str
    unit_label: tuple[str, str]
    unit: str
    date_label: tuple[str, str]
    date: tuple[str, str]
    reference_label: tuple[str, str]
    reference: str
    code_label: tuple[str, str]
    code: str
    verify_label: tuple[str, str]
    url: str


def text_of(award: Award) -> CertificateText:
    """What the certificate says: the values frozen on the award when the results were published
    (or corrected by a re-issue), never her profile or the entry as they are today."""
    entry = award.entry
    day = issued_on(award)
    return CertificateText(
        union=both(_l("Vietnam Women's Union")),
        title=both(_l("Certificate of award")),
        awarded_to=both(_l("Awarded to")),
        name=_nfc(award.winner_name),
        prize_label=both(_l("Prize awarded")),
        prize=_nfc(award.prize_name),
        idea_label=both(_l("For the idea")),
        idea=f"“{_nfc(award.entry_title)}”",
        competition_label=both(_l("In the competition")),
        competition=_nfc(award.competition_title),
        unit_label=both(_l("Organised by")),
        unit=_nfc(award.unit_name),
        date_label=both(_l("Date of publication")),
        date=(
            format_date(day, "long", locale="vi") if day else "",
            format_date(day, "long", locale="en") if day else "",
        ),
        reference_label=both(_l("Entry reference")),
        reference=entry.reference or "",
        code_label=both(_l("Verification code")),
        code=award.certificate_code or "",
        verify_label=both(_l("Check that it is genuine at")),
        url=verification_url(award),
    )


# --- Drawing ------------------------------------------------------------------------------------


def _fit(text: str, font: str, size: float, width: float, smallest: float) -> float:
    """The largest size up to `size` at which `text` fits in `width` (not below `smallest`)."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _centred(c: Canvas, text: str, y: float, font: str, size: float, color=INK) -> None:
    c.setFont(font, size)
    c.setFillColor(color)
    c.drawCentredString(PAGE_WIDTH / 2, y, text)


def _label(
    c: Canvas, pair: tuple[str, str], y: float, *, size: float = 10, x: float | None = None
) -> None:
    """ "Vietnamese / English": the Vietnamese in ink, the English in grey. Centred unless `x`
    (left-aligned) is given."""
    vi, en = pair
    parts = (vi, " / ", en) if vi != en else (vi,)  # untranslated yet: said once
    widths = [pdfmetrics.stringWidth(t, REGULAR, size) for t in parts]
    left = (PAGE_WIDTH - sum(widths)) / 2 if x is None else x
    c.setFont(REGULAR, size)
    for text, width, color in zip(parts, widths, (INK, GREY, GREY), strict=False):
        c.setFillColor(color)
        c.drawString(left, y, text)
        left += width


def _wrapped(
    c: Canvas,
    text: str,
    y: float,
    font: str,
    size: float,
    *,
    lines: int = 2,
    smallest: float = 9,
    color=INK,
) -> float:
    """Centre `text` from baseline `y` on at most `lines` lines, smaller if needed (on more only
    at the smallest size); return the baseline of the label that comes next."""
    while True:
        parts = simpleSplit(text, font, size, TEXT_WIDTH)
        if len(parts) <= lines or size <= smallest:
            break
        size -= 0.5
    for n, part in enumerate(parts):
        _centred(c, part, y - n * size * 1.25, font, size, color)
    return y - (len(parts) - 1) * size * 1.25 - size * 0.3 - 20


def _qr(c: Canvas, url: str, x: float, y: float) -> None:
    """The QR code of `url`, QR_SIZE square with its lower-left corner at (x, y).

    The modules come from reportlab's QR widget; they are drawn straight on the canvas (one
    filled rectangle per run of dark modules) so that no font but ours enters the file."""
    widget = QrCodeWidget(url, barLevel=QR_LEVEL)
    widget.qr.make()
    modules = widget.qr.modules
    box = QR_SIZE / len(modules)
    c.setFillColor(INK)
    for r, row in enumerate(modules):
        for dark, run in itertools.groupby(enumerate(row), key=lambda cell: bool(cell[1])):
            cells = list(run)
            if dark:
                top = y + QR_SIZE - (r + 1) * box
                c.rect(x + cells[0][0] * box, top, len(cells) * box, box, stroke=0, fill=1)
    c.linkURL(url, (x, y, x + QR_SIZE, y + QR_SIZE), relative=0)


def _frame(c: Canvas) -> None:
    c.setStrokeColor(ACCENT)
    c.setLineWidth(3)
    c.rect(18, 18, PAGE_WIDTH - 36, PAGE_HEIGHT - 36)
    c.setLineWidth(0.8)
    c.rect(26, 26, PAGE_WIDTH - 52, PAGE_HEIGHT - 52)


def render_pdf(award: Award) -> bytes:
    """The certificate of a valid award as a one-page A4 landscape PDF.

    Refused for an award that has no certificate (not published) or that was revoked."""
    if not award.is_valid or award.entry is None:
        raise DomainError(_l("This award has no valid certificate."))
    register_fonts()
    t = text_of(award)
    buffer = io.BytesIO()
    c = Canvas(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        pageCompression=1,
        initialFontName=REGULAR,  # else Helvetica is referenced, not embedded
        initialFontSize=10,
    )
    c.setTitle(f"{t.title[0]} – {t.name}")
    c.setAuthor(t.union[0])
    c.setSubject(t.competition)
    c.setCreator(t.union[0])
    _frame(c)

    # Heading.
    _centred(c, t.union[0].upper(), PAGE_HEIGHT - 56, BOLD, 12, ACCENT)
    if t.union[1] != t.union[0]:
        _centred(c, t.union[1], PAGE_HEIGHT - 70, REGULAR, 9, GREY)
    _centred(c, t.title[0].upper(), PAGE_HEIGHT - 112, BOLD, 32, ACCENT)
    if t.title[1] != t.title[0]:
        _centred(c, t.title[1].upper(), PAGE_HEIGHT - 132, REGULAR, 12, GREY)

    # Who, what, for which idea, in which competition.
    # Each block flows under the one above: a very long name or title takes a second line.
    y = PAGE_HEIGHT - 164
    _label(c, t.awarded_to, y, size=11)
    y = _wrapped(c, t.name, y - 36, BOLD, 28, lines=1, smallest=14)
    _label(c, t.prize_label, y)
    y = _wrapped(c, t.prize, y - 24, BOLD, 20, lines=1, smallest=11, color=ACCENT)
    _label(c, t.idea_label, y)
    y = _wrapped(c, t.idea, y - 19, REGULAR, 14)
    _label(c, t.competition_label, y)
    _wrapped(c, t.competition, y - 18, BOLD, 13)

    # Below: the code and its QR on the left; the unit, the date and the reference on the right.
    bottom = 44
    _qr(c, t.url, MARGIN, bottom)
    left = MARGIN + QR_SIZE + 14
    _label(c, t.code_label, bottom + 80, size=9, x=left)
    c.setFont(BOLD, 15)
    c.setFillColor(INK)
    c.drawString(left, bottom + 60, t.code)
    _label(c, t.verify_label, bottom + 36, size=9, x=left)
    url_size = _fit(t.url, REGULAR, 9, PAGE_WIDTH / 2 - left, 6)
    c.setFont(REGULAR, url_size)
    c.setFillColor(ACCENT)
    c.drawString(left, bottom + 22, t.url)
    url_width = pdfmetrics.stringWidth(t.url, REGULAR, url_size)
    c.linkURL(t.url, (left, bottom + 18, left + url_width, bottom + 32), relative=0)

    right = PAGE_WIDTH - MARGIN
    rows = [
        (t.unit_label, t.unit),
        (t.date_label, f"{t.date[0]} / {t.date[1]}"),
        (t.reference_label, t.reference),
    ]
    y = bottom + 80
    for pair, value in rows:
        label = f"{pair[0]} / {pair[1]}" if pair[0] != pair[1] else pair[0]
        c.setFont(REGULAR, 9)
        c.setFillColor(GREY)
        c.drawRightString(right, y, label)
        size = _fit(value, BOLD, 11, PAGE_WIDTH / 2 - MARGIN, 7)
        c.setFont(BOLD, size)
        c.setFillColor(INK)
        c.drawRightString(right, y - 13, value)
        y -= 31

    c.showPage()
    c.save()
    return buffer.getvalue()


# --- All of them ---------------------------------------------------------------------------------


def slug(text: str) -> str:
    """ASCII, lower case, words joined by hyphens: "Giải Nhất" → "giai-nhat"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "giai"


def file_name(award: Award) -> str:
    """ "DB-2026-0001-giai-nhat.pdf": the entry's reference and the prize, in ASCII."""
    reference = re.sub(r"[^A-Za-z0-9-]+", "-", award.entry.reference or "") or f"award-{award.id}"
    return f"{reference}-{slug(award.prize_name or award.tier.name)}.pdf"


def zip_name(competition: Competition) -> str:
    """ "DB-2026-certificates.zip"."""
    prefix = re.sub(r"[^A-Za-z0-9]+", "", fold(competition.reference_prefix).upper()) or "awards"
    return f"{prefix}-{competition.year}-certificates.zip"


def zip_all(awards: Iterable[Award]) -> bytes:
    """One PDF per valid award (revoked ones are left out), in a ZIP."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for award in awards:
            if not award.is_valid or award.entry is None:
                continue
            name = file_name(award)
            stem, n = name[:-4], 2
            while name in used:
                name, n = f"{stem}-{n}.pdf", n + 1
            used.add(name)
            archive.writestr(name, render_pdf(award))
    return buffer.getvalue()
