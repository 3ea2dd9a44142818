"""The applicant profile page through HTTP: who may see it, what she sees, what is saved."""

from datetime import date

import pytest
import sqlalchemy as sa

from portal.applicants import services
from portal.applicants.models import BusinessStage, Gender, HouseholdStatus
from portal.auth.models import Role
from portal.core.audit import AuditLog
from portal.extensions import db
from tests.conftest import login
from tests.factories import UserFactory

URL = "/applicant/profile"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def applicant(app):
    """An applicant who reads the portal in English (her saved language wins over the browser)."""
    return UserFactory(full_name="Lò Thị Hương", language="en")


def form_data(units, **overrides) -> dict:
    data = {
        "full_name": "Lò Thị Hương",
        "phone": "0912 345 678",
        "date_of_birth": "1990-05-17",
        "gender": "female",
        "ethnicity": "03",
        "province": units["dien_bien"].id,
        "commune": units["muong_phang"].id,
        "household_status": "poor",
        "union_member": "yes",
        "business_stage": "idea",
    }
    data.update(overrides)
    return data


# --- Who may see it -----------------------------------------------------------------------------


def test_someone_not_logged_in_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


@pytest.mark.parametrize("role", [Role.JUDGE, Role.ORGANISER, Role.ADMIN])
def test_a_person_without_the_applicant_role_is_refused(client, units, role):
    grant = (role, units["dien_bien"]) if role is Role.ORGANISER else role
    login(client, UserFactory(roles=[grant]))
    assert client.get(URL).status_code == 403
    assert client.post_form(URL, form_data(units)).status_code == 403


# --- The page -----------------------------------------------------------------------------------


def test_the_page_labels_every_field(client, applicant, units):
    login(client, applicant)
    response = client.get(URL)
    page = text(response)
    assert response.status_code == 200
    for name in ("full_name", "phone", "date_of_birth", "ethnicity", "province", "commune"):
        assert f'<label class="form-label" for="{name}">' in page, name
    assert 'id="date_of_birth" name="date_of_birth" type="date"' in page
    for name, options in [
        ("gender", 3),
        ("household_status", 3),
        ("union_member", 2),
        ("business_stage", 4),
    ]:
        for i in range(options):
            assert f'<label class="form-check-label" for="{name}-{i}">' in page, name
    for heading in ("About you", "Where you live", "Your household and business"):
        assert f">{heading}</h2>" in page
    assert "reused for every entry" in page
    assert 'name="csrf_token"' in page


def test_the_ethnic_groups_are_offered_kinh_first_after_an_empty_choice(client, applicant):
    login(client, applicant)
    page = text(client.get(URL))
    select = page[page.index('<select class="form-select" id="ethnicity"') :]
    select = select[: select.index("</select>")]
    assert select.count("<option") == 55
    assert select.index('value=""') < select.index('value="01"') < select.index('value="13"')
    assert "Rơ-măm" in select and "Ơ Đu" in select


def test_the_form_is_filled_from_the_account_and_the_profile(client, applicant, units):
    services.save_profile(
        applicant,
        full_name="Lò Thị Hương",
        phone="0912345678",
        province_id=units["dien_bien"].id,
        commune_id=units["muong_phang"].id,
        date_of_birth=date(1990, 5, 17),
        gender=Gender.FEMALE,
        ethnicity="03",
        household_status=HouseholdStatus.NEAR_POOR,
        union_member=False,
        business_stage=BusinessStage.COOPERATIVE,
    )
    login(client, applicant)
    page = text(client.get(URL))
    assert 'value="Lò Thị Hương"' in page
    assert 'value="0912345678"' in page
    assert 'value="1990-05-17"' in page
    assert '<option selected value="03">Thái</option>' in page
    assert f'<option selected value="{units["muong_phang"].id}">' in page
    for name, i in [("gender", 0), ("household_status", 1), ("union_member", 1)]:
        assert f'<input checked class="form-check-input" id="{name}-{i}"' in page, name
    assert '<input checked class="form-check-input" id="business_stage-2"' in page
    assert page.count("<input checked") == 4


def test_a_valid_profile_is_saved_and_she_is_sent_back(client, applicant, units):
    login(client, applicant)
    response = client.post_form(URL, form_data(units))
    assert response.status_code == 302
    assert response.location == URL
    profile = services.get_profile(applicant)
    assert profile.date_of_birth == date(1990, 5, 17)
    assert profile.gender is Gender.FEMALE
    assert profile.ethnicity == "03"
    assert profile.household_status is HouseholdStatus.POOR
    assert profile.union_member is True
    assert profile.business_stage is BusinessStage.IDEA
    db.session.refresh(applicant)
    assert applicant.phone == "0912345678"
    assert applicant.commune_id == units["muong_phang"].id
    assert services.missing_fields(applicant) == []
    assert "Your applicant profile has been saved." in text(client.get(URL))
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id))
    assert "applicant_profile.updated" in list(actions)


def test_the_answers_may_be_left_empty_and_the_page_says_what_an_entry_needs(
    client, applicant, units
):
    login(client, applicant)
    response = client.post_form(
        URL, {"full_name": "Lò Thị Hương", "province": "", "commune": "", "ethnicity": ""}
    )
    assert response.status_code == 302
    profile = services.get_profile(applicant)
    assert (profile.gender, profile.ethnicity, profile.union_member) == (None, None, None)
    page = text(client.get(URL))
    assert "An entry still needs: Date of birth, Gender, Ethnic group" in page


def test_a_date_of_birth_in_the_future_is_refused_and_what_was_typed_is_kept(
    client, applicant, units
):
    login(client, applicant)
    response = client.post_form(
        URL, form_data(units, date_of_birth="2999-01-01", full_name="Tên Đang Gõ")
    )
    page = text(response)
    assert response.status_code == 422
    assert "The date of birth cannot be in the future." in page
    assert 'aria-invalid="true"' in page
    assert 'value="2999-01-01"' in page
    assert 'value="Tên Đang Gõ"' in page
    assert '<option selected value="03">Thái</option>' in page
    assert '<input checked class="form-check-input" id="household_status-0"' in page
    assert services.get_profile(applicant) is None


def test_too_young_is_refused_with_a_message(client, applicant, units):
    login(client, applicant)
    this_year = date.today().year
    response = client.post_form(URL, form_data(units, date_of_birth=f"{this_year - 10}-01-01"))
    assert response.status_code == 422
    assert "Applicants must be at least 16 years old." in text(response)


def test_an_unknown_ethnic_group_is_refused(client, applicant, units):
    login(client, applicant)
    response = client.post_form(URL, form_data(units, ethnicity="99"))
    assert response.status_code == 422
    assert 'id="ethnicity-error"' in text(response)
    assert services.get_profile(applicant) is None


def test_an_unknown_answer_to_a_question_is_refused(client, applicant, units):
    login(client, applicant)
    response = client.post_form(URL, form_data(units, business_stage="millionaire"))
    assert response.status_code == 422
    assert 'id="business_stage-error"' in text(response)


def test_a_commune_of_another_province_is_shown_next_to_the_commune(client, applicant, units):
    login(client, applicant)
    # Sa Pa is not among Điện Biên's communes, so the form's own choice check refuses it first.
    response = client.post_form(URL, form_data(units, commune=units["sa_pa"].id))
    assert response.status_code == 422
    assert 'id="commune-error"' in text(response)
    assert services.get_profile(applicant) is None


def test_the_picker_works_without_javascript(client, applicant, units):
    login(client, applicant)
    # Step 1: pick a province and press "Show communes": nothing is saved, the list fills in.
    response = client.post_form(
        URL,
        form_data(
            units,
            full_name="Tên mới đang gõ",
            commune="",
            date_of_birth="1985-02-03",
            show_communes="Show communes",
        ),
    )
    page = text(response)
    assert response.status_code == 200
    assert 'value="Tên mới đang gõ"' in page
    assert 'value="1985-02-03"' in page
    assert "Xã Mường Phăng" in page and "Phường Điện Biên Phủ" in page
    assert "Phường Sa Pa" not in page
    assert services.get_profile(applicant) is None
    db.session.refresh(applicant)
    assert applicant.full_name == "Lò Thị Hương"
    # Step 2: choose the commune and save.
    response = client.post_form(
        URL, form_data(units, full_name="Tên mới đang gõ", date_of_birth="1985-02-03")
    )
    assert response.status_code == 302
    db.session.refresh(applicant)
    assert (applicant.full_name, applicant.commune_id) == (
        "Tên mới đang gõ",
        units["muong_phang"].id,
    )
    assert services.get_profile(applicant).date_of_birth == date(1985, 2, 3)


# --- Going back where she came from -------------------------------------------------------------


def test_a_safe_next_is_followed_after_saving(client, applicant, units):
    login(client, applicant)
    page = text(client.get(URL + "?next=/profile"))
    assert 'action="/applicant/profile?next=/profile"' in page
    assert '<a class="btn btn-link" href="/profile">' in page
    response = client.post_form(URL + "?next=/profile", form_data(units))
    assert response.status_code == 302
    assert response.location == "/profile"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "/\\evil.example"])
def test_a_next_to_another_site_is_ignored(client, applicant, units, target):
    login(client, applicant)
    page = text(client.get(URL, query_string={"next": target}))
    assert '<form method="post" action="/applicant/profile" ' in page  # no next in it
    assert 'href="' + target not in page
    response = client.post_form(URL, form_data(units), query_string={"next": target})
    assert response.status_code == 302
    assert response.location == URL


def test_the_account_profile_links_to_the_applicant_profile(client, applicant):
    login(client, applicant)
    assert 'href="/applicant/profile"' in text(client.get("/profile"))
    assert 'href="/applicant/profile"' in text(client.get("/"))


def test_a_judge_s_account_profile_has_no_link_to_it(client):
    login(client, UserFactory(roles=[Role.JUDGE], language="en"))
    assert "/applicant/profile" not in text(client.get("/profile"))
