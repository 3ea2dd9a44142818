"""The same payment form sent at the same moment — a double click, two organisers with the same
page — against the live server on PostgreSQL: one payment, one posting, one mail."""

from functools import partial

import pytest
import sqlalchemy as sa

from portal.awards.models import PrizePayment
from portal.core.outbox import OutboxMessage
from portal.core.time import to_vietnam
from portal.extensions import db
from portal.ledger.models import Posting
from tests.concurrency import Visitor, at_once
from tests.conftest import FROZEN_AT
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("frozen_time")


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize(
    ("senders", "at_the_same_moment"),
    [(1, 2), (2, 2), (2, 2), (2, 50)],
    ids=["1x2", "2x2", "2x2b", "2x50"],
)
def test_one_payment_form_sent_at_once_records_one_payment(
    published, concurrent_server, senders, at_the_same_moment
):
    award = published.awards[0]
    organisers = [published.organiser, published.second_organiser][:senders]
    tabs = []
    for organiser in organisers:
        tab = Visitor(concurrent_server)
        tab.log_in(organiser.email, PASSWORD)
        tabs.append(tab)
    path = f"/awards/{award.id}/payments/new"
    page = tabs[0].form(path) | {
        "amount": "4.000.000",
        "paid_on": to_vietnam(FROZEN_AT).date().isoformat(),
        "method": "bank_transfer",
        "reference": "UNC-001",
    }
    # The other organiser sends the very same page (its form key), with her own CSRF token.
    sent = [page] + [page | {"csrf_token": tab.form(path)["csrf_token"]} for tab in tabs[1:]]
    calls = [
        partial(tabs[n % len(tabs)].post, path, sent[n % len(tabs)])
        for n in range(at_the_same_moment)
    ]
    answers = at_once(calls)

    assert {a.status for a in answers} <= {302, 409}, [a.status for a in answers]
    assert 302 in {a.status for a in answers}
    db.session.remove()
    assert count(PrizePayment) == 1
    assert count(Posting) == 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.template == "prize_paid")
        )
        == 1
    )
