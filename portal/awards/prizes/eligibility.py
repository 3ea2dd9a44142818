"""Who qualifies for a special prize.

A special prize's rule is a small JSON object; every condition present must hold, and an empty
rule lets every ranked entry qualify. The keys:

- ``ethnic_minority``: true — the applicant belongs to an ethnic minority (not Kinh)
- ``category_codes``: ["digital_economy", …] — the entry's category is one of these
- ``household_status``: ["poor", "near_poor"] — the household status given at submission
- ``business_stage``: ["idea", …] — the business stage given at submission
- ``union_member``: true — the applicant is a member of the Women's Union
- ``max_age``: 35 — the applicant is at most this old on the given day
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

RULE_KEYS = (
    "ethnic_minority",
    "category_codes",
    "household_status",
    "business_stage",
    "union_member",
    "max_age",
)


@dataclass(frozen=True)
class EntryFacts:
    """What a rule may look at, read from the entry and the applicant's profile."""

    category_code: str | None = None
    ethnic_minority: bool | None = None
    household_status: str | None = None
    business_stage: str | None = None
    union_member: bool | None = None
    date_of_birth: date | None = None


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def qualifies(rule: dict, facts: EntryFacts, *, on: date) -> bool:
    """Does an entry with these facts meet every condition of the rule? Unknown facts fail."""
    if rule.get("ethnic_minority") and facts.ethnic_minority is not True:
        return False
    if rule.get("union_member") and facts.union_member is not True:
        return False
    for key, value in (
        ("category_codes", facts.category_code),
        ("household_status", facts.household_status),
        ("business_stage", facts.business_stage),
    ):
        allowed = rule.get(key)
        if allowed and value not in allowed:
            return False
    max_age = rule.get("max_age")
    return max_age is None or (
        facts.date_of_birth is not None and age_on(facts.date_of_birth, on) <= int(max_age)
    )


def describe(rule: dict, category_names: dict[str, str]) -> list[str]:
    """The rule in plain words, one line per condition, in the reader's language."""
    from portal.applicants.models import BusinessStage, HouseholdStatus

    lines = []
    if rule.get("ethnic_minority"):
        lines.append(str(_l("The applicant belongs to an ethnic minority")))
    if rule.get("category_codes"):
        names = ", ".join(category_names.get(c, c) for c in rule["category_codes"])
        lines.append(str(_l("Category: %(names)s", names=names)))
    if rule.get("household_status"):
        names = ", ".join(HouseholdStatus(v).label for v in rule["household_status"])
        lines.append(str(_l("Household: %(names)s", names=names)))
    if rule.get("business_stage"):
        names = ", ".join(BusinessStage(v).label for v in rule["business_stage"])
        lines.append(str(_l("Business stage: %(names)s", names=names)))
    if rule.get("union_member"):
        lines.append(str(_l("The applicant is a member of the Women's Union")))
    if rule.get("max_age") is not None:
        lines.append(str(_l("The applicant is at most %(age)s years old", age=rule["max_age"])))
    return lines
