"""The organisers' side: the list, screening, extensions, versions, export, scale."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from openpyxl import load_workbook

from portal.auth.models import Role
from portal.core.audit import AuditLog
from portal.entries import services
from portal.entries.models import Attachment, AttachmentKind, Entry, EntryStatus
from portal.entries.services import TeamMemberData
from portal.extensions import db
from tests.admin.test_views import count_queries
from tests.conftest import login, mails_to
from tests.entries.test_services import applicant_with_profile, complete
from tests.factories import UserFactory, make_competition

NOW = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False) as clock:
        yield clock


@pytest.fixture
def organiser(units):
    return UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="en")


@pytest.fixture
def competition(organiser, units):
    return make_competition(organiser, units["dien_bien"], business_plan_required=False)


def submitted(units, competition, **overrides) -> Entry:
    profile = overrides.pop("profile", {})
    applicant = applicant_with_profile(units, **profile)
    entry = services.start_entry(applicant, competition)
    services.save_draft(applicant, entry, complete(competition, **overrides), entry.version)
    services.submit(applicant, entry, entry.version)
    return entry


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_list_filters_searches_and_hides_drafts(client, organiser, competition, units):
    first = submitted(units, competition, title="Rượu men lá")
    second = submitted(
        units,
        competition,
        title="Thổ cẩm Thái",
        profile={"household_status": "poor", "ethnicity": "01"},
    )
    draft_owner = applicant_with_profile(units)
    services.start_entry(draft_owner, competition)
    login(client, organiser)
    url = f"/competitions/{competition.id}/entries"
    page = text(client.get(url))
    assert first.reference in page and second.reference in page
    assert "2 entries" in page
    assert (
        "Submitted: 2</a>" in page
    )  # the count per status; the draft is neither listed nor counted
    assert "Thổ cẩm Thái" in text(client.get(url + "?q=THO+CAM"))
    assert "Rượu men lá" not in text(client.get(url + "?q=tho cam"))
    poor = text(client.get(url + "?household=poor"))
    assert "Thổ cẩm Thái" in poor and "Rượu men lá" not in poor
    minority = text(client.get(url + "?minority=yes"))
    assert "Rượu men lá" in minority and "Thổ cẩm Thái" not in minority
    by_ref = text(client.get(url + "?sort=reference"))
    assert by_ref.index(first.reference) < by_ref.index(second.reference)
    bad = client.get(url + "?status=bogus&category=x&sort=nope")
    assert bad.status_code == 400  # ignored, and said so next to each filter
    assert text(bad).count("Choose a value from the list.") == 3


def test_screening_an_entry_tells_the_applicant(client, organiser, competition, units):
    entry = submitted(units, competition)
    login(client, organiser)
    missing = client.post_form(
        f"/entries/{entry.id}/screen", {"decision": "ineligible", "reason": " "}
    )
    assert missing.status_code == 422
    assert "Write the reason" in text(missing)
    assert 'checked class="form-check-input" id="decision-1"' in text(missing)  # as she chose
    response = client.post_form(
        f"/entries/{entry.id}/screen",
        {"decision": "ineligible", "reason": "Người đứng tên không cư trú tại Điện Biên."},
    )
    assert response.location == f"/entries/{entry.id}"
    db.session.refresh(entry)
    assert entry.status is EntryStatus.INELIGIBLE
    mail = mails_to(entry.applicant.email)[-1]
    assert mail.template == "entry_screened"
    assert "Người đứng tên không cư trú tại Điện Biên." in mail.body_text
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "entry.screened"))
    assert row.before["status"] == "submitted" and row.after["status"] == "ineligible"


def test_the_applicant_sees_the_reason(app, organiser, competition, units):
    entry = submitted(units, competition)
    services.screen(organiser, entry, eligible=False, reason="Thiếu kế hoạch kinh doanh.")
    applicant_client = app.test_client()
    login(applicant_client, entry.applicant)
    assert "Thiếu kế hoạch kinh doanh." in text(applicant_client.get("/entries/"))
    page = text(applicant_client.get(f"/entries/{entry.id}"))
    assert "Bài dự thi của chị không đáp ứng thể lệ: Thiếu kế hoạch kinh doanh." in page
    organiser_client = app.test_client()
    login(organiser_client, organiser)  # the organiser's page does not speak as the applicant
    page = text(organiser_client.get(f"/entries/{entry.id}"))
    assert "This entry does not meet the rules: Thiếu kế hoạch kinh doanh." in page
    assert "Your entry" not in page
    # Her screening form holds the decision and the reason given, to change them.
    assert 'checked class="form-check-input" id="decision-1"' in page
    assert re.search(r"<textarea[^>]*>\s*Thiếu kế hoạch kinh doanh.</textarea>", page)
    other = submitted(units, competition)
    page = text(organiser_client.get(f"/entries/{other.id}"))
    assert 'checked class="form-check-input" id="decision-0"' in page  # a new one: "eligible"
    assert re.search(r'<textarea[^>]*name="reason"[^>]*>\s*</textarea>', page)
    assert 'name="until"' in page and f'action="/entries/{other.id}/extension"' in page
    assert 'id="submit"' not in page  # two forms' buttons, never one id twice


def test_organisers_of_another_province_cannot_screen_or_list(app, competition, units):
    entry = submitted(units, competition)
    stranger = app.test_client()
    login(stranger, UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]))
    assert stranger.get(f"/competitions/{competition.id}/entries").status_code == 403
    assert stranger.get(f"/entries/{entry.id}").status_code == 403
    assert stranger.get(f"/entries/{entry.id + 1}").status_code == 404
    assert stranger.get(f"/competitions/{competition.id}/entries.csv").status_code == 403
    assert (
        stranger.post_form(f"/entries/{entry.id}/screen", {"decision": "eligible"}).status_code
        == 403
    )
    assert (
        stranger.post_form(
            f"/entries/{entry.id}/extension", {"until": "2026-05-01T08:00"}
        ).status_code
        == 403
    )
    applicant = app.test_client()
    login(applicant, entry.applicant)
    assert applicant.get(f"/competitions/{competition.id}/entries").status_code == 403
    judge = app.test_client()
    login(judge, UserFactory(roles=[Role.JUDGE]))
    assert judge.get(f"/competitions/{competition.id}/entries").status_code == 403


def test_a_personal_extension_is_audited(client, organiser, competition, units, frozen):
    applicant = applicant_with_profile(units)
    entry = services.start_entry(applicant, competition)
    login(client, organiser)
    early = client.post_form(f"/entries/{entry.id}/extension", {"until": "2026-03-09T08:00"})
    assert early.status_code == 422
    assert "must end after the competition" in text(early)
    later = (competition.closes_at + timedelta(days=3)).astimezone(UTC)
    local = (later + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")
    client.post_form(f"/entries/{entry.id}/extension", {"until": local})
    db.session.refresh(entry)
    assert entry.extension_until == later.replace(second=0, microsecond=0)
    assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.action == "entry.extension"))


@pytest.mark.parametrize("until", ["0001-01-01T00:00", "0202-05-01T08:00", "2200-01-01T00:00"])
def test_an_extension_in_a_year_out_of_reach_is_a_message(
    client, organiser, competition, units, frozen, until
):
    """Year 1 cannot be turned into UTC (a 500 before); 0202 is a typing mistake."""
    entry = services.start_entry(applicant_with_profile(units), competition)
    login(client, organiser)
    response = client.post_form(
        f"/entries/{entry.id}/extension", {"until": until}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    assert "Enter a date and time in the years 2000 to 2199." in text(response)
    db.session.refresh(entry)
    assert entry.extension_until is None


def test_organisers_see_what_changed_between_versions(client, organiser, competition, units):
    entry = submitted(units, competition, solution="Bán ở chợ phiên.")
    applicant = entry.applicant
    services.save_draft(
        applicant,
        entry,
        complete(competition, solution="Bán ở chợ phiên và trên mạng."),
        entry.version,
    )
    services.submit(applicant, entry, entry.version)
    login(client, organiser)
    page = text(client.get(f"/entries/{entry.id}"))
    assert "What changed between submissions" in page
    assert "Bán ở chợ phiên và trên mạng." in page and "<del" in page


def test_an_entrys_page_runs_the_same_queries_whatever_it_holds(
    client, organiser, competition, units
):
    """Her account, the entry with what it shows in one row, its team and files in one more:
    three queries whatever the team; a fourth reads the versions once there are two to compare."""
    entry = submitted(units, competition)
    login(client, organiser)
    client.get("/profile")  # the welcome message shown
    assert count_queries(client, f"/entries/{entry.id}") == 3
    team = [TeamMemberData(f"Thành viên {n}", "Sản xuất") for n in range(5)]
    for solution in ("Bán ở chợ phiên.", "Bán ở chợ phiên và trên mạng."):
        services.save_draft(
            entry.applicant,
            entry,
            complete(competition, solution=solution, team=team),
            entry.version,
        )
        services.submit(entry.applicant, entry, entry.version)
    assert count_queries(client, f"/entries/{entry.id}") == 4
    assert "Thành viên 4" in text(client.get(f"/entries/{entry.id}"))


def test_an_entrys_page_shows_what_it_holds_to_the_organiser_and_to_her(
    client, organiser, competition, units
):
    """The page reads rows, not objects: each value comes from its own column or list."""
    entry = submitted(units, competition, capital_needed=150_000_000)
    db.session.add(
        Attachment(
            entry_id=entry.id,
            kind=AttachmentKind.BUSINESS_PLAN,
            original_name="ke-hoach-kinh-doanh.pdf",
            stored_name="a" * 32,
            content_type="application/pdf",
            size=10,
        )
    )
    db.session.commit()
    login(client, organiser)
    page = text(client.get(f"/entries/{entry.id}"))
    assert "Rượu men lá Mường Phăng" in page and competition.title in page
    assert f"Reference: {entry.reference}" in page
    assert "Applicant: Lò Thị Mai, " + entry.applicant.email in page
    assert f"{units['muong_phang'].name}, {units['dien_bien'].name}" in page
    assert (
        competition.categories[0].code == "agriculture" and "<dd>Agriculture and livestock<" in page
    )
    assert "Lò Thị Hoa (Kế toán)" in page
    assert "150,000,000" in page
    assert ">ke-hoach-kinh-doanh.pdf</a>" in page
    assert f'action="/entries/{entry.id}/screen"' in page
    assert f'href="/entries/{entry.id}/edit"' not in page
    hers = client.application.test_client()
    login(hers, entry.applicant)
    mine = text(hers.get(f"/entries/{entry.id}"))
    assert f'href="/entries/{entry.id}/edit"' in mine  # she may still change it
    assert f'href="/entries/{entry.id}/withdraw"' in mine
    assert f"/entries/{entry.id}/screen" not in mine and "ke-hoach-kinh-doanh.pdf" in mine


def test_the_export_has_every_field_in_csv_and_xlsx(client, organiser, competition, units):
    submitted(units, competition, title='=HYPERLINK("x")', summary="Tóm tắt có dấu")
    login(client, organiser)
    response = client.get(f"/competitions/{competition.id}/entries.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, row = rows[0], rows[1]
    assert len(header) == 24 and "Reference" in header and "Capital needed (đồng)" in header
    record = dict(zip(header, row, strict=True))
    assert record["Title of the idea"] == '\'=HYPERLINK("x")'  # never run as a formula
    assert record["Short summary"] == "Tóm tắt có dấu"
    assert record["Capital needed (đồng)"] == "150000000"
    assert record["The team"] == "Lò Thị Hoa (Kế toán)"
    xlsx = client.get(f"/competitions/{competition.id}/entries.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = list(sheet.values)
    assert values[0][0] == "Reference" and values[1][20] == 150000000
    assert record["Household status"] == "Near-poor household"  # in words, never the code
    assert record["Consents to publish her name"] in {"Yes", "No"}
    filtered = client.get(f"/competitions/{competition.id}/entries.csv?status=eligible")
    assert len(list(csv.reader(io.StringIO(filtered.get_data(as_text=True))))) == 1


def test_the_list_of_20000_entries_runs_a_constant_number_of_queries(
    client, organiser, competition, units
):
    login(client, organiser)
    first = submitted(units, competition, title="Một bài")

    def add(numbers) -> None:
        rows = [
            {
                "competition_id": competition.id,
                "applicant_id": first.applicant_id,
                "category_id": first.category_id,
                "status": "submitted",
                "reference": f"DB-2026-{n:05d}",
                "title": f"Rượu men lá số {n}",
                "search_text": f"db-2026-{n:05d} ruou men la so {n} lo thi mai",
                "commune_id": first.commune_id,
                "submitted_at": NOW - timedelta(minutes=n),
            }
            for n in numbers
        ]
        db.session.execute(sa.insert(Entry), rows)
        db.session.commit()

    listed = (
        f"/competitions/{competition.id}/entries?status=submitted&sort=title"
        f"&category={first.category_id}"
    )
    searched = listed + "&q=ruou"
    add(range(2, 3))
    few = {url: count_queries(client, url) for url in (listed, searched)}
    add(range(3, 20_001))
    many = {url: count_queries(client, url) for url in (listed, searched)}
    assert many == few
    assert few[listed] == few[searched]  # the counts from the counter table; a search uncounted
    page = text(client.get(listed))
    assert "20000 entries" in page and "Submitted: 20000</a>" in page
    assert "Một bài" in page  # "M" before "R": sorted by title
    page = text(client.get(searched))  # 19,999 match: led on page by page, not counted
    assert "More than 50 entries match" in page and "Một bài" not in page
    assert "page=2&amp;" in page and "page=3&amp;" not in page and 'rel="next"' in page
