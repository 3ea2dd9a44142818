"""The OpenAPI document is valid OpenAPI 3, describes exactly the routes under /api/v1, and the
API answers as it says: schemathesis sends it generated calls with a valid token and checks
that none is a 500 and every answer matches its schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

from portal.api import openapi
from tests.api.conftest import bearer

pytestmark = pytest.mark.usefixtures("frozen_time")


def test_the_document_is_valid_openapi(client):
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    assert document == openapi.document()


def test_the_document_and_the_routes_are_the_same(app, client):
    documented = set(client.get("/api/v1/openapi.json").json["paths"])
    routes = {
        rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert documented == routes


def test_every_answer_matches_the_document(app, published, issue):
    """Generated calls to every operation (a valid token, a published competition and its
    projects in the database): no 500, every answer as the document says."""
    app.config["API_LIMIT"] = "100000 per minute"  # generated calls come fast
    # The WSGI transport sends a browser's Accept-Encoding but decodes nothing: ask for the
    # plain body, as a client without brotli would.
    headers = {**bearer(issue()), "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5  # all but the document itself
    try:
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=15,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case):
                case.call_and_validate(headers=headers)

            check()
    finally:
        app.config["API_LIMIT"] = "120 per minute"
