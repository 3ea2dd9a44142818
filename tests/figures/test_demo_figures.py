"""The demo's figures for Lào Cai, recomputed here by SQL written apart from the indicators,
equal the dashboard's: if a definition drifts from what the records say, this fails."""

import html
import re

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.core import cache
from portal.demo.services import load_demo
from portal.extensions import db
from tests.conftest import login
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026

FIRST, LAST = 2020, 2026
UNITS = (
    "(SELECT id FROM unit WHERE name LIKE '%Lào Cai' AND parent_id IS NULL"
    " UNION SELECT id FROM unit WHERE parent_id IN"
    " (SELECT id FROM unit WHERE name LIKE '%Lào Cai' AND parent_id IS NULL))"
)
COMPETITIONS = (
    f"SELECT id FROM competition WHERE unit_id IN {UNITS} AND year BETWEEN {FIRST} AND {LAST}"
    " AND status <> 'draft'"
)
ENTRIES = (
    f"FROM entry WHERE competition_id IN ({COMPETITIONS}) AND first_submitted_at IS NOT NULL"
    " AND status <> 'withdrawn'"
)
AWARDS = (
    f"FROM award WHERE competition_id IN ({COMPETITIONS}) AND entry_id IS NOT NULL"
    " AND issued_at IS NOT NULL AND status = 'active'"
)
PROJECTS = f"FROM supported_project WHERE unit_id IN {UNITS} AND year BETWEEN {FIRST} AND {LAST}"
LOANS = (
    "FROM loan JOIN support_agreement a ON a.id = loan.agreement_id"
    " JOIN supported_project p ON p.id = a.project_id"
    f" WHERE p.unit_id IN {UNITS} AND loan.disbursed_on BETWEEN '{FIRST}-01-01' AND '{LAST}-12-31'"
)
TRANCHES = (
    "FROM grant_tranche t JOIN support_agreement a ON a.id = t.agreement_id"
    " JOIN supported_project p ON p.id = a.project_id"
    f" WHERE p.unit_id IN {UNITS} AND t.status = 'paid'"
    f" AND t.paid_on BETWEEN '{FIRST}-01-01' AND '{LAST}-12-31'"
)
EXPECTED = {
    "competitions": f"SELECT count(*) FROM ({COMPETITIONS}) c",
    "entries": f"SELECT count(*) {ENTRIES}",
    "women": f"SELECT count(DISTINCT applicant_id) {ENTRIES}",
    "prizes": f"SELECT count(*) {AWARDS}",
    "prize_money": f"SELECT coalesce(sum(cash_value), 0) {AWARDS}",
    "projects": f"SELECT count(*) {PROJECTS}",
    "loans": f"SELECT count(*) {LOANS}",
    "loan_money": f"SELECT coalesce(sum(loan.principal), 0) {LOANS}",
    "grants": f"SELECT coalesce(sum(t.amount), 0) {TRANCHES}",
}


@pytest.fixture
def demo(app):
    cached(load_demo)


def shown(page: str, code: str) -> int:
    figure = re.search(rf'id="figure-{code}">([^<]+)<', page).group(1)
    return int(re.sub(r"\D", "", figure) or 0)


def test_the_dashboard_of_lao_cai_equals_independent_sql(demo, client):
    organiser = db.session.scalar(
        sa.select(User).where(User.email == "tochuc.laocai@demo.hoilhpn.vn")
    )
    login(client, organiser, password="demo-portal-2026")
    page = html.unescape(client.get(f"/figures?from={FIRST}&to={LAST}").get_data(as_text=True))
    found = {code: shown(page, code) for code in EXPECTED}
    expected = {code: db.session.scalar(sa.text(sql)) for code, sql in EXPECTED.items()}
    assert found == expected
    assert expected["entries"] > 0 and expected["loans"] > 0 and expected["grants"] > 0


def test_the_kept_figures_read_only_the_tables_whose_changes_empty_the_cache(
    demo, client, monkeypatch
):
    """The cache is emptied by a change to a table the kept figures read (`cache.FIGURE_TABLES`),
    and by no other: every page that keeps figures is asked here, and the tables named by the SQL
    of each computation kept are listed. A new figure reading a new table fails here until the
    table is added there."""
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.hoilhpn.vn"))
    login(client, admin, password="demo-portal-2026")
    read: set[str] = set()
    computed: list[str] = []
    remember = cache.remember

    def note(conn, cursor, statement, *args):
        read.update(re.findall(r'\b(?:FROM|JOIN)\s+"?(\w+)', statement, flags=re.IGNORECASE))

    def listening(parts, compute):
        def compute_and_note():
            computed.append(parts[0])
            sa.event.listen(db.engine, "before_cursor_execute", note)
            try:
                return compute()
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", note)

        return remember(parts, compute_and_note)

    monkeypatch.setattr(cache, "remember", listening)
    year = 2025
    for url in (
        f"/figures?from={FIRST}&to={LAST}",
        f"/figures/report?from={FIRST}&to={LAST}",
        "/open-data",
        f"/projects/?year={year}",
        "/projects/",
        "/projects/follow-up",
        "/capital/portfolio",
    ):
        assert client.get(url).status_code == 200, url
    assert set(computed) == {
        "dashboard",
        "report",
        "open-data",
        "projects-list",
        "project-filters",
        "follow-up-totals",
        "portfolio",
    }
    assert read & set(db.metadata.tables) <= cache.FIGURE_TABLES
    assert {"entry", "loan_repayment_part", "household_status_record", "award_decision"} <= read
