"""The outbox worker: sends what is due, once; retries with back-off; gives up after the limit."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from portal.core import outbox
from portal.core.outbox import OutboxMessage, OutboxStatus, queue_mail, retry_delay, send_due
from portal.extensions import db

START = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)


def queue(to="a@example.vn") -> OutboxMessage:
    message = queue_mail(
        to,
        "invitation",
        "vi",
        "Thư mời",
        invitation=type("I", (), {"unit": None})(),
        inviter=type("U", (), {"full_name": "Lò Thị Hương"})(),
        role_label="Giám khảo",
        accept_url="http://localhost/x",
        days=14,
    )
    db.session.commit()
    return message


@pytest.fixture
def transport(monkeypatch):
    """A transport that records what it sends, or fails while `failing` is set."""
    sent, state = [], {"failing": False}

    def send(message):
        if state["failing"]:
            raise ConnectionRefusedError("SMTP server down")
        sent.append(message.id)

    monkeypatch.setattr(outbox, "_transport", lambda: send)
    return sent, state


def test_a_queued_mail_is_rendered_in_its_language(app):
    message = queue()
    assert message.status is OutboxStatus.PENDING
    assert "Lò Thị Hương" in message.body_text
    assert "Hội Liên hiệp Phụ nữ Việt Nam" in message.body_html  # Vietnamese footer


def test_send_due_sends_each_message_once(app, transport):
    sent, _ = transport
    first, second = queue(), queue("b@example.vn")
    assert send_due() == {"sent": 2, "retry": 0, "failed": 0}
    assert send_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert sent == [first.id, second.id]
    db.session.refresh(first)
    assert first.status is OutboxStatus.SENT and first.sent_at is not None


def test_a_failure_is_retried_with_growing_delays_then_marked_failed(app, transport):
    sent, state = transport
    state["failing"] = True
    app.config.update(MAIL_MAX_ATTEMPTS=3, MAIL_RETRY_BASE_SECONDS=60)
    with time_machine.travel(START, tick=False) as clock:
        message = queue()
        assert send_due()["retry"] == 1
        db.session.refresh(message)
        assert message.next_attempt_at == START + timedelta(seconds=60)
        assert "SMTP server down" in message.last_error
        assert send_due() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
        clock.shift(timedelta(seconds=60))
        assert send_due()["retry"] == 1
        db.session.refresh(message)
        assert message.next_attempt_at == START + timedelta(seconds=60 + 120)
        clock.shift(timedelta(seconds=120))
        assert send_due()["failed"] == 1
    db.session.refresh(message)
    assert (message.status, message.attempts, sent) == (OutboxStatus.FAILED, 3, [])


def test_a_retry_succeeds_when_the_server_is_back(app, transport):
    sent, state = transport
    with time_machine.travel(START, tick=False) as clock:
        state["failing"] = True
        message = queue()
        send_due()
        state["failing"] = False
        clock.shift(timedelta(hours=1))
        assert send_due()["sent"] == 1
    assert sent == [message.id]


def test_a_message_claimed_by_another_worker_is_not_sent_again(app, transport):
    sent, _ = transport
    message = queue()
    assert outbox._claim(message.id, START)
    assert not outbox._claim(message.id, START)  # a second worker loses the race
    send_due()
    assert sent == []


def test_a_claim_left_by_a_dead_worker_is_marked_failed_not_resent(app, transport):
    sent, _ = transport
    with time_machine.travel(START, tick=False) as clock:
        message = queue()
        outbox._claim(message.id, START)
        clock.shift(timedelta(minutes=11))
        send_due()
    db.session.refresh(message)
    assert message.status is OutboxStatus.FAILED and sent == []


def test_an_admin_can_requeue_a_failed_message(app, transport):
    sent, state = transport
    app.config.update(MAIL_MAX_ATTEMPTS=1)
    state["failing"] = True
    message = queue()
    send_due()
    state["failing"] = False
    outbox.requeue(message)
    db.session.commit()
    send_due()
    assert sent == [message.id]


def test_a_mail_is_lost_with_its_event_when_the_transaction_rolls_back(app):
    queue_mail(
        "x@example.vn",
        "reset_password",
        "en",
        "S",
        user=type("U", (), {"full_name": "X"})(),
        reset_url="http://localhost/r",
        minutes=60,
    )
    db.session.rollback()  # the event failed: its mail goes with it
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


@given(st.integers(min_value=1, max_value=40), st.integers(min_value=1, max_value=3600))
def test_retry_delays_grow_and_are_capped(attempts, base):
    delay = retry_delay(attempts, base)
    assert timedelta(seconds=base) <= delay or delay == timedelta(hours=6)
    assert delay <= timedelta(hours=6)
    assert retry_delay(attempts + 1, base) >= delay


def test_the_worker_command_sends_once_and_reports(app, transport):
    sent, _ = transport
    queue()
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0
    assert "mail: 1 sent, 0 to retry, 0 failed" in result.output
    assert len(sent) == 1


def test_each_message_is_claimed_when_its_turn_comes_not_when_the_batch_began(app, monkeypatch):
    """With a server slow at every step, a batch takes minutes: a message claimed late in it
    is not shown to the admin as left by a stopped worker (nor failed as such by another)."""
    from portal.admin.services import slow_sends

    seen = []
    with time_machine.travel(START, tick=False) as clock:

        def slow(message):
            seen.append((message.claimed_at - START, slow_sends(outbox.utcnow())))
            clock.shift(timedelta(minutes=6))  # each answer just within MAIL_TIMEOUT

        monkeypatch.setattr(outbox, "_transport", lambda: slow)
        for n in range(3):
            queue(f"n{n}@example.vn")
        assert send_due() == {"sent": 3, "retry": 0, "failed": 0}
    assert seen == [(timedelta(minutes=6 * n), 0) for n in range(3)]
