"""Capital sources on the ledger, and support proposed by one organiser and approved by a
second (never the proposer, never an organiser of another unit, never an admin alone)."""

from datetime import date

import pytest

from portal.auth.models import Role
from portal.capital.agreements import services as agreements
from portal.capital.agreements.services import AgreementConflict, LoanTerms, SamePerson
from portal.capital.models import AgreementStatus
from portal.capital.sources import services as sources
from portal.capital.sources.services import NotEnoughCapital
from portal.core import idempotency
from portal.core.errors import DomainError, NotAllowed
from tests.conftest import mails_to
from tests.factories import UserFactory, project_of

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def fund(published):
    source = sources.create_source(
        published.organiser,
        published.competition.unit_id,
        "Quỹ Hỗ trợ phụ nữ phát triển",
        "support_fund",
    )
    sources.contribute(published.organiser, source, 4_500_000_000, date(2026, 1, 5))
    return source


def test_a_source_holds_what_the_ledger_says(published, fund):
    assert sources.available(fund) == 4_500_000_000
    key = idempotency.new_key()
    sources.contribute(published.organiser, fund, 500_000_000, date(2026, 2, 1), form_key=key)
    with pytest.raises(idempotency.AlreadySent):
        sources.contribute(published.organiser, fund, 500_000_000, date(2026, 2, 1), form_key=key)
    assert sources.available(fund) == 5_000_000_000
    assert sources.balances([fund])[fund.id]["capital_contributions"] == -5_000_000_000
    with pytest.raises(NotEnoughCapital) as refused:
        sources.require_available(fund, 5_000_000_001)
    assert "5.000.000.000" in refused.value.message


def test_only_the_units_organisers_manage_its_capital(published, units, fund):
    stranger = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    with pytest.raises(NotAllowed):
        sources.contribute(stranger, fund, 1, date(2026, 1, 5))
    with pytest.raises(NotAllowed):
        sources.create_source(stranger, published.competition.unit_id, "X", "partner_fund")
    with pytest.raises(DomainError) as refused:
        sources.contribute(published.organiser, fund, 1, date(2026, 6, 1))
    assert refused.value.field == "received_on"


def loan_terms(**values) -> LoanTerms:
    return LoanTerms(
        **(
            {
                "rate": "0,65",
                "periods": 12,
                "grace": 2,
                "frequency": "monthly",
                "method": "declining",
            }
            | values
        )
    )


def test_a_loan_is_proposed_then_approved_by_a_second_organiser(published, fund):
    project = project_of(published.entries[0])
    agreement = agreements.propose(
        published.organiser,
        project,
        kind="loan",
        source_id=fund.id,
        amount=30_000_000,
        purpose="Mua máy dệt",
        loan=loan_terms(),
    )
    assert agreement.status is AgreementStatus.PROPOSED
    assert agreement.reference == f"HT-2026-{agreement.id:05d}"
    assert (agreement.loan.rate, agreement.loan.periods, agreement.loan.grace) == (
        __import__("decimal").Decimal("0.65"),
        12,
        2,
    )
    with pytest.raises(SamePerson):
        agreements.approve(published.organiser, agreement, expected_version=1)
    agreements.approve(published.second_organiser, agreement, expected_version=1)
    agreements.approve(published.second_organiser, agreement, expected_version=1)  # once
    assert agreement.status is AgreementStatus.APPROVED
    assert agreement.approved_by_id == published.second_organiser.id
    mails = [m for m in mails_to(project.owner.email) if m.template == "support_approved"]
    assert len(mails) == 1 and "Mua máy dệt" in mails[0].body_text


def test_an_admin_alone_or_another_unit_cannot_be_the_second_signature(published, units, fund):
    project = project_of(published.entries[0])
    agreement = agreements.propose(
        published.organiser,
        project,
        kind="grant",
        source_id=fund.id,
        amount=10_000_000,
        purpose="Bao bì",
    )
    for checker in (
        UserFactory(roles=[Role.ADMIN]),
        UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]),
        # An admin who organises elsewhere is no second signature for this unit either.
        UserFactory(roles=[Role.ADMIN, (Role.ORGANISER, units["lao_cai"])]),
    ):
        with pytest.raises(NotAllowed):
            agreements.approve(checker, agreement, expected_version=1)
    agreements.reject(published.second_organiser, agreement, "Chưa đủ hồ sơ", expected_version=1)
    assert agreement.status is AgreementStatus.REJECTED
    with pytest.raises(AgreementConflict):
        agreements.approve(published.second_organiser, agreement, expected_version=1)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "gift"}, "kind"),
        ({"source_id": 999}, "source"),
        ({"amount": 0}, "amount"),
        ({"purpose": " "}, "purpose"),
        ({"kind": "loan", "loan": LoanTerms("abc", 12, 0, "monthly", "flat")}, "rate"),
        ({"kind": "loan", "loan": LoanTerms("0.5", 12, 12, "monthly", "flat")}, "periods"),
    ],
)
def test_what_a_proposal_needs(published, fund, values, field):
    project = project_of(published.entries[0])
    arguments = {"kind": "grant", "source_id": fund.id, "amount": 1_000_000, "purpose": "Vốn"}
    with pytest.raises(DomainError) as refused:
        agreements.propose(published.organiser, project, **(arguments | values))
    assert refused.value.field == field
