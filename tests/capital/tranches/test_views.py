"""A grant's tranches through its page: planned with a milestone as condition, released once it
is verified, paid once though sent twice, and the payment reversed; refusals on the form; the
winner reads her tranches; a stopped grant pays nothing more."""

import html
from datetime import date

import pytest
import sqlalchemy as sa

from portal.capital.agreements import services as agreements
from portal.capital.models import Tranche, TrancheStatus
from portal.capital.sources import services as sources
from portal.capital.tranches import services as tranches
from portal.extensions import db
from portal.ledger.cli import problems
from portal.ledger.models import Posting
from tests.conftest import login
from tests.factories import project_of
from tests.factories.projects import kind as milestone_kind

pytestmark = pytest.mark.usefixtures("frozen_time")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_tranche_planned_released_paid_once_and_reversed(client, published):
    source = sources.create_source(
        published.organiser, published.competition.unit_id, "Quỹ", "support_fund"
    )
    sources.contribute(published.organiser, source, 100_000_000, date(2026, 1, 2))
    grant = agreements.propose(
        published.organiser,
        project_of(published.entries[0]),
        kind="grant",
        source_id=source.id,
        amount=30_000_000,
        purpose="Khung dệt",
    )
    agreements.approve(published.second_organiser, grant, expected_version=1)
    kind = milestone_kind("online_shop")
    db.session.commit()
    login(client, published.organiser)
    url = f"/capital/agreements/{grant.id}"
    too_much = client.post_form(
        f"{url}/tranches",
        {
            "tranche-amount": "40.000.000",
            "tranche-planned_on": "2026-06-01",
            "tranche-condition": "none",
        },
    )
    assert too_much.status_code == 422 and 'value="40.000.000"' in too_much.get_data(as_text=True)
    form = {
        "tranche-amount": "10.000.000",
        "tranche-planned_on": "2026-06-01",
        "tranche-condition": "milestone",
        "tranche-milestone_kind": str(kind.id),
        "form_key": "c" * 32,
    }
    assert client.post_form(f"{url}/tranches", form).status_code == 302
    assert client.post_form(f"{url}/tranches", form).status_code == 302
    (tranche,) = db.session.scalars(sa.select(Tranche)).all()
    page = text(client.get(url))
    assert kind.label in page and "chưa đạt" in page
    refused = client.post_form(f"/capital/tranches/{tranche.id}/release", {"version": "1"})
    assert refused.status_code == 302
    db.session.refresh(tranche)
    assert tranche.status is TrancheStatus.PLANNED  # its milestone is not verified
    no_condition = client.post_form(
        f"{url}/tranches",
        {
            "tranche-amount": "5.000.000",
            "tranche-planned_on": "2026-05-01",
            "tranche-condition": "none",
            "form_key": "d" * 32,
        },
    )
    assert no_condition.status_code == 302
    db.session.expire_all()
    second = db.session.scalar(sa.select(Tranche).where(Tranche.number == 2))
    assert (
        client.post_form(f"/capital/tranches/{second.id}/release", {"version": "1"}).status_code
        == 302
    )
    pay = {f"pay-{second.id}-paid_on": "2026-05-09", "form_key": "e" * 32}
    assert client.post_form(f"/capital/tranches/{second.id}/pay", pay).status_code == 302
    assert client.post_form(f"/capital/tranches/{second.id}/pay", pay).status_code == 302
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Posting.id)).where(Posting.object_type == "grant_tranche")
        )
        == 1
    )
    assert "đã chi ngày" in text(client.get(url)).lower() or "9 thg 5, 2026" in text(
        client.get(url)
    )
    client.post_form(
        f"/capital/tranches/{second.id}/reverse", {f"reverse-tranche-{second.id}-reason": "Nhầm"}
    )
    db.session.refresh(second)
    assert second.status is TrancheStatus.APPROVED
    assert problems() == []


def approved_grant(published, amount=20_000_000):
    source = sources.create_source(
        published.organiser, published.competition.unit_id, "Quỹ", "support_fund"
    )
    sources.contribute(published.organiser, source, 100_000_000, date(2026, 1, 2))
    grant = agreements.propose(
        published.organiser,
        project_of(published.entries[0]),
        kind="grant",
        source_id=source.id,
        amount=amount,
        purpose="Xưởng may",
    )
    agreements.approve(published.second_organiser, grant, expected_version=1)
    return grant


def test_the_winner_reads_her_tranches_and_their_conditions(client, published):
    grant = approved_grant(published)
    first = tranches.add_tranche(
        published.organiser, grant, amount=8_000_000, planned_on=date(2026, 4, 1)
    )
    tranches.add_tranche(
        published.organiser,
        grant,
        amount=12_000_000,
        planned_on=date(2026, 9, 1),
        condition="report",
        report_number=2,
    )
    tranches.release(published.organiser, first, expected_version=1)
    tranches.pay(published.organiser, first, date(2026, 4, 3))
    login(client, published.applicants[0])
    page = text(client.get(f"/capital/agreements/{grant.id}"))
    assert "Đợt 1" in page and "8.000.000" in page and "đã chi ngày" in page
    assert "Đợt 2" in page and "Giải ngân khi báo cáo tiến độ số 2 được chấp nhận" in page
    assert "<form" not in page.split('id="tranches"')[1].split("</section>")[0]


def test_refusals_come_back_on_the_form(client, published):
    grant = approved_grant(published)
    login(client, published.organiser)
    url = f"/capital/agreements/{grant.id}"
    no_number = client.post_form(
        f"{url}/tranches",
        {
            "tranche-amount": "5.000.000",
            "tranche-planned_on": "2026-07-01",
            "tranche-condition": "report",
        },
    )
    assert no_number.status_code == 422
    assert "Hãy ghi số thứ tự của báo cáo làm điều kiện chi." in text(no_number)
    assert 'value="5.000.000"' in text(no_number)
    tranche = tranches.add_tranche(
        published.organiser, grant, amount=5_000_000, planned_on=date(2026, 5, 1)
    )
    tranches.release(published.organiser, tranche, expected_version=1)
    future = client.post_form(
        f"/capital/tranches/{tranche.id}/pay",
        {f"pay-{tranche.id}-paid_on": "2026-05-11", "form_key": "b" * 32},
    )
    assert future.status_code == 422 and 'value="2026-05-11"' in future.get_data(as_text=True)
    db.session.refresh(tranche)
    assert tranche.status is TrancheStatus.APPROVED and tranche.paid_on is None


def test_a_stopped_grant_pays_nothing_more(client, published):
    grant = approved_grant(published)
    tranche = tranches.add_tranche(
        published.organiser, grant, amount=5_000_000, planned_on=date(2026, 5, 1)
    )
    tranches.release(published.organiser, tranche, expected_version=1)
    agreements.close(published.organiser, grant, "Dự án dừng", expected_version=grant.version)
    login(client, published.organiser)
    url = f"/capital/agreements/{grant.id}"
    page = text(client.get(url))
    assert f"/capital/tranches/{tranche.id}/pay" not in page and f"{url}/tranches" not in page
    refused = client.post_form(
        f"/capital/tranches/{tranche.id}/pay",
        {f"pay-{tranche.id}-paid_on": "2026-05-09", "form_key": "9" * 32},
    )
    assert refused.status_code == 409
    added = client.post_form(
        f"{url}/tranches",
        {
            "tranche-amount": "1.000.000",
            "tranche-planned_on": "2026-07-01",
            "tranche-condition": "none",
        },
    )
    assert added.status_code == 409
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Posting.id)).where(Posting.object_type == "grant_tranche")
        )
        == 0
    )
