"""The applicant profile: what every entry asks about her, filled in once and reused."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.core.enums import enum_column
from portal.core.time import UTCDateTime, utcnow
from portal.extensions import db


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(GENDER_LABELS[self])


GENDER_LABELS = {
    Gender.FEMALE: _l("Female"),
    Gender.MALE: _l("Male"),
    Gender.OTHER: _l("Other"),
}


class HouseholdStatus(enum.StrEnum):
    POOR = "poor"
    NEAR_POOR = "near_poor"
    NEITHER = "neither"

    @property
    def label(self) -> str:
        return str(HOUSEHOLD_STATUS_LABELS[self])


HOUSEHOLD_STATUS_LABELS = {
    HouseholdStatus.POOR: _l("Poor household"),
    HouseholdStatus.NEAR_POOR: _l("Near-poor household"),
    HouseholdStatus.NEITHER: _l("Neither"),
}


class BusinessStage(enum.StrEnum):
    IDEA = "idea"
    HOUSEHOLD_BUSINESS = "household_business"
    COOPERATIVE = "cooperative"
    ENTERPRISE = "enterprise"

    @property
    def label(self) -> str:
        return str(BUSINESS_STAGE_LABELS[self])


BUSINESS_STAGE_LABELS = {
    BusinessStage.IDEA: _l("An idea, not started yet"),
    BusinessStage.HOUSEHOLD_BUSINESS: _l("Household business"),
    BusinessStage.COOPERATIVE: _l("Cooperative or cooperative group"),
    BusinessStage.ENTERPRISE: _l("Enterprise"),
}

# The name of each question, on the form and in the list of what an entry still needs.
FIELD_LABELS = {
    "date_of_birth": _l("Date of birth"),
    "gender": _l("Gender"),
    "ethnicity": _l("Ethnic group"),
    "household_status": _l("Household status"),
    "union_member": _l("Are you a member of the Women's Union?"),
    "business_stage": _l("Stage of your business"),
    "province": _l("Province or city"),
    "commune": _l("Commune or ward"),
}


class ApplicantProfile(db.Model):
    """One row per applicant, created the first time she saves her profile.

    Name, phone and place of residence stay on the user account; this holds the rest.
    """

    __tablename__ = "applicant_profile"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), primary_key=True)
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date)
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender, length=24))
    # A code of portal.applicants.ethnicities.ETHNICITIES, "01" to "54".
    ethnicity: Mapped[str | None] = mapped_column(sa.String(2))
    household_status: Mapped[HouseholdStatus | None] = mapped_column(
        enum_column(HouseholdStatus, length=24)
    )
    union_member: Mapped[bool | None] = mapped_column(sa.Boolean)
    business_stage: Mapped[BusinessStage | None] = mapped_column(
        enum_column(BusinessStage, length=24)
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApplicantProfile {self.user_id}>"
