"""Text messages (core/sms.py): their length in segments, fitting them, and the HTTP provider
against a fake gateway started here that takes, refuses, fails, times out or answers slowly."""

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from portal.core import sms
from portal.core.outbox import Channel, OutboxMessage, OutboxStatus, queue_sms, send_due
from portal.extensions import db

START = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
HER = "+84912345678"


# --- Length and fitting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("ạ" * 70, 1),  # one letter with a diacritic: the whole message is UCS-2
        ("ạ" * 71, 2),
        ("ạ" * 134, 2),
        ("ạ" * 135, 3),
        ("{" * 80, 1),  # GSM's extension takes two places
        ("{" * 81, 2),
    ],
)
def test_segments_are_counted_as_the_networks_bill_them(text, count):
    assert sms.segments(text) == count


def test_without_diacritics_vietnamese_is_plain_gsm():
    fitted = sms.fit("Đã nhận bài dự thi của chị", diacritics=False, max_segments=2)
    assert fitted == "Da nhan bai du thi cua chi" and sms.is_gsm(fitted)


def test_a_long_message_is_cut_and_keeps_its_link_whole():
    link = "https://khoinghiep.hoilhpn.org.vn/entries/123"
    text = "Bài dự thi của chị " * 20 + link
    fitted = sms.fit(text, diacritics=True, max_segments=2)
    assert fitted.endswith("… " + link) and sms.segments(fitted) == 2
    plain = sms.fit(text, diacritics=False, max_segments=1)
    assert plain.endswith("... " + link) and sms.segments(plain) == 1 and sms.is_gsm(plain)


@given(st.text(max_size=600), st.booleans(), st.integers(min_value=1, max_value=3))
def test_any_text_fits_its_segments(text, diacritics, max_segments):
    fitted = sms.fit(text, diacritics=diacritics, max_segments=max_segments)
    assert sms.segments(fitted) <= max_segments
    if not diacritics:
        assert sms.is_gsm(fitted)


@given(st.text(alphabet="abcdeạđêơư ", min_size=1, max_size=400))
def test_a_link_at_the_end_survives_the_cut(words):
    link = "https://portal.vn/r/42"
    fitted = sms.fit(words + " " + link, diacritics=True, max_segments=2)
    assert fitted.endswith(link)


# --- The outbox sends them ---------------------------------------------------------------------


def queue_code(app, code="123456") -> OutboxMessage:
    message = queue_sms(HER, "phone_code", "vi", code=code, minutes=10)
    db.session.commit()
    return message


def test_a_text_message_is_sent_once_by_the_provider(app):
    message = queue_code(app)
    assert message.channel is Channel.SMS and message.subject == ""
    assert message.body_text.startswith("123456 la ma xac nhan cua chi")
    assert send_due() == {"sent": 1, "retry": 0, "failed": 0}
    assert send_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert [m.id for m in app.extensions["sent_sms"]] == [message.id]
    assert app.extensions.get("sent_mail", []) == []


def test_with_diacritics_when_the_installation_asks_for_them(app):
    app.config["SMS_DIACRITICS"] = True
    message = queue_code(app)
    assert "là mã xác nhận của chị" in message.body_text
    assert sms.segments(message.body_text) <= 2


def test_the_console_provider_prints_the_message(app, capsys):
    app.config["SMS_PROVIDER"] = "console"
    message = queue_code(app, "654321")
    send_due()
    out = capsys.readouterr().out
    assert f"sms #{message.id}" in out and f"To: {HER}" in out and "654321" in out


# --- The HTTP provider, against a fake gateway ---------------------------------------------------


class FakeGateway:
    """A gateway on a free local port. `mode`: "ok", "refuse" (400), "fail" (503), "slow"
    (answers after `delay` seconds). It keeps each request, and delivers a request_id once."""

    def __init__(self):
        self.mode, self.delay = "ok", 0.0
        self.requests: list[dict] = []
        self.delivered: dict[str, str] = {}
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.requests.append({"auth": self.headers.get("Authorization"), **body})
                if gateway.mode == "slow":
                    time.sleep(gateway.delay)
                if gateway.mode in ("ok", "slow"):
                    gateway.delivered.setdefault(body["request_id"], body["text"])
                status = {"ok": 200, "slow": 200, "refuse": 400, "fail": 503}[gateway.mode]
                answer = json.dumps({"error": "invalid number"} if status == 400 else {"id": 1})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(app):
    fake = FakeGateway()
    app.config.update(
        SMS_PROVIDER="http",
        SMS_GATEWAY_URL=fake.url,
        SMS_GATEWAY_KEY="khoa-bi-mat",
        SMS_BRAND_NAME="HoiLHPN",
        SMS_TIMEOUT=1,
        MAIL_MAX_ATTEMPTS=3,
        MAIL_RETRY_BASE_SECONDS=60,
    )
    yield fake
    fake.close()


def test_the_gateway_takes_the_message(app, gateway):
    message = queue_code(app)
    assert send_due()["sent"] == 1
    [request] = gateway.requests
    assert request == {
        "auth": "Bearer khoa-bi-mat",
        "request_id": f"portal-{message.id}",
        "to": "84912345678",
        "brand_name": "HoiLHPN",
        "text": message.body_text,
    }
    db.session.refresh(message)
    assert message.status is OutboxStatus.SENT


def test_a_refusal_is_final_and_shown(app, gateway):
    gateway.mode = "refuse"
    message = queue_code(app)
    assert send_due() == {"sent": 0, "retry": 0, "failed": 1}
    db.session.refresh(message)
    assert message.status is OutboxStatus.FAILED and message.attempts == 1
    assert "400" in message.last_error and "invalid number" in message.last_error


def test_a_failing_gateway_is_tried_again_later_then_given_up(app, gateway):
    gateway.mode = "fail"
    with time_machine.travel(START, tick=False) as clock:
        message = queue_code(app)
        assert send_due()["retry"] == 1
        db.session.refresh(message)
        assert message.next_attempt_at == START + timedelta(seconds=60)
        clock.shift(timedelta(seconds=60))
        assert send_due()["retry"] == 1
        clock.shift(timedelta(seconds=120))
        assert send_due()["failed"] == 1
    assert len(gateway.requests) == 3 and gateway.delivered == {}


def test_a_gateway_that_does_not_answer_in_time_is_tried_again_and_delivers_once(app, gateway):
    gateway.mode, gateway.delay = "slow", 1.5  # longer than SMS_TIMEOUT
    with time_machine.travel(START, tick=False) as clock:
        message = queue_code(app)
        assert send_due()["retry"] == 1
        db.session.refresh(message)
        assert "Timeout" in message.last_error
        # The gateway took it all the same; the retry carries the same request id.
        gateway.mode = "ok"
        clock.shift(timedelta(seconds=60))
        assert send_due()["sent"] == 1
    ids = {r["request_id"] for r in gateway.requests}
    assert ids == {f"portal-{message.id}"} and len(gateway.requests) == 2
    assert len(gateway.delivered) == 1


def test_a_slow_answer_within_the_timeout_is_sent(app, gateway):
    gateway.mode, gateway.delay = "slow", 0.3
    queue_code(app)
    assert send_due()["sent"] == 1


def test_two_workers_at_once_send_a_message_once(app, gateway):
    queue_code(app)
    queue_code(app, "222222")
    assert send_due()["sent"] == 2
    assert send_due()["sent"] == 0
    assert len(gateway.requests) == 2
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(
                OutboxMessage.status == OutboxStatus.SENT
            )
        )
        == 2
    )
