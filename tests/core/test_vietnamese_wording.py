"""One Vietnamese: one name for the portal, an applicant is "chị", staff mails are formal, and a
word that means two things has a string for each."""

from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "portal/translations/vi/LC_MESSAGES/messages.po"
STAFF_MAILS = ("templates/mail/invitation", "templates/mail/judge_", "templates/mail/follow_up_")


def _messages() -> list:
    with CATALOGUE.open("rb") as handle:
        return [m for m in read_po(handle, locale="vi") if m.id]


def _text(message) -> str:
    return " ".join(message.string) if isinstance(message.string, tuple) else message.string


def test_the_portal_has_one_name():
    assert not [m.id for m in _messages() if "Cổng Phụ nữ Khởi nghiệp" in _text(m)]
    assert {_text(m) for m in _messages() if m.id == "Women's Start-up Portal"} == {
        "Cổng Khởi nghiệp Phụ nữ"
    }


def test_mails_address_an_applicant_as_chi_and_staff_formally():
    mails = [m for m in _messages() if any(f.startswith("templates/mail/") for f, _ in m.locations)]
    applicant = [m for m in mails if not any(f.startswith(STAFF_MAILS) for f, _ in m.locations)]
    staff = [m for m in mails if all(f.startswith(STAFF_MAILS) for f, _ in m.locations)]
    assert not [m.id for m in mails if "bạn" in _text(m).lower()]
    assert {_text(m) for m in applicant if m.id == "Hello %(name)s,"} == {"Chào chị %(name)s,"}
    assert not [m.id for m in staff if "chị" in _text(m).lower() and "chị ấy" not in _text(m)]
    subjects = {
        "You are a judge of %(competition)s",
        "You are invited to the women's start-up portal",
    }
    assert not [m.id for m in _messages() if m.id in subjects and "bạn" in _text(m).lower()]


def test_applicant_pages_say_chi():
    applicant_files = ("portal/entries/forms.py", "templates/entries/", "templates/applicants/")
    mine = [
        m
        for m in _messages()
        if m.locations and all(f.startswith(applicant_files) for f, _ in m.locations)
    ]
    assert mine and not [m.id for m in mine if "bạn" in _text(m).lower()]


def test_the_blind_or_open_setting_is_not_the_judging_status():
    texts = {m.id: _text(m) for m in _messages()}
    assert texts["Judging"] == "Đang chấm"  # the status of a competition
    assert texts["Blind or open judging"] == "Hình thức chấm"
    assert (
        "ít phiếu chấm hơn số phiếu mà vòng thi yêu cầu"
        in texts[
            "Some entries have fewer score sheets than the round asks for. Tick the box to make the "
            "results final all the same."
        ]
    )
