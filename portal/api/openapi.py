"""The OpenAPI 3.0 document of /api/v1: written here beside the routes it describes, and held to
them by a test (every route in the document, every documented path a route) and by schemathesis
(every answer matches its schema)."""

from portal.figures import indicators as figures


def _error() -> dict:
    return {
        "description": "",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _errors(*codes: int) -> dict:
    reasons = {
        400: "A parameter cannot be read.",
        401: "No token, an unknown token or a revoked one.",
        403: "The token does not read that unit.",
        404: "No such record for this token.",
        429: "Too many calls: wait a minute.",
    }
    return {str(code): {**_error(), "description": reasons[code]} for code in codes}


def _ok(schema: str, description: str) -> dict:
    return {
        "200": {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }
    }


def _param(name: str, description: str, minimum: int, maximum: int) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "integer", "minimum": minimum, "maximum": maximum},
    }


PAGING = [
    _param("page", "The page, from 1.", 1, 100_000),
    _param("per_page", "Items per page, at most 100 (20 by default).", 1, 100),
]
LANGUAGE = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "The language of names and definitions: vi (the default) or en.",
    "schema": {"type": "string", "enum": ["vi", "en"]},
}


def _page_of(item: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "additionalProperties": False,
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": {"type": "integer", "minimum": 0},
        },
    }


def _nullable(kind: str) -> dict:
    return {"type": kind, "nullable": True}


def document() -> dict:
    codes = [i.code for i in figures.catalogue()]
    kinds = {"type": "string", "enum": ["count", "money", "percent"]}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Women's start-up portal: the union's figures",
            "version": "1",
            "description": (
                "Read-only. A token from the union's administrators goes in "
                "`Authorization: Bearer <token>`; it reads its own province (and its communes) or "
                "the whole country. Money is in whole đồng; a percent is a number of per cent. "
                "A winner's name is given only where she consented to publish it."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/competitions": {
                "get": {
                    "operationId": "competitions",
                    "summary": "The competitions of the token's units, newest first.",
                    "parameters": PAGING + [LANGUAGE],
                    "responses": {
                        **_ok("CompetitionPage", "A page of competitions."),
                        **_errors(400, 401, 429),
                    },
                }
            },
            "/competitions/{competition_id}/results": {
                "get": {
                    "operationId": "results",
                    "summary": "A competition's published results.",
                    "parameters": [
                        {
                            "name": "competition_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 2_147_483_647},
                        },
                        LANGUAGE,
                    ],
                    "responses": {
                        **_ok("Results", "The prizes and who won them."),
                        **_errors(401, 404, 429),
                    },
                }
            },
            "/projects": {
                "get": {
                    "operationId": "projects",
                    "summary": "The winners' projects the token's units follow.",
                    "parameters": PAGING + [LANGUAGE],
                    "responses": {
                        **_ok("ProjectPage", "A page of projects."),
                        **_errors(400, 401, 429),
                    },
                }
            },
            "/indicators": {
                "get": {
                    "operationId": "indicators",
                    "summary": "Every figure of a unit for a range of years.",
                    "parameters": [
                        _param(
                            "unit",
                            "A unit the token reads (its province by default).",
                            1,
                            2_147_483_647,
                        ),
                        _param("from", "The first year (this year by default).", 2000, 2100),
                        _param(
                            "to", "The last year (the first by default; either order).", 2000, 2100
                        ),
                        LANGUAGE,
                    ],
                    "responses": {
                        **_ok("Indicators", "The figures, each with its definition."),
                        **_errors(400, 401, 403, 404, 429),
                    },
                }
            },
            "/open/indicators": {
                "get": {
                    "operationId": "openIndicators",
                    "summary": "Open data: every province's figures for a year, without a token.",
                    "security": [],
                    "parameters": [
                        _param("year", "The year (this year by default).", 2000, 2100),
                        LANGUAGE,
                    ],
                    "responses": {
                        **_ok("OpenIndicators", "The figures by province."),
                        **_errors(400, 429),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "status"],
                    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
                },
                "Competition": {
                    "type": "object",
                    "required": ["id", "title", "year", "level", "level_name", "unit", "status"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "year": {"type": "integer"},
                        "level": {
                            "type": "string",
                            "enum": ["commune", "provincial", "regional", "national"],
                        },
                        "level_name": {"type": "string"},
                        "unit": {"type": "string"},
                        "status": {"type": "string"},
                    },
                },
                "CompetitionPage": _page_of("Competition"),
                "Award": {
                    "type": "object",
                    "required": ["entry_title", "category", "commune", "winner_name"],
                    "additionalProperties": False,
                    "properties": {
                        "entry_title": {"type": "string"},
                        "category": {"type": "string"},
                        "commune": {"type": "string"},
                        "winner_name": {
                            **_nullable("string"),
                            "description": "Only where she consented to publish her name.",
                        },
                    },
                },
                "Results": {
                    "type": "object",
                    "required": ["competition", "prizes"],
                    "additionalProperties": False,
                    "properties": {
                        "competition": {"$ref": "#/components/schemas/Competition"},
                        "prizes": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["prize", "cash_value", "in_kind", "awards"],
                                "additionalProperties": False,
                                "properties": {
                                    "prize": {"type": "string"},
                                    "cash_value": {"type": "integer", "minimum": 0},
                                    "in_kind": {"type": "string"},
                                    "awards": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Award"},
                                    },
                                },
                            },
                        },
                    },
                },
                "Project": {
                    "type": "object",
                    "required": [
                        "id",
                        "title",
                        "year",
                        "unit",
                        "commune",
                        "category",
                        "legal_form",
                        "owner_name",
                    ],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "year": {"type": "integer"},
                        "unit": {"type": "string"},
                        "commune": _nullable("string"),
                        "category": _nullable("string"),
                        "legal_form": {
                            "type": "string",
                            "nullable": True,
                            "enum": [
                                "household_business",
                                "cooperative_group",
                                "cooperative",
                                "enterprise",
                                None,
                            ],
                        },
                        "owner_name": {
                            **_nullable("string"),
                            "description": "Only where she consented to publish her name.",
                        },
                    },
                },
                "ProjectPage": _page_of("Project"),
                "Indicator": {
                    "type": "object",
                    "required": ["code", "name", "definition", "kind", "value"],
                    "additionalProperties": False,
                    "properties": {
                        "code": {"type": "string", "enum": codes},
                        "name": {"type": "string"},
                        "definition": {"type": "string"},
                        "kind": kinds,
                        "value": {"type": "number", "minimum": 0},
                    },
                },
                "Indicators": {
                    "type": "object",
                    "required": ["unit", "from", "to", "indicators"],
                    "additionalProperties": False,
                    "properties": {
                        "unit": _nullable("integer"),
                        "from": {"type": "integer"},
                        "to": {"type": "integer"},
                        "indicators": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Indicator"},
                        },
                    },
                },
                "OpenIndicators": {
                    "type": "object",
                    "required": ["year", "indicators", "provinces"],
                    "additionalProperties": False,
                    "properties": {
                        "year": {"type": "integer"},
                        "indicators": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["code", "name", "kind"],
                                "properties": {
                                    "code": {"type": "string"},
                                    "name": {"type": "string"},
                                    "kind": kinds,
                                },
                            },
                        },
                        "provinces": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["code", "name", "values"],
                                "properties": {
                                    "code": {"type": "integer"},
                                    "name": {"type": "string"},
                                    "values": {
                                        "type": "object",
                                        "additionalProperties": {"type": "number", "minimum": 0},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    }
