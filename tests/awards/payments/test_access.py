"""Who may see and move prize money: the competition's organisers and admins; the winner sees her
own receipts; another winner, another unit's organiser, a judge and visitors may not."""

from datetime import UTC, datetime

import pytest
import time_machine

from portal.auth.models import Role
from portal.awards.payments import services as payments
from portal.core.time import to_vietnam
from portal.extensions import db
from tests.conftest import check_access, login
from tests.factories import UserFactory
from tests.snapshots import cached

NOW = datetime(2026, 5, 10, 3, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
STAFF = {"organiser", "admin"}

# (method, url template, who may use it): every route of the payments part.
ROUTES = [
    ("GET", "/awards/competitions/{competition}/payments", STAFF),
    ("GET", "/awards/{award}/payments/new", STAFF),
    ("POST", "/awards/{award}/payments/new", STAFF),
    ("GET", "/awards/payments/{payment}/reverse", STAFF),
    ("POST", "/awards/payments/{payment}/reverse", STAFF),
    ("GET", "/awards/payments/{payment}/receipt", STAFF | {"winner"}),
]
# "winner" won the award paid; "other_winner" won another prize of the same competition.
ROLES = ["anonymous", "winner", "other_winner", "judge", "organiser", "admin", "other_organiser"]


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False) as clock:
        yield clock


def make_world(published, units):
    award = published.awards[0]
    payment = payments.record_payment(
        published.organiser,
        award,
        amount=4_000_000,
        paid_on=to_vietnam(NOW).date(),
        method="bank_transfer",
        reference="UNC-001",
        receipt=(PDF, "bien-lai.pdf"),
        now=NOW,
    )
    people = {
        "winner": published.applicants[0],
        "other_winner": published.applicants[1],
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": published.second_organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }
    db.session.commit()
    ids = {"competition": published.competition.id, "award": award.id, "payment": payment.id}
    return people, ids


@pytest.fixture
def world(published, units):
    return cached(make_world, published, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_payments_access(client, world, role, method, url, allowed):
    people, ids = world
    response = check_access(client, people, role, method, url.format(**ids), allowed)
    if role not in allowed and role != "anonymous":
        assert "UNC-001" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/awards/competitions/999/payments",
        "/awards/999/payments/new",
        "/awards/payments/999/reverse",
        "/awards/payments/999/receipt",
    ],
)
def test_unknown_ids_are_404(client, world, url):
    people, _ = world
    login(client, people["organiser"])
    assert client.get(url).status_code == 404
