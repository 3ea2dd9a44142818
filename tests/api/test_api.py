"""The API: a token is needed, a revoked one is refused, a province's token reads only its
province; every call is logged; the limit per token answers 429 in JSON; a winner is named only
where she consented; bad parameters get a 400 with the reason, never a 500; the figures are the
dashboard's."""

import hashlib
import re

import pytest
import sqlalchemy as sa

from portal.api import services as tokens
from portal.api.models import ApiCall, ApiToken
from portal.extensions import db
from portal.figures import indicators as figures
from portal.figures.measures import Scope, units_within
from tests.api.conftest import bearer
from tests.factories import project_of

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026


def calls() -> list[tuple[str, int]]:
    return [(c.path, c.status) for c in db.session.scalars(sa.select(ApiCall).order_by(ApiCall.id))]


def test_no_token_a_wrong_one_or_a_revoked_one_is_refused(client, published, issue, admin):
    assert client.get("/api/v1/competitions").status_code == 401
    answer = client.get("/api/v1/competitions", headers={"Authorization": "Bearer nonsense"})
    assert answer.status_code == 401
    assert answer.json["status"] == 401 and "Bearer" in answer.headers["WWW-Authenticate"]
    assert (
        client.get("/api/v1/competitions", headers={"Authorization": "Basic x"}).status_code == 401
    )
    secret = issue()
    assert client.get("/api/v1/competitions", headers=bearer(secret)).status_code == 200
    token = db.session.scalar(sa.select(ApiToken))
    # Only the hash is kept: the secret is nowhere in the database.
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(db.session.execute(sa.select(ApiToken.__table__)).all())
    tokens.revoke_token(admin, token)
    refused = client.get("/api/v1/competitions", headers=bearer(secret))
    assert refused.status_code == 401
    assert calls() == [("/api/v1/competitions", 200), ("/api/v1/competitions", 401)]


def test_a_provinces_token_reads_only_its_province(client, published, units, issue):
    dien_bien, lao_cai = issue(units["dien_bien"].id), issue(units["lao_cai"].id)
    mine = client.get("/api/v1/competitions", headers=bearer(dien_bien)).json
    assert [c["id"] for c in mine["items"]] == [published.competition.id]
    assert client.get("/api/v1/competitions", headers=bearer(lao_cai)).json["items"] == []
    results = f"/api/v1/competitions/{published.competition.id}/results"
    assert client.get(results, headers=bearer(lao_cai)).status_code == 404
    other = client.get(f"/api/v1/indicators?unit={units['dien_bien'].id}", headers=bearer(lao_cai))
    assert other.status_code == 403
    # A commune of its province is its own.
    sa_pa = client.get(f"/api/v1/indicators?unit={units['sa_pa'].id}", headers=bearer(lao_cai))
    assert sa_pa.status_code == 200
    assert len(client.get("/api/v1/projects", headers=bearer(dien_bien)).json["items"]) == 10
    assert client.get("/api/v1/projects", headers=bearer(lao_cai)).json["total"] == 0
    country = client.get("/api/v1/projects?per_page=3&page=2", headers=bearer(issue())).json
    assert (country["total"], country["page"], len(country["items"])) == (10, 2, 3)


def test_a_winner_is_named_only_where_she_consented(client, published, issue):
    secret = issue()
    results = client.get(
        f"/api/v1/competitions/{published.competition.id}/results", headers=bearer(secret)
    ).json
    named = {a["entry_title"]: a["winner_name"] for p in results["prizes"] for a in p["awards"]}
    for entry in published.entries:
        if entry.title in named:
            expected = entry.applicant.full_name if entry.consent_publish else None
            assert named[entry.title] == expected, entry.title
    assert None in named.values() and any(named.values())
    projects = client.get("/api/v1/projects?per_page=100", headers=bearer(secret)).json["items"]
    for item in projects:
        project = db.session.get(type(project_of(published.entries[0])), item["id"])
        assert item["owner_name"] == (
            project.owner.full_name if project.entry.consent_publish else None
        )


def test_bad_parameters_get_a_400_with_the_reason(client, published, issue):
    secret = issue()
    for url in (
        "/api/v1/competitions?page=0",
        "/api/v1/competitions?per_page=1000",
        "/api/v1/projects?page=abc",
        "/api/v1/indicators?from=1999",
        "/api/v1/indicators?to=2101",
        "/api/v1/indicators?unit=x",
        "/api/v1/open/indicators?year=3000",
    ):
        answer = client.get(url, headers=bearer(secret))
        assert answer.status_code == 400, url
        assert answer.json["error"], url
    missing = client.get("/api/v1/competitions/999999/results", headers=bearer(secret))
    assert missing.status_code == 404 and missing.json["status"] == 404
    assert client.get("/api/v1/indicators?unit=999999", headers=bearer(secret)).status_code == 404
    either = client.get("/api/v1/indicators?from=2026&to=2025", headers=bearer(secret)).json
    assert (either["from"], either["to"]) == (2025, 2026)


def test_too_many_calls_get_429_in_json_and_are_logged(app, client, published, issue):
    app.config["API_LIMIT"] = "3 per minute"
    try:
        secret = issue()
        answers = [client.get("/api/v1/competitions", headers=bearer(secret)) for _ in range(4)]
    finally:
        app.config["API_LIMIT"] = "120 per minute"
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json["status"] == 429
    assert [status for _path, status in calls()] == [200, 200, 200, 429]


def test_the_figures_are_the_dashboards_in_her_language(client, published, units, issue):
    year = published.competition.year
    secret = issue(units["dien_bien"].id)
    answer = client.get(f"/api/v1/indicators?from={year}&to={year}", headers=bearer(secret)).json
    expected = figures.values(Scope(units_within([units["dien_bien"].id]), year, year))
    assert {i["code"]: i["value"] for i in answer["indicators"]} == {
        code: float(v) if not isinstance(v, int) else v for code, v in expected.items()
    }
    names = {i["code"]: i["name"] for i in answer["indicators"]}
    assert names["entries"] == "Ý tưởng dự thi"  # Vietnamese by default
    english = client.get(f"/api/v1/indicators?from={year}&lang=en", headers=bearer(secret)).json
    assert {i["code"]: i["name"] for i in english["indicators"]}["entries"] == "Ideas submitted"


def test_open_data_needs_no_token_and_names_no_one(client, published, units):
    year = published.competition.year
    answer = client.get(f"/api/v1/open/indicators?year={year}")
    assert answer.status_code == 200
    rows = {p["name"]: p["values"] for p in answer.json["provinces"]}
    assert rows["Điện Biên"]["entries"] == 12 and rows["Lào Cai"]["entries"] == 0
    page = client.get(f"/open-data?year={year}").get_data(as_text=True)
    assert "Điện Biên" in page and re.search(r">12<", page)
    csv = client.get(f"/open-data.csv?year={year}").get_data(as_text=True)
    assert csv.splitlines()[0].startswith("\ufeffMã tỉnh")
    for applicant in published.applicants:
        assert applicant.full_name not in page + csv + answer.get_data(as_text=True)
    assert calls() == []  # no token, nothing logged


def test_a_list_runs_the_same_queries_whatever_its_length(client, published, issue):
    secret = issue()

    def queries(url: str) -> int:
        statements = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listen)
        try:
            assert client.get(url, headers=bearer(secret)).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listen)
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    for url in ("/api/v1/projects", "/api/v1/competitions"):
        assert queries(f"{url}?per_page=1") == queries(f"{url}?per_page=10"), url
