"""Every text message the portal sends, in both languages, with and without diacritics: it reads in
her language and fits in two segments without being cut, with an installation's real address in
its link. And `tell` sends each notification once, by her channel."""

from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace as Thing

import pytest
from flask import render_template
from flask_babel import force_locale

from portal.auth.messages import tell
from portal.core import sms
from portal.core.time import utcnow
from tests.conftest import mails_to, texts_to
from tests.factories import UserFactory

TEMPLATES = sorted(p.stem for p in (Path(__file__).parents[2] / "templates" / "sms").glob("*.txt"))
# An installation's address and one of the longer links a message carries.
LINK = "https://khoinghiep.hoilhpn.org.vn/entries/12345"
LONG_TITLE = "Hợp tác xã sản xuất và tiêu thụ rượu men lá truyền thống của đồng bào Thái"
MONEY = 150_000_000
DAY = date(2026, 12, 31)

ENTRY = Thing(reference="DB-2026-0123", title=LONG_TITLE)
CONTEXT = {
    "code": "123456",
    "minutes": 10,
    "login_url": LINK,
    "entry": ENTRY,
    "entry_url": LINK,
    "version": 12,
    "deadline": datetime(2026, 12, 31, 16, 59),
    "eligible": True,
    "competition": Thing(title="Cuộc thi Phụ nữ khởi nghiệp sáng tạo tỉnh Điện Biên năm 2026"),
    "results_url": LINK,
    "awards_url": LINK,
    "award_url": LINK,
    "payment": Thing(amount=MONEY, paid_on=DAY),
    "outstanding": MONEY,
    "report": Thing(number=12, due_on=DAY),
    "report_url": LINK,
    "stage": "late",
    "product": Thing(name="Mật ong bạc hà Mèo Vạc loại đặc biệt"),
    "rating": Thing(valid_until=DAY),
    "project_url": LINK,
    "agreement": Thing(
        reference="VV-2026-0042",
        amount=MONEY,
        kind=Thing(label="Khoản vay ưu đãi"),
        purpose=LONG_TITLE,
    ),
    "instalment": Thing(due_on=DAY),
    "left": MONEY,
    "support_url": LINK,
}


def rendered(template: str, language: str) -> str:
    with force_locale(language):
        return " ".join(render_template(f"sms/{template}.txt", **CONTEXT).split())


def test_every_notification_of_an_applicant_has_a_text_message():
    assert set(TEMPLATES) >= {
        "entry_submitted",
        "entry_screened",
        "award_won",
        "award_not_won",
        "award_reissued",
        "award_revoked",
        "prize_paid",
        "report_reminder",
        "report_returned",
        "ocop_expiring",
        "loan_due_soon",
        "loan_late",
        "loan_repaid",
        "support_approved",
        "support_closed",
        "phone_code",
        "reset_code",
        "phone_already_registered",
    }
    mails = {p.stem for p in (Path(__file__).parents[2] / "templates" / "mail").glob("*.txt")}
    assert set(TEMPLATES) - {"phone_code", "reset_code", "phone_already_registered"} <= mails


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_each_message_fits_two_segments_uncut(app, template, language):
    text = rendered(template, language)
    with_marks = sms.fit(text, diacritics=True, max_segments=2)
    without = sms.fit(text, diacritics=False, max_segments=2)
    assert with_marks == text, f"{template} ({language}) is cut with diacritics: {len(text)} chars"
    assert without == sms.fit(text, diacritics=False, max_segments=10)  # not cut either
    if template not in ("phone_code", "reset_code"):
        assert LINK in text


@pytest.mark.parametrize("template", TEMPLATES)
def test_each_message_is_in_vietnamese(app, template):
    vi, en = rendered(template, "vi"), rendered(template, "en")
    assert vi != en


def test_tell_sends_once_by_her_channel_in_her_language(app):
    by_phone = UserFactory(
        email=None,
        login_phone="+84912345678",
        confirmed_at=None,
        phone_confirmed_at=utcnow(),
        language="en",
    )
    by_mail = UserFactory(language="vi")
    for user in (by_phone, by_mail):
        tell(
            user,
            "report_returned",
            "Subject",
            report=CONTEXT["report"],
            report_url=LINK,
            project=Thing(title=LONG_TITLE),
            comment="Sửa giúp chị số liệu",
        )
    [text_message] = texts_to("+84912345678")
    assert text_message.body_text.startswith("Your progress report 12 was returned for changes;")
    assert mails_to("+84912345678") == [text_message]
    [mail] = mails_to(by_mail.email)
    assert mail.subject == "Subject" and "Sửa giúp chị số liệu" in mail.body_text
