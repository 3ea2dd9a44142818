"""Certificate pages through requests: the organisers' list, downloads and the ZIP, revoking,
the public verification page (a non-consenting winner's name never on it), the winner's pages,
and the forbidden paths."""

import io
import zipfile
from datetime import UTC, datetime

import pypdf
import pytest
import sqlalchemy as sa
import time_machine

from portal.auth.models import Role
from portal.awards.certificates import revoking
from portal.awards.models import Award, AwardStatus
from portal.core.audit import AuditLog
from portal.extensions import db
from tests.conftest import login
from tests.factories import UserFactory

NOW = datetime(2026, 5, 10, 3, 0, tzinfo=UTC)
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False) as clock:
        yield clock


@pytest.fixture
def organiser(published):
    published.organiser.language = "en"
    db.session.commit()
    return published.organiser


def as_english(*users) -> None:
    for user in users:
        user.language = "en"
    db.session.commit()


def pdf_text(data: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()


def list_url(world) -> str:
    return f"/awards/competitions/{world.competition.id}/certificates"


# --- The organisers' list ------------------------------------------------------------------------


def test_the_list_shows_every_award_with_its_code_and_links(client, published, organiser):
    login(client, organiser)
    page = client.get(list_url(published)).get_data(as_text=True)
    for award in published.awards:
        assert award.certificate_code in page
        assert f"/awards/{award.id}/certificate.pdf" in page
        assert f"/awards/{award.id}/revoke" in page
    assert "Lò Thị Hương" in page
    assert "Vàng Thị Mỷ" in page  # organisers see every winner's name
    assert f"/awards/competitions/{published.competition.id}/certificates.zip" in page
    assert 'aria-current="page"' in page  # the awards navigation, on this page


def test_before_publication_the_list_says_when_certificates_come(client, awards_world):
    as_english(awards_world.organiser)
    login(client, awards_world.organiser)
    response = client.get(list_url(awards_world))
    assert response.status_code == 200
    assert "Certificates are issued when the results are published" in response.get_data(
        as_text=True
    )
    zipped = client.get(f"/awards/competitions/{awards_world.competition.id}/certificates.zip")
    assert zipped.status_code == 302


def test_the_list_shows_a_revoked_award_as_revoked(client, published, organiser):
    award = published.awards[0]
    revoking.revoke(organiser, award, "Ý tưởng sao chép.", now=NOW)
    login(client, organiser)
    page = client.get(list_url(published)).get_data(as_text=True)
    assert "Revoked" in page
    assert "Ý tưởng sao chép." in page
    assert f"/awards/{award.id}/certificate.pdf" not in page
    assert f"/awards/{award.id}/revoke" not in page


def test_the_list_runs_the_same_queries_whatever_its_length(client, published, organiser):
    revoking.revoke(organiser, published.awards[10], "Sai phạm", now=NOW)
    login(client, organiser)
    counts = []

    def count(*_args, **_kwargs):
        counts[-1] += 1

    for drop in ([], published.awards[3:10]):
        db.session.execute(sa.delete(Award).where(Award.id.in_([a.id for a in drop])))
        db.session.commit()
        counts.append(0)
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(list_url(published)).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    assert counts[0] == counts[1]


# --- Downloads -----------------------------------------------------------------------------------


def test_the_winner_downloads_her_certificate(client, published):
    award = published.awards[1]
    login(client, published.applicants[1])
    response = client.get(f"/awards/{award.id}/certificate.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="{published.entries[1].reference}-giai-nhi.pdf"' in disposition
    text = pdf_text(response.data)
    assert "Vàng Thị Mỷ" in text
    assert award.certificate_code in text


def test_an_organiser_downloads_any_certificate_of_her_competition(client, published):
    login(client, published.second_organiser)
    response = client.get(f"/awards/{published.awards[0].id}/certificate.pdf")
    assert response.status_code == 200
    assert "Lò Thị Hương" in pdf_text(response.data)


@pytest.mark.parametrize("who", ["other_winner", "other_organiser", "judge", "admin_is_allowed"])
def test_another_winners_certificate_is_forbidden(client, published, units, who):
    person = {
        "other_winner": published.applicants[1],
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
        "judge": UserFactory(roles=[Role.JUDGE]),
        "admin_is_allowed": UserFactory(roles=[Role.ADMIN]),
    }[who]
    login(client, person)
    response = client.get(f"/awards/{published.awards[0].id}/certificate.pdf")
    assert response.status_code == (200 if who == "admin_is_allowed" else 403)


def test_anonymous_visitors_are_sent_to_log_in(client, published):
    response = client.get(f"/awards/{published.awards[0].id}/certificate.pdf")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_a_revoked_certificate_is_gone_with_a_clear_page(client, published):
    award = published.awards[0]
    revoking.revoke(published.organiser, award, "Ý tưởng sao chép.", now=NOW)
    as_english(published.applicants[0])
    login(client, published.applicants[0])
    response = client.get(f"/awards/{award.id}/certificate.pdf")
    assert response.status_code == 410
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "This certificate has been revoked" in page
    assert "Ý tưởng sao chép." in page  # her own award: she may know why


def test_a_line_of_an_unpublished_decision_has_no_certificate(client, awards_world):
    line = Award(
        competition_id=awards_world.competition.id,
        tier_id=awards_world.tiers[0].id,
        slot=1,
        entry_id=awards_world.entries[0].id,
    )
    db.session.add(line)
    db.session.commit()
    login(client, awards_world.organiser)
    assert client.get(f"/awards/{line.id}/certificate.pdf").status_code == 404
    login(client, awards_world.applicants[0])
    assert client.get(f"/awards/{line.id}/certificate.pdf").status_code == 404


def test_the_zip_holds_every_valid_certificate(client, published, organiser):
    revoking.revoke(organiser, published.awards[5], "Sai phạm", now=NOW)
    login(client, organiser)
    response = client.get(f"/awards/competitions/{published.competition.id}/certificates.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert 'attachment; filename="DB-' in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
    assert len(names) == 10
    assert f"{published.entries[0].reference}-giai-nhat.pdf" in names


def test_the_zip_of_another_unit_is_forbidden(client, published, units):
    login(client, UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]))
    response = client.get(f"/awards/competitions/{published.competition.id}/certificates.zip")
    assert response.status_code == 403


# --- Revoking ------------------------------------------------------------------------------------


def test_revoking_needs_a_reason_and_keeps_the_page(client, published, organiser):
    award = published.awards[0]
    login(client, organiser)
    page = client.get(f"/awards/{award.id}/revoke").get_data(as_text=True)
    assert 'for="reason"' in page
    response = client.post_form(f"/awards/{award.id}/revoke", {"reason": "  "})
    assert response.status_code == 422
    assert "Write why the award is revoked." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Award, award.id).status is AwardStatus.ACTIVE


def test_revoking_through_the_form(client, published, organiser):
    award = published.awards[0]
    login(client, organiser)
    response = client.post_form(
        f"/awards/{award.id}/revoke", {"reason": "Ý tưởng <b>sao chép</b>."}
    )
    assert response.status_code == 302
    assert response.location.endswith(list_url(published))
    db.session.expire_all()
    award = db.session.get(Award, award.id)
    assert award.status is AwardStatus.REVOKED
    assert award.revoked_reason == "Ý tưởng <b>sao chép</b>."
    page = client.get(list_url(published)).get_data(as_text=True)
    assert "&lt;b&gt;sao chép&lt;/b&gt;" in page  # escaped, never markup
    # A second click changes nothing more and is not an error.
    again = client.post_form(f"/awards/{award.id}/revoke", {"reason": "Lần nữa"})
    assert again.status_code == 302
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "award.revoked")
        )
        == 1
    )
    revoked_page = client.get(f"/awards/{award.id}/revoke").get_data(as_text=True)
    assert "This award was revoked on" in revoked_page
    assert 'name="reason"' not in revoked_page


def test_an_organiser_of_another_unit_cannot_revoke(client, published, units):
    award = published.awards[0]
    login(client, UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]))
    assert client.post_form(f"/awards/{award.id}/revoke", {"reason": "x"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Award, award.id).status is AwardStatus.ACTIVE


# --- Public verification -------------------------------------------------------------------------


def test_the_form_normalises_what_was_typed(client, published):
    code = published.awards[0].certificate_code
    typed = code.lower().replace("-", " ")
    response = client.get("/verify", query_string={"code": f"  {typed} "})
    assert response.status_code == 302
    assert response.location == f"/verify/{code}"


def test_a_code_in_the_address_is_normalised_too(client, published):
    code = published.awards[0].certificate_code
    response = client.get(f"/verify/{code.lower().replace('-', '')}")
    assert response.status_code == 302
    assert response.location == f"/verify/{code}"


def test_an_empty_code_is_refused_next_to_the_field(client, published):
    response = client.get("/verify?code=", headers=EN)
    assert response.status_code == 422
    assert "Type the code printed on the certificate." in response.get_data(as_text=True)


def test_an_unknown_code_says_so_with_the_form_again(client, published):
    response = client.get("/verify/ZZZZ-ZZZZ-ZZZZ", headers=EN)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "No certificate has the code" in page
    assert "ZZZZ-ZZZZ-ZZZZ" in page
    assert 'name="code"' in page


def test_script_in_a_code_is_shown_as_text(client, published):
    response = client.get("/verify/<script>alert(1)</script>", headers=EN)
    assert response.status_code in (302, 404)
    response = client.get("/verify", query_string={"code": "<script>x</script>"}, headers=EN)
    assert "<script>x" not in response.get_data(as_text=True)


@pytest.mark.parametrize("revoked", [False, True])
def test_a_non_consenting_winners_name_never_appears(client, published, revoked):
    award = published.awards[1]  # Vàng Thị Mỷ did not consent to publish her name
    assert not award.entry.consent_publish
    if revoked:
        revoking.revoke(published.organiser, award, "Sai phạm", now=NOW)
    for headers in (EN, {"Accept-Language": "vi"}):
        page = client.get(f"/verify/{award.certificate_code}", headers=headers).get_data(
            as_text=True
        )
        assert "Vàng Thị Mỷ" not in page
        assert award.tier.name in page
    page = client.get(f"/verify/{award.certificate_code}", headers=EN).get_data(as_text=True)
    assert "The winner asked us not to show her name." in page


def test_a_consenting_winners_name_is_shown(client, published):
    award = published.awards[0]
    page = client.get(f"/verify/{award.certificate_code}", headers=EN).get_data(as_text=True)
    assert "Lò Thị Hương" in page
    assert published.competition.title in page
    assert published.competition.unit.name in page
    assert "Genuine and valid" in page


def test_the_public_lookup_is_rate_limited(client, published):
    code = published.awards[0].certificate_code
    statuses = [client.get(f"/verify/{code}").status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


# --- The winner's pages --------------------------------------------------------------------------


def test_my_awards_lists_her_prizes_only(client, published):
    as_english(published.applicants[2])
    login(client, published.applicants[2])  # second prize and the special prize
    page = client.get("/my/awards").get_data(as_text=True)
    mine = [a for a in published.awards if a.entry_id == published.entries[2].id]
    assert len(mine) == 2
    for award in mine:
        assert f"/my/awards/{award.id}" in page
        assert f"/awards/{award.id}/certificate.pdf" in page
    assert "Giải Nhất" not in page
    assert published.competition.title in page


def test_my_awards_shows_a_revoked_prize_without_download(client, published):
    award = published.awards[0]
    revoking.revoke(published.organiser, award, "Sai phạm", now=NOW)
    as_english(published.applicants[0])
    login(client, published.applicants[0])
    page = client.get("/my/awards").get_data(as_text=True)
    assert "Revoked" in page
    assert f"/awards/{award.id}/certificate.pdf" not in page


def test_someone_without_awards_sees_an_empty_page(client, published):
    as_english(published.applicants[11])
    login(client, published.applicants[11])
    page = client.get("/my/awards").get_data(as_text=True)
    assert "You have no awards yet" in page


def test_her_award_page(client, published):
    award = published.awards[0]
    as_english(published.applicants[0])
    login(client, published.applicants[0])
    response = client.get(f"/my/awards/{award.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Giải Nhất" in page
    assert "10,000,000" in page
    assert "Máy sấy nông sản" in page
    assert award.certificate_code in page
    assert f"/awards/{award.id}/certificate.pdf" in page
    assert f"/verify/{award.certificate_code}" in page
    assert "Prize money" in page  # the payments section


def test_another_winners_award_page_is_forbidden(client, published):
    login(client, published.applicants[1])
    assert client.get(f"/my/awards/{published.awards[0].id}").status_code == 403


def test_her_entry_page_says_she_won(client, published):
    entry = published.entries[0]
    award = published.awards[0]
    as_english(published.applicants[0])
    login(client, published.applicants[0])
    page = client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert "You won Giải Nhất." in page
    assert f"/awards/{award.id}/certificate.pdf" in page
    assert "/my/awards" in page


def test_her_entry_page_after_revocation_says_nothing_won(client, published):
    entry = published.entries[0]
    revoking.revoke(published.organiser, published.awards[0], "Sai phạm", now=NOW)
    as_english(published.applicants[0])
    login(client, published.applicants[0])
    page = client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert "You won" not in page
