"""Who may read the union's figures: staff (each her own units; an admin the whole country);
applicants and judges get 403, visitors are sent to log in."""

import pytest

from portal.auth.models import Role
from portal.extensions import db
from portal.figures.models import FigureTarget
from tests.conftest import check_access
from tests.factories import UserFactory
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "admin", "other_organiser"}
ROUTES = [
    ("GET", "/figures", STAFF),
    ("GET", "/figures/entries", STAFF),
    ("GET", "/figures/report", STAFF),
    ("GET", "/figures/report.docx", STAFF),
    ("GET", "/figures/report.xlsx", STAFF),
    ("GET", "/figures/targets", STAFF),
    ("POST", "/figures/targets", STAFF),  # an empty form: the page again, with its messages
    ("POST", "/figures/targets/1/remove", {"organiser", "admin"}),
]
ROLES = ["anonymous", "applicant", "judge", *sorted(STAFF)]


def make_people(published, units):
    db.session.add(
        FigureTarget(
            unit_id=published.competition.unit_id,
            indicator="entries",
            first_year=2026,
            last_year=2030,
            figure=135,
            yearly=True,
            set_by_id=published.organiser.id,
        )
    )
    return {
        "applicant": published.applicants[0],
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": published.organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }


@pytest.fixture
def people(published, units):
    return cached(make_people, published, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_figures_access(client, people, role, method, url, allowed):
    check_access(client, people, role, method, url, allowed)
