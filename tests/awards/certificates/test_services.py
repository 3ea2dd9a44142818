"""Certificates: the PDF says who won what (her name with every diacritic), carries a verification
code and a QR code to the public check; all of them in a ZIP; revoking an award and its rules."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
import sqlalchemy as sa
import time_machine
from reportlab.graphics.barcode import qrencoder

from portal.auth.models import Role
from portal.awards.certificates import revoking
from portal.awards.certificates import services as certificates
from portal.awards.models import (
    Award,
    AwardDecision,
    AwardStatus,
    DecisionStatus,
)
from portal.core.audit import AuditLog
from portal.core.errors import DomainError
from portal.core.urls import external_url
from portal.entries.models import EntryStatus
from portal.extensions import db
from portal.judging.models import RoundEntry
from tests.conftest import mails_to
from tests.factories import UserFactory

# 20:00 UTC is already the next day in Vietnam: the certificate is dated 11 May.
NOW = datetime(2026, 5, 10, 20, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=3)


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False) as clock:
        yield clock


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def award_of(world, n: int) -> Award:
    """The first award of entry n (entry 2 also holds the special prize)."""
    return next(a for a in world.awards if a.entry_id == world.entries[n].id)


# --- What the PDF says ---------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "name"), [(0, "Lò Thị Hương"), (1, "Vàng Thị Mỷ")])
def test_the_certificate_carries_her_exact_name_and_the_code(published, n, name):
    award = award_of(published, n)
    text = pdf_text(certificates.render_pdf(award))
    assert name in text
    assert award.certificate_code in text
    assert award.tier.name in text
    assert published.entries[n].title in text
    assert published.competition.title in text
    assert published.competition.unit.name in text  # the organising unit
    assert published.entries[n].reference in text


def test_the_certificate_is_dated_the_day_of_publication_in_vietnam(published):
    text = pdf_text(certificates.render_pdf(published.awards[0]))
    assert "11 tháng 5, 2026" in text
    assert "May 11, 2026" in text


def test_a_special_prize_certificate_names_the_special_prize(published):
    special = next(a for a in published.awards if a.tier_id == published.special.id)
    text = pdf_text(certificates.render_pdf(special))
    assert "Quàng Thị Ẻn" in text
    assert "Ý tưởng xuất sắc của phụ nữ dân tộc thiểu số" in text


def test_the_certificate_is_a4_landscape_with_the_font_embedded(published):
    reader = pypdf.PdfReader(io.BytesIO(certificates.render_pdf(published.awards[0])))
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 842
    assert round(float(page.mediabox.height)) == 595
    names = []
    for ref in page["/Resources"]["/Font"].values():
        font = ref.get_object()
        descendants = font.get("/DescendantFonts")
        holder = descendants[0].get_object() if descendants else font
        # Every font of the page is embedded: none is left to the reader's machine.
        assert "/FontFile2" in holder["/FontDescriptor"], font["/BaseFont"]
        names.append(str(font["/BaseFont"]))
    assert any(name.endswith("+NotoSerif-Regular") for name in names)
    assert any(name.endswith("+NotoSerif-Bold") for name in names)


def test_a_long_title_and_name_still_fit_on_the_page(published):
    award = published.awards[0]
    award.entry_title = "Hợp tác xã dệt thổ cẩm " * 8
    award.winner_name = "Nguyễn Thị Phương Thảo Hoàng Lê Minh Ngọc Quỳnh Như Ý"
    text = pdf_text(certificates.render_pdf(award))
    assert "Nguyễn Thị Phương Thảo Hoàng Lê Minh Ngọc Quỳnh Như Ý" in text


def qr_modules(data: bytes) -> list[list[bool]]:
    """The QR code drawn on the page, read back from its filled squares (one per dark run)."""
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    rects = [
        [float(v) for v in operands]
        for operands, operator in page.get_contents().operations
        if operator == b"re"
    ]
    heights = {}
    for _, _, _, h in rects:
        if 0 < h < 10:
            heights[round(h, 2)] = heights.get(round(h, 2), 0) + 1
    module = max(heights, key=heights.get)
    squares = [r for r in rects if abs(r[3] - module) < 0.01]
    left = min(x for x, _, _, _ in squares)
    top = max(y + h for _, y, _, h in squares)
    count = round(certificates.QR_SIZE / module)
    grid = [[False] * count for _ in range(count)]
    for x, y, w, h in squares:
        row = round((top - (y + h)) / module)
        first = round((x - left) / module)
        for col in range(first, first + round(w / module)):
            grid[row][col] = True
    return grid


def test_the_qr_code_points_to_the_public_verification_page(published):
    award = published.awards[0]
    data = certificates.render_pdf(award)
    url = external_url("awards.verify", code=award.certificate_code)
    assert url == f"http://localhost/verify/{award.certificate_code}"
    expected = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, certificates.QR_LEVEL))
    expected.addData(url)
    expected.make()
    assert qr_modules(data) == [[bool(m) for m in row] for row in expected.modules]
    # The QR code and the printed address are also links to the same page.
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    links = {a.get_object()["/A"]["/URI"] for a in page["/Annots"]}
    assert links == {url}
    assert url in pdf_text(data)


def test_the_verification_code_resolves(client, published):
    award = published.awards[0]
    response = client.get(f"/verify/{award.certificate_code}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Genuine and valid" in page
    assert "Giải Nhất" in page
    assert "Lò Thị Hương" in page  # she consented to show her name


def test_a_revoked_certificate_shows_revoked_with_its_date(client, published, frozen):
    award = published.awards[0]
    frozen.move_to(LATER)
    revoking.revoke(published.organiser, award, "Ý tưởng sao chép của người khác.", now=LATER)
    response = client.get(f"/verify/{award.certificate_code}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Revoked" in page
    assert "Genuine and valid" not in page
    assert "May 14, 2026" in page  # 20:00 UTC on 13 May is 14 May in Vietnam
    # The reason may be private: it is for the winner and the organisers only.
    assert "sao chép" not in page


def test_a_revoked_award_has_no_certificate(published):
    award = published.awards[0]
    revoking.revoke(published.organiser, award, "Sai phạm", now=NOW)
    with pytest.raises(DomainError):
        certificates.render_pdf(award)


# --- All of them ---------------------------------------------------------------------------------


def test_file_names_are_ascii_from_the_reference_and_the_prize(published):
    assert (
        certificates.file_name(published.awards[0])
        == f"{published.entries[0].reference}-giai-nhat.pdf"
    )
    consolation = published.awards[6]
    assert certificates.file_name(consolation).endswith("-giai-khuyen-khich.pdf")
    special = next(a for a in published.awards if a.tier_id == published.special.id)
    name = certificates.file_name(special)
    assert name.isascii()
    assert name.endswith("-y-tuong-xuat-sac-cua-phu-nu-dan-toc-thieu-so.pdf")


def test_the_zip_holds_one_pdf_per_valid_award(published):
    revoking.revoke(published.organiser, published.awards[3], "Sai phạm", now=NOW)
    data = certificates.zip_all(published.awards)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert len(names) == len(published.awards) - 1 == 10
        assert len(set(names)) == 10
        assert f"{published.entries[0].reference}-giai-nhat.pdf" in names
        assert certificates.file_name(published.awards[3]) not in names
        for name in names:
            assert name.isascii()
            assert archive.read(name).startswith(b"%PDF")
        second = archive.read(certificates.file_name(published.awards[1]))
        assert "Vàng Thị Mỷ" in pdf_text(second)


def test_the_zip_leaves_out_lines_without_a_certificate(awards_world):
    line = Award(
        competition_id=awards_world.competition.id,
        tier_id=awards_world.tiers[0].id,
        slot=1,
        entry_id=awards_world.entries[0].id,
    )
    db.session.add(line)
    db.session.commit()
    with zipfile.ZipFile(io.BytesIO(certificates.zip_all([line]))) as archive:
        assert archive.namelist() == []


# --- Revoking ------------------------------------------------------------------------------------


def test_revoking_is_audited_and_the_award_keeps_its_record(published):
    award = published.awards[0]
    revoking.revoke(published.organiser, award, "  Ý tưởng sao chép.  ", now=NOW)
    db.session.expire_all()
    award = db.session.get(Award, award.id)
    assert award.status is AwardStatus.REVOKED
    assert award.revoked_reason == "Ý tưởng sao chép."
    assert award.revoked_by_id == published.organiser.id
    assert award.revoked_at == NOW
    assert award.certificate_code  # the code stays: the verification page says "revoked"
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "award.revoked"))
    assert row.object_id == award.id
    assert row.actor_id == published.organiser.id
    assert row.before["status"] == "active"
    assert row.after["status"] == "revoked"
    assert row.after["reason"] == "Ý tưởng sao chép."


def test_the_entry_goes_back_to_advanced_when_it_keeps_no_prize(published):
    entry = published.entries[0]
    revoking.revoke(published.organiser, published.awards[0], "Sai phạm", now=NOW)
    db.session.expire_all()
    assert entry.status is EntryStatus.ADVANCED  # it had been carried into the final round
    row = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "entry.status", AuditLog.object_id == entry.id)
    )
    assert row.before == {"status": "awarded"}
    assert row.after["status"] == "advanced"


def test_the_entry_goes_back_to_judging_when_not_carried_into_the_source_round(published):
    entry = published.entries[4]
    db.session.execute(
        sa.delete(RoundEntry).where(
            RoundEntry.round_id == published.round.id, RoundEntry.entry_id == entry.id
        )
    )
    db.session.commit()
    revoking.revoke(published.organiser, award_of(published, 4), "Sai phạm", now=NOW)
    db.session.expire_all()
    assert entry.status is EntryStatus.IN_JUDGING


def test_the_entry_stays_awarded_while_it_keeps_another_prize(published):
    entry = published.entries[2]  # second prize and the special prize
    second, special = [a for a in published.awards if a.entry_id == entry.id]
    revoking.revoke(published.organiser, special, "Không đủ điều kiện", now=NOW)
    db.session.expire_all()
    assert entry.status is EntryStatus.AWARDED
    revoking.revoke(published.organiser, second, "Sai phạm", now=NOW)
    db.session.expire_all()
    assert entry.status is EntryStatus.ADVANCED


def test_the_winner_is_told_in_her_language_and_why(published):
    applicant = published.applicants[0]
    applicant.language = "en"
    db.session.commit()
    revoking.revoke(published.organiser, published.awards[0], "The idea was copied.", now=NOW)
    mail = mails_to(applicant.email)[-1]
    assert mail.template == "award_revoked"
    assert mail.subject == f"Your prize in {published.competition.title} has been revoked"
    assert "The idea was copied." in mail.body_text
    assert "Giải Nhất" in mail.body_text
    assert "http://localhost/my/awards" in mail.body_text


def test_a_second_organiser_of_the_unit_and_an_admin_may_revoke(published):
    revoking.revoke(published.second_organiser, published.awards[0], "Sai phạm", now=NOW)
    revoking.revoke(UserFactory(roles=[Role.ADMIN]), published.awards[1], "Sai phạm", now=NOW)
    db.session.expire_all()
    assert published.awards[0].status is published.awards[1].status is AwardStatus.REVOKED


@pytest.mark.parametrize("who", ["winner", "judge", "other_organiser"])
def test_only_the_competitions_managers_may_revoke(published, units, who):
    actor = {
        "winner": published.applicants[0],
        "judge": UserFactory(roles=[Role.JUDGE]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }[who]
    with pytest.raises(DomainError):
        revoking.revoke(actor, published.awards[0], "Sai phạm", now=NOW)
    db.session.expire_all()
    assert published.awards[0].status is AwardStatus.ACTIVE


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_written_reason_is_required(published, reason):
    with pytest.raises(DomainError) as refused:
        revoking.revoke(published.organiser, published.awards[0], reason, now=NOW)
    assert refused.value.field == "reason"


def test_an_over_long_reason_is_refused(published):
    with pytest.raises(DomainError) as refused:
        revoking.revoke(published.organiser, published.awards[0], "x" * 2001, now=NOW)
    assert refused.value.field == "reason"


def test_an_award_is_revoked_once(published):
    award = published.awards[0]
    revoking.revoke(published.organiser, award, "Sai phạm", now=NOW)
    with pytest.raises(DomainError):
        revoking.revoke(published.second_organiser, award, "Lần nữa", now=NOW)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "award.revoked")
        )
        == 1
    )
    assert len(mails_to(award.entry.applicant.email)) == 1


@pytest.mark.parametrize("status", [s for s in DecisionStatus if s is not DecisionStatus.PUBLISHED])
def test_only_an_award_of_published_results_can_be_revoked(awards_world, status):
    db.session.add(AwardDecision(competition_id=awards_world.competition.id, status=status))
    line = Award(
        competition_id=awards_world.competition.id,
        tier_id=awards_world.tiers[0].id,
        slot=1,
        entry_id=awards_world.entries[0].id,
        certificate_code="ABCD-EFGH-JKMN",  # even with a code, the results are not out
    )
    db.session.add(line)
    db.session.commit()
    with pytest.raises(DomainError):
        revoking.revoke(awards_world.organiser, line, "Sai phạm", now=NOW)
    db.session.expire_all()
    assert line.status is AwardStatus.ACTIVE
