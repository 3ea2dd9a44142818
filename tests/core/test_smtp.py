"""A real SMTP server on loopback receives the confirmation mail, and its link works."""

import email
import email.policy
import re
import socket
import threading
import time

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from portal.auth.models import User
from portal.core.outbox import OutboxMessage, OutboxStatus, send_due
from portal.extensions import db, mail


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(
        MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False
    )
    mail.init_app(app)  # Flask-Mail reads its settings at init_app
    yield inbox
    controller.stop()


def register(client) -> None:
    client.post_form(
        "/register",
        {
            "full_name": "Vàng Thị Mỷ",
            "email": "my@example.vn",
            "password": "mat-khau-2026",
            "confirm": "mat-khau-2026",
            "language": "vi",
        },
    )


def test_the_confirmation_mail_arrives_with_a_working_link(client, smtp_server):
    register(client)
    assert send_due() == {"sent": 1, "retry": 0, "failed": 0}

    [(recipients, content)] = smtp_server.messages
    assert recipients == ["my@example.vn"]
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert message["Subject"] == "Xác nhận địa chỉ email của chị"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Vàng Thị Mỷ" in body
    link = re.search(r"http://localhost(/confirm/\S+)", body).group(1)

    assert client.get(link).status_code == 200  # the page with the button
    assert client.post_form(link).status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "my@example.vn"))
    db.session.refresh(user)
    assert user.is_confirmed


def test_an_unreachable_server_leaves_the_mail_to_retry(app, client, smtp_server):
    app.config["MAIL_PORT"] = 1  # nothing listens there
    mail.init_app(app)
    register(client)
    assert send_due() == {"sent": 0, "retry": 1, "failed": 0}
    assert smtp_server.messages == []


class Refusing(Inbox):
    """A server that answers every recipient with `answer` (a 5xx for good, a 4xx for now)."""

    def __init__(self, answer: str):
        super().__init__()
        self.answer = answer

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return self.answer


@pytest.fixture
def silent_server(app):
    """A server that takes the connection and never says a word, as a hung one does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    app.config.update(
        MAIL_TRANSPORT="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=listener.getsockname()[1],
        MAIL_TIMEOUT=1,
    )
    yield
    stop.set()
    thread.join(timeout=5)
    for connection in held:
        connection.close()
    listener.close()


def queued(count: int) -> list[int]:
    ids = []
    for n in range(count):
        message = OutboxMessage(
            recipient=f"nguoi{n}@example.vn", subject="Thư thử", body_text="…", template="test"
        )
        db.session.add(message)
        db.session.flush()
        ids.append(message.id)
    db.session.commit()
    return ids


def test_a_server_that_stops_answering_is_given_up_on_and_the_worker_goes_on(app, silent_server):
    ids = queued(2)
    started = time.monotonic()
    assert send_due() == {"sent": 0, "retry": 2, "failed": 0}
    assert time.monotonic() - started < 10  # one timeout each, not for ever
    for message in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids))):
        assert message.status is OutboxStatus.PENDING and message.attempts == 1
        assert "timed out" in message.last_error.lower()
        assert message.next_attempt_at > message.created_at


@pytest.mark.parametrize(
    ("answer", "status", "counts"),
    [
        ("550 5.1.1 No such user here", OutboxStatus.FAILED, {"sent": 0, "retry": 0, "failed": 1}),
        ("451 4.3.0 Try again later", OutboxStatus.PENDING, {"sent": 0, "retry": 1, "failed": 0}),
    ],
    ids=["permanent", "temporary"],
)
def test_a_refusal_for_good_fails_at_once_and_one_for_now_is_retried(app, answer, status, counts):
    controller = Controller(Refusing(answer), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config.update(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
        [message_id] = queued(1)
        assert send_due() == counts
        message = db.session.get(OutboxMessage, message_id)
        assert message.status is status and message.attempts == 1
        assert answer.split()[0] in message.last_error
    finally:
        controller.stop()


@pytest.fixture
def refusing_greeting(app):
    """A server that refuses the portal itself (554 at the greeting), as one does to a relay it
    does not know yet: nothing about any one message."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection = listener.accept()[0]
            except TimeoutError:
                continue
            connection.sendall(b"554 5.7.1 No SMTP service for you\r\n")
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    app.config.update(
        MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=listener.getsockname()[1]
    )
    yield
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_a_server_that_refuses_the_portal_itself_leaves_every_mail_to_retry(app, refusing_greeting):
    """A 5xx about the connection (or the login, or the sender) is the portal's configuration,
    not the message: failing every queued mail at once would lose them all until an admin sends
    each again."""
    ids = queued(2)
    assert send_due() == {"sent": 0, "retry": 2, "failed": 0}
    for message in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids))):
        assert message.status is OutboxStatus.PENDING and "554" in message.last_error


class AnsweringQuitBadly(Inbox):
    """A server that takes the message, then answers QUIT with an error."""

    def __init__(self, answer: str):
        super().__init__()
        self.answer = answer

    async def handle_QUIT(self, server, session, envelope):
        return self.answer


@pytest.mark.parametrize("answer", ["554 5.3.0 Bye, badly", "421 4.3.0 Closing"])
def test_a_mail_the_server_took_is_sent_once_whatever_it_answers_to_quit(app, answer):
    """Once the server has taken the message it has left: an odd answer to QUIT afterwards
    neither fails it nor sends it a second time."""
    server = AnsweringQuitBadly(answer)
    controller = Controller(server, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config.update(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
        [message_id] = queued(1)
        assert send_due() == {"sent": 1, "retry": 0, "failed": 0}
        assert len(server.messages) == 1
        assert db.session.get(OutboxMessage, message_id).status is OutboxStatus.SENT
    finally:
        controller.stop()
