"""Administration pages: people and roles, the audit log, the outbox, the units."""

from datetime import timedelta

import sqlalchemy as sa

from portal.auth.models import Role
from portal.core.audit import AuditLog
from portal.core.outbox import OutboxMessage, OutboxStatus
from portal.core.time import utcnow
from portal.extensions import db
from tests.conftest import login
from tests.factories import UserFactory


def text(response) -> str:
    return response.get_data(as_text=True)


def admin_client(client):
    admin = UserFactory(roles=[Role.ADMIN], language="en", full_name="Nguyễn Thị Thanh Hà")
    login(client, admin)
    return admin


def test_people_are_found_without_diacritics(client):
    admin_client(client)
    UserFactory(full_name="Lò Thị Hương", email="huong@example.vn")
    UserFactory(full_name="Vàng Thị Mỷ", email="my@example.vn", roles=[Role.JUDGE])
    page = text(client.get("/admin/users?q=lo thi huong"))
    assert "Lò Thị Hương" in page and "Vàng Thị Mỷ" not in page
    page = text(client.get("/admin/users?role=judge"))
    assert "Vàng Thị Mỷ" in page and "Lò Thị Hương" not in page
    assert "1 person" in page


def test_an_admin_gives_an_organiser_role_through_the_page(client, units):
    admin_client(client)
    user = UserFactory()
    url = f"/admin/users/{user.id}"
    missing_unit = client.post_form(url, {"role": "organiser"})
    assert missing_unit.status_code == 422
    assert "An organiser&#39;s role needs a province or commune." in text(missing_unit)
    response = client.post_form(
        url,
        {
            "role": "organiser",
            "province": units["dien_bien"].id,
            "commune": units["muong_phang"].id,
        },
    )
    assert response.location == url
    page = text(client.get(url))
    assert "Organiser — Xã Mường Phăng, Điện Biên" in page
    db.session.refresh(user)
    assert user.can_act_on_unit(units["muong_phang"].id)
    assert not user.can_act_on_unit(units["dien_bien_phu"].id)


def test_role_changes_and_logins_show_in_the_audit_log(client):
    admin_client(client)
    user = UserFactory(roles=[Role.APPLICANT, Role.JUDGE])
    judge_grant = user.roles[1]
    client.post_form(f"/admin/users/{user.id}/roles/{judge_grant.id}/revoke")
    client.post_form("/login", {"account": "ai@example.vn", "password": "sai"})
    page = text(client.get("/admin/audit"))
    for action in ("Logged in", "Failed login", "Role removed"):
        assert f"<td>{action}</td>" in page
    assert "Nguyễn Thị Thanh Hà" in page
    only_revocations = text(client.get("/admin/audit?action=role.revoked"))
    assert "<td>Logged in</td>" not in only_revocations


def test_a_grant_of_another_user_cannot_be_revoked_through_this_user(client):
    admin_client(client)
    one, other = UserFactory(), UserFactory(roles=[Role.JUDGE])
    response = client.post_form(f"/admin/users/{one.id}/roles/{other.roles[0].id}/revoke")
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.has_role(Role.JUDGE)


def test_an_admin_deactivates_and_reactivates_an_account(client):
    admin_client(client)
    user = UserFactory()
    client.post_form(f"/admin/users/{user.id}/active", {"active": "0"})
    db.session.refresh(user)
    assert not user.active
    client.post_form(f"/admin/users/{user.id}/active", {"active": "1"})
    db.session.refresh(user)
    assert user.active
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.object_id == user.id).order_by(AuditLog.id)
    ).all()
    assert actions == ["user.deactivated", "user.activated"]


def test_a_failed_mail_can_be_sent_again(client):
    admin_client(client)
    message = OutboxMessage(
        recipient="x@example.vn",
        subject="Chào",
        body_text="b",
        template="t",
        status=OutboxStatus.FAILED,
        attempts=6,
        last_error="SMTP down",
    )
    db.session.add(message)
    db.session.commit()
    page = text(client.get("/admin/outbox?status=failed"))
    assert "SMTP down" in page and "Failed (1)" in page
    client.post_form(f"/admin/outbox/{message.id}/retry")
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)


def test_a_mail_a_worker_stopped_sending_is_shown_at_once(client, frozen_time):
    admin_client(client)
    now = utcnow()
    for minutes, recipient in ((3, "cham@example.vn"), (0, "dang-gui@example.vn")):
        db.session.add(
            OutboxMessage(
                recipient=recipient,
                subject="Chào",
                body_text="b",
                template="t",
                status=OutboxStatus.SENDING,
                claimed_at=now - timedelta(minutes=minutes),
            )
        )
    db.session.commit()
    page = text(client.get("/admin/outbox"))
    assert "1 e-mail has been being sent for more than a minute" in page
    assert "the mail worker may have stopped" in page
    assert "Being sent (2)" in page and ">sending<" not in page
    assert page.count("since ") == 2 and page.count("text-danger fw-semibold") == 1


def test_the_units_page_lists_provinces_and_finds_communes(client, units):
    admin_client(client)
    page = text(client.get("/admin/units?q=muong"))
    assert "Xã Mường Phăng, Điện Biên" in page
    assert "2 provinces" in page


def count_queries(client, url) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_the_people_list_runs_the_same_queries_whatever_its_length(client, units):
    admin_client(client)
    UserFactory(roles=[Role.JUDGE, (Role.ORGANISER, units["dien_bien"])])
    few = count_queries(client, "/admin/users")
    for _ in range(20):
        UserFactory(roles=[Role.APPLICANT, (Role.ORGANISER, units["sa_pa"])])
    assert count_queries(client, "/admin/users") == few


def test_the_audit_log_runs_the_same_queries_whatever_its_length(client):
    admin = admin_client(client)
    few = count_queries(client, "/admin/audit")
    for n in range(30):
        client.post_form(
            "/login",
            {"account": f"x{n % 5}@example.vn", "password": "x"},
            environ_base={"REMOTE_ADDR": f"10.1.0.{n}"},
        )
        login(client, admin)
    assert count_queries(client, "/admin/audit") == few


def test_a_mail_left_by_a_stopped_worker_is_explained_in_her_language(client, frozen_time):
    from portal.core.outbox import send_due

    admin = UserFactory(roles=[Role.ADMIN], language="vi")
    login(client, admin)
    db.session.add(
        OutboxMessage(
            recipient="cham@example.vn",
            subject="Chào",
            body_text="b",
            template="t",
            status=OutboxStatus.SENDING,
            claimed_at=utcnow() - timedelta(minutes=11),
        )
    )
    db.session.commit()
    send_due()  # the next pass of a worker marks it failed
    page = text(client.get("/admin/outbox?status=failed"))
    assert "Một tiến trình gửi thư đã dừng khi đang gửi thư này." in page
    assert "A worker stopped" not in page
