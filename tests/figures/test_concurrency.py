"""The targets form sent twice at the same moment against the live server on PostgreSQL (a
double tap, two organisers setting the same target): one target, set once."""

from functools import partial

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.figures.models import FigureTarget
from tests.concurrency import Visitor, at_once
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("frozen_time")


def test_a_target_set_twice_at_once_is_one_target(published, concurrent_server):
    organiser = Visitor(concurrent_server)
    organiser.log_in(published.organiser.email, PASSWORD)
    second = Visitor(concurrent_server)
    second.log_in(published.second_organiser.email, PASSWORD)
    fields = organiser.form("/figures/targets", "/figures/targets") | {
        "unit": str(published.competition.unit_id),
        "indicator": "entries",
        "first_year": "2026",
        "last_year": "2030",
        "figure": "135",
        "yearly": "y",
    }
    others = (
        second.form("/figures/targets", "/figures/targets")
        | fields
        | {"csrf_token": second.form("/figures/targets", "/figures/targets")["csrf_token"]}
    )
    answers = at_once(
        [partial(organiser.post, "/figures/targets", fields)] * 3
        + [partial(second.post, "/figures/targets", others)] * 3
    )
    assert {a.status for a in answers} == {302}
    db.session.expire_all()
    targets = db.session.scalars(sa.select(FigureTarget)).all()
    assert [(t.indicator, t.figure, t.yearly) for t in targets] == [("entries", 135, True)]
