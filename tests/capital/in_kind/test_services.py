"""In-kind support, its rules one by one: only approved in-kind support, not yet complete, is
handed over; the same form twice is one item; each item is one posting in the books of the
source's unit, never in a closed month; a reversal is made once, with its reason; the receipt is
hers and her organisers'."""

from datetime import date

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.capital.agreements import services as agreements
from portal.capital.common import CASH, IN_KIND_EXPENSE
from portal.capital.in_kind import services as in_kind
from portal.capital.in_kind.services import InKindConflict
from portal.capital.models import AgreementStatus, InKindItem
from portal.core import idempotency, storage
from portal.core.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.ledger import services as ledger
from portal.ledger.cli import problems
from portal.ledger.models import Posting
from portal.ledger.services import MonthClosed
from tests.awards.payments.test_services import PNG
from tests.capital.in_kind.test_in_kind import approved_support, item
from tests.factories import UserFactory, project_of

pytestmark = pytest.mark.usefixtures("frozen_time")


def postings_of(record: InKindItem) -> list[Posting]:
    return list(
        db.session.scalars(
            sa.select(Posting)
            .where(Posting.object_type == "in_kind_item", Posting.object_id == record.id)
            .order_by(Posting.id)
        )
    )


def test_only_approved_in_kind_support_not_yet_complete(published):
    source, agreement = approved_support(published, amount=5_000_000)
    project = project_of(published.entries[0])
    grant = agreements.propose(
        published.organiser,
        project,
        kind="grant",
        source_id=source.id,
        amount=5_000_000,
        purpose="Khung dệt",
    )
    agreements.approve(published.second_organiser, grant, expected_version=1)
    with pytest.raises(DomainError) as refused:
        item(published, grant, 1_000_000)
    assert refused.value.status == 422
    waiting = agreements.propose(
        published.organiser,
        project,
        kind="in_kind",
        source_id=source.id,
        amount=5_000_000,
        purpose="Giống ngô",
    )
    with pytest.raises(InKindConflict):
        item(published, waiting, 1_000_000)
    item(published, agreement, 5_000_000)
    assert agreement.status is AgreementStatus.COMPLETED
    with pytest.raises(InKindConflict):
        item(published, agreement, 1)
    assert db.session.scalar(sa.select(sa.func.count(InKindItem.id))) == 1


def test_the_same_form_twice_records_one_item(published):
    _source, agreement = approved_support(published)
    key = idempotency.new_key()
    first = item(published, agreement, 4_000_000, form_key=key)
    with pytest.raises(idempotency.AlreadySent) as again:
        item(published, agreement, 4_000_000, form_key=key)
    assert again.value.earlier.object_id == first.id
    db.session.rollback()
    assert in_kind.delivered(agreement) == 4_000_000
    assert len(postings_of(first)) == 1


def test_one_posting_in_the_books_of_the_source_unit_and_the_receipt_kept(published):
    source, agreement = approved_support(published)
    recorded = item(published, agreement, 3_500_000, quantity="2,5", unit_of_measure=" tấn ")
    (posting,) = postings_of(recorded)
    assert posting.unit_id == source.unit_id and posting.source == source.ledger_tag
    assert posting.occurred_on == date(2026, 3, 1) and agreement.reference in posting.description
    assert sorted((line.account, line.amount) for line in posting.lines) == sorted(
        [(IN_KIND_EXPENSE, 3_500_000), (CASH, -3_500_000)]
    )
    assert str(recorded.quantity) == "2.50" and recorded.unit_of_measure == "tấn"
    assert storage.path_of(recorded.receipt_stored_name).read_bytes() == PNG
    assert recorded.receipt_filename == "bien-nhan.png"
    assert in_kind.items_of(agreement) == [recorded]


def test_a_receipt_that_is_not_a_photo_or_pdf_and_a_closed_month_are_refused(published):
    source, agreement = approved_support(published)
    for value, changes, field in (
        (1_000_000, {"receipt": (b"MZ not a photo", "bien-nhan.exe")}, "receipt"),
        (1_000_000, {"description": "  "}, "description"),
        (0, {}, "value"),
    ):
        with pytest.raises(DomainError) as refused:
            item(published, agreement, value, **changes)
        assert refused.value.field == field
    ledger.close_month(published.organiser, source.unit_id, date(2026, 3, 1))
    with pytest.raises(MonthClosed) as closed:
        item(published, agreement, 1_000_000, delivered_on=date(2026, 3, 20))
    assert closed.value.field == "delivered_on" and closed.value.status == 409
    item(published, agreement, 1_000_000, delivered_on=date(2026, 4, 2))
    assert in_kind.delivered(agreement) == 1_000_000


def test_a_reversal_once_with_its_reason_by_her_organisers(published, units):
    source, agreement = approved_support(published, amount=6_000_000)
    first = item(published, agreement, 2_000_000, delivered_on=date(2026, 2, 1))
    second = item(published, agreement, 4_000_000, delivered_on=date(2026, 1, 20))
    assert agreement.status is AgreementStatus.COMPLETED
    assert in_kind.items_of(agreement) == [second, first]  # in the order they were handed over
    with pytest.raises(DomainError) as refused:
        in_kind.reverse_item(published.organiser, first, "   ")
    assert refused.value.field == "reason"
    stranger = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    with pytest.raises(NotAllowed):
        in_kind.reverse_item(stranger, first, "Nhầm")
    in_kind.reverse_item(published.organiser, first, "Nhập nhầm giá trị")
    in_kind.reverse_item(published.second_organiser, first, "Nhập nhầm giá trị")
    assert len(postings_of(first)) == 2 and first.reversal_reason == "Nhập nhầm giá trị"
    assert agreement.status is AgreementStatus.ACTIVE
    assert in_kind.delivered(agreement) == 4_000_000
    assert ledger.balance(IN_KIND_EXPENSE, source=source.ledger_tag) == 4_000_000
    # What the reversal freed can be handed over again.
    item(published, agreement, 2_000_000, description="Lợn nái thay thế")
    assert agreement.status is AgreementStatus.COMPLETED
    assert problems() == []


def test_the_receipt_is_hers_and_her_organisers(published, units):
    _source, agreement = approved_support(published)
    recorded = item(published, agreement, 1_000_000)
    assert in_kind.may_see_receipt(published.applicants[0], recorded)
    assert in_kind.may_see_receipt(published.organiser, recorded)
    assert not in_kind.may_see_receipt(published.applicants[1], recorded)
    stranger = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    assert not in_kind.may_see_receipt(stranger, recorded)
