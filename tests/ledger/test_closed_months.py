"""Closed months: an organiser closes a month of her unit's books once it is over; nothing of
that unit may be dated in it afterwards (a correction goes into an open month), other units
and other months are unaffected; closing it again changes nothing. The trial balance and an
account's lines, of her units, as of a day."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.capital.common import CASH, CONTRIBUTIONS, LOANS_RECEIVABLE
from portal.capital.loans import services as loans
from portal.capital.sources import services as sources
from portal.core.audit import AuditLog
from portal.core.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.ledger import services as ledger
from portal.ledger.models import ClosedMonth, Posting
from portal.ledger.services import MonthClosed
from tests.capital.loans.test_services import approved_loan
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("frozen_time")

NOW = datetime(2026, 5, 10, 3, tzinfo=UTC)  # 10 May 2026 in Việt Nam


def other_units_source(units, amount=5_000_000, received_on=date(2026, 2, 9)):
    """A source of Lào Cai, with one contribution, by its own organiser."""
    organiser = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    source = sources.create_source(
        organiser, units["lao_cai"].id, "Vốn đối tác Sa Pa", "partner_fund"
    )
    sources.contribute(organiser, source, amount, received_on, now=NOW)
    return organiser, source


def test_a_closed_month_refuses_what_is_dated_in_it_for_that_unit_only(published, units):
    source, agreement = approved_loan(published)
    organiser = published.organiser
    loan = loans.disburse(organiser, agreement, date(2026, 1, 10), now=NOW)
    ledger.close_month(organiser, source.unit_id, date(2026, 2, 14), now=NOW)

    with pytest.raises(MonthClosed) as refused:
        loans.record_repayment(
            organiser, loan, paid_on=date(2026, 2, 9), amount=2_030_000, method="cash", now=NOW
        )
    assert refused.value.field == "paid_on" and refused.value.status == 409
    assert "02/2026" in str(refused.value.message)
    with pytest.raises(MonthClosed):  # the ledger itself refuses, whoever posts
        ledger.post(
            actor_id=organiser.id,
            occurred_on=date(2026, 2, 28),
            description="Thử",
            source=source.ledger_tag,
            object_type="capital_source",
            object_id=source.id,
            lines=[(CASH, 1), (CONTRIBUTIONS, -1)],
            unit_id=source.unit_id,
        )
    db.session.rollback()

    # Another month of the same unit, the same month of another unit: open.
    loans.record_repayment(
        organiser, loan, paid_on=date(2026, 3, 2), amount=2_030_000, method="cash", now=NOW
    )
    _, other = other_units_source(units, received_on=date(2026, 2, 9))
    assert ledger.balance(CASH, source=other.ledger_tag) == 5_000_000
    assert not ledger.is_closed(other.unit_id, date(2026, 2, 9))
    assert ledger.is_closed(source.unit_id, date(2026, 2, 1))
    assert not ledger.is_closed(source.unit_id, date(2026, 3, 1))


def test_a_mistake_in_a_closed_month_is_reversed_in_the_open_month(published):
    source, agreement = approved_loan(published)
    organiser = published.organiser
    loan = loans.disburse(organiser, agreement, date(2026, 1, 10), now=NOW)
    repayment = loans.record_repayment(
        organiser, loan, paid_on=date(2026, 2, 9), amount=2_030_000, method="cash", now=NOW
    )
    ledger.close_month(organiser, source.unit_id, date(2026, 2, 1), now=NOW)
    loans.reverse_repayment(organiser, repayment, "Ghi nhầm", now=NOW)
    dates = sorted(
        db.session.scalars(
            sa.select(Posting.occurred_on).where(
                Posting.object_type == "loan_repayment", Posting.object_id == repayment.id
            )
        )
    )
    assert dates == [date(2026, 2, 9), date(2026, 5, 10)]  # the original stays where it was
    assert ledger.balance(LOANS_RECEIVABLE, source=source.ledger_tag) == 6_000_000


def test_a_month_is_closed_once_it_is_over_once_and_by_its_organisers(published, units):
    organiser, unit_id = published.organiser, published.competition.unit_id
    for month in (date(2026, 5, 1), date(2026, 5, 31), date(2026, 7, 1)):
        with pytest.raises(DomainError) as not_over:
            ledger.close_month(organiser, unit_id, month, now=NOW)
        assert not_over.value.field == "month"
    with pytest.raises(DomainError):
        ledger.close_month(organiser, unit_id, None, now=NOW)

    april = ledger.close_month(organiser, unit_id, date(2026, 4, 30), now=NOW)
    assert april.month == date(2026, 4, 1)
    again = ledger.close_month(published.second_organiser, unit_id, date(2026, 4, 3), now=NOW)
    assert again.id == april.id and again.closed_by_id == organiser.id
    # Months need not be closed in order.
    ledger.close_month(organiser, unit_id, date(2025, 11, 1), now=NOW)
    assert db.session.scalar(sa.select(sa.func.count(ClosedMonth.id))) == 2
    logged = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "ledger.month_closed").order_by(AuditLog.id)
    ).all()
    assert [(a.object_id, a.after) for a in logged] == [
        (unit_id, {"month": "2026-04-01"}),
        (unit_id, {"month": "2025-11-01"}),
    ]

    # A commune of her province is hers; another province is not, nor is no unit.
    ledger.close_month(organiser, units["muong_phang"].id, date(2026, 4, 1), now=NOW)
    for unit in (units["lao_cai"].id, None):
        with pytest.raises(NotAllowed):
            ledger.close_month(organiser, unit, date(2026, 3, 1), now=NOW)
    stranger = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    with pytest.raises(NotAllowed):
        ledger.close_month(stranger, unit_id, date(2026, 3, 1), now=NOW)
    admin = UserFactory(roles=[Role.ADMIN])
    ledger.close_month(admin, units["lao_cai"].id, date(2026, 3, 1), now=NOW)

    assert [(c.unit_id, c.month) for c in ledger.closed_months([unit_id])] == [
        (unit_id, date(2026, 4, 1)),
        (unit_id, date(2025, 11, 1)),
    ]
    assert len(ledger.closed_months(None)) == 4


def test_the_same_month_closed_at_the_same_moment_is_one_row(published, monkeypatch):
    """Two requests that both found the month open: the second one's row breaks the unique key,
    and it answers with the first one's."""
    organiser, unit_id = published.organiser, published.competition.unit_id
    first = ClosedMonth(
        unit_id=unit_id, month=date(2026, 3, 1), closed_by_id=organiser.id, closed_at=NOW
    )
    db.session.add(first)
    db.session.commit()
    looked = []
    real = ledger._closed

    def not_yet_seen(unit_id, month):
        looked.append(month)
        return None if len(looked) == 1 else real(unit_id, month)

    monkeypatch.setattr(ledger, "_closed", not_yet_seen)
    assert ledger.close_month(organiser, unit_id, date(2026, 3, 9), now=NOW).id == first.id
    assert looked == [date(2026, 3, 1), date(2026, 3, 1)]
    assert db.session.scalar(sa.select(sa.func.count(ClosedMonth.id))) == 1
    assert not db.session.scalar(
        sa.select(sa.func.count(AuditLog.id)).where(AuditLog.action == "ledger.month_closed")
    )


def test_the_trial_balance_of_her_units_as_of_a_day(published, units):
    source, agreement = approved_loan(published)  # 100,000,000 in on 2 January
    loans.disburse(published.organiser, agreement, date(2026, 1, 10), now=NOW)
    _, other = other_units_source(units)

    def rows(unit_ids, as_of=None):
        return {
            (r.source, r.account): (r.debit, r.credit)
            for r in ledger.trial_balance(unit_ids, as_of)
        }

    hers = ledger.scope(published.organiser)
    assert rows(hers) == {
        (source.ledger_tag, CASH): (94_000_000, 0),
        (source.ledger_tag, CONTRIBUTIONS): (0, 100_000_000),
        (source.ledger_tag, LOANS_RECEIVABLE): (6_000_000, 0),
    }
    assert rows(hers, date(2026, 1, 9)) == {
        (source.ledger_tag, CASH): (100_000_000, 0),
        (source.ledger_tag, CONTRIBUTIONS): (0, 100_000_000),
    }
    everything = ledger.trial_balance()
    assert {r.source for r in everything} == {source.ledger_tag, other.ledger_tag}
    assert sum(r.amount for r in everything) == 0
    # Her communes are hers; a unit not hers narrows nothing.
    assert set(hers) == {units[k].id for k in ("dien_bien", "muong_phang", "dien_bien_phu")}
    assert ledger.scope(published.organiser, units["muong_phang"].id) == [units["muong_phang"].id]
    assert ledger.scope(published.organiser, units["lao_cai"].id) == hers
    assert ledger.scope(UserFactory(roles=[Role.ADMIN])) is None


def test_an_accounts_lines_run_on_across_pages(published):
    source, agreement = approved_loan(published)
    organiser = published.organiser
    loan = loans.disburse(organiser, agreement, date(2026, 1, 10), now=NOW)
    for paid_on in (date(2026, 2, 9), date(2026, 3, 9)):
        loans.record_repayment(
            organiser, loan, paid_on=paid_on, amount=2_030_000, method="cash", now=NOW
        )
    hers = ledger.scope(organiser)
    everything, total = ledger.account_lines(CASH, source=source.ledger_tag, unit_ids=hers)
    assert total == 4
    assert [(line.amount, line.running) for line in everything] == [
        (100_000_000, 100_000_000),
        (-6_000_000, 94_000_000),
        (2_030_000, 96_030_000),
        (2_030_000, 98_060_000),
    ]
    second, _ = ledger.account_lines(
        CASH, source=source.ledger_tag, unit_ids=hers, page=2, per_page=3
    )
    assert [(line.amount, line.running) for line in second] == [(2_030_000, 98_060_000)]
    assert ledger.account_lines(CASH, source=None, unit_ids=[]) == ([], 0)
