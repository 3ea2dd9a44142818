"""A Vietnamese mobile number however she types it: one kept form, written back as people write it,
and a plain reason when it is not one."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.auth.phones import (
    NOT_A_NUMBER,
    NOT_MOBILE,
    NOT_VIETNAMESE,
    OLD_NUMBER,
    NotAMobileNumber,
    mobile_number,
    written_mobile,
)

# The prefixes of the networks (Viettel, VinaPhone, MobiFone, Vietnamobile, Gmobile, Itel) whose
# whole range of numbers is given out.
MOBILE_PREFIXES = {
    "Viettel": "032 033 034 035 036 037 038 039 086 096 097 098",
    "VinaPhone": "081 082 083 084 085 088 091 094",
    "MobiFone": "070 076 077 078 079 090 093",
    "Vietnamobile": "056 058 092",
    "Gmobile": "059",
    "Itel": "087",
}
PREFIXES = sorted(p for prefixes in MOBILE_PREFIXES.values() for p in prefixes.split())


def _styles(national: str) -> list[str]:
    """Ways people write the number 0xxxxxxxxx: grouped, dotted, with the country's code…"""
    bare = national[1:]
    return [
        national,
        f"{national[:4]} {national[4:7]} {national[7:]}",
        f"{national[:4]}.{national[4:7]}.{national[7:]}",
        f"{national[:4]}-{national[4:7]}-{national[7:]}",
        f"+84{bare}",
        f"+84 {bare[:3]} {bare[3:6]} {bare[6:]}",
        f"84{bare}",
        f"0084{bare}",
        f"(+84) {bare[:3]}.{bare[3:6]}.{bare[6:]}",
        f"  {national}  ",
        f"{national[:4]}\u00a0{national[4:7]}\u202f{national[7:]}",  # pasted from a message
    ]


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from(PREFIXES),
    rest=st.text(alphabet="0123456789", min_size=7, max_size=7),
)
def test_every_way_of_writing_a_mobile_number_is_the_same_number(prefix, rest):
    national = prefix + rest
    kept = {mobile_number(style) for style in _styles(national)}
    assert kept == {"+84" + national[1:]}
    assert written_mobile(kept.pop()) == f"{national[:4]} {national[4:7]} {national[7:]}"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("024 3825 1234", NOT_MOBILE),  # a landline in Hà Nội: no text message reaches it
        ("0236 3821 234", NOT_MOBILE),
        ("1900 1234 56", NOT_MOBILE),  # a premium line, ten digits: not an old mobile number
        ("1800 1234", NOT_MOBILE),
        ("0162 345 6789", OLD_NUMBER),  # renumbered in 2018 to 0362 345 678
        ("+84 162 345 6789", OLD_NUMBER),
        ("+44 7911 123456", NOT_VIETNAMESE),
        ("+855 12 345 678", NOT_VIETNAMESE),
        ("091 234 567", NOT_A_NUMBER),  # a digit short
        ("09123456789", NOT_A_NUMBER),  # a digit too many
        ("0912 ABC 678", NOT_A_NUMBER),  # letters are never digits
        ("", NOT_A_NUMBER),
        ("+84912345678+8", NOT_A_NUMBER),
    ],
)
def test_what_is_not_a_vietnamese_mobile_number_says_why(typed, reason):
    with pytest.raises(NotAMobileNumber) as refused:
        mobile_number(typed)
    assert refused.value.message is reason


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_a_number_or_refused_in_her_words(typed):
    try:
        kept = mobile_number(typed)
    except NotAMobileNumber as refused:
        assert refused.message in (NOT_A_NUMBER, NOT_MOBILE, NOT_VIETNAMESE, OLD_NUMBER)
    else:
        assert kept.startswith("+84") and len(kept) == 12 and mobile_number(kept) == kept


def test_the_reason_is_given_in_her_language(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("vi"):
        with pytest.raises(NotAMobileNumber) as refused:
            mobile_number("024 3825 1234")
        assert str(refused.value.message) == (
            "Đây không phải số điện thoại di động: mã xác nhận chỉ gửi được tới điện thoại di động."
        )
        assert str(refused.value) == str(NOT_MOBILE)
