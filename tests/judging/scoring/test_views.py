"""The judges' pages through requests: dashboard, declaration, scoring, attachments, recusal."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from PIL import Image
from pypdf import PdfReader, PdfWriter

from portal.auth.models import Role
from portal.core import storage
from portal.entries import attachments
from portal.entries.models import Attachment, AttachmentKind, TeamMember
from portal.extensions import db
from portal.judging.models import (
    Assignment,
    AssignmentSource,
    CompetitionJudge,
    ScoreSheet,
    SheetStatus,
)
from tests.admin.test_views import count_queries
from tests.conftest import login, mails_to
from tests.factories import UserFactory, make_judging
from tests.snapshots import cached

NOW = datetime(2026, 5, 10, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False) as clock:
        yield clock


def make_world(units):
    world = make_judging(units, entries=3, judges=2)
    world.round.scoring_closes_at = NOW + timedelta(days=3)
    entry = world.entries[0]
    entry.organisation = "HTX Rượu men lá"
    entry.problem = "Chưa có <b>thương hiệu</b>"
    entry.capital_needed = 150_000_000
    entry.team_members.append(TeamMember(position=0, name="Quàng Thị Bí Mật", role="Kế toán"))
    db.session.commit()
    return world


@pytest.fixture
def world(units):
    return cached(make_world, units)


def assign(world, judge, entry) -> Assignment:
    assignment = Assignment(
        round_id=world.round.id,
        entry_id=entry.id,
        judge_id=judge.id,
        source=AssignmentSource.MANUAL,
        created_by_id=world.organiser.id,
    )
    db.session.add(assignment)
    db.session.commit()
    return assignment


def score_url(world, entry) -> str:
    return f"/judging/rounds/{world.round.id}/entries/{entry.id}/score"


def points(world, value="10", **overrides) -> dict:
    data = {f"points_{c.id}": value for c in world.criteria}
    data.update(overrides)
    return data


def test_the_navbar_shows_judging_to_judges_only(client, world):
    login(client, world.judges[0])
    assert 'href="/judging/"' in client.get("/").get_data(as_text=True)
    client.post_form("/logout")
    login(client, world.applicants[0])
    assert 'href="/judging/"' not in client.get("/").get_data(as_text=True)


def test_a_judge_without_entries_sees_a_friendly_empty_state(client, world):
    login(client, world.judges[1])
    page = client.get("/judging/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No entries are waiting for you." in page
    assert "Declare my expertise and conflicts" in page


def test_the_dashboard_lists_her_entries_deadline_and_progress(client, world):
    judge = world.judges[0]
    assign(world, judge, world.entries[0])
    assign(world, judge, world.entries[1])
    assign(world, world.judges[1], world.entries[2])
    login(client, judge)
    client.post_form(score_url(world, world.entries[0]), {**points(world), "submit": "1"})
    page = client.get("/judging/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1 of 2 scored and submitted." in page
    assert "3 days left" in page
    assert "10:00, 13/05/2026" in page or "13 May 2026, 10:00" in page  # Vietnam time
    assert world.entries[0].reference in page and world.entries[1].reference in page
    assert world.entries[2].reference not in page
    assert "Not started" in page and "Submitted" in page


def make_busy_world(units):
    """A judge with 13 entries of the round: more than her dashboard shows."""
    world = make_judging(units, entries=13, judges=2)
    world.round.scoring_closes_at = NOW + timedelta(days=3)
    db.session.commit()
    for entry in world.entries:
        assign(world, world.judges[0], entry)
    return world


def test_a_busy_judge_sees_what_is_left_first_and_pages_through_the_rest(
    client, units, monkeypatch
):
    world = cached(make_busy_world, units)
    judge, last = world.judges[0], world.entries[-1]
    login(client, judge)
    client.post_form(score_url(world, last), {**points(world), "submit": "1"})
    client.post_form(score_url(world, world.entries[5]), {**points(world, "")})  # a draft
    page = client.get("/judging/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1 of 13 scored and submitted." in page
    # Ten lines, her draft first; the submitted entry is left for the round's list.
    assert page.count('class="list-group-item') == 10
    assert page.index(world.entries[5].reference) < page.index(world.entries[0].reference)
    assert last.reference not in page
    mine = f"/judging/rounds/{world.round.id}/my-entries"
    assert f'href="{mine}">See all 13 of my entries in this round' in page

    page = client.get(mine + "?state=submitted", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert page.count('class="list-group-item') == 1 and last.reference in page
    assert "Submitted (1)" in page and "Draft (1)" in page and "Not started (11)" in page
    assert f"See my scores for {last.reference}" in page

    monkeypatch.setattr("portal.judging.scoring.services.PER_PAGE", 5)
    page = client.get(mine + "?page=3", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert page.count('class="list-group-item') == 3  # 13 = 5 + 5 + 3, the submitted one last
    assert last.reference in page
    assert f'href="{mine}?page=2"' in page and 'aria-current="page">3<' in page
    assert client.get(mine + "?state=nonsense").status_code == 200  # every state, then

    # Another judge has no entry of the round: the list is not hers.
    client.post_form("/logout")
    login(client, world.judges[1])
    assert client.get(mine).status_code == 403


def test_the_dashboard_runs_the_same_queries_for_one_entry_or_thirteen(client, units):
    world = cached(make_busy_world, units)
    login(client, world.judges[0])
    many = count_queries(client, "/judging/")
    client.post_form("/logout")
    assign(world, world.judges[1], world.entries[0])
    login(client, world.judges[1])
    page = client.get("/judging/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "0 of 1 scored and submitted." in page and "See all" not in page
    assert count_queries(client, "/judging/") == many


def test_the_declaration_is_saved_and_shown_again(client, world, units):
    judge = world.judges[0]
    login(client, judge)
    url = f"/judging/competitions/{world.competition.id}/declaration"
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Xã Mường Phăng" in page and "Phường Sa Pa" not in page
    assert "automatically" in page
    category = world.competition.categories[2]
    response = client.post_form(
        url,
        {
            "expertise": [str(category.id)],
            "conflict_people": "Lò Văn A\nlo@example.vn",
            "conflict_communes": [str(units["muong_phang"].id)],
            "conflict_organisations": "HTX Rượu men lá",
        },
    )
    assert response.status_code == 302
    record = db.session.scalar(sa.select(CompetitionJudge).filter_by(user_id=judge.id))
    assert record.expertise == [category.id]
    assert record.conflict_commune_ids == [units["muong_phang"].id]
    assert record.declared_at == NOW
    page = client.get(url).get_data(as_text=True)
    assert f'value="{units["muong_phang"].id}" checked' in page or "checked" in page
    # A commune of another province is refused, and what she typed stays.
    response = client.post_form(
        url,
        {"conflict_communes": [str(units["sa_pa"].id)], "conflict_people": "Người giữ lại"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "Người giữ lại" in response.get_data(as_text=True)


def test_the_declaration_links_an_invitation_made_by_email(client, world):
    judge = UserFactory(roles=[Role.JUDGE])
    record = CompetitionJudge(
        competition_id=world.competition.id, email=judge.email, invited_by_id=world.organiser.id
    )
    db.session.add(record)
    db.session.commit()
    login(client, judge)
    url = f"/judging/competitions/{world.competition.id}/declaration"
    assert client.post_form(url, {"conflict_people": ""}).status_code == 302
    db.session.refresh(record)
    assert record.user_id == judge.id


def test_a_blind_round_hides_who_she_is(client, world, units):
    entry = world.entries[0]
    assign(world, world.judges[0], entry)
    login(client, world.judges[0])
    page = client.get(score_url(world, entry)).get_data(as_text=True)
    assert entry.title in page
    assert "Chưa có &lt;b&gt;thương hiệu&lt;/b&gt;" in page  # escaped
    assert "150,000,000" in page or "150.000.000" in page
    assert "Kế toán" in page
    for secret in (
        world.applicants[0].full_name,
        world.applicants[0].email,
        "Quàng Thị Bí Mật",
        "Xã Mường Phăng",
        "HTX Rượu men lá",
    ):
        assert secret not in page, secret
    for criterion in world.criteria:
        assert f'name="points_{criterion.id}"' in page
    assert 'step="0.5"' in page


def test_an_open_round_shows_the_applicant(client, world):
    world.round.blind = False
    db.session.commit()
    entry = world.entries[0]
    assign(world, world.judges[0], entry)
    login(client, world.judges[0])
    page = client.get(score_url(world, entry)).get_data(as_text=True)
    assert world.applicants[0].full_name in page
    assert "Quàng Thị Bí Mật" in page
    assert "Xã Mường Phăng" in page


def test_draft_then_submit_then_change(client, world):
    entry = world.entries[0]
    judge = world.judges[0]
    assign(world, judge, entry)
    login(client, judge)
    first = world.criteria[0]
    response = client.post_form(score_url(world, entry), {f"points_{first.id}": "7,5", "save": "1"})
    assert response.status_code == 302
    sheet = db.session.scalar(sa.select(ScoreSheet))
    assert sheet.status is SheetStatus.DRAFT
    assert sheet.points_by_criterion()[first.id] == 7.5
    page = client.get(score_url(world, entry)).get_data(as_text=True)
    assert 'value="7.5"' in page

    response = client.post_form(
        score_url(world, entry), {**points(world), "comment": "Tốt", "submit": "1"}
    )
    assert response.status_code == 302 and response.location == "/judging/"
    db.session.expire_all()
    sheet = db.session.scalar(sa.select(ScoreSheet))
    assert sheet.status is SheetStatus.SUBMITTED and sheet.comment == "Tốt"
    response = client.post_form(score_url(world, entry), {**points(world, "9"), "submit": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert set(db.session.scalar(sa.select(ScoreSheet)).points_by_criterion().values()) == {9}


def test_a_refused_submission_keeps_what_she_typed(client, world):
    entry = world.entries[0]
    assign(world, world.judges[0], entry)
    login(client, world.judges[0])
    c0, c1, c2 = world.criteria[:3]
    data = points(world, "5")
    data.update(
        {f"points_{c0.id}": "", f"points_{c1.id}": "25", f"points_{c2.id}": "abc"},
        comment="Nhận xét giữ lại",
        submit="1",
    )
    response = client.post_form(score_url(world, entry), data, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nhận xét giữ lại" in page
    assert 'value="25"' in page
    assert "Enter a number" in page
    assert db.session.scalar(sa.select(ScoreSheet)) is None
    data[f"points_{c1.id}"] = "12"
    data[f"points_{c2.id}"] = "4.5"
    response = client.post_form(score_url(world, entry), data, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Give points for this criterion." in response.get_data(as_text=True)


def test_a_double_submitted_form_makes_one_sheet(client, world):
    entry = world.entries[0]
    assign(world, world.judges[0], entry)
    login(client, world.judges[0])
    data = {**points(world), "submit": "1"}
    assert client.post_form(score_url(world, entry), data).status_code == 302
    assert client.post_form(score_url(world, entry), data).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ScoreSheet.id))) == 1


def test_a_submission_after_the_deadline_is_refused_and_kept_as_a_draft(client, world, frozen):
    entry = world.entries[0]
    assign(world, world.judges[0], entry)
    login(client, world.judges[0])
    frozen.move_to(NOW + timedelta(days=4))
    response = client.post_form(
        score_url(world, entry),
        {**points(world, "6"), "submit": "1"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "has closed" in page
    assert 'value="6"' in page
    sheet = db.session.scalar(sa.select(ScoreSheet))
    assert sheet.status is SheetStatus.DRAFT


def test_an_entry_file_for_the_judge_under_a_blind_name(client, world):
    entry = world.entries[0]
    file = Attachment(
        entry_id=entry.id,
        kind=AttachmentKind.BUSINESS_PLAN,
        original_name="KeHoach_LoThiUngVien.pdf",
        stored_name=storage.store(b"%PDF-1.4 plan"),
        content_type="application/pdf",
        size=13,
    )
    db.session.add(file)
    db.session.commit()
    assign(world, world.judges[0], entry)
    login(client, world.judges[0])
    page = client.get(score_url(world, entry)).get_data(as_text=True)
    assert "LoThiUngVien" not in page
    url = f"/judging/rounds/{world.round.id}/entries/{entry.id}/attachments/{file.id}"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == b"%PDF-1.4 plan"
    assert "LoThiUngVien" not in response.headers["Content-Disposition"]
    other = world.entries[1]
    wrong = f"/judging/rounds/{world.round.id}/entries/{other.id}/attachments/{file.id}"
    assert client.get(wrong).status_code == 403  # not assigned to the other entry


def photo_with_exif() -> bytes:
    """A phone photo that names its author and where it was taken, turned by its EXIF."""
    image = Image.new("RGB", (40, 20), (200, 80, 120))
    exif = image.getexif()
    exif[0x013B] = "Lo Thi Ung Vien"  # Artist
    exif[0x0112] = 6  # to be turned 90° to show the right way up
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (21.0, 23.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def pdf_with_author() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "Lo Thi Ung Vien", "/Title": "Ke hoach cua Lo Thi Ung Vien"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_with_author() -> bytes:
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:creator>Lo Thi Ung Vien</dc:creator>"
        "<cp:lastModifiedBy>Lo Thi Ung Vien</cp:lastModifiedBy></cp:coreProperties>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("docProps/core.xml", core)
        archive.writestr(
            "word/document.xml",
            '<w:document><w:ins w:author="Lo Thi Ung Vien"><w:t>Ke hoach</w:t></w:ins></w:document>',
        )
    return buffer.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_a_judge_gets_files_without_metadata_that_names_the_applicant(client, world):
    entry = world.entries[0]
    sent = {
        "photo": (AttachmentKind.PHOTO, photo_with_exif(), "image/jpeg"),
        "pdf": (AttachmentKind.BUSINESS_PLAN, pdf_with_author(), "application/pdf"),
        "docx": (AttachmentKind.BUSINESS_PLAN, docx_with_author(), DOCX),
    }
    files = {
        key: attachments.store_attachment(entry, kind, f"{key}.bin", data, mime)
        for key, (kind, data, mime) in sent.items()
    }
    db.session.commit()
    assign(world, world.judges[0], entry)
    login(client, world.judges[0])
    base = f"/judging/rounds/{world.round.id}/entries/{entry.id}/attachments"
    served = {key: client.get(f"{base}/{file.id}") for key, file in files.items()}
    assert all(response.status_code == 200 for response in served.values())
    assert all(b"Ung Vien" not in response.data for response in served.values())

    photo = Image.open(io.BytesIO(served["photo"].data))
    assert photo.format == "JPEG" and photo.size == (20, 40)  # still the right way up
    exif = photo.getexif()
    assert 0x013B not in exif and not exif.get_ifd(0x8825)
    assert PdfReader(io.BytesIO(served["pdf"].data)).metadata in (None, {})
    assert len(PdfReader(io.BytesIO(served["pdf"].data)).pages) == 1
    with zipfile.ZipFile(io.BytesIO(served["docx"].data)) as archive:
        assert b"Ke hoach" in archive.read("word/document.xml")

    # A photo stored before copies were kept is stripped as it is served.
    legacy = Attachment(
        entry_id=entry.id,
        kind=AttachmentKind.PHOTO,
        original_name="cu.jpg",
        stored_name=storage.store(sent["photo"][1]),
        content_type="image/jpeg",
        size=len(sent["photo"][1]),
    )
    db.session.add(legacy)
    db.session.commit()
    old = client.get(f"{base}/{legacy.id}")
    assert old.status_code == 200 and b"Ung Vien" not in old.data
    assert Image.open(io.BytesIO(old.data)).size == (20, 40)

    # She, who sent them, and the organisers still get what she sent.
    for user in (entry.applicant, world.organiser):
        login(client, user)
        for key, file in files.items():
            response = client.get(f"/entries/{entry.id}/attachments/{file.id}")
            assert response.status_code == 200 and response.data == sent[key][1]


def test_recusal_through_the_pages(client, world):
    entry = world.entries[0]
    judge = world.judges[0]
    assign(world, judge, entry)
    login(client, judge)
    url = f"/judging/rounds/{world.round.id}/entries/{entry.id}/recuse"
    page = client.get(url).get_data(as_text=True)
    assert entry.reference in page
    response = client.post_form(url, {"reason": "Chị họ"})
    assert response.status_code == 422  # the box is not ticked
    assert "Chị họ" in response.get_data(as_text=True)
    response = client.post_form(url, {"reason": "Chị họ", "confirm": "y"})
    assert response.status_code == 302 and response.location == "/judging/"
    assignment = db.session.scalar(sa.select(Assignment))
    assert assignment.recused_at == NOW and assignment.recusal_reason == "Chị họ"
    assert len(mails_to(world.organiser.email)) == 1
    page = client.get("/judging/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Recused" in page
    response = client.get(score_url(world, entry), headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert "You recused yourself" in response.get_data(as_text=True)


def test_an_older_tab_cannot_overwrite_newer_scores(client, world):
    """Opened in two tabs; the second submits; the first, still showing the old page, is
    refused with her typed scores on the page, even after the sheet was submitted."""
    judge, entry = world.judges[0], world.entries[0]
    assign(world, judge, entry)
    login(client, judge)
    opened = {"version": "0"}  # both tabs were opened before she had a sheet
    newer = client.post_form(
        score_url(world, entry), {**points(world, "8"), **opened, "comment": "Tốt", "submit": "1"}
    )
    assert newer.status_code == 302
    older = client.post_form(
        score_url(world, entry), {**points(world, "3"), **opened, "comment": "Cũ", "submit": "1"}
    )
    page = older.get_data(as_text=True)
    assert older.status_code == 409
    assert "changed in another window or on another device" in page
    assert 'value="3"' in page and "Cũ" in page  # what she typed, to copy
    sheet = db.session.scalar(sa.select(ScoreSheet))
    db.session.refresh(sheet)
    assert set(sheet.points_by_criterion().values()) == {8} and sheet.comment == "Tốt"
    # Both versions: the saved sheet above her form, each criterion and the comment.
    saved = page.split('class="alert alert-info saved-meanwhile"', 1)[1].split("</section>", 1)[0]
    assert saved.count("<dd") == len(world.criteria) + 1
    assert '<dd class="text-break text-prewrap">8</dd>' in saved and "Tốt" in saved


def test_the_same_score_form_sent_twice_is_one_submission(client, world):
    judge, entry = world.judges[0], world.entries[0]
    assign(world, judge, entry)
    login(client, judge)
    form = {**points(world, "8"), "version": "0", "submit": "1"}
    assert client.post_form(score_url(world, entry), form).status_code == 302
    assert client.post_form(score_url(world, entry), form).status_code == 302  # a double click
    sheet = db.session.scalar(sa.select(ScoreSheet))
    assert sheet.version == 1 and sheet.status is SheetStatus.SUBMITTED


def test_the_score_page_carries_the_sheets_version(client, world):
    judge, entry = world.judges[0], world.entries[0]
    assign(world, judge, entry)
    login(client, judge)
    page = client.get(score_url(world, entry)).text
    assert 'name="version" type="hidden" value="0"' in page
    assert f'data-keep="{judge.id}:score-{world.round.id}-{entry.id}"' in page  # kept as typed
    client.post_form(score_url(world, entry), {**points(world, "8"), "version": "0", "save": "1"})
    client.post_form(score_url(world, entry), {**points(world, "9"), "version": "1", "save": "1"})
    assert 'name="version" type="hidden" value="2"' in client.get(score_url(world, entry)).text


@pytest.mark.parametrize("version", ["²", "٣", "9" * 400])
def test_a_version_that_is_no_number_is_read_as_none_not_a_500(client, world, version):
    """A digit to str.isdigit() that int() refuses, or too many digits: the form says no
    version (an old page), as for a blank one."""
    judge, entry = world.judges[0], world.entries[0]
    assign(world, judge, entry)
    login(client, judge)
    response = client.post_form(
        score_url(world, entry), {**points(world, "8"), "version": version, "save": "1"}
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(ScoreSheet)).version == 1
