"""The confirmation of an import sent at the same moment, against the live server on PostgreSQL:
the same form four times is one import; two organisers importing the same period at once make
one import, the other told the period changed (409), never two imports in force."""

from functools import partial

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.extensions import db
from portal.figures.credit.models import CreditGroupFigures, CreditImport
from portal.figures.credit.sheet import lines_to_json
from tests.concurrency import Visitor, at_once
from tests.factories import PASSWORD, UserFactory
from tests.figures.credit.sheets import lines, rows_of

pytestmark = pytest.mark.usefixtures("frozen_time")

NEW = "/figures/credit/imports/new"
CONFIRM = "/figures/credit/imports/confirm"


def tab(server, email) -> Visitor:
    visitor = Visitor(server)
    visitor.log_in(email, PASSWORD)
    return visitor


def confirmation(visitor: Visitor, unit, key: str) -> dict:
    """The confirmation the preview would send (with this tab's CSRF token)."""
    return visitor.form(NEW) | {
        "unit": str(unit.id),
        "period": "2026-03-31",
        "file_name": "ToTKVV_Q1.xlsx",
        "lines": lines_to_json(lines(rows_of({}, {"group": "Tổ TK&VV bản Na Hai"}))),
        "replaces": "",
        "reason": "",
        "form_key": key,
    }


def counts() -> tuple[int, int]:
    db.session.remove()
    return (
        db.session.scalar(sa.select(sa.func.count(CreditImport.id))),
        db.session.scalar(sa.select(sa.func.count(CreditGroupFigures.id))),
    )


def test_the_same_confirmation_four_times_at_once_imports_once(units, concurrent_server):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    visitor = tab(concurrent_server, organiser.email)
    fields = confirmation(visitor, units["dien_bien"], "7" * 32)
    answers = at_once([partial(visitor.post, CONFIRM, fields)] * 4)
    assert {a.status for a in answers} <= {302, 409}
    assert counts() == (1, 2)


def test_two_organisers_importing_the_same_period_at_once_make_one_import(units, concurrent_server):
    first = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    second = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    calls = []
    for n, person in enumerate((first, second)):
        visitor = tab(concurrent_server, person.email)
        fields = confirmation(visitor, units["dien_bien"], str(n + 1) * 32)
        calls.append(partial(visitor.post, CONFIRM, fields))
    answers = at_once(calls)
    assert sorted(a.status for a in answers) == [302, 409]
    assert counts() == (1, 2)
