"""The pages of supported projects: the organisers' list and export, a project's page, her
projects, and recording a prize won elsewhere."""

import csv
import html
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.auth.models import Role
from portal.awards.certificates import revoking
from portal.core.time import utcnow
from portal.entries.models import TeamMember
from portal.extensions import db
from portal.projects.models import ExternalAward
from tests.admin.test_views import count_queries
from tests.conftest import login
from tests.core.test_storage import bomb_png, truncated_jpeg
from tests.factories import PDF, UserFactory, add_external, project_of

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def in_english(*users):
    for user in users:
        user.language = "en"
    db.session.commit()


@pytest.fixture
def organiser(client, published):
    in_english(published.organiser)
    login(client, published.organiser)
    return published.organiser


# --- The organisers' list ------------------------------------------------------------------------


def test_the_list_shows_the_projects_and_their_figures(client, published, organiser):
    add_external(published, published.entries[0])
    add_external(published, published.entries[4], cash_value=None)
    page = text(client.get("/projects/"))
    assert "10 supported projects" in page
    assert "11 prizes won at the competitions" in page
    assert "2 projects won prizes at regional and national rounds" in page
    assert "Prize money in total: VND\xa055,000,000" in page
    assert "Lò Thị Hương" in page and "Giải Nhất" in page
    assert "National: Giải Nhì" in page


@pytest.mark.parametrize(
    ("language", "counted", "set_aside", "badge"),
    [
        (
            "en",
            "9 supported projects",
            "1 more listed but set aside",
            "No valid award: all revoked",
        ),
        (
            "vi",
            "9 dự án được hỗ trợ",
            "1 dự án khác vẫn có trong danh sách nhưng không tính",
            "Không còn giải hợp lệ: mọi giải đã bị thu hồi",
        ),
    ],
)
def test_a_project_whose_only_award_was_revoked_is_marked_and_set_aside(
    client, published, language, counted, set_aside, badge
):
    revoking.revoke(published.organiser, published.awards[0], "Ý tưởng sao chép.", now=utcnow())
    published.organiser.language = language
    db.session.commit()
    login(client, published.organiser)
    page = text(client.get("/projects/"))
    assert counted in page and set_aside in page
    assert page.count(badge) == 1  # only on Lò Thị Hương's project
    row = next(r for r in page.split("<tr>") if "Lò Thị Hương" in r)
    assert badge in row
    project = project_of(published.entries[0])
    detail = text(client.get(f"/projects/{project.id}"))
    assert badge in detail
    other = text(client.get(f"/projects/{project_of(published.entries[1]).id}"))
    assert badge not in other


def test_the_list_filters_and_searches_without_diacritics(client, published, organiser):
    add_external(published, published.entries[3])
    page = text(client.get("/projects/?q=lo+thi+huong"))
    assert "1 supported project" in page and "Lò Thị Hương" in page
    assert "Vàng Thị Mỷ" not in page
    page = text(client.get("/projects/?won=y"))
    assert "1 supported project" in page
    assert "1 project won prizes at regional and national rounds" in page
    assert published.entries[3].reference in page
    assert published.entries[0].reference not in page


def test_a_bad_filter_is_ignored_not_an_error(client, published, organiser):
    response = client.get("/projects/?year=abc&unit=x&commune=-1&category=%3Cb%3E&page=99")
    assert response.status_code == 200
    assert "10 supported projects" in text(response)


def test_the_list_runs_the_same_queries_whatever_its_length(client, published, organiser):
    one = f"/projects/?q={published.entries[0].reference}"
    few = count_queries(client, one)
    for index in range(0, 10, 2):
        add_external(published, published.entries[index])
    team = TeamMember(entry_id=published.entries[1].id, position=0, name="Bạn", user_id=None)
    db.session.add(team)
    db.session.commit()
    assert count_queries(client, "/projects/") == few
    assert count_queries(client, "/projects/?won=y&year=2020") == few


def test_the_list_pages_through_every_project(client, published, organiser, monkeypatch):
    monkeypatch.setattr("portal.projects.views.PER_PAGE", 4)
    seen = []
    for number in (1, 2, 3):
        page = text(client.get(f"/projects/?page={number}"))
        seen += re.findall(r'href="/projects/(\d+)"', page)
        assert 'href="/projects/?page=3"' in page  # 10 projects, 4 a page: the last is 3
        assert 'href="/projects/?page=4"' not in page
    assert len(seen) == len(set(seen)) == 10


def test_another_provinces_organiser_sees_none_of_these_projects(client, published, units):
    other = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])], language="en")
    login(client, other)
    page = text(client.get("/projects/"))
    assert "0 supported projects" in page
    assert "Lò Thị Hương" not in page


# --- Export --------------------------------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    body = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def test_the_csv_export_has_one_row_per_project(client, published, organiser):
    winner = published.applicants[0]
    winner.phone = "0912345678"
    db.session.add(
        TeamMember(entry_id=published.entries[0].id, position=0, name="Lò Văn Minh", role="Kế toán")
    )
    db.session.commit()
    add_external(published, published.entries[0])
    response = client.get("/projects/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert header[:4] == ["Project number", "Reference", "Title", "Owner"]
    assert len(rows) == 10
    row = dict(zip(header, next(r for r in rows if r[3] == "Lò Thị Hương"), strict=True))
    assert row["E-mail"] == winner.email and row["Phone"] == "0912345678"
    assert row["Team members"] == "Lò Văn Minh (Kế toán)"
    assert row["Commune or ward"] == "Xã Mường Phăng" and row["Province"] == "Điện Biên"
    assert row["Awards won at the competition"] == "Giải Nhất"
    assert row["Prizes won at regional and national rounds"] == (
        f"National: Giải Nhì, Trung ương Hội LHPN Việt Nam, {published.competition.year}"
    )
    assert row["Prize money in total (đồng)"] == "30000000"
    assert row["Category"] == "Agriculture and livestock"
    second = dict(zip(header, next(r for r in rows if r[3] == "Quàng Thị Ẻn"), strict=True))
    assert second["Awards won at the competition"] == (
        "Giải Nhì; Ý tưởng xuất sắc của phụ nữ dân tộc thiểu số"
    )


def test_the_export_follows_the_filters(client, published, organiser):
    add_external(published, published.entries[6])
    _, *rows = _csv_rows(client.get("/projects/export.csv?won=y"))
    assert [r[1] for r in rows] == [published.entries[6].reference]


def _plant_formulas(published):
    project = project_of(published.entries[0])
    project.title = '=HYPERLINK("http://evil.example","x")'
    published.applicants[0].full_name = "@SUM(A1:A2)"
    add_external(published, published.entries[0], prize="+1+1", body="-2+3")


def test_the_csv_export_neutralises_formulas(client, published, organiser):
    _plant_formulas(published)
    header, *rows = _csv_rows(client.get("/projects/export.csv"))
    row = dict(zip(header, next(r for r in rows if "HYPERLINK" in r[2]), strict=True))
    assert row["Title"].startswith("'=HYPERLINK")
    assert row["Owner"] == "'@SUM(A1:A2)"
    assert row["Prizes won at regional and national rounds"].startswith("National: +1+1")
    assert not any(cell[:1] in "=+-@" for r in rows for cell in r if cell)


def test_the_xlsx_export_has_the_same_rows_and_no_formulas(client, published, organiser):
    _plant_formulas(published)
    response = client.get("/projects/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header, *rows = values
    assert header[2] == "Title" and len(rows) == 10
    row = dict(zip(header, next(r for r in rows if "HYPERLINK" in str(r[2])), strict=True))
    assert row["Title"].startswith("'=HYPERLINK")
    assert row["Owner"] == "'@SUM(A1:A2)"
    assert row["Prize money in total (đồng)"] == 30_000_000
    assert all(cell.data_type != "f" for r in sheet.iter_rows() for cell in r)


# --- A project's page ----------------------------------------------------------------------------


def test_the_owner_reads_her_project_with_its_prizes(client, published):
    owner = published.applicants[0]
    in_english(owner)
    add_external(published, published.entries[0], evidence_note="Quyết định 12/QĐ")
    project = project_of(published.entries[0])
    login(client, owner)
    response = client.get(f"/projects/{project.id}")
    assert response.status_code == 200
    page = text(response)
    assert "Lò Thị Hương" in page and "Giải Nhất" in page
    assert "National: Giải Nhì" in page and "Quyết định 12/QĐ" in page
    assert "Record a prize won elsewhere" not in page
    assert project.title in text(client.get("/my/projects"))


def test_the_organiser_reads_who_owns_it_where_and_from_which_entry(client, published, organiser):
    """The page reads its owner, commune, competition and entry as columns with the project."""
    entry = published.entries[0]
    owner = published.applicants[0]
    owner.phone = "0912 345 678"
    project = project_of(entry)
    assert "<dt>Team</dt>\n  <dd>—</dd>" in text(client.get(f"/projects/{project.id}"))
    # Read in the project's own query, a row each: shown in their order.
    for position, name, role in (
        (2, "Cà Thị Hoa", ""),
        (0, "Lò Văn Minh", "Kế toán"),
        (1, "Mai", ""),
    ):
        db.session.add(TeamMember(entry_id=entry.id, position=position, name=name, role=role))
    db.session.commit()
    page = text(client.get(f"/projects/{project.id}"))
    assert f"<dd>{owner.full_name}</dd>" in page
    assert f"<dd>{owner.email} · 0912 345 678</dd>" in page
    assert "<dd>Lò Văn Minh (Kế toán), Mai, Cà Thị Hoa</dd>" in page
    assert f"<dd>{project.commune.full_name}</dd>" in page
    assert f"<dd>{published.competition.title} ({project.year})</dd>" in page
    assert f'<a href="/entries/{entry.id}">{entry.reference}</a>' in page
    assert f'href="/projects/entries/{entry.id}/external-awards"' in page


def test_a_revoked_award_shows_with_its_date(client, published, organiser):
    from portal.awards.models import AwardStatus
    from portal.core.time import utcnow

    award = published.awards[0]
    award.status, award.revoked_at = AwardStatus.REVOKED, utcnow()
    db.session.commit()
    page = text(client.get(f"/projects/{project_of(published.entries[0]).id}"))
    assert "Revoked" in page and "Revoked on" in page


def test_another_winner_and_another_units_organiser_get_403(client, published, units):
    project = project_of(published.entries[0])
    for user in (published.applicants[1], UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])):
        login(client, user)
        assert client.get(f"/projects/{project.id}").status_code == 403
        client.post_form("/logout")
    assert client.get("/projects/999999").status_code == 302  # anonymous: log in first


def test_an_unknown_project_is_404(client, published, organiser):
    assert client.get("/projects/999999").status_code == 404


def test_a_team_member_with_an_account_reads_the_project(client, published):
    mate = published.applicants[11]
    db.session.add(
        TeamMember(entry_id=published.entries[0].id, position=0, name="Mai", user_id=mate.id)
    )
    db.session.commit()
    project = project_of(published.entries[0])
    login(client, mate)
    assert client.get(f"/projects/{project.id}").status_code == 200
    assert project.title in text(client.get("/my/projects"))


# --- Recording a prize won elsewhere and its evidence -------------------------------------------


def _form(published, **overrides):
    data = {
        "level": "national",
        "body": "Trung ương Hội LHPN Việt Nam",
        "prize": "Giải Ba",
        "year": str(published.competition.year),
        "cash_value": "15.000.000",
        "evidence_note": "",
        "evidence": (io.BytesIO(PDF), "quyet-dinh.pdf"),
    }
    data.update(overrides)
    return data


def test_an_organiser_records_a_prize_with_its_evidence(client, published, organiser):
    entry = published.entries[10]  # no prize here: it becomes a project
    url = f"/projects/entries/{entry.id}/external-awards"
    assert "Record a prize won elsewhere" in text(client.get(url))
    response = client.post_form(url, _form(published), content_type="multipart/form-data")
    assert response.status_code == 302
    project = project_of(entry)
    assert response.location == f"/projects/{project.id}"
    external = db.session.scalar(sa.select(ExternalAward))
    assert external.cash_value == 15_000_000
    page = text(client.get(f"/projects/{project.id}"))
    assert "National: Giải Ba" in page and "quyet-dinh.pdf" in page
    evidence = client.get(f"/projects/external-awards/{external.id}/evidence")
    assert evidence.status_code == 200 and evidence.data == PDF


def test_a_refused_prize_comes_back_with_what_was_typed(client, published, organiser):
    url = f"/projects/entries/{published.entries[0].id}/external-awards"
    data = _form(published, level="provincial", evidence="", evidence_note="ok", body="Bộ <b>X</b>")
    response = client.post_form(url, data, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Bộ &lt;b&gt;X&lt;/b&gt;" in page and "<b>X</b>" not in page
    data = _form(published, evidence="", evidence_note="ok", year="hai nghìn")
    page = text(client.post_form(url, data, content_type="multipart/form-data"))
    assert "Write a year such as 2026." in page
    data = _form(published, evidence="", evidence_note="ok")
    response = client.post_form(url, data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Give the evidence" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(ExternalAward.id))) == 0


def test_a_wrong_file_is_refused_and_must_be_chosen_again(client, published, organiser):
    url = f"/projects/entries/{published.entries[0].id}/external-awards"
    data = _form(published, evidence=(io.BytesIO(b"MZ\x90\x00 not a pdf"), "x.pdf"))
    response = client.post_form(url, data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "The evidence must be a PDF, JPEG or PNG file." in text(response)


@pytest.mark.parametrize(
    ("evidence", "message"),
    [
        (bomb_png, "This image is too large to open (more than 89 million pixels)"),
        (truncated_jpeg, "This image could not be read: the file is incomplete or damaged."),
    ],
)
def test_an_evidence_image_that_does_not_decode_is_refused_and_the_text_kept(
    client, published, organiser, evidence, message
):
    url = f"/projects/entries/{published.entries[0].id}/external-awards"
    data = _form(published, prize="Giải Ba toàn quốc", evidence=(io.BytesIO(evidence()), "qd.png"))
    response = client.post_form(url, data, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="evidence-error"' in page and message in page
    assert 'value="Giải Ba toàn quốc"' in page and 'value="15.000.000"' in page
    assert db.session.scalar(sa.select(sa.func.count(ExternalAward.id))) == 0


def test_a_prize_is_removed_with_a_reason(client, published, organiser):
    external = add_external(published, published.entries[0])
    url = f"/projects/external-awards/{external.id}/delete"
    response = client.post_form(url, {f"remove-{external.id}-reason": ""})
    assert response.status_code == 422
    assert "Write why this prize is removed." in text(response)
    response = client.post_form(url, {f"remove-{external.id}-reason": "Nhập nhầm"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(ExternalAward.id))) == 0


def test_the_evidence_is_for_the_managers_and_the_owner(client, published, units):
    from portal.projects import services

    published.entries[0].applicant.language = "en"
    db.session.commit()
    external = services.record_external_award(
        published.organiser,
        published.entries[0],
        "regional",
        "Cụm thi đua miền núi phía Bắc",
        "Giải Khuyến khích",
        published.competition.year,
        None,
        "",
        (PDF, "giay-chung-nhan.pdf"),
    )
    url = f"/projects/external-awards/{external.id}/evidence"
    mate = published.applicants[11]
    db.session.add(
        TeamMember(entry_id=published.entries[0].id, position=0, name="Mai", user_id=mate.id)
    )
    db.session.commit()
    other_org = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    for user, status in [
        (published.applicants[0], 200),
        (published.organiser, 200),
        (published.applicants[1], 403),
        (mate, 403),
        (other_org, 403),
    ]:
        login(client, user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert response.data == PDF
            assert re.search(r"giay-chung-nhan\.pdf", response.headers["Content-Disposition"])
        client.post_form("/logout")


def test_the_export_says_which_projects_count_in_the_figures(client, published, organiser):
    revoking.revoke(published.organiser, published.awards[0], "Ý tưởng sao chép.", now=utcnow())
    header, *rows = _csv_rows(client.get("/projects/export.csv"))
    counted = {r[3]: dict(zip(header, r, strict=True))["Counted in the figures"] for r in rows}
    assert counted["Lò Thị Hương"] == "No valid award"
    assert counted["Vàng Thị Mỷ"] == "Yes"
    assert list(counted.values()).count("Yes") == 9
