"""A real SMTP server on loopback receives the confirmation mail, and its link works."""

import email
import email.policy
import re
import socket

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from portal.auth.models import User
from portal.core.outbox import send_due
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
    assert message["Subject"] == "Xác nhận địa chỉ email của bạn"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Vàng Thị Mỷ" in body
    link = re.search(r"http://localhost(/confirm/\S+)", body).group(1)

    assert client.get(link).status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "my@example.vn"))
    db.session.refresh(user)
    assert user.is_confirmed


def test_an_unreachable_server_leaves_the_mail_to_retry(app, client, smtp_server):
    app.config["MAIL_PORT"] = 1  # nothing listens there
    mail.init_app(app)
    register(client)
    assert send_due() == {"sent": 0, "retry": 1, "failed": 0}
    assert smtp_server.messages == []
