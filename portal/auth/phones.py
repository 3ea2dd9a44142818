"""Vietnamese mobile numbers, as a woman types them and as the portal keeps them.

`0912 345 678`, `0912.345.678`, `+84 912 345 678`, `84912345678` and `0084912345678` are the same
number: it is kept in one form (E.164, `+84912345678`), so that an account is found whichever way
she types it, and written back the way people in Vietnam write it (`0912 345 678`). Only numbers of
Vietnam's mobile networks are taken (a landline cannot receive a code by text message); which
prefixes those are is libphonenumber's knowledge, kept up to date by its releases, not ours.
"""

import re

import phonenumbers
from flask_babel import lazy_gettext as _l
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

REGION = "VN"
COUNTRY_CODE = phonenumbers.country_code_for_region(REGION)  # 84
# What may stand between the digits of a number as people write it; letters never do (the
# library would read "1-800-FLOWERS" as digits).
_TYPED = re.compile(r"^\(?\+?[0-9 .\-()]{8,24}$")
# Before 2018 some mobile numbers had eleven digits (0162…, 0120…); all were renumbered.
_OLD_ELEVEN_DIGITS = re.compile(r"^1[0-9]{9}$")


class NotAMobileNumber(ValueError):
    """The text is not the number of a Vietnamese mobile phone; `message` says why, in her words."""

    def __init__(self, message: str):
        super().__init__(str(message))
        self.message = message


NOT_A_NUMBER = _l("Enter a Vietnamese mobile number, for example 0912 345 678.")
NOT_MOBILE = _l("This is not a mobile number: a code can only be sent to a mobile phone.")
OLD_NUMBER = _l(
    "Mobile numbers of eleven digits changed to ten in 2018: enter the new number, "
    "for example 0362 345 678 for 0162 345 678."
)
NOT_VIETNAMESE = _l("Enter a Vietnamese mobile number: numbers from other countries are not taken.")


def mobile_number(text: str) -> str:
    """The number in its one kept form, `+84912345678`; NotAMobileNumber when it is none."""
    # A number pasted from a message may hold non-breaking or thin spaces between its groups.
    typed = re.sub(r"\s", " ", text or "").strip()
    if not _TYPED.match(typed):
        raise NotAMobileNumber(NOT_A_NUMBER)
    try:
        number = phonenumbers.parse(typed, REGION)
    except NumberParseException as error:
        raise NotAMobileNumber(NOT_A_NUMBER) from error
    valid = phonenumbers.is_valid_number(number)
    # 1800… and 1900… (free and premium lines) are valid ten-digit numbers: not old mobiles.
    old = _OLD_ELEVEN_DIGITS.match(str(number.national_number))
    if not valid and number.country_code == COUNTRY_CODE and old:
        raise NotAMobileNumber(OLD_NUMBER)
    if phonenumbers.region_code_for_number(number) != REGION:
        raise NotAMobileNumber(NOT_VIETNAMESE if valid else NOT_A_NUMBER)
    if not valid:
        raise NotAMobileNumber(NOT_A_NUMBER)
    if phonenumbers.number_type(number) != PhoneNumberType.MOBILE:
        raise NotAMobileNumber(NOT_MOBILE)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def written_mobile(kept: str) -> str:
    """A kept number the way it is written in Vietnam: `+84912345678` → `0912 345 678`."""
    return phonenumbers.format_number(phonenumbers.parse(kept, REGION), PhoneNumberFormat.NATIONAL)
