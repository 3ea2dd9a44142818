"""Prize payments: the states of a cash award (pending → part paid → paid, back with a reversal),
the rules that refuse a movement, the ledger postings and the audit rows; then, for any sequence of
payments and reversals (hypothesis), the net paid, the cap at the cash value and a balanced ledger."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.auth.models import Role
from portal.awards.common import new_certificate_code
from portal.awards.models import (
    Award,
    AwardStatus,
    PaymentKind,
    PaymentMethod,
    PrizePayment,
)
from portal.awards.payments import services as payments
from portal.core import idempotency, storage
from portal.core.audit import AuditLog
from portal.core.errors import DomainError
from portal.core.time import to_vietnam
from portal.extensions import db
from portal.ledger import services as ledger
from portal.ledger.models import Posting, PostingLine
from tests.conftest import mails_to
from tests.factories import UserFactory

NOW = datetime(2026, 5, 10, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
TODAY = to_vietnam(NOW).date()
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
# A whole 1×1 PNG: receipts that are images must decode.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False) as clock:
        yield clock


@pytest.fixture
def first(published) -> Award:
    """The first prize: 10,000,000 đồng to entries[0] (Lò Thị Hương)."""
    return published.awards[0]


def pay(world, award, amount, *, method="bank_transfer", reference="UNC-001", at=None, **kw):
    return payments.record_payment(
        world.organiser,
        award,
        amount=amount,
        paid_on=kw.pop("paid_on", TODAY),
        method=method,
        reference=reference,
        note=kw.pop("note", ""),
        now=at or NOW,
        **kw,
    )


def later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def state(award):
    db.session.expire_all()
    view = payments.winner_view(db.session.get(Award, award.id))
    return view.status, view.paid, view.outstanding


def assert_ledger_balances():
    sums = db.session.execute(
        sa.select(Posting.id, sa.func.sum(PostingLine.amount))
        .join(PostingLine)
        .where(Posting.source == payments.SOURCE)
        .group_by(Posting.id)
    ).all()
    assert all(total == 0 for _, total in sums)


def net_in_ledger() -> int:
    return ledger.balance(payments.PAYABLE, source=payments.SOURCE)


# --- States --------------------------------------------------------------------------------------


def test_a_cash_award_goes_from_pending_to_part_paid_to_paid(published, first):
    assert state(first) == (payments.PaymentStatus.PENDING, 0, 10_000_000)
    pay(published, first, 4_000_000)
    assert state(first) == (payments.PaymentStatus.PART_PAID, 4_000_000, 6_000_000)
    pay(published, first, 6_000_000, method="cash", reference="", at=later(5))
    assert state(first) == (payments.PaymentStatus.PAID, 10_000_000, 0)


def test_a_reversal_puts_the_amount_back_to_outstanding(published, first):
    payment = pay(published, first, 10_000_000)
    reversal = payments.reverse_payment(
        published.organiser, payment, reason="Nhập nhầm số tiền", now=later(1)
    )
    assert reversal.kind is PaymentKind.REVERSAL
    assert reversal.reverses_id == payment.id
    assert reversal.amount == payment.amount
    assert reversal.note == "Nhập nhầm số tiền"
    assert state(first) == (payments.PaymentStatus.PENDING, 0, 10_000_000)
    # The payment itself is unchanged, and a new payment can follow.
    db.session.refresh(payment)
    assert (payment.kind, payment.amount) == (PaymentKind.PAYMENT, 10_000_000)
    pay(published, first, 10_000_000, reference="UNC-002", at=later(2))
    assert state(first) == (payments.PaymentStatus.PAID, 10_000_000, 0)


def test_winner_view_lists_payments_and_reversals_in_order(published, first):
    payment = pay(published, first, 3_000_000)
    payments.reverse_payment(published.organiser, payment, reason="Trùng", now=later(1))
    pay(published, first, 2_000_000, reference="UNC-009", at=later(2))
    db.session.expire_all()
    view = payments.winner_view(db.session.get(Award, first.id))
    assert [(p.kind, p.signed_amount) for p in view.payments] == [
        (PaymentKind.PAYMENT, 3_000_000),
        (PaymentKind.REVERSAL, -3_000_000),
        (PaymentKind.PAYMENT, 2_000_000),
    ]
    assert (view.paid, view.outstanding) == (2_000_000, 8_000_000)
    assert view.may_reverse(view.payments[2])
    assert not view.may_reverse(view.payments[0])
    assert not view.may_reverse(view.payments[1])


# --- Refusals --------------------------------------------------------------------------------------


def test_a_prize_is_never_overpaid(published, first):
    pay(published, first, 9_000_000)
    with pytest.raises(DomainError) as refused, force_locale("en"):
        pay(published, first, 1_000_001, at=later(1))
    assert refused.value.field == "amount"
    with force_locale("en"):
        assert "1,000,000 is still to be paid" in refused.value.message
    pay(published, first, 1_000_000, at=later(2))
    with pytest.raises(DomainError):
        pay(published, first, 1, at=later(3))
    assert state(first)[1] == 10_000_000


@pytest.mark.parametrize("amount", [0, -5, 2.5, True])
def test_the_amount_is_a_positive_whole_number_of_dong(published, first, amount):
    with pytest.raises(DomainError) as refused:
        pay(published, first, amount)
    assert refused.value.field == "amount"


def test_a_payment_is_reversed_at_most_once(published, first):
    payment = pay(published, first, 5_000_000)
    payments.reverse_payment(published.organiser, payment, reason="Sai", now=later(1))
    with pytest.raises(payments.PaymentConflict):
        payments.reverse_payment(published.organiser, payment, reason="Lại sai", now=later(2))
    assert db.session.scalar(sa.select(sa.func.count(PrizePayment.id))) == 2


def test_a_race_between_two_reversals_ends_in_a_conflict_not_an_error(
    published, first, monkeypatch
):
    payment = pay(published, first, 5_000_000)
    payments.reverse_payment(published.organiser, payment, reason="Sai", now=later(1))
    # The second organiser's check ran before the first one's reversal was written.
    monkeypatch.setattr(payments, "reversal_of", lambda _payment: None)
    with pytest.raises(payments.PaymentConflict):
        payments.reverse_payment(published.second_organiser, payment, reason="Sai", now=later(1))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(PrizePayment.id))) == 2
    assert state(first)[1] == 0
    assert_ledger_balances()


def test_a_reversal_cannot_be_reversed(published, first):
    payment = pay(published, first, 5_000_000)
    reversal = payments.reverse_payment(published.organiser, payment, reason="Sai", now=later(1))
    with pytest.raises(DomainError) as refused, force_locale("en"):
        payments.reverse_payment(published.organiser, reversal, reason="Ngược lại", now=later(2))
    with force_locale("en"):
        assert "record a new payment" in refused.value.message


def test_a_reversal_needs_a_reason(published, first):
    payment = pay(published, first, 5_000_000)
    with pytest.raises(DomainError) as refused:
        payments.reverse_payment(published.organiser, payment, reason="   ", now=later(1))
    assert refused.value.field == "reason"


def test_no_payment_for_a_revoked_award_and_it_says_so(published, first):
    first.status = AwardStatus.REVOKED
    first.revoked_at = NOW
    first.revoked_reason = "Vi phạm thể lệ"
    db.session.commit()
    with pytest.raises(DomainError) as refused, force_locale("en"):
        pay(published, first, 1_000_000)
    with force_locale("en"):
        assert "revoked" in refused.value.message
    assert state(first)[1] == 0


def test_a_payment_on_an_award_revoked_later_can_still_be_reversed(published, first):
    payment = pay(published, first, 1_000_000)
    first.status = AwardStatus.REVOKED
    db.session.commit()
    payments.reverse_payment(published.organiser, payment, reason="Thu hồi giải", now=later(1))
    assert state(first)[1] == 0


def test_a_revoked_award_owes_nothing_more(published, first):
    pay(published, first, 4_000_000)
    first.status = AwardStatus.REVOKED
    db.session.commit()
    view = payments.winner_view(first)
    assert (view.paid, view.outstanding) == (4_000_000, 0)
    assert view.status is payments.PaymentStatus.REVOKED


def test_no_payment_before_the_results_are_published(awards_world):
    award = Award(
        competition_id=awards_world.competition.id,
        tier_id=awards_world.tiers[0].id,
        slot=1,
        entry_id=awards_world.entries[0].id,
        cash_value=10_000_000,
    )
    db.session.add(award)
    db.session.commit()
    with pytest.raises(DomainError):
        pay(awards_world, award, 1_000_000)
    assert payments.totals(awards_world.competition) == payments.PaymentTotals()


def test_the_date_is_neither_in_the_future_nor_before_publication(published, first):
    with pytest.raises(DomainError) as refused:
        pay(published, first, 1_000_000, paid_on=TODAY + timedelta(days=1))
    assert refused.value.field == "paid_on"
    with pytest.raises(DomainError) as refused:
        pay(published, first, 1_000_000, paid_on=TODAY - timedelta(days=1))
    assert refused.value.field == "paid_on"


def test_today_is_the_day_in_vietnam(published, first, frozen):
    # 23:30 UTC on 10 May is already 11 May in Vietnam.
    frozen.move_to(datetime(2026, 5, 10, 23, 30, tzinfo=UTC))
    pay(published, first, 1_000_000, paid_on=TODAY + timedelta(days=1), at=datetime.now(UTC))
    assert state(first)[1] == 1_000_000


def test_a_bank_transfer_needs_a_reference_and_cash_does_not(published, first):
    with pytest.raises(DomainError) as refused:
        pay(published, first, 1_000_000, reference="  ")
    assert refused.value.field == "reference"
    pay(published, first, 1_000_000, method="cash", reference="")
    with pytest.raises(DomainError) as refused:
        pay(published, first, 1_000_000, method="cheque", at=later(1))
    assert refused.value.field == "method"


def test_only_the_competitions_organisers_record_or_reverse(published, first, units):
    other = UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])])
    winner = published.applicants[0]
    for actor in (other, winner):
        with pytest.raises(DomainError):
            payments.record_payment(actor, first, amount=1, paid_on=TODAY, method="cash", now=NOW)
    payment = pay(published, first, 1_000_000)
    with pytest.raises(DomainError):
        payments.reverse_payment(other, payment, reason="x", now=later(1))
    admin = UserFactory(roles=[Role.ADMIN])
    payments.reverse_payment(admin, payment, reason="Sai", now=later(1))


def test_the_same_form_sent_twice_records_one_payment(published, first):
    key = idempotency.new_key()
    made = pay(published, first, 1_000_000, form_key=key)
    # Sent again by anyone, at any time later: nothing more is recorded.
    for actor, at in (
        (published.organiser, later(1)),
        (published.second_organiser, later(60 * 24)),
    ):
        with pytest.raises(idempotency.AlreadySent) as again:
            payments.record_payment(
                actor, first, amount=1_000_000, paid_on=TODAY, method="cash", now=at, form_key=key
            )
        assert again.value.earlier.object_id == made.id
    assert state(first)[1] == 1_000_000
    # The same amount from a new form, a minute later, is a second instalment.
    pay(published, first, 1_000_000, at=later(1), form_key=idempotency.new_key())
    assert state(first)[1] == 2_000_000


def test_a_reversal_form_sent_twice_reverses_once(published, first):
    payment = pay(published, first, 1_000_000)
    key = idempotency.new_key()
    payments.reverse_payment(
        published.organiser, payment, reason="Nhầm", now=later(1), form_key=key
    )
    with pytest.raises(idempotency.AlreadySent):
        payments.reverse_payment(
            published.second_organiser, payment, reason="Nhầm", now=later(2), form_key=key
        )
    assert state(first)[1] == 0


# --- Receipts ----------------------------------------------------------------------------------------


def test_a_receipt_is_checked_by_its_content(published, first):
    with pytest.raises(DomainError) as refused:
        pay(published, first, 1_000_000, receipt=(b"MZ\x90\x00 not a pdf", "bien-lai.pdf"))
    assert refused.value.field == "receipt"
    payment = pay(published, first, 1_000_000, receipt=(PDF, "C:\\giấy tờ\\biên lai.pdf"))
    assert payment.receipt_content_type == "application/pdf"
    assert payment.receipt_filename == "biên lai.pdf"
    assert storage.path_of(payment.receipt_stored_name).read_bytes() == PDF
    png = pay(published, first, 2_000_000, receipt=(PNG, "anh.png"), at=later(1))
    assert png.receipt_content_type == "image/png"


def test_a_receipt_too_large_is_refused(published, first, app):
    app.config["MAX_PLAN_BYTES"] = 100
    with pytest.raises(DomainError) as refused:
        pay(published, first, 1_000_000, receipt=(PDF + b"0" * 200, "big.pdf"))
    assert refused.value.field == "receipt"


# --- Ledger, audit, mail ---------------------------------------------------------------------------


def test_every_movement_posts_one_balanced_entry(published, first):
    bank = pay(published, first, 4_000_000)
    cash = pay(published, first, 1_000_000, method="cash", reference="", at=later(1))
    reversal = payments.reverse_payment(published.organiser, bank, reason="Sai", now=later(2))
    db.session.expire_all()
    lines = {
        p.id: sorted((line.account, line.amount) for line in p.posting.lines)
        for p in db.session.scalars(sa.select(PrizePayment))
    }
    assert lines[bank.id] == [("bank", -4_000_000), ("prizes_payable", 4_000_000)]
    assert lines[cash.id] == [("cash", -1_000_000), ("prizes_payable", 1_000_000)]
    assert lines[reversal.id] == [("bank", 4_000_000), ("prizes_payable", -4_000_000)]
    postings = db.session.scalars(sa.select(Posting)).all()
    assert len(postings) == 3
    assert {(p.source, p.object_type) for p in postings} == {("prize_budget", "prize_payment")}
    assert {p.object_id for p in postings} == {bank.id, cash.id, reversal.id}
    assert_ledger_balances()
    assert net_in_ledger() == 1_000_000 == state(first)[1]


def test_every_movement_is_audited_with_paid_and_outstanding(published, first):
    payment = pay(published, first, 4_000_000)
    payments.reverse_payment(published.organiser, payment, reason="Sai", now=later(1))
    rows = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action.like("prize_payment.%")).order_by(AuditLog.id)
    ).all()
    assert [r.action for r in rows] == ["prize_payment.recorded", "prize_payment.reversed"]
    assert rows[0].before == {"paid": 0, "outstanding": 10_000_000, "status": "pending"}
    assert rows[0].after["paid"] == 4_000_000
    assert rows[0].after["outstanding"] == 6_000_000
    assert rows[0].after["status"] == "part_paid"
    assert rows[1].before["paid"] == 4_000_000
    assert rows[1].after["paid"] == 0
    assert rows[1].after["reverses_id"] == payment.id
    assert rows[1].after["reason"] == "Sai"
    assert {(r.object_type, r.object_id, r.actor_id) for r in rows} == {
        ("award", first.id, published.organiser.id)
    }


def test_the_winner_is_told_in_her_language(published, first):
    winner = published.applicants[0]
    pay(published, first, 4_000_000)
    [mail] = mails_to(winner.email)
    assert winner.full_name in mail.body_text
    assert "4.000.000" in mail.body_text
    assert "6.000.000" in mail.body_text  # still to be paid
    winner.language = "en"
    db.session.commit()
    pay(published, first, 6_000_000, reference="UNC-002", at=later(1))
    mail = mails_to(winner.email)[-1]
    assert "paid in full" in mail.body_text
    assert "10,000,000" in mail.body_text


def test_a_refused_payment_leaves_nothing_behind(published, first):
    with pytest.raises(DomainError):
        pay(published, first, 20_000_000, receipt=(PDF, "bien-lai.pdf"))
    assert db.session.scalar(sa.select(sa.func.count(PrizePayment.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Posting.id))) == 0
    assert mails_to(published.applicants[0].email) == []


# --- Totals ------------------------------------------------------------------------------------------


def test_totals_of_a_competition(published, first):
    awards = published.awards
    # 1×10M + 2×5M + 3×3M + 4×1M + 1×2M special = 35M in 11 prizes.
    assert payments.totals(published.competition) == payments.PaymentTotals(
        11, 35_000_000, 0, 35_000_000, 0
    )
    pay(published, first, 10_000_000)
    partial = pay(published, awards[1], 5_000_000, at=later(1))
    payments.reverse_payment(published.organiser, partial, reason="Sai", now=later(2))
    pay(published, awards[1], 2_000_000, at=later(3))
    revoked = awards[10]
    pay(published, revoked, 500_000, at=later(4))
    revoked.status = AwardStatus.REVOKED
    db.session.commit()
    totals = payments.totals(published.competition)
    assert totals == payments.PaymentTotals(
        awarded_count=10,
        awarded_cash=33_000_000,
        paid=12_000_000,
        outstanding=21_000_000,
        paid_on_revoked=500_000,
    )


def test_totals_and_the_list_take_a_constant_number_of_queries(published):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def queries() -> tuple[int, int]:
        db.session.expire_all()
        statements.clear()
        payments.totals(published.competition)
        for_totals = len(statements)
        statements.clear()
        for account in map(payments.winner_view, payments.cash_awards(published.competition)):
            [
                (p.recorded_by.full_name, account.award.entry.applicant.full_name)
                for p in account.payments
            ]
        return for_totals, len(statements)

    awards = published.awards
    pay(published, awards[0], 1_000)
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        one = queries()
        for n, award in enumerate(awards[1:], start=1):
            pay(published, award, 1_000, at=later(n))
            pay(published, award, 2_000, at=later(n), reference="UNC-2")
        assert queries() == one
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


# --- Any sequence of movements -------------------------------------------------------------------

slots = itertools.count(100)

movements = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(1, 3_000_000), st.sampled_from(list(PaymentMethod))),
        st.tuples(st.just("reverse"), st.integers(0, 30), st.none()),
    ),
    max_size=12,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cash_value=st.integers(1, 5_000_000), steps=movements)
def test_any_sequence_of_movements_keeps_the_books(published, cash_value, steps):
    award = Award(
        competition_id=published.competition.id,
        tier_id=published.tiers[3].id,
        slot=next(slots),
        entry_id=published.entries[0].id,
        cash_value=cash_value,
        certificate_code=new_certificate_code(),
        issued_at=NOW,
    )
    db.session.add(award)
    db.session.commit()
    done: list[PrizePayment] = []
    reversed_ids: set[int] = set()
    expected = 0
    for n, (action, number, method) in enumerate(steps):
        at = later(3 * n + 3)
        if action == "pay":
            if number > cash_value - expected:
                with pytest.raises(DomainError):
                    pay(published, award, number, method=method, reference=f"R{n}", at=at)
                continue
            done.append(pay(published, award, number, method=method, reference=f"R{n}", at=at))
            expected += number
        elif done:
            target = done[number % len(done)]
            if target.kind is PaymentKind.REVERSAL or target.id in reversed_ids:
                with pytest.raises(DomainError):
                    payments.reverse_payment(published.organiser, target, reason="Sai", now=at)
                continue
            done.append(payments.reverse_payment(published.organiser, target, reason="Sai", now=at))
            reversed_ids.add(target.id)
            expected -= target.amount
        db.session.expire_all()
        paid = payments.net_paid(award)
        signed = sum(
            p.signed_amount
            for p in db.session.scalars(
                sa.select(PrizePayment).where(PrizePayment.award_id == award.id)
            )
        )
        assert paid == signed == expected
        assert 0 <= paid <= cash_value
    view = payments.winner_view(db.session.get(Award, award.id))
    assert view.paid == expected
    assert view.outstanding == cash_value - expected
    assert view.status is payments.status_for(expected, cash_value)
    # The ledger: every posting balances, and what is payable equals the net paid of every award.
    assert_ledger_balances()
    all_paid = db.session.scalar(
        sa.select(
            sa.func.coalesce(
                sa.func.sum(
                    sa.case(
                        (PrizePayment.kind == PaymentKind.PAYMENT, PrizePayment.amount),
                        else_=-PrizePayment.amount,
                    )
                ),
                0,
            )
        )
    )
    assert net_in_ledger() == all_paid
    award_lines = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(PostingLine.amount), 0))
        .join(Posting)
        .join(PrizePayment, PrizePayment.posting_id == Posting.id)
        .where(PrizePayment.award_id == award.id, PostingLine.account == payments.PAYABLE)
    )
    assert award_lines == expected
