"""Codes sent by text message (auth/codes.py): ten minutes, five tries, kept hashed, the latest
only; three an hour to a number, twenty from an address, a daily budget that tells the admins."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.auth import codes
from portal.auth.codes import CodeRefused, check_code, issue_code
from portal.auth.models import CodePurpose, PhoneCode, Role
from portal.core.audit import AuditLog
from portal.extensions import db
from tests.concurrency import at_once
from tests.conftest import mails_to
from tests.factories import UserFactory

# 23:50 in Vietnam on 8 March 2026: the day turns ten minutes later.
NOW = datetime(2026, 3, 8, 16, 50, tzinfo=UTC)
HER = "+84912345678"
CONFIRM = CodePurpose.CONFIRM


def test_a_code_is_six_digits_kept_only_as_a_hash(app):
    code = issue_code(HER, CONFIRM, ip="203.0.113.5", now=NOW)
    assert len(code) == 6 and code.isdigit()
    row = db.session.scalar(sa.select(PhoneCode))
    assert code not in row.code_hash and len(row.code_hash) == 64
    # Keyed: no one holding the table alone can try the million codes against it.
    for plain in (code, f"confirm:{HER}:{code}"):
        assert row.code_hash != hashlib.sha256(plain.encode()).hexdigest()
    assert row.expires_at == NOW + timedelta(minutes=10)
    assert check_code(HER, CONFIRM, code, now=NOW + timedelta(minutes=9, seconds=59))


def test_a_code_holds_ten_minutes(app):
    code = issue_code(HER, CONFIRM, ip=None, now=NOW)
    assert not check_code(HER, CONFIRM, code, now=NOW + timedelta(minutes=10))


def test_a_right_code_is_used_once_and_typed_with_spaces(app):
    code = issue_code(HER, CONFIRM, ip=None, now=NOW)
    assert check_code(HER, CONFIRM, f" {code[:3]} {code[3:]} ", now=NOW)
    assert not check_code(HER, CONFIRM, code, now=NOW)


def test_five_tries_then_not_even_the_right_code(app):
    code = issue_code(HER, CONFIRM, ip=None, now=NOW)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert not check_code(HER, CONFIRM, wrong, now=NOW)
        db.session.rollback()  # whatever the caller does next, the try was counted
    assert db.session.scalar(sa.select(PhoneCode.tries)) == 5
    assert not check_code(HER, CONFIRM, code, now=NOW)


def test_only_the_latest_code_counts_and_only_for_its_number_and_purpose(app):
    first = issue_code(HER, CONFIRM, ip=None, now=NOW)
    second = issue_code(HER, CONFIRM, ip=None, now=NOW + timedelta(minutes=1))
    later = NOW + timedelta(minutes=2)
    if first != second:
        assert not check_code(HER, CONFIRM, first, now=later)
    assert not check_code(HER, CodePurpose.RESET, second, now=later)
    assert not check_code("+84987654321", CONFIRM, second, now=later)
    assert check_code(HER, CONFIRM, second, now=later)


def test_no_code_asked_is_never_right(app):
    assert not check_code(HER, CONFIRM, "000000", now=NOW)


def test_three_an_hour_to_a_number(app):
    for minute in range(3):
        issue_code(HER, CONFIRM, ip=f"203.0.113.{minute}", now=NOW + timedelta(minutes=minute))
    with pytest.raises(CodeRefused) as refused:
        issue_code(HER, CodePurpose.RESET, ip="198.51.100.1", now=NOW + timedelta(minutes=59))
    assert refused.value.message == str(codes.TOO_MANY_FOR_NUMBER)
    assert issue_code(HER, CONFIRM, ip=None, now=NOW + timedelta(minutes=60, seconds=1))


def test_twenty_an_hour_from_an_address(app):
    for n in range(20):
        issue_code(f"+849123450{n:02d}", CONFIRM, ip="203.0.113.5", now=NOW)
    with pytest.raises(CodeRefused) as refused:
        issue_code("+84912345699", CONFIRM, ip="203.0.113.5", now=NOW)
    assert refused.value.message == str(codes.TOO_MANY_FROM_HERE)
    assert issue_code("+84912345699", CONFIRM, ip="198.51.100.1", now=NOW)


def test_an_ipv6_connection_counts_as_its_whole_network(app):
    for n in range(20):
        issue_code(f"+849123450{n:02d}", CONFIRM, ip=f"2001:db8:5:7::{n + 1:x}", now=NOW)
    with pytest.raises(CodeRefused):
        issue_code("+84912345699", CONFIRM, ip="2001:db8:5:7:ffff::1", now=NOW)
    assert issue_code("+84912345699", CONFIRM, ip="2001:db8:5:8::1", now=NOW)
    assert codes.asker("2001:db8:5:7::1") == "2001:db8:5:7::/64"
    assert codes.asker("203.0.113.5") == "203.0.113.5" and codes.asker(None) is None


def test_the_daily_budget_stops_sending_and_tells_the_admins_once(app):
    app.config["SMS_DAILY_BUDGET"] = 4
    admin = UserFactory(roles=[Role.ADMIN], email="quantri@hoilhpn.vn", language="vi")
    UserFactory(roles=[Role.ADMIN], email="nghi@hoilhpn.vn", active=False)
    for n in range(4):
        issue_code(f"+8491234560{n}", CONFIRM, ip=f"203.0.113.{n}", now=NOW)
    for n in range(2):
        with pytest.raises(CodeRefused) as refused:
            issue_code(f"+8498765432{n}", CONFIRM, ip="198.51.100.1", now=NOW)
        assert refused.value.message == str(codes.BUDGET_SPENT)
        db.session.rollback()  # the warning was committed before the refusal
    [mail] = mails_to(admin.email)
    assert mail.template == "sms_budget_spent" and "SMS_DAILY_BUDGET" in mail.body_text
    assert "4 tin nhắn" in mail.body_text  # in her language
    assert not mails_to("nghi@hoilhpn.vn")
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "sms.budget_spent"))
        == 1
    )
    # Vietnam's day turns at 17:00 UTC: the budget is whole again, and once spent, told again.
    tomorrow = NOW + timedelta(minutes=10)
    for n in range(4):
        issue_code(f"+8497654320{n}", CONFIRM, ip=f"198.51.100.{n}", now=tomorrow)
    with pytest.raises(CodeRefused):
        issue_code("+84976543209", CONFIRM, ip=None, now=tomorrow)
    assert len(mails_to(admin.email)) == 2


# Each example starts from no code (the rows are deleted), so the app fixture may be shared.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    change=st.one_of(st.just(0), st.integers(min_value=1, max_value=10**6 - 1)),
    spaces=st.lists(st.integers(min_value=0, max_value=6), max_size=3),
)
def test_a_guess_is_right_only_when_it_is_the_code(app, change, spaces):
    db.session.execute(sa.delete(PhoneCode))
    code = issue_code(HER, CONFIRM, ip=None, now=NOW)
    typed = f"{(int(code) + change) % 10**6:06d}"
    for at in sorted(spaces, reverse=True):
        typed = typed[:at] + " " + typed[at:]
    assert check_code(HER, CONFIRM, typed, now=NOW) is (change == 0)


def test_the_right_code_sent_twice_at_the_same_moment_passes_once(app, worker):
    if not worker.database.is_postgres:
        pytest.skip("two connections at once: PostgreSQL (in-memory SQLite has one)")
    code = issue_code(HER, CONFIRM, ip=None, now=NOW)

    def confirm():
        with app.app_context():
            try:
                return check_code(HER, CONFIRM, code, now=NOW)
            finally:
                db.session.remove()

    assert sorted(at_once([confirm, confirm, confirm])) == [False, False, True]
    db.session.remove()
    assert db.session.scalar(sa.select(PhoneCode.tries)) == 1  # the others found it used


def test_asks_for_one_number_at_the_same_moment_send_three_codes_in_the_hour(app, worker):
    if not worker.database.is_postgres:
        pytest.skip("two connections at once: PostgreSQL (in-memory SQLite has one)")

    def ask(n):
        def call():
            with app.app_context():
                try:
                    issue_code(HER, CONFIRM, ip=f"203.0.113.{n}", now=NOW)
                    return "sent"
                except CodeRefused:
                    return "refused"
                finally:
                    db.session.remove()

        return call

    assert sorted(at_once([ask(n) for n in range(5)])) == ["refused"] * 2 + ["sent"] * 3
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count(PhoneCode.id))) == 3
