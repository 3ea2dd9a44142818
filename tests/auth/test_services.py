"""The account rules, tested through portal.auth.services."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale

from portal.auth import roles as auth_roles
from portal.auth import services
from portal.auth.models import Invitation, Role, User
from portal.core.audit import AuditLog
from portal.core.errors import DomainError
from portal.extensions import db
from tests.conftest import link_in, mails_to
from tests.factories import PASSWORD, UserFactory

START = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)  # frozen: tests never depend on today's date


@pytest.fixture(autouse=True)
def english(app):
    """Messages are matched in English here; the Vietnamese ones are checked on the pages."""
    with force_locale("en"):
        yield


def audit_actions(object_id=None) -> list[str]:
    query = sa.select(AuditLog.action).order_by(AuditLog.id)
    if object_id is not None:
        query = query.where(AuditLog.object_id == object_id)
    return list(db.session.scalars(query))


def register(email="mai@example.vn", **overrides):
    data = {
        "email": email,
        "password": "mật-khẩu-dài",
        "full_name": "Lò Thị Mai",
        "phone": None,
        "language": "vi",
        "ip": "127.0.0.1",
    }
    data.update(overrides)
    return services.register_applicant(**data)


# --- Registration and confirmation -----------------------------------------------------------


def test_registration_creates_an_unconfirmed_applicant_and_mails_a_link(app):
    user = register(email="  Mai@Example.VN ")
    assert user.email == "mai@example.vn"
    assert user.has_role(Role.APPLICANT)
    assert not user.is_confirmed
    assert user.password_hash and "mật-khẩu-dài" not in user.password_hash
    [mail] = mails_to("mai@example.vn")
    assert mail.template == "confirm_email"
    assert "/confirm/" in mail.body_text
    assert audit_actions(user.id) == ["user.registered"]


def test_registering_a_known_email_creates_nothing_and_tells_the_owner(app):
    first = register()
    assert register(full_name="Someone Else") is None
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
    templates = [m.template for m in mails_to(first.email)]
    assert templates == ["confirm_email", "already_registered"]


def test_an_unconfirmed_account_cannot_log_in(app):
    user = register()
    with pytest.raises(services.NotConfirmed):
        services.authenticate(user.email, "mật-khẩu-dài", None)
    # …and a fresh link goes out.
    assert len(mails_to(user.email)) == 2


def test_the_confirmation_link_confirms_the_account(app):
    user = register()
    services.confirm_email(services.confirmation_token(user))
    assert user.is_confirmed
    assert services.authenticate(user.email, "mật-khẩu-dài", None) == user


def test_the_confirmation_link_expires_after_48_hours(app):
    with time_machine.travel(START, tick=False) as clock:
        user = register()
        token = services.confirmation_token(user)
        clock.shift(timedelta(hours=48, seconds=1))
        with pytest.raises(services.InvalidLink, match="expired"):
            services.confirm_email(token)
    assert not user.is_confirmed


def test_a_tampered_confirmation_link_is_refused(app):
    user = register()
    token = services.confirmation_token(user)
    with pytest.raises(services.InvalidLink):
        services.confirm_email(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_a_confirmation_link_for_an_old_address_is_refused(app):
    user = register()
    token = services.confirmation_token(user)
    user.email = "moi@example.vn"
    db.session.commit()
    with pytest.raises(services.InvalidLink):
        services.confirm_email(token)


# --- Login ----------------------------------------------------------------------------------


def test_login_failures_give_one_message_and_are_audited(app):
    user = UserFactory()
    with pytest.raises(services.LoginRefused) as wrong_password:
        services.authenticate(user.email, "sai-mat-khau", "10.0.0.1")
    with pytest.raises(services.LoginRefused) as unknown_email:
        services.authenticate("khong-co@example.vn", PASSWORD, "10.0.0.1")
    assert str(wrong_password.value) == str(unknown_email.value)
    rows = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "login.failed").order_by(AuditLog.id)
    ).all()
    assert [(r.object_id, r.ip) for r in rows] == [(user.id, "10.0.0.1"), (None, "10.0.0.1")]


def test_a_deactivated_account_cannot_log_in(app):
    user = UserFactory(active=False)
    with pytest.raises(services.LoginRefused):
        services.authenticate(user.email, PASSWORD, None)


def test_a_login_is_audited_and_remembered(app):
    user = UserFactory()
    with time_machine.travel(START, tick=False):
        services.authenticate(user.email.upper(), PASSWORD, "10.0.0.2")
    assert user.last_login_at == START
    assert audit_actions(user.id) == ["login"]


def test_passwords_are_hashed_with_scrypt_outside_tests():
    from config import Config

    assert Config.PASSWORD_HASH_METHOD == "scrypt"
    assert services._DUMMY_HASH.startswith("scrypt:")


# --- Passwords ------------------------------------------------------------------------------


def test_a_reset_link_sets_a_new_password_once(app):
    user = UserFactory()
    services.request_password_reset(user.email, "vi")
    [mail] = mails_to(user.email)
    token = link_in(mail, "/password/reset/").rsplit("/", 1)[1]
    old_session = user.session_token
    services.reset_password(token, "mat-khau-moi-2026", None)
    assert user.check_password("mat-khau-moi-2026")
    assert user.session_token != old_session  # other devices are logged out
    with pytest.raises(services.InvalidLink, match="already been used"):
        services.reset_password(token, "lan-thu-hai-2026", None)


def test_a_reset_link_expires_after_an_hour(app):
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        services.request_password_reset(user.email, "vi")
        token = link_in(mails_to(user.email)[0], "/password/reset/").rsplit("/", 1)[1]
        clock.shift(timedelta(minutes=61))
        with pytest.raises(services.InvalidLink, match="expired"):
            services.user_for_reset_token(token)


def test_a_reset_for_an_unknown_address_says_no_account_uses_it(app):
    services.request_password_reset(" Khong-Co@example.vn", "en")
    [mail] = mails_to("khong-co@example.vn")
    assert "No account that can log in uses this address" in mail.body_text
    assert "/password/reset/" not in mail.body_text  # no link that could change a password


def test_changing_the_password_needs_the_current_one(app):
    user = UserFactory()
    with pytest.raises(DomainError) as error:
        services.change_password(user, "sai", "mat-khau-moi-2026", None)
    assert error.value.field == "current_password"
    services.change_password(user, PASSWORD, "mat-khau-moi-2026", None)
    assert user.check_password("mat-khau-moi-2026")
    assert "password.changed" in audit_actions(user.id)


# --- Profile --------------------------------------------------------------------------------


def test_the_commune_must_belong_to_the_province(app, units):
    user = UserFactory()
    with pytest.raises(DomainError) as error:
        services.update_profile(
            user,
            full_name="Lò Thị Mai",
            phone=None,
            language="vi",
            province_id=units["lao_cai"].id,
            commune_id=units["muong_phang"].id,
        )
    assert error.value.field == "commune"
    services.update_profile(
        user,
        full_name="Lò Thị Mai",
        phone="0912345678",
        language="en",
        province_id=units["dien_bien"].id,
        commune_id=units["muong_phang"].id,
    )
    assert user.commune.name == "Xã Mường Phăng"
    row = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "profile.updated"))
    assert row.after["commune_id"] == units["muong_phang"].id


# --- Unit scope -----------------------------------------------------------------------------


def test_a_province_organiser_acts_on_its_communes_not_on_another_province(app, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    assert organiser.can_act_on_unit(units["dien_bien"].id)
    assert organiser.can_act_on_unit(units["muong_phang"].id)
    assert not organiser.can_act_on_unit(units["lao_cai"].id)
    assert not organiser.can_act_on_unit(units["sa_pa"].id)


def test_a_commune_organiser_acts_on_her_commune_only(app, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["muong_phang"])])
    assert organiser.can_act_on_unit(units["muong_phang"].id)
    assert not organiser.can_act_on_unit(units["dien_bien"].id)
    assert not organiser.can_act_on_unit(units["dien_bien_phu"].id)


def test_an_admin_acts_everywhere_and_others_nowhere(app, units):
    assert UserFactory(roles=[Role.ADMIN]).can_act_on_unit(units["sa_pa"].id)
    judge = UserFactory(roles=[Role.JUDGE, Role.APPLICANT])
    assert not judge.can_act_on_unit(units["sa_pa"].id)


def test_a_person_can_hold_several_roles(app, units):
    user = UserFactory(roles=[Role.APPLICANT, Role.JUDGE, (Role.ORGANISER, units["lao_cai"])])
    assert user.role_names == {Role.APPLICANT, Role.JUDGE, Role.ORGANISER}


# --- Roles ----------------------------------------------------------------------------------


def test_an_admin_grants_and_revokes_roles_with_an_audit_trail(app, units):
    admin = UserFactory(roles=[Role.ADMIN])
    user = UserFactory()
    grant = auth_roles.grant_role(admin, user, Role.ORGANISER, units["dien_bien"].id, "10.0.0.3")
    assert user.can_act_on_unit(units["muong_phang"].id)
    auth_roles.revoke_role(admin, grant, "10.0.0.3")
    assert not user.has_role(Role.ORGANISER)
    rows = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.object_id == user.id).order_by(AuditLog.id)
    ).all()
    assert [(r.action, r.actor_id) for r in rows] == [
        ("role.granted", admin.id),
        ("role.revoked", admin.id),
    ]
    assert rows[0].after == {"role": "organiser", "unit_id": units["dien_bien"].id}
    assert rows[1].before == rows[0].after


def test_only_an_admin_changes_roles(app, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    user = UserFactory()
    with pytest.raises(DomainError):
        auth_roles.grant_role(organiser, user, Role.JUDGE, None, None)


def test_an_organiser_role_needs_a_unit_and_a_role_is_not_given_twice(app):
    admin = UserFactory(roles=[Role.ADMIN])
    user = UserFactory(roles=[Role.JUDGE])
    with pytest.raises(DomainError, match="province or commune"):
        auth_roles.grant_role(admin, user, Role.ORGANISER, None, None)
    with pytest.raises(DomainError, match="already"):
        auth_roles.grant_role(admin, user, Role.JUDGE, None, None)


def test_an_admin_cannot_remove_her_own_admin_role_or_deactivate_herself(app):
    admin = UserFactory(roles=[Role.ADMIN])
    with pytest.raises(DomainError):
        auth_roles.revoke_role(admin, admin.roles[0], None)
    with pytest.raises(DomainError):
        auth_roles.set_active(admin, admin, False, None)


def test_deactivating_an_account_logs_it_out_and_is_audited(app):
    admin = UserFactory(roles=[Role.ADMIN])
    user = UserFactory()
    token = user.session_token
    auth_roles.set_active(admin, user, False, None)
    assert not user.active and user.session_token != token
    assert audit_actions(user.id) == ["user.deactivated"]


# --- Invitations ----------------------------------------------------------------------------


def invite(actor, email="giamkhao@example.vn", role=Role.JUDGE, unit_id=None, language="vi"):
    return services.invite(
        actor, email=email, role=role, unit_id=unit_id, language=language, ip=None
    )


def accept_token(email: str) -> str:
    return link_in(mails_to(email)[-1], "/invitations/accept/").rsplit("/", 1)[1]


def test_an_invited_judge_sets_her_password_and_gets_the_role(app, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    invitation = invite(organiser, email="GiamKhao@Example.vn", unit_id=units["dien_bien"].id)
    assert invitation.email == "giamkhao@example.vn"
    token = accept_token("giamkhao@example.vn")
    user = services.accept_invitation(
        token, user=None, full_name="Trần Minh Ngọc", password="mat-khau-2026"
    )
    assert user.is_confirmed  # the link proved the address
    assert user.has_role(Role.JUDGE)
    assert user.check_password("mat-khau-2026")
    assert invitation.accepted_user_id == user.id
    with pytest.raises(services.InvalidLink, match="already been used"):
        services.accept_invitation(token, user=None, full_name="X", password="mat-khau-2026")


def test_an_organiser_invites_only_judges_and_only_for_her_unit(app, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    with pytest.raises(DomainError):
        invite(organiser, role=Role.ORGANISER, unit_id=units["dien_bien"].id)
    with pytest.raises(DomainError):
        invite(organiser, role=Role.ADMIN)
    with pytest.raises(DomainError, match="your own unit"):
        invite(organiser, unit_id=units["lao_cai"].id)


def test_applicants_and_judges_cannot_invite(app):
    for roles in ([Role.APPLICANT], [Role.JUDGE]):
        with pytest.raises(DomainError):
            invite(UserFactory(roles=roles))


def test_an_admin_invites_an_organiser_for_a_unit(app, units):
    admin = UserFactory(roles=[Role.ADMIN])
    invite(
        admin,
        email="tochuc@example.vn",
        role=Role.ORGANISER,
        unit_id=units["lao_cai"].id,
        language="en",
    )
    [mail] = mails_to("tochuc@example.vn")
    assert "invites you to join" in mail.body_text  # in the invitation's language
    user = services.accept_invitation(
        accept_token("tochuc@example.vn"),
        user=None,
        full_name="Vàng Thị Mỷ",
        password="mat-khau-2026",
    )
    assert user.language == "en"
    assert user.can_act_on_unit(units["sa_pa"].id)
    assert not user.can_act_on_unit(units["muong_phang"].id)


def test_an_invitation_expires_and_can_be_withdrawn(app):
    admin = UserFactory(roles=[Role.ADMIN])
    with time_machine.travel(START, tick=False) as clock:
        invite(admin, email="a@example.vn")
        expired = accept_token("a@example.vn")
        clock.shift(timedelta(days=15))
        with pytest.raises(services.InvalidLink):
            services.invitation_for_token(expired)
    withdrawn = invite(admin, email="b@example.vn")
    services.revoke_invitation(admin, withdrawn, None)
    with pytest.raises(services.InvalidLink):
        services.invitation_for_token(accept_token("b@example.vn"))


def test_an_existing_account_accepts_only_when_logged_in_as_that_address(app):
    admin = UserFactory(roles=[Role.ADMIN])
    applicant = UserFactory(email="mai@example.vn")
    other = UserFactory()
    invite(admin, email="mai@example.vn")
    token = accept_token("mai@example.vn")
    for who in (None, other):
        with pytest.raises(DomainError, match="Log in as mai@example.vn"):
            services.accept_invitation(token, user=who)
    services.accept_invitation(token, user=applicant)
    assert applicant.role_names == {Role.APPLICANT, Role.JUDGE}


def test_invitations_are_listed_to_their_sender_and_to_admins(app, units):
    admin = UserFactory(roles=[Role.ADMIN])
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    invite(admin, email="a@example.vn")
    invite(organiser, email="b@example.vn")

    def seen_by(actor):
        return [i.email for i in db.session.scalars(services.invitations_visible_to(actor))]

    assert sorted(seen_by(admin)) == ["a@example.vn", "b@example.vn"]
    assert seen_by(organiser) == ["b@example.vn"]
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 2


def test_inviting_twice_sends_one_invitation(app):
    admin = UserFactory(roles=[Role.ADMIN])
    first = invite(admin, email="gk@example.vn")
    assert invite(admin, email="GK@example.vn") == first
    assert len(mails_to("gk@example.vn")) == 1
    services.revoke_invitation(admin, first, None)
    assert invite(admin, email="gk@example.vn") != first
