from unittest import mock

import sqlalchemy as sa

from portal.extensions import db


def test_home_says_what_the_portal_is_and_that_no_competition_is_open(client):
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Women's start-up ideas" in page
    assert "No competition is open for entries at the moment" in page


def test_home_is_in_vietnamese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.get_data(as_text=True)


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch.object(
        db.session, "execute", side_effect=sa.exc.OperationalError("x", {}, None)
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"
