"""The public results page and the winners' gallery, as a visitor sees them."""

import re
from html import unescape

import pytest

from portal.awards.models import AwardDecision, AwardStatus, DecisionStatus
from portal.competitions.models import CompetitionLevel
from portal.core.time import utcnow
from portal.extensions import db
from portal.projects.models import ExternalAward
from tests.awards.publication.test_public import publish_other
from tests.conftest import login

# Time stands still: the tests never depend on today, and the shared worlds are built once.
pytestmark = pytest.mark.usefixtures("frozen_time")

EN = {"Accept-Language": "en"}
# Winners who did not consent to publish their name (entries 1 and 3 of the shared world).
HIDDEN = ["Vàng Thị Mỷ", "Lường Thị Ượi"]


def text(response) -> str:
    """The page's visible text, tags stripped, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def results_url(world) -> str:
    return f"/competitions/{world.competition.id}/results"


# --- The results page ----------------------------------------------------------------------------


def test_results_are_404_until_published(client, awards_world):
    assert client.get(results_url(awards_world)).status_code == 404
    db.session.add(
        AwardDecision(competition_id=awards_world.competition.id, status=DecisionStatus.APPROVED)
    )
    db.session.commit()
    assert client.get(results_url(awards_world)).status_code == 404
    # Not even the organisers see a public page of results not yet published.
    login(client, awards_world.organiser)
    assert client.get(results_url(awards_world)).status_code == 404


def test_an_unknown_competition_is_404(client, app):
    assert client.get("/competitions/999/results").status_code == 404


def test_the_results_page_shows_each_prize_in_order(client, published):
    response = client.get(results_url(published), headers=EN)
    assert response.status_code == 200
    page = text(response)
    assert published.competition.title in page
    assert "Organised by Điện Biên" in page
    assert "Provincial" in page
    order = [
        page.index(name)
        for name in ["Giải Nhất", "Giải Nhì", "Giải Ba", "Giải Khuyến khích", "Ý tưởng xuất sắc"]
    ]
    assert order == sorted(order)
    assert "VND 10,000,000" in page
    assert "Máy sấy nông sản" in page
    assert "Xã Mường Phăng, Điện Biên" in page
    assert "Phường Điện Biên Phủ, Điện Biên" in page
    assert "Lò Thị Hương" in page  # she consented


def test_a_non_consenting_winners_name_is_nowhere_on_the_public_pages(client, published):
    for url in (results_url(published), "/winners"):
        for headers in (EN, {}):
            html = client.get(url, headers=headers).get_data(as_text=True)
            for name in HIDDEN:
                assert name not in html, (url, name)
                assert name.split()[-1] not in html  # not her given name either
            assert published.applicants[1].email not in html


def test_a_revoked_award_is_not_shown(client, published):
    first = published.awards[0]
    first.status = AwardStatus.REVOKED
    first.revoked_at = utcnow()
    first.revoked_reason = "Sao chép"
    db.session.commit()
    for url in (results_url(published), "/winners"):
        html = client.get(url, headers=EN).get_data(as_text=True)
        assert "Lò Thị Hương" not in html
        assert "Ý tưởng số 1<" not in html
    assert "Not awarded" in text(client.get(results_url(published), headers=EN))


def test_prizes_won_at_higher_rounds(client, published):
    for index in (0, 1):
        db.session.add(
            ExternalAward(
                entry_id=published.entries[index].id,
                level=CompetitionLevel.NATIONAL,
                body="Trung ương Hội LHPN Việt Nam",
                prize="Giải Khuyến khích toàn quốc",
                year=2026,
                recorded_by_id=published.organiser.id,
            )
        )
    db.session.commit()
    response = client.get(results_url(published), headers=EN)
    page = text(response)
    assert "Won at higher rounds" in page
    assert page.count("Giải Khuyến khích toàn quốc") == 2
    assert "National" in page
    assert "Vàng Thị Mỷ" not in response.get_data(as_text=True)


def test_the_competition_page_links_to_published_results_only(client, awards_world):
    url = f"/competitions/{awards_world.competition.id}"
    link = f'href="{results_url(awards_world)}"'
    assert link not in client.get(url).get_data(as_text=True)
    db.session.add(
        AwardDecision(
            competition_id=awards_world.competition.id,
            status=DecisionStatus.PUBLISHED,
            published_at=utcnow(),
        )
    )
    db.session.commit()
    assert link in client.get(url).get_data(as_text=True)


def test_both_languages_render(client, published):
    for url in (results_url(published), "/winners"):
        vi = client.get(url)
        assert vi.status_code == 200
        assert '<html lang="vi">' in vi.get_data(as_text=True)
        assert "10.000.000 ₫" in text(vi) or url == "/winners"
        en = client.get(url, headers=EN)
        assert en.status_code == 200
        assert '<html lang="en">' in en.get_data(as_text=True)
        assert "Winners" in text(en)


# --- The gallery ---------------------------------------------------------------------------------


def test_the_navigation_links_to_the_gallery(client, app):
    html = client.get("/", headers=EN).get_data(as_text=True)
    assert 'href="/winners"' in html


def test_the_gallery_lists_winners_with_a_count(client, published):
    page = text(client.get("/winners", headers=EN))
    assert "11 prizes" in page
    assert "Ý tưởng số 1 Giải Nhất" in page
    assert "Lò Thị Hương" in page
    assert "Name not published" in page


def test_the_gallery_filters_are_a_labelled_get_form(client, published):
    html = client.get("/winners", headers=EN).get_data(as_text=True)
    assert '<form method="get" action="/winners"' in html
    for name in ("year", "province", "category", "level"):
        assert f'<label class="form-label" for="{name}">' in html
        assert f'<select class="form-select" id="{name}" name="{name}"' in html
    assert "<script>" not in html.split("<main", 1)[1].split("</main>")[0]


def test_the_gallery_filters_by_query_string(client, published, units):
    publish_other(units, "sa_pa", level=CompetitionLevel.COMMUNE, category=None, title="Rèn dao")
    lao_cai = units["lao_cai"].id
    page = text(client.get(f"/winners?province={lao_cai}&level=commune&category=other", headers=EN))
    assert "1 prize" in page and "Rèn dao" in page and "Ý tưởng số 1" not in page
    page = text(
        client.get(f"/winners?year={published.competition.year}&level=provincial", headers=EN)
    )
    assert "11 prizes" in page and "Rèn dao" not in page
    # The chosen filter stays chosen.
    html = client.get(f"/winners?province={lao_cai}", headers=EN).get_data(as_text=True)
    assert f'<option selected value="{lao_cai}">Lào Cai</option>' in html


def test_bad_filter_values_get_a_clear_400_never_a_500(client, published):
    response = client.get(
        "/winners?year=abc&province=xyz&category=%3Cscript%3E&level=world&page=-1", headers=EN
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<script>" not in html.split("<main", 1)[1]
    page = text(response)
    assert "There are no published results for the year “abc”; all years are shown." in page
    assert "“xyz” is not a province in the list" in page
    assert "“<script>” is not a category in the list" in page
    assert "“world” is not a level in the list" in page
    assert "11 prizes" in page  # the bad filters are ignored
    for query in ("year=²", "province=³", "year=" + "9" * 5000, "level=%00x"):
        assert client.get(f"/winners?{query}").status_code == 400, query
    assert client.get("/winners?level=%00").status_code == 200  # no NUL reaches a view


def test_odd_page_numbers_show_a_page(client, published):
    for page in ("-1", "0", "abc", "99", "1e9", "99999999999999", "²", "%00"):
        response = client.get(f"/winners?page={page}", headers=EN)
        assert response.status_code == 200, page
        assert "11 prizes" in text(response)


def test_the_gallery_paginates_with_the_filters_in_the_links(client, published, units):
    publish_other(units, winners=20, title="Ý")
    lao_cai = units["lao_cai"].id
    html = client.get("/winners?level=provincial", headers=EN).get_data(as_text=True)
    assert "31 prizes" in text(client.get("/winners", headers=EN))
    assert html.count('class="card h-100"') == 24
    assert "page=2" in html and "level=provincial" in html
    second = client.get("/winners?level=provincial&page=2", headers=EN).get_data(as_text=True)
    assert second.count('class="card h-100"') == 7
    assert client.get(f"/winners?province={lao_cai}", headers=EN).status_code == 200


def test_an_empty_gallery_says_so(client, app):
    response = client.get("/winners", headers=EN)
    assert response.status_code == 200
    assert "No winners match these filters." in text(response)
