"""The applicant profile: filled in once, reused for every entry.

Name, phone and place of residence are saved on the account through portal.auth.services, with
its rule that the commune belongs to the province; the rest is saved on the ApplicantProfile.
"""

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.applicants.ethnicities import ETHNICITIES
from portal.applicants.models import (
    FIELD_LABELS,
    ApplicantProfile,
    BusinessStage,
    Gender,
    HouseholdStatus,
)
from portal.auth import services as auth_services
from portal.auth.models import User
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db

MIN_AGE = 16
MAX_AGE = 100

# What an entry needs from her profile and account, in the order the form asks for it.
REQUIRED_FOR_ENTRY = (
    "date_of_birth",
    "gender",
    "ethnicity",
    "household_status",
    "business_stage",
    "province",
    "commune",
)


def get_profile(user: User) -> ApplicantProfile | None:
    """Her applicant profile, or None while she has never saved it."""
    return db.session.get(ApplicantProfile, user.id)


def today_in_vietnam() -> date:
    return vietnam_date()


def age_on(born: date, day: date) -> int:
    """Full years between her birth and `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def date_of_birth_problem(born: date, today: date | None = None) -> LazyString | None:
    """Why this date of birth cannot be right, or None.

    Not in the future (Vietnam's today), and an age between 16 and 100.
    """
    today = today or today_in_vietnam()
    if born > today:
        return _l("The date of birth cannot be in the future.")
    age = age_on(born, today)
    if age < MIN_AGE:
        return _l("Applicants must be at least %(num)d years old.", num=MIN_AGE)
    if age > MAX_AGE:
        return _l(
            "Please check the date of birth: it gives an age over %(num)d years.", num=MAX_AGE
        )
    return None


def save_profile(
    user: User,
    *,
    full_name: str,
    phone: str | None,
    province_id: int | None,
    commune_id: int | None,
    date_of_birth: date | None,
    gender: Gender | None,
    ethnicity: str | None,
    household_status: HouseholdStatus | None,
    union_member: bool | None,
    business_stage: BusinessStage | None,
) -> ApplicantProfile:
    """Save her account details and her applicant profile; every answer may still be empty.

    The date of birth must be plausible (see date_of_birth_problem), the ethnic group one of the 54,
    the commune one of the chosen province (checked by auth's apply_profile). One audit row
    `applicant_profile.updated` records the profile's fields before and after, when anything
    changed. The account and the profile are saved in one commit.
    """
    if date_of_birth is not None:
        problem = date_of_birth_problem(date_of_birth)
        if problem is not None:
            raise DomainError(problem, field="date_of_birth")
    ethnicity = ethnicity or None
    if ethnicity is not None and ethnicity not in ETHNICITIES:
        raise DomainError(_l("Choose an ethnic group from the list."), field="ethnicity")
    auth_services.apply_profile(
        user,
        full_name=full_name,
        phone=phone,
        language=user.language,
        province_id=province_id,
        commune_id=commune_id,
    )
    profile = get_profile(user)
    if profile is None:
        profile = ApplicantProfile(user_id=user.id)
        db.session.add(profile)
    before = _snapshot(profile)
    profile.date_of_birth = date_of_birth
    profile.gender = gender
    profile.ethnicity = ethnicity
    profile.household_status = household_status
    profile.union_member = union_member
    profile.business_stage = business_stage
    after = _snapshot(profile)
    if before != after:
        profile.updated_at = utcnow()
        audit.record(
            "applicant_profile.updated",
            actor_id=user.id,
            object_type="applicant_profile",
            object_id=user.id,
            before=before,
            after=after,
        )
    db.session.commit()
    return profile


def _snapshot(profile: ApplicantProfile) -> dict[str, Any]:
    """The profile's fields as JSON values (dates as ISO text, enums as their values)."""
    return {
        "date_of_birth": profile.date_of_birth.isoformat() if profile.date_of_birth else None,
        "gender": _value(profile.gender),
        "ethnicity": profile.ethnicity,
        "household_status": _value(profile.household_status),
        "union_member": profile.union_member,
        "business_stage": _value(profile.business_stage),
    }


def _value(member: Gender | HouseholdStatus | BusinessStage | None) -> str | None:
    return member.value if member is not None else None


def missing_fields(user: User) -> list[LazyString]:
    """The names of what an entry needs that is still empty, in the form's order.

    An entry needs her date of birth, gender, ethnic group, household status, stage of business,
    province and commune; an empty list means the profile is complete enough to enter.
    """
    profile = get_profile(user)
    values = {
        "province": user.province_id,
        "commune": user.commune_id,
    }
    for name in REQUIRED_FOR_ENTRY:
        if name not in values:
            values[name] = getattr(profile, name) if profile is not None else None
    return [FIELD_LABELS[name] for name in REQUIRED_FOR_ENTRY if values[name] is None]
