"""The entrusted-credit figures against hand-built imports: a stock, not a sum of periods — each
commune as of the latest period within the years, from the province's sheet or its own; a
replaced import does not count, its replacement does; each figure is the aggregate of the records
its page lists."""

import html
import re
from datetime import date

import pytest
from flask_babel import force_locale

from portal.extensions import db
from portal.figures.credit.indicators import CREDIT_INDICATORS, groups, groups_by_rating
from portal.figures.measures import Scope, units_within
from tests.conftest import login
from tests.figures.credit.sheets import Q1_2026, Q4_2025, import_rows, people, rows_of

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026

BY_CODE = {indicator.code: indicator for indicator in CREDIT_INDICATORS}
A = {
    "group": "Tổ A",
    "members": "30",
    "borrowers": "20",
    "outstanding": "100000000",
    "overdue": "10000000",
    "savings": "5000000",
    "rating": "Tốt",
}
B = {
    "commune": "Phường Điện Biên Phủ",
    "group": "Tổ B",
    "members": "40",
    "borrowers": "25",
    "outstanding": "200000000",
    "overdue": "0",
    "savings": "8000000",
    "rating": "Khá",
}
C = {
    "group": "Tổ C",
    "members": "15",
    "borrowers": "10",
    "outstanding": "50000000",
    "overdue": "0",
    "savings": "2000000",
    "rating": "Yếu",
}


def figures(scope: Scope) -> dict[str, int]:
    return {
        i.code: int(db.session.scalar(i.measure(i.records(scope))) or 0) for i in CREDIT_INDICATORS
    }


def scope(units, *names, first=2026, last=None) -> Scope:
    return Scope(units_within([units[n].id for n in names]), first, last or first)


def test_a_range_of_years_takes_each_communes_latest_period_not_a_sum(units):
    organiser = people(units).province
    import_rows(organiser, units["dien_bien"], Q4_2025, rows_of(A, B))
    # The first quarter's sheet leaves Phường Điện Biên Phủ out: no group there that period.
    import_rows(
        organiser, units["dien_bien"], Q1_2026, rows_of(A | {"outstanding": "110000000"}, C)
    )
    assert figures(scope(units, "dien_bien", first=2025)) == {
        "credit_outstanding": 300_000_000,
        "credit_overdue": 10_000_000,
        "credit_borrowers": 45,
        "credit_groups": 2,
        "credit_members": 70,
        "credit_savings": 13_000_000,
    }
    in_2026 = {
        "credit_outstanding": 160_000_000,
        "credit_overdue": 10_000_000,
        "credit_borrowers": 30,
        "credit_groups": 2,
        "credit_members": 45,
        "credit_savings": 7_000_000,
    }
    assert figures(scope(units, "dien_bien")) == in_2026
    assert figures(scope(units, "dien_bien", first=2025, last=2026)) == in_2026
    assert set(figures(scope(units, "dien_bien", first=2024)).values()) == {0}
    assert set(figures(scope(units, "lao_cai", first=2025, last=2026)).values()) == {0}


def test_a_replaced_import_does_not_count_its_replacement_does(units):
    organiser = people(units).province
    first = import_rows(organiser, units["dien_bien"], Q1_2026, rows_of(A, B)).written
    assert figures(scope(units, "dien_bien"))["credit_outstanding"] == 300_000_000
    import_rows(
        organiser,
        units["dien_bien"],
        Q1_2026,
        rows_of(A | {"outstanding": "90000000"}, B),
        replaces_id=first.id,
        reason="Ngân hàng sửa số liệu tổ A.",
    )
    found = figures(scope(units, "dien_bien"))
    assert found["credit_outstanding"] == 290_000_000 and found["credit_groups"] == 2
    assert sorted(g.outstanding for g in db.session.scalars(groups(scope(units, "dien_bien")))) == [
        90_000_000,
        200_000_000,
    ]


def test_a_communes_own_later_figures_take_over_for_that_commune_only(units):
    team = people(units)
    import_rows(team.province, units["dien_bien"], Q1_2026, rows_of(A, B))
    import_rows(
        team.commune,
        units["muong_phang"],
        date(2026, 4, 30),
        rows_of(A | {"outstanding": "130000000"}, C),
    )
    province = figures(scope(units, "dien_bien"))
    assert province["credit_outstanding"] == 130_000_000 + 50_000_000 + 200_000_000
    assert province["credit_groups"] == 3
    commune = figures(scope(units, "muong_phang"))
    assert commune["credit_outstanding"] == 180_000_000 and commune["credit_groups"] == 2
    assert figures(scope(units, "dien_bien_phu"))["credit_outstanding"] == 200_000_000
    # The year before April, the province's sheet is all there is.
    assert figures(Scope(None, 2026, 2026))["credit_outstanding"] == 380_000_000


def test_the_whole_country_adds_the_provinces(units):
    team = people(units)
    import_rows(team.province, units["dien_bien"], Q1_2026, rows_of(A))
    import_rows(team.other, units["lao_cai"], Q4_2025, rows_of(A | {"commune": "Phường Sa Pa"}))
    assert figures(Scope(None, 2026, 2026))["credit_outstanding"] == 100_000_000
    assert figures(Scope(None, 2025, 2026))["credit_outstanding"] == 200_000_000


def test_groups_by_rating_counts_every_rating_in_order(units):
    organiser = people(units).province
    import_rows(organiser, units["dien_bien"], Q1_2026, rows_of(A, B, C, C | {"group": "Tổ D"}))
    with force_locale("en"):
        assert groups_by_rating(scope(units, "dien_bien")) == [
            ("Good", 1),
            ("Fair", 1),
            ("Average", 0),
            ("Weak", 2),
        ]
    assert [n for _, n in groups_by_rating(scope(units, "lao_cai"))] == [0, 0, 0, 0]


def test_each_figure_links_to_the_groups_it_counts(client, units):
    organiser = people(units).province
    import_rows(organiser, units["dien_bien"], Q1_2026, rows_of(A, B))
    login(client, organiser)
    page = client.get("/figures/credit_outstanding?from=2026&to=2026")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    table = text[text.index('id="records"') :]
    assert len(re.findall(r"<tr>", table)) == 3  # the header and the two groups
    assert "Tổ A" in table and "Tổ B" in table and "Phường Điện Biên Phủ" in table
    assert "VND\xa0200,000,000" in table  # she reads English
    assert client.get("/figures/credit_groups?from=2025&to=2025").status_code == 200
