"""Prize payment pages through requests: the organisers' list and totals, recording (money as she
types it, 422s that keep what was typed), reversing, receipts, and the forbidden paths."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask import render_template

from portal.auth.models import Role
from portal.awards.models import Award, AwardStatus, PaymentKind, PrizePayment
from portal.awards.payments import services as payments
from portal.core.money import MoneyInputError, parse_vnd
from portal.core.time import to_vietnam
from portal.extensions import db
from tests.conftest import database_down_after_the_next_commit, login
from tests.core.test_storage import bomb_png, truncated_jpeg
from tests.factories import UserFactory

NOW = datetime(2026, 5, 10, 3, 0, tzinfo=UTC)
TODAY = to_vietnam(NOW).date()
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False) as clock:
        yield clock


@pytest.fixture
def organiser(published):
    published.organiser.language = "en"
    db.session.commit()
    return published.organiser


def new_url(award) -> str:
    return f"/awards/{award.id}/payments/new"


def form(**overrides) -> dict:
    data = {
        "amount": "4.000.000",
        "paid_on": TODAY.isoformat(),
        "method": "bank_transfer",
        "reference": "UNC-001",
        "note": "",
    }
    data.update(overrides)
    return data


def paid_of(award) -> int:
    db.session.expire_all()
    return payments.net_paid(db.session.get(Award, award.id))


def record(world, award, amount, **kw):
    return payments.record_payment(
        world.organiser,
        award,
        amount=amount,
        paid_on=TODAY,
        method=kw.pop("method", "bank_transfer"),
        reference=kw.pop("reference", "UNC-001"),
        now=kw.pop("now", NOW),
        **kw,
    )


# --- Money as typed ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("5000000", 5_000_000),
        ("5.000.000", 5_000_000),
        ("5,000,000", 5_000_000),
        ("5 000 000", 5_000_000),
        ("5.000.000 ₫", 5_000_000),
        ("5.000.000đ", 5_000_000),
        ("VND 5,000,000", 5_000_000),
        ("500", 500),
    ],
)
def test_money_is_read_the_ways_people_write_it(typed, amount):
    assert parse_vnd(typed) == amount


@pytest.mark.parametrize(
    "typed", ["5,5", "5.000,00", "5.000,000", "5.00.000", "năm triệu", "-5000", "5e6", ""]
)
def test_what_is_not_an_amount(app, typed):
    with pytest.raises(MoneyInputError):
        parse_vnd(typed)


@pytest.mark.parametrize("typed", ["5.000.000", "5,000,000", "5000000"])
def test_recording_a_payment(client, published, organiser, typed):
    award = published.awards[0]
    login(client, organiser)
    page = client.get(new_url(award))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'for="amount"' in html and 'for="paid_on"' in html and 'for="receipt"' in html
    assert TODAY.isoformat() in html  # today in Vietnam is filled in
    response = client.post_form(new_url(award), form(amount=typed))
    assert response.status_code == 302
    assert response.location.endswith(f"/awards/competitions/{published.competition.id}/payments")
    assert paid_of(award) == 5_000_000


def test_a_receipt_is_stored_and_the_winner_can_open_it(client, published, organiser):
    award = published.awards[0]
    login(client, organiser)
    data = form(receipt=(io.BytesIO(PDF), "biên lai.pdf"))
    response = client.post_form(new_url(award), data, content_type="multipart/form-data")
    assert response.status_code == 302
    payment = db.session.scalar(sa.select(PrizePayment))
    assert payment.receipt_filename == "biên lai.pdf"
    client.post_form("/logout")
    login(client, published.applicants[0])
    receipt = client.get(f"/awards/payments/{payment.id}/receipt")
    assert receipt.status_code == 200
    assert receipt.data == PDF
    assert receipt.mimetype == "application/pdf"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": "5,5"}, "amount", "without decimals"),
        ({"amount": "năm triệu"}, "amount", "in digits"),
        ({"amount": ""}, "amount", "Write the amount paid"),
        ({"amount": "0"}, "amount", "1 đồng or more"),
        ({"amount": "10.000.001"}, "amount", "never overpaid"),
        ({"paid_on": (TODAY + timedelta(days=1)).isoformat()}, "paid_on", "future"),
        ({"paid_on": (TODAY - timedelta(days=3)).isoformat()}, "paid_on", "before the results"),
        ({"paid_on": "10/05/2026x"}, "paid_on", "2026-03-15"),
        ({"reference": ""}, "reference", "reference"),
        ({"method": "cheque"}, "method", ""),
    ],
)
def test_a_wrong_payment_comes_back_with_what_was_typed(
    client, published, organiser, overrides, field, message
):
    award = published.awards[0]
    login(client, organiser)
    data = form(note="Chị Hương nhận tại xã <b>Mường Phăng</b>", **overrides)
    response = client.post_form(new_url(award), data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', html)
    assert error, html
    assert message in error.group(1)
    # What she typed is still there, escaped.
    assert "Mường Phăng" in html and "<b>Mường" not in html
    if overrides.get("amount"):
        assert f'value="{overrides["amount"]}"' in html
    assert paid_of(award) == 0


def test_a_wrong_file_keeps_the_text(client, published, organiser):
    award = published.awards[0]
    login(client, organiser)
    data = form(
        amount="3.000.000", note="Trả đợt 1", receipt=(io.BytesIO(b"MZ\x90 exe"), "bien-lai.pdf")
    )
    response = client.post_form(new_url(award), data, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="receipt-error"' in html
    assert "PDF, JPEG or PNG" in html
    assert 'value="3.000.000"' in html and "Trả đợt 1" in html and 'value="UNC-001"' in html
    assert paid_of(award) == 0


@pytest.mark.parametrize(
    ("receipt", "message"),
    [
        (bomb_png, "This image is too large to open (more than 89 million pixels)"),
        (truncated_jpeg, "This image could not be read: the file is incomplete or damaged."),
    ],
)
def test_a_receipt_image_that_does_not_decode_is_refused_and_the_text_kept(
    client, published, organiser, receipt, message
):
    award = published.awards[0]
    login(client, organiser)
    data = form(amount="3.000.000", note="Trả đợt 1", receipt=(io.BytesIO(receipt()), "bl.png"))
    response = client.post_form(new_url(award), data, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="receipt-error"' in html and message in html
    assert 'value="3.000.000"' in html and "Trả đợt 1" in html and 'value="UNC-001"' in html
    assert paid_of(award) == 0


def test_a_good_file_with_another_error_asks_for_the_file_again(client, published, organiser):
    award = published.awards[0]
    login(client, organiser)
    data = form(reference="", receipt=(io.BytesIO(PDF), "bien-lai.pdf"))
    response = client.post_form(new_url(award), data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose the receipt file again" in response.get_data(as_text=True)


def form_key_of(page: str) -> str:
    return re.search(r'name="form_key" value="([0-9a-f]{32})"', page).group(1)


def test_the_same_form_sent_twice_records_one_payment(client, published, organiser, app):
    award = published.awards[0]
    login(client, organiser)
    page = client.get(new_url(award)).get_data(as_text=True)
    sent = form() | {"form_key": form_key_of(page)}
    assert client.post_form(new_url(award), sent).status_code == 302
    second = client.post_form(new_url(award), sent, follow_redirects=True)
    assert second.status_code == 200
    assert "not recorded a second time" in second.get_data(as_text=True)
    # The same page sent by the other organiser of the unit: still one payment.
    other = app.test_client()
    login(other, published.second_organiser)
    assert other.post_form(new_url(award), sent).status_code == 302
    assert paid_of(award) == 4_000_000
    # A new form for the same amount is the next instalment.
    fresh = form() | {"form_key": form_key_of(client.get(new_url(award)).get_data(as_text=True))}
    assert fresh["form_key"] != sent["form_key"]


def test_a_revoked_award_says_so_and_takes_no_payment(client, published, organiser):
    award = published.awards[0]
    award.status = AwardStatus.REVOKED
    db.session.commit()
    login(client, organiser)
    page = client.get(new_url(award)).get_data(as_text=True)
    assert "has been revoked" in page
    assert 'id="amount"' not in page
    response = client.post_form(new_url(award), form())
    assert response.status_code == 422
    assert "has been revoked" in response.get_data(as_text=True)
    assert paid_of(award) == 0


def test_before_publication_the_page_says_when_payments_start(client, awards_world):
    awards_world.organiser.language = "en"
    db.session.commit()
    login(client, awards_world.organiser)
    response = client.get(f"/awards/competitions/{awards_world.competition.id}/payments")
    assert response.status_code == 200
    assert "Prize payments start when the results are published." in response.get_data(as_text=True)


# --- The organisers' list --------------------------------------------------------------------------


def test_the_list_shows_totals_awards_and_movements(client, published, organiser):
    first, second = published.awards[0], published.awards[1]
    payment = record(published, first, 4_000_000, reference="UNC-AAA")
    payments.reverse_payment(organiser, payment, reason="Nhập nhầm", now=NOW)
    record(published, first, 10_000_000, reference="UNC-BBB", now=NOW + timedelta(minutes=5))
    kept = record(published, second, 1_000_000, method="cash", reference="")
    login(client, organiser)
    response = client.get(f"/awards/competitions/{published.competition.id}/payments")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "11 prizes" in html
    assert "35,000,000" in html  # awarded
    assert "11,000,000" in html  # paid
    assert "24,000,000" in html  # still to be paid
    assert "Lò Thị Hương" in html and "Giải Nhất" in html
    assert "UNC-AAA" in html and "UNC-BBB" in html and "Nhập nhầm" in html
    assert "Paid" in html and "Partly paid" in html and "Not yet paid" in html
    # Reverse links only for payments not yet reversed; record links only for what is owed.
    reverse_links = set(re.findall(r"/awards/payments/(\d+)/reverse", html))
    assert str(payment.id) not in reverse_links
    assert str(kept.id) in reverse_links
    assert new_url(first) not in html
    assert new_url(second) in html
    assert 'aria-current="page"' in html


def test_the_list_takes_a_constant_number_of_queries(client, published, organiser):
    login(client, organiser)
    url = f"/awards/competitions/{published.competition.id}/payments"
    record(published, published.awards[0], 1_000)

    def count() -> int:
        statements = []
        listener = lambda *_args: statements.append(1)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    few = count()
    for n, award in enumerate(published.awards[1:], start=1):
        record(published, award, 1_000, now=NOW + timedelta(minutes=n))
    assert count() == few


# --- Reversing -------------------------------------------------------------------------------------


def test_reversing_a_payment(client, published, organiser):
    award = published.awards[0]
    payment = record(published, award, 4_000_000, reference="UNC-777")
    login(client, organiser)
    url = f"/awards/payments/{payment.id}/reverse"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "UNC-777" in html and "4,000,000" in html and 'for="reason"' in html
    empty = client.post_form(url, {"reason": "  "})
    assert empty.status_code == 422
    assert 'id="reason-error"' in empty.get_data(as_text=True)
    done = client.post_form(url, {"reason": "Chuyển nhầm tài khoản"})
    assert done.status_code == 302
    assert paid_of(award) == 0
    again = client.post_form(url, {"reason": "Lần nữa"})
    assert again.status_code == 409
    assert "already been reversed" in again.get_data(as_text=True)
    assert "already been reversed" in client.get(url).get_data(as_text=True)
    reversal = db.session.scalar(
        sa.select(PrizePayment).where(PrizePayment.kind == PaymentKind.REVERSAL)
    )
    refused = client.post_form(f"/awards/payments/{reversal.id}/reverse", {"reason": "x"})
    assert refused.status_code == 422
    assert "record a new payment" in refused.get_data(as_text=True)
    assert paid_of(award) == 0


# --- Forbidden paths -------------------------------------------------------------------------------


def test_another_winner_cannot_open_her_receipt_or_pages(client, published):
    payment = record(published, published.awards[0], 1_000_000, receipt=(PDF, "bien-lai.pdf"))
    login(client, published.applicants[1])  # she won a second prize
    assert client.get(f"/awards/payments/{payment.id}/receipt").status_code == 403
    assert client.get(f"/awards/payments/{payment.id}/reverse").status_code == 403
    assert client.get(new_url(published.awards[1])).status_code == 403
    assert client.post_form(new_url(published.awards[1]), form()).status_code == 403
    assert (
        client.get(f"/awards/competitions/{published.competition.id}/payments").status_code == 403
    )


def test_an_organiser_of_another_unit_cannot_see_or_move_the_money(client, published, units):
    payment = record(published, published.awards[0], 1_000_000, receipt=(PDF, "bien-lai.pdf"))
    login(client, UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]))
    assert (
        client.get(f"/awards/competitions/{published.competition.id}/payments").status_code == 403
    )
    assert client.post_form(new_url(published.awards[0]), form()).status_code == 403
    assert (
        client.post_form(f"/awards/payments/{payment.id}/reverse", {"reason": "x"}).status_code
        == 403
    )
    assert client.get(f"/awards/payments/{payment.id}/receipt").status_code == 403
    assert paid_of(published.awards[0]) == 1_000_000


def test_anonymous_visitors_are_sent_to_log_in(client, published):
    payment = record(published, published.awards[0], 1_000_000, receipt=(PDF, "bien-lai.pdf"))
    for url in (
        f"/awards/payments/{payment.id}/receipt",
        f"/awards/payments/{payment.id}/reverse",
        new_url(published.awards[0]),
        f"/awards/competitions/{published.competition.id}/payments",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/login?next=")


def test_a_payment_without_a_receipt_has_no_receipt_page(client, published):
    payment = record(published, published.awards[0], 1_000_000)
    login(client, published.applicants[0])
    assert client.get(f"/awards/payments/{payment.id}/receipt").status_code == 404


# --- The winner's part -----------------------------------------------------------------------------


def test_the_winner_partial_shows_her_money(app, published):
    award = published.awards[0]
    payment = record(published, award, 4_000_000, reference="UNC-321", receipt=(PDF, "bl.pdf"))
    payments.reverse_payment(published.organiser, payment, reason="Sai", now=NOW)
    record(published, award, 3_000_000, method="cash", reference="", now=NOW + timedelta(minutes=5))
    db.session.expire_all()
    view = payments.winner_view(db.session.get(Award, award.id))
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        from flask_babel import force_locale

        with force_locale("en"):
            html = render_template("awards/payments/_winner.html", winner_payments=view)
    assert "Partly paid" in html
    assert "3,000,000" in html and "7,000,000" in html  # paid, still to be paid
    assert "UNC-321" in html and "Reversal" in html and "Cash" in html
    assert f"/awards/payments/{payment.id}/receipt" in html


def test_a_payment_committed_just_before_the_database_goes_down_is_not_a_500(
    client, published, organiser, app
):
    """The payment is committed, then the database stops answering: the answer must still say
    it was recorded (a 500 would make the organiser send it again)."""
    award = published.awards[0]
    login(client, organiser)
    page = client.get(new_url(award)).get_data(as_text=True)
    sent = form() | {"form_key": form_key_of(page), "csrf_token": client.csrf_token()}
    with database_down_after_the_next_commit():  # the payment's (a page read commits too)
        response = client.post(new_url(award), data=sent)
    assert response.status_code == 302
    assert response.location == f"/awards/competitions/{award.competition_id}/payments"
    db.session.remove()
    assert paid_of(award) == 4_000_000
