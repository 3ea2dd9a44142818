"""The applicant profile's rules, tested through portal.applicants.services."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine
from flask_babel import force_locale

from portal.applicants import services
from portal.applicants.ethnicities import ETHNICITIES, is_ethnic_minority, ordered_codes
from portal.applicants.models import ApplicantProfile, BusinessStage, Gender, HouseholdStatus
from portal.core.audit import AuditLog
from portal.core.errors import DomainError
from portal.core.text import fold
from portal.extensions import db
from tests.factories import UserFactory

# 09:00 on 8 March 2026 in Vietnam: tests never depend on today's date.
START = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english(app):
    """Messages are matched in English here."""
    with force_locale("en"), time_machine.travel(START, tick=False):
        yield


def profile_data(units, **overrides) -> dict:
    data = {
        "full_name": "Lò Thị Hương",
        "phone": "0912345678",
        "province_id": units["dien_bien"].id,
        "commune_id": units["muong_phang"].id,
        "date_of_birth": date(1990, 5, 17),
        "gender": Gender.FEMALE,
        "ethnicity": "03",
        "household_status": HouseholdStatus.NEAR_POOR,
        "union_member": True,
        "business_stage": BusinessStage.HOUSEHOLD_BUSINESS,
    }
    data.update(overrides)
    return data


def profile_audit_rows(user) -> list[AuditLog]:
    return list(
        db.session.scalars(
            sa.select(AuditLog)
            .where(AuditLog.action == "applicant_profile.updated", AuditLog.object_id == user.id)
            .order_by(AuditLog.id)
        )
    )


# --- Saving -----------------------------------------------------------------------------------


def test_the_first_save_creates_the_profile_and_updates_the_account(units):
    user = UserFactory()
    assert services.get_profile(user) is None
    profile = services.save_profile(user, **profile_data(units, phone=None))
    db.session.expire_all()
    assert services.get_profile(user) is profile
    assert profile.date_of_birth == date(1990, 5, 17)
    assert profile.gender is Gender.FEMALE
    assert profile.household_status is HouseholdStatus.NEAR_POOR
    assert profile.union_member is True
    assert profile.business_stage is BusinessStage.HOUSEHOLD_BUSINESS
    assert profile.updated_at == START
    assert profile.user is user
    assert user.full_name == "Lò Thị Hương"
    assert user.phone is None
    assert user.commune_id == units["muong_phang"].id


def test_saving_writes_one_audit_row_with_before_and_after(units):
    user = UserFactory()
    services.save_profile(user, **profile_data(units))
    services.save_profile(
        user, **profile_data(units, union_member=False, ethnicity="", gender=None)
    )
    first, second = profile_audit_rows(user)
    assert first.actor_id == user.id
    assert first.object_type == "applicant_profile"
    assert first.before == {
        "date_of_birth": None,
        "gender": None,
        "ethnicity": None,
        "household_status": None,
        "union_member": None,
        "business_stage": None,
    }
    assert first.after == {
        "date_of_birth": "1990-05-17",
        "gender": "female",
        "ethnicity": "03",
        "household_status": "near_poor",
        "union_member": True,
        "business_stage": "household_business",
    }
    assert second.before == first.after
    assert second.after == {
        **first.after,
        "gender": None,
        "ethnicity": None,
        "union_member": False,
    }


def test_saving_the_same_answers_again_writes_no_audit_row(units):
    user = UserFactory()
    services.save_profile(user, **profile_data(units))
    services.save_profile(user, **profile_data(units))
    assert len(profile_audit_rows(user)) == 1


def test_a_commune_of_another_province_is_refused_and_nothing_is_saved(units):
    user = UserFactory(full_name="Tên Cũ")
    with pytest.raises(DomainError) as refused:
        services.save_profile(user, **profile_data(units, commune_id=units["sa_pa"].id))
    assert refused.value.field == "commune"
    assert refused.value.message == "Choose a commune of the chosen province."
    db.session.rollback()
    assert services.get_profile(user) is None
    assert user.full_name == "Tên Cũ"
    assert profile_audit_rows(user) == []


def test_an_unknown_ethnic_group_is_refused(units):
    user = UserFactory()
    with pytest.raises(DomainError) as refused:
        services.save_profile(user, **profile_data(units, ethnicity="99"))
    assert refused.value.field == "ethnicity"
    assert services.get_profile(user) is None


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (date(2026, 3, 9), "The date of birth cannot be in the future."),
        (date(2010, 3, 9), "Applicants must be at least 16 years old."),
        (date(1925, 3, 8), "Please check the date of birth: it gives an age over 100 years."),
    ],
)
def test_an_impossible_date_of_birth_is_refused(units, born, message):
    user = UserFactory()
    with pytest.raises(DomainError) as refused:
        services.save_profile(user, **profile_data(units, date_of_birth=born))
    assert refused.value.field == "date_of_birth"
    assert refused.value.message == message


@pytest.mark.parametrize("born", [date(2010, 3, 8), date(1925, 3, 9)])
def test_sixteen_from_today_and_a_hundred_until_the_101st_birthday_are_accepted(units, born):
    assert services.date_of_birth_problem(born) is None
    profile = services.save_profile(UserFactory(), **profile_data(units, date_of_birth=born))
    assert profile.date_of_birth == born


def test_ages_are_counted_on_vietnam_s_date():
    # 23:30 UTC on 7 March is already 8 March in Vietnam: she turned 16 there.
    with time_machine.travel(datetime(2026, 3, 7, 23, 30, tzinfo=UTC), tick=False):
        assert services.today_in_vietnam() == date(2026, 3, 8)
        assert services.date_of_birth_problem(date(2010, 3, 8)) is None


# --- What an entry still needs ------------------------------------------------------------------


def test_missing_fields_names_everything_an_entry_needs_before_the_first_save(app):
    user = UserFactory()
    assert [str(name) for name in services.missing_fields(user)] == [
        "Date of birth",
        "Gender",
        "Ethnic group",
        "Household status",
        "Stage of your business",
        "Province or city",
        "Commune or ward",
    ]


def test_missing_fields_names_only_what_is_still_empty(units):
    user = UserFactory()
    services.save_profile(
        user,
        **profile_data(
            units, commune_id=None, gender=None, household_status=None, union_member=None
        ),
    )
    assert [str(name) for name in services.missing_fields(user)] == [
        "Gender",
        "Household status",
        "Commune or ward",
    ]


def test_a_complete_profile_misses_nothing(units):
    user = UserFactory()
    services.save_profile(user, **profile_data(units, union_member=None, phone=None))
    assert services.missing_fields(user) == []


# --- Ethnic groups ------------------------------------------------------------------------------


def test_there_are_exactly_54_ethnic_groups_coded_01_to_54():
    assert list(ETHNICITIES) == [f"{n:02d}" for n in range(1, 55)]
    names = list(ETHNICITIES.values())
    assert len(set(names)) == 54
    assert len({fold(name) for name in names}) == 54
    assert ETHNICITIES["01"] == "Kinh"
    assert ETHNICITIES["05"] == "Khơ-me"
    assert ETHNICITIES["23"] == "Bru-Vân Kiều"
    assert ETHNICITIES["53"] == "Ơ Đu"
    assert ETHNICITIES["54"] == "Rơ-măm"


def test_the_choices_put_kinh_first_then_the_others_alphabetically():
    codes = ordered_codes()
    assert codes[0] == "01"
    assert sorted(codes) == list(ETHNICITIES)
    assert [ETHNICITIES[c] for c in codes[1:4]] == ["Ba-na", "Bố Y", "Brâu"]
    assert ETHNICITIES[codes[-1]] == "Xtiêng"


def test_every_group_but_the_kinh_is_an_ethnic_minority():
    assert not is_ethnic_minority("01")
    assert is_ethnic_minority("02")
    assert is_ethnic_minority("54")
    assert sum(is_ethnic_minority(code) for code in ETHNICITIES) == 53
    assert not is_ethnic_minority("99")


def test_the_profile_row_is_keyed_by_the_user(units):
    user = UserFactory()
    services.save_profile(user, **profile_data(units))
    services.save_profile(user, **profile_data(units, ethnicity="01"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApplicantProfile)) == 1
