"""In-kind support: each item handed over is one posting with its signed receipt, never more
than the support nor than the source has; the agreement under way with the first item and
completed with the last; a reversal; the page keeps what was typed and records it once."""

import html
import io
from datetime import date

import pytest
import sqlalchemy as sa

from portal.auth.models import Role
from portal.capital.agreements import services as agreements
from portal.capital.common import IN_KIND_EXPENSE
from portal.capital.in_kind import services as in_kind
from portal.capital.models import AgreementStatus, InKindItem
from portal.capital.sources import services as sources
from portal.core.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.ledger import services as ledger
from portal.ledger.cli import problems
from tests.awards.payments.test_services import PNG
from tests.conftest import login
from tests.factories import UserFactory, project_of

pytestmark = pytest.mark.usefixtures("frozen_time")


def approved_support(world, amount=20_000_000, fund=100_000_000):
    source = sources.create_source(
        world.organiser, world.competition.unit_id, "Quỹ", "support_fund"
    )
    sources.contribute(world.organiser, source, fund, date(2026, 1, 2))
    agreement = agreements.propose(
        world.organiser,
        project_of(world.entries[0]),
        kind="in_kind",
        source_id=source.id,
        amount=amount,
        purpose="Lợn giống",
    )
    agreements.approve(world.second_organiser, agreement, expected_version=1)
    return source, agreement


def item(world, agreement, value, **changes):
    fields = {
        "kind": "breeding_animals",
        "description": "Lợn nái Móng Cái",
        "quantity": "10",
        "unit_of_measure": "con",
        "value": value,
        "delivered_on": date(2026, 3, 1),
        "receipt": (PNG, "bien-nhan.png"),
    } | changes
    return in_kind.record_item(world.organiser, agreement, **fields)


def test_items_handed_over_until_the_support_is_complete(published, units):
    source, agreement = approved_support(published)
    first = item(published, agreement, 12_000_000)
    assert agreement.status is AgreementStatus.ACTIVE
    assert ledger.balance(IN_KIND_EXPENSE, source=source.ledger_tag) == 12_000_000
    with pytest.raises(DomainError) as refused:
        item(published, agreement, 8_000_001)
    assert refused.value.field == "value"
    for changes, field in [
        ({"receipt": None}, "receipt"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"kind": "gold"}, "kind"),
        ({"delivered_on": date(2026, 5, 11)}, "delivered_on"),
    ]:
        with pytest.raises(DomainError) as refused:
            item(published, agreement, 1_000_000, **changes)
        assert refused.value.field == field
    stranger = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    with pytest.raises(NotAllowed):
        in_kind.record_item(
            stranger,
            agreement,
            kind="equipment",
            description="x",
            quantity="1",
            unit_of_measure="",
            value=1,
            delivered_on=date(2026, 3, 1),
            receipt=(PNG, "a.png"),
        )
    item(
        published,
        agreement,
        8_000_000,
        kind="training",
        description="Tập huấn thú y",
        quantity="2",
        unit_of_measure="ngày",
    )
    assert agreement.status is AgreementStatus.COMPLETED
    in_kind.reverse_item(published.organiser, first, "Nhập nhầm giá trị")
    assert agreement.status is AgreementStatus.ACTIVE
    assert ledger.balance(IN_KIND_EXPENSE, source=source.ledger_tag) == 8_000_000
    assert problems() == []


def test_no_more_than_the_source_has(published):
    _source, agreement = approved_support(published, fund=5_000_000)
    with pytest.raises(DomainError):
        item(published, agreement, 6_000_000)


def test_the_page_records_an_item_once_and_she_reads_its_receipt(client, published):
    _source, agreement = approved_support(published)
    login(client, published.organiser)
    url = f"/capital/agreements/{agreement.id}"
    form = {
        "in-kind-kind": "equipment",
        "in-kind-description": "Máy ép cám viên",
        "in-kind-quantity": "1",
        "in-kind-unit_of_measure": "bộ",
        "in-kind-value": "7.500.000",
        "in-kind-delivered_on": "2026-04-02",
    }
    missing = client.post_form(f"{url}/in-kind", form, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert 'value="Máy ép cám viên"' in missing.get_data(as_text=True)
    sent = form | {"form_key": "f" * 32}
    for _ in range(2):
        answer = client.post_form(
            f"{url}/in-kind",
            sent | {"in-kind-receipt": (io.BytesIO(PNG), "phieu.png")},
            content_type="multipart/form-data",
        )
        assert answer.status_code == 302
    (recorded,) = db.session.scalars(sa.select(InKindItem)).all()
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert "Máy ép cám viên" in page and "7.500.000" in page
    login(client, published.applicants[0])
    assert client.get(f"/capital/in-kind/{recorded.id}/receipt").data == PNG
    login(client, published.applicants[1])
    assert client.get(f"/capital/in-kind/{recorded.id}/receipt").status_code == 403
