"""Who may use the capital pages: the organisers of the unit manage sources and propose and
approve support; the winner reads her own support; another borrower, another province's
organiser and the rest get 403."""

from datetime import date

import pytest

from portal.auth.models import Role
from portal.capital.agreements import services as agreements
from portal.capital.in_kind import services as in_kind
from portal.capital.loans import services as loans
from portal.capital.loans import writeoff
from portal.capital.restructuring import services as restructuring
from portal.capital.sources import services as sources
from portal.capital.tranches import services as tranches
from tests.awards.payments.test_services import PNG
from tests.conftest import check_access, login
from tests.factories import UserFactory, project_of
from tests.snapshots import cached

pytestmark = pytest.mark.usefixtures("frozen_time")

STAFF = {"organiser", "second_organiser", "admin"}
LOGGED_IN = STAFF | {"applicant", "other_winner", "other_organiser", "judge"}
ROUTES = [
    ("GET", "/capital/sources", STAFF | {"other_organiser"}),
    ("POST", "/capital/sources", STAFF | {"other_organiser"}),
    ("POST", "/capital/sources/{source}/contributions", STAFF),
    ("GET", "/capital/projects/{project}/support/new", STAFF),
    ("POST", "/capital/projects/{project}/support/new", STAFF),
    ("GET", "/capital/agreements/{agreement}", STAFF | {"applicant"}),
    # The second signature only: not the proposer, not an admin alone.
    ("POST", "/capital/agreements/{agreement}/approve", {"second_organiser"}),
    ("POST", "/capital/agreements/{agreement}/reject", {"second_organiser"}),
    ("GET", "/my/support", LOGGED_IN),
    ("POST", "/capital/agreements/{agreement}/disburse", STAFF),
    ("GET", "/capital/portfolio", STAFF | {"other_organiser"}),
    ("GET", "/capital/portfolio.csv", STAFF | {"other_organiser"}),
    ("GET", "/capital/portfolio.xlsx", STAFF | {"other_organiser"}),
    ("GET", "/capital/portfolio/sources.csv", STAFF | {"other_organiser"}),
    ("GET", "/capital/portfolio/sources.xlsx", STAFF | {"other_organiser"}),
    ("POST", "/capital/loans/{loan}/repayments", STAFF),
    ("POST", "/capital/repayments/{repayment}/reverse", STAFF),
    ("GET", "/capital/repayments/{repayment}/slip", STAFF | {"applicant"}),
    ("GET", "/capital/repayments/{repayment}/receipt.pdf", STAFF | {"applicant"}),
    # Any organiser may import; each line is checked against the units she manages.
    ("POST", "/capital/loans/{loan}/restructurings", STAFF),
    ("POST", "/capital/restructurings/{restructuring}/approve", {"second_organiser"}),
    ("POST", "/capital/restructurings/{restructuring}/reject", {"second_organiser"}),
    ("POST", "/capital/loans/{loan}/write-off", STAFF),
    ("POST", "/capital/loans/{loan}/write-off/approve", {"second_organiser"}),
    ("POST", "/capital/loans/{loan}/recoveries", STAFF),
    ("POST", "/capital/agreements/{agreement}/tranches", STAFF),
    ("POST", "/capital/tranches/{tranche}/release", STAFF),
    ("POST", "/capital/tranches/{tranche}/pay", STAFF),
    ("POST", "/capital/tranches/{tranche}/reverse", STAFF),
    ("POST", "/capital/agreements/{agreement}/in-kind", STAFF),
    ("POST", "/capital/in-kind/{item}/reverse", STAFF),
    ("GET", "/capital/in-kind/{item}/receipt", STAFF | {"applicant"}),
    ("POST", "/capital/agreements/{agreement}/close", STAFF),
    ("GET", "/capital/agreements", STAFF | {"other_organiser"}),
    ("GET", "/capital/import", STAFF | {"other_organiser"}),
    ("POST", "/capital/import", STAFF | {"other_organiser"}),
    ("POST", "/capital/import/confirm", STAFF | {"other_organiser"}),
]
ROLES = ["anonymous", *sorted(LOGGED_IN)]


def make_world(published, units):
    source = sources.create_source(
        published.organiser, published.competition.unit_id, "Quỹ thử nghiệm 939", "support_fund"
    )
    sources.contribute(published.organiser, source, 100_000_000, date(2026, 1, 5))
    project = project_of(published.entries[0])
    agreement = agreements.propose(
        published.organiser,
        project,
        kind="grant",
        source_id=source.id,
        amount=10_000_000,
        purpose="Bao bì sản phẩm",
    )
    loan_agreement = agreements.propose(
        published.organiser,
        project,
        kind="loan",
        source_id=source.id,
        amount=6_000_000,
        purpose="Mua giống",
        loan=agreements.LoanTerms("0.5", 3, 0, "monthly", "declining"),
    )
    agreements.approve(published.second_organiser, loan_agreement, expected_version=1)
    loan = loans.disburse(published.organiser, loan_agreement, date(2026, 1, 10))
    repayment = loans.record_repayment(
        published.organiser, loan, paid_on=date(2026, 2, 9), amount=2_030_000, method="cash"
    )
    proposed = restructuring.propose_restructuring(
        published.organiser,
        loan,
        reason="Lũ",
        effective_on=date(2026, 3, 1),
        periods=6,
        grace=1,
    )
    writeoff.propose_write_off(published.organiser, loan, "Chuyển đi")
    tranche = tranches.add_tranche(
        published.organiser, agreement, amount=5_000_000, planned_on=date(2026, 6, 1)
    )
    goods = agreements.propose(
        published.organiser,
        project,
        kind="in_kind",
        source_id=source.id,
        amount=3_000_000,
        purpose="Giống",
    )
    agreements.approve(published.second_organiser, goods, expected_version=1)
    item = in_kind.record_item(
        published.organiser,
        goods,
        kind="seed_stock",
        description="Giống ngô",
        quantity="50",
        unit_of_measure="kg",
        value=1_000_000,
        delivered_on=date(2026, 3, 1),
        receipt=(PNG, "bien-nhan.png"),
    )
    people = {
        "applicant": published.applicants[0],
        "other_winner": published.applicants[1],
        "judge": UserFactory(roles=[Role.JUDGE]),
        "organiser": published.organiser,
        "second_organiser": published.second_organiser,
        "admin": UserFactory(roles=[Role.ADMIN]),
        "other_organiser": UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
    }
    return people, {
        "source": source.id,
        "project": project.id,
        "agreement": agreement.id,
        "loan": loan.id,
        "repayment": repayment.id,
        "restructuring": proposed.id,
        "tranche": tranche.id,
        "item": item.id,
    }


@pytest.fixture
def world(published, units):
    return cached(make_world, published, units)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "allowed"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_capital_access(client, world, role, method, url, allowed):
    people, ids = world
    response = check_access(client, people, role, method, url.format(**ids), allowed)
    if role == "other_organiser" and response.status_code == 200 and not url.endswith(".xlsx"):
        assert "Quỹ thử nghiệm 939" not in response.get_data(as_text=True)


def test_unknown_ids_are_404(client, world):
    people, _ = world
    login(client, people["organiser"])
    assert client.get("/capital/agreements/999999").status_code == 404
    assert client.get("/capital/projects/999999/support/new").status_code == 404
    assert client.post_form("/capital/sources/999999/contributions").status_code == 404
