"""The read-only JSON API at /api/v1 for the central union and partners: a token in
`Authorization: Bearer …` on every call (issued by an admin, bounded to a unit), every call
logged, a rate limit per token. The public open data (/api/v1/open/…) needs no token.
The OpenAPI document (`openapi.py`) describes exactly these routes; a test holds them together."""

import hashlib
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from portal.api import bp, openapi
from portal.api import services as tokens
from portal.api.models import ApiToken
from portal.awards.publication import public
from portal.competitions.models import Competition, CompetitionStatus
from portal.core.security import client_ip
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db, limiter
from portal.figures import indicators as figures
from portal.figures import open_data
from portal.figures.measures import Scope, units_within
from portal.projects.models import SupportedProject
from portal.units.models import Unit

PUBLIC = ("api.openapi_document", "api.open_indicators")
MAX_PER_PAGE = 100
FIRST_YEAR = 2000


class BadRequest(Exception):
    """A parameter the API cannot read: 400 with the reason."""

    def __init__(self, message: str):
        self.message = message


def _rate_key() -> str:
    """Each token counts on its own (by its secret's hash); calls without one by address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api:" + hashlib.sha256(header.encode()).hexdigest()[:32]
    return "api-anonymous:" + (request.remote_addr or "")


limiter.limit(lambda: current_app.config["API_LIMIT"], key_func=_rate_key)(bp)


def _error(status: int, message: str):
    response = jsonify(error=message, status=status)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _space, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


@bp.before_request
def check_token():
    if request.endpoint in PUBLIC:
        return None
    token = tokens.token_for(_secret())
    g.api_token = token
    if token is None:
        return _error(401, _("A valid API token is needed: Authorization: Bearer <token>."))
    if not token.active:
        return _error(401, _("This API token was revoked."))
    return None


@bp.after_request
def log_call(response):
    token = g.get("api_token")
    if token is None and request.endpoint not in PUBLIC:
        token = tokens.token_for(_secret())  # refused before the check (the rate limit)
    if token is not None:
        tokens.log_call(
            token,
            request.method,
            request.full_path.rstrip("?"),
            response.status_code,
            client_ip() or "",
            utcnow(),
        )
    return response


@bp.errorhandler(BadRequest)
def bad_request(error: BadRequest):
    return _error(400, error.message)


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadRequest(
            _(
                "“%(name)s” must be a whole number from %(low)d to %(high)d.",
                name=name,
                low=low,
                high=high,
            )
        )
    return int(raw)


def _units() -> list[int] | None:
    """The units the token reads: its province and communes; None for the whole country."""
    token: ApiToken = g.api_token
    return None if token.unit_id is None else units_within([token.unit_id])


def _page(query: sa.Select, shape) -> dict:
    page = _int("page", 1, 1, 100_000)
    per_page = _int("per_page", 20, 1, MAX_PER_PAGE)
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique()
    return {
        "items": [shape(row) for row in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
    }


def _in_units(column):
    units = _units()
    return sa.true() if units is None else column.in_(units)


@bp.route("/competitions", endpoint="competitions")
def competitions():
    query = (
        sa.select(Competition)
        .where(_in_units(Competition.unit_id), Competition.status != CompetitionStatus.DRAFT)
        .options(joinedload(Competition.unit))
        .order_by(Competition.year.desc(), Competition.id)
    )
    return jsonify(_page(query, _competition))


def _competition(c: Competition) -> dict:
    return {
        "id": c.id,
        "title": c.title,
        "year": c.year,
        "level": c.level.value,
        "level_name": c.level.label,
        "unit": c.unit.full_name,
        "status": c.status.value,
    }


@bp.route("/competitions/<int:competition_id>/results", endpoint="results")
def results(competition_id: int):
    competition = db.session.get(Competition, competition_id)
    units = _units()
    if competition is None or (units is not None and competition.unit_id not in units):
        return _error(404, _("There is no such competition for this token."))
    found = public.results_of(competition)
    if found is None:
        return _error(404, _("The results of this competition are not published."))
    return jsonify(
        {
            "competition": _competition(competition),
            "prizes": [
                {
                    "prize": prize.tier.name,
                    "cash_value": prize.cash_value,
                    "in_kind": prize.in_kind,
                    "awards": [
                        {
                            "entry_title": a.entry_title,
                            "category": a.category,
                            "commune": a.commune,
                            "winner_name": a.winner_name,  # None unless she consented
                        }
                        for a in prize.awards
                    ],
                }
                for prize in found.prizes
            ],
        }
    )


@bp.route("/projects", endpoint="projects")
def projects():
    query = (
        sa.select(SupportedProject)
        .where(_in_units(SupportedProject.unit_id))
        .options(
            joinedload(SupportedProject.entry),
            joinedload(SupportedProject.owner),
            joinedload(SupportedProject.unit),
            joinedload(SupportedProject.commune),
        )
        .order_by(SupportedProject.year.desc(), SupportedProject.id)
    )
    return jsonify(_page(query, _project))


def _project(p: SupportedProject) -> dict:
    return {
        "id": p.id,
        "title": p.title,
        "year": p.year,
        "unit": p.unit.full_name,
        "commune": p.commune.full_name if p.commune else None,
        "category": p.category_name or None,
        "legal_form": p.legal_form.value if p.legal_form else None,
        # Her name only where she consented to publish it with her entry.
        "owner_name": p.owner.full_name if p.entry.consent_publish else None,
    }


LAST_YEAR = 2100


def _years() -> tuple[int, int]:
    """From and to, either alone meaning one year, in either order (as the dashboard reads them);
    this year by default."""
    this_year = vietnam_date(utcnow()).year
    first = _int("from", 0, FIRST_YEAR, LAST_YEAR)
    last = _int("to", 0, FIRST_YEAR, LAST_YEAR)
    first, last = first or last or this_year, last or first or this_year
    return min(first, last), max(first, last)


def figure_json(indicator, figure) -> int | float:
    return float(figure) if isinstance(figure, Decimal) else int(figure)


def kind_of(indicator) -> str:
    return "money" if indicator.money else "percent" if indicator.percent else "count"


@bp.route("/indicators", endpoint="indicators")
def indicators():
    first, last = _years()
    asked = request.args.get("unit")
    units = _units()
    if asked:
        if not (asked.isascii() and asked.isdigit()) or not 0 < int(asked) < 2**31:
            raise BadRequest(_("“unit” must be the number of a unit."))
        if db.session.get(Unit, int(asked)) is None:
            return _error(404, _("There is no such unit."))
        if units is not None and int(asked) not in units:
            return _error(403, _("This token does not read the figures of that unit."))
        unit_ids = units_within([int(asked)])
    else:
        unit_ids = units
    scope = Scope(unit_ids, first, last)
    found = figures.values(scope)
    return jsonify(
        {
            "unit": int(asked) if asked else g.api_token.unit_id,
            "from": first,
            "to": last,
            "indicators": [
                {
                    "code": i.code,
                    "name": str(i.name),
                    "definition": str(i.definition),
                    "kind": kind_of(i),
                    "value": figure_json(i, found[i.code]),
                }
                for i in figures.catalogue()
            ],
        }
    )


@bp.route("/open/indicators", endpoint="open_indicators")
def open_indicators():
    """The figures of every province for a year, without a token: aggregates only."""
    year = _int("year", vietnam_date(utcnow()).year, FIRST_YEAR, LAST_YEAR)
    table = open_data.by_province(year)
    return jsonify(
        {
            "year": year,
            "indicators": [
                {"code": i.code, "name": str(i.name), "kind": kind_of(i)} for i in table.indicators
            ],
            "provinces": [
                {
                    "code": row.code,
                    "name": row.name,
                    "values": {
                        i.code: figure_json(i, row.values[i.code]) for i in table.indicators
                    },
                }
                for row in table.rows
            ],
        }
    )


@bp.route("/openapi.json", endpoint="openapi_document")
def openapi_document():
    return jsonify(openapi.document())
