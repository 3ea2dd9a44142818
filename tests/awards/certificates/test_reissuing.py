"""What a certificate says is frozen at publication: a winner renaming herself in her profile
changes neither the PDF nor the public verification page, the results or "My awards". An
organiser of the competition corrects it with an audited re-issue, with a reason."""

import io
from datetime import UTC, datetime

import pypdf
import pytest
import sqlalchemy as sa
import time_machine

from portal.auth import services as auth_services
from portal.auth.models import Role
from portal.awards.models import Award
from portal.core.audit import AuditLog
from portal.extensions import db
from tests.conftest import login, mails_to
from tests.factories import UserFactory

NOW = datetime(2026, 5, 10, 3, 0, tzinfo=UTC)
EN = {"Accept-Language": "en"}
VI = {"Accept-Language": "vi"}
FAKE = "Nguyễn Thị Giả Mạo"


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False) as clock:
        yield clock


def pdf_text(data: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()


def rename(user, name: str) -> None:
    """What her profile form does when she saves another name."""
    auth_services.update_profile(
        user,
        full_name=name,
        phone=user.phone,
        language=user.language,
        province_id=user.province_id,
        commune_id=user.commune_id,
    )


def certificate_text(client, award) -> str:
    response = client.get(f"/awards/{award.id}/certificate.pdf")
    assert response.status_code == 200
    return pdf_text(response.data)


def correction(award, **typed) -> dict:
    """The re-issue form as the page gives it (what the certificate says), with what she typed."""
    shown = {"winner_name": award.winner_name, "entry_title": award.entry_title}
    return {**shown, "seen_name": shown["winner_name"], "seen_title": shown["entry_title"]} | typed


def reissues() -> list[AuditLog]:
    return list(
        db.session.scalars(
            sa.select(AuditLog).where(AuditLog.action == "award.reissued").order_by(AuditLog.id)
        )
    )


def test_renaming_her_profile_changes_no_certificate_nor_public_page(client, published):
    award = published.awards[0]  # Lò Thị Hương, who consented to publish her name
    winner = published.applicants[0]
    entry = published.entries[0]
    title = entry.title
    rename(winner, FAKE)
    entry.title = "Một tên khác"  # nor does a later change of the entry
    db.session.commit()

    verify = client.get(f"/verify/{award.certificate_code}", headers=EN).get_data(as_text=True)
    assert "Lò Thị Hương" in verify and FAKE not in verify
    assert title in verify
    results = client.get(f"/competitions/{published.competition.id}/results").get_data(as_text=True)
    assert "Lò Thị Hương" in results and FAKE not in results
    gallery = client.get("/winners").get_data(as_text=True)
    assert "Lò Thị Hương" in gallery and FAKE not in gallery

    login(client, winner)
    text = certificate_text(client, award)
    assert "Lò Thị Hương" in text and FAKE not in text
    assert title in text
    mine = client.get("/my/awards").get_data(as_text=True)
    assert title in mine and "Một tên khác" not in mine
    hers = client.get(f"/my/awards/{award.id}").get_data(as_text=True)
    assert "Lò Thị Hương" in hers  # the name on the certificate, and how to correct it
    assert "chị sửa hồ sơ cũng không làm giấy thay đổi" in hers


def test_an_organiser_re_issues_a_corrected_certificate(client, published):
    award = published.awards[0]
    winner = published.applicants[0]
    organiser = published.second_organiser
    organiser.language = "en"
    db.session.commit()
    login(client, organiser)
    form = client.get(f"/awards/{award.id}/reissue").get_data(as_text=True)
    assert 'value="Lò Thị Hương"' in form  # filled in with what the certificate says

    response = client.post_form(
        f"/awards/{award.id}/reissue",
        correction(award, winner_name="Lò Thị  Hường", reason="Tên trên giấy khai sinh là Hường."),
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "The certificate is re-issued with the corrected text" in page
    assert "Lò Thị Hường" in page

    text = certificate_text(client, award)
    assert "Lò Thị Hường" in text and "Lò Thị Hương" not in text
    verify = client.get(f"/verify/{award.certificate_code}", headers=EN).get_data(as_text=True)
    assert "Lò Thị Hường" in verify and "Corrected and re-issued on" in verify

    [row] = reissues()
    assert row.actor_id == organiser.id
    assert row.object_id == award.id
    assert row.before["winner_name"] == "Lò Thị Hương"
    assert row.after["winner_name"] == "Lò Thị Hường"
    assert row.after["reason"] == "Tên trên giấy khai sinh là Hường."
    [mail] = [m for m in mails_to(winner.email) if m.template == "award_reissued"]
    assert (
        "Lò Thị Hường" in mail.body_text and "Tên trên giấy khai sinh là Hường." in mail.body_text
    )


def test_a_re_issue_without_a_reason_is_refused_and_keeps_what_was_typed(client, published):
    award = published.awards[0]
    login(client, published.organiser)
    response = client.post_form(
        f"/awards/{award.id}/reissue",
        correction(award, winner_name="Lò Thị Hường", reason="  "),
        headers=VI,
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Lò Thị Hường"' in page
    assert "Hãy ghi lý do sửa giấy chứng nhận." in page
    db.session.expire_all()
    assert db.session.get(Award, award.id).winner_name == "Lò Thị Hương"
    assert reissues() == []


def test_a_re_issue_that_changes_nothing_is_refused(client, published):
    award = published.awards[0]
    published.organiser.language = "en"
    db.session.commit()
    login(client, published.organiser)
    response = client.post_form(
        f"/awards/{award.id}/reissue",
        correction(award, reason="Sửa"),
        headers=EN,
    )
    assert response.status_code == 422
    assert "Nothing to correct" in response.get_data(as_text=True)
    assert reissues() == []


@pytest.mark.parametrize("who", ["other_organiser", "winner", "judge"])
def test_only_an_organiser_of_the_unit_may_re_issue(client, published, units, who):
    award = published.awards[0]
    person = {
        "other_organiser": lambda: UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
        "winner": lambda: published.applicants[0],
        "judge": lambda: UserFactory(roles=[Role.JUDGE]),
    }[who]()
    login(client, person)
    response = client.post_form(
        f"/awards/{award.id}/reissue",
        correction(award, winner_name=FAKE, reason="Đổi tên"),
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Award, award.id).winner_name == "Lò Thị Hương"
    assert reissues() == []


def test_a_page_older_than_the_certificate_is_refused_with_her_text_kept(client, published):
    """Two organisers opened the form; the second to send it does not undo the first's
    correction: 409, what she typed stays, and the page shows what is printed now."""
    award = published.awards[0]
    first, second = published.organiser, published.second_organiser
    second.language = "en"
    db.session.commit()
    old_page = correction(award)
    login(client, first)
    fixed = correction(award, winner_name="Lò Thị Hường", reason="Theo giấy khai sinh.")
    assert client.post_form(f"/awards/{award.id}/reissue", fixed).status_code == 302
    client.post_form("/logout")

    login(client, second)
    response = client.post_form(
        f"/awards/{award.id}/reissue",
        old_page | {"winner_name": "Lò Thị Hương Lan", "reason": "Tên đầy đủ."},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "This certificate was changed meanwhile." in page
    assert 'value="Lò Thị Hương Lan"' in page  # her typing kept
    assert 'name="seen_name" type="hidden" value="Lò Thị Hường"' in page
    db.session.expire_all()
    assert db.session.get(Award, award.id).winner_name == "Lò Thị Hường"
    assert len(reissues()) == 1


def test_a_correction_sent_twice_is_made_once_and_told_the_same(client, published):
    award = published.awards[0]
    organiser = published.second_organiser
    organiser.language = "en"
    db.session.commit()
    login(client, organiser)
    fixed = correction(award, winner_name="Lò Thị Hường", reason="Theo giấy khai sinh.")
    answers = [client.post_form(f"/awards/{award.id}/reissue", fixed) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302]  # a double click
    assert len(reissues()) == 1
    mails = [m for m in mails_to(published.applicants[0].email) if m.template == "award_reissued"]
    assert len(mails) == 1
