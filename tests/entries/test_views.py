"""Entry pages through HTTP: the applicant's side."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from portal.auth.models import Role
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from tests.conftest import login, mails_to
from tests.entries.test_services import applicant_with_profile
from tests.factories import UserFactory, make_competition

NOW = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False) as clock:
        yield clock


@pytest.fixture
def competition(units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])])
    return make_competition(organiser, units["dien_bien"], business_plan_required=False)


@pytest.fixture
def applicant(units):
    user = applicant_with_profile(units)
    user.language = "en"
    db.session.commit()
    return user


def text(response) -> str:
    return response.get_data(as_text=True)


def form(competition, entry, **overrides):
    data = {
        "version": str(entry.version),
        "title": "Rượu men lá Mường Phăng",
        "category": str(competition.categories[0].id),
        "summary": "Rượu men lá truyền thống.",
        "problem": "Chưa có thương hiệu.",
        "solution": "Làm thương hiệu.",
        "customers": "Khách du lịch.",
        "local_resources": "Men lá rừng.",
        "team-0-name": "Lò Thị Hoa",
        "team-0-role": "Kế toán",
        "capital_needed": "150000000",
        "jobs_for_women": "6",
        "consent_publish": "y",
    }
    data.update(overrides)
    return data


def start(client, competition) -> Entry:
    response = client.post_form(f"/competitions/{competition.id}/enter")
    entry = db.session.scalar(sa.select(Entry).order_by(Entry.id.desc()))
    assert response.location == f"/entries/{entry.id}/edit"
    return entry


def test_she_saves_a_draft_and_comes_back_to_it(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    response = client.post_form(f"/entries/{entry.id}/edit", form(competition, entry, save="1"))
    assert response.location == f"/entries/{entry.id}"
    page = text(client.get(f"/entries/{entry.id}/edit"))
    assert 'value="Rượu men lá Mường Phăng"' in page
    assert "Men lá rừng." in page
    assert "My entries" in text(client.get("/entries/"))


def test_the_form_warns_her_to_keep_her_name_out_of_her_files(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    page = text(client.get(f"/entries/{entry.id}/edit"))
    assert "Do not write your name, phone number or address in your business plan" in page


def test_she_submits_and_sees_her_reference(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    response = client.post_form(f"/entries/{entry.id}/edit", form(competition, entry, submit="1"))
    assert response.location == f"/entries/{entry.id}"
    page = text(client.get(response.location))
    assert f"Its reference number is DB-{NOW.year}-0001." in page
    assert "Submitted" in page
    assert [m.template for m in mails_to(applicant.email)] == ["entry_submitted"]


def test_a_double_clicked_submit_makes_one_submission(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    data = form(competition, entry, submit="1")
    client.post_form(f"/entries/{entry.id}/edit", data)
    again = client.post_form(f"/entries/{entry.id}/edit", data)  # the same form, sent twice
    assert again.location == f"/entries/{entry.id}"
    assert "Its reference number is" in text(client.get(again.location))
    db.session.refresh(entry)
    assert len(entry.versions) == 1
    assert len(mails_to(applicant.email)) == 1


def test_a_second_tab_cannot_overwrite_silently(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    first_tab = form(competition, entry, title="Tab một", save="1")
    second_tab = form(competition, entry, title="Tab hai", save="1")
    client.post_form(f"/entries/{entry.id}/edit", first_tab)
    response = client.post_form(f"/entries/{entry.id}/edit", second_tab)
    page = text(response)
    assert response.status_code == 409
    assert "changed in another window or on another device" in page
    assert 'value="Tab hai"' in page  # what she typed is on the page to copy
    db.session.refresh(entry)
    assert entry.title == "Tab một"
    # Both versions: the saved one above the form, where it differs from hers.
    saved = page.split('class="alert alert-info saved-meanwhile"', 1)[1].split("</section>", 1)[0]
    assert "Tab một" in saved and "Tab hai" not in saved
    assert saved.count("<dt>") == 1  # only the title differs
    # Having seen both, her next save is hers: the form now carries the saved version.
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    again = client.post_form(f"/entries/{entry.id}/edit", second_tab | {"version": version})
    assert again.status_code == 302
    db.session.refresh(entry)
    assert entry.title == "Tab hai"


def test_an_incomplete_submission_keeps_the_text_and_lists_the_reasons(
    client, applicant, competition
):
    login(client, applicant)
    entry = start(client, competition)
    response = client.post_form(
        f"/entries/{entry.id}/edit", form(competition, entry, solution="", submit="1")
    )
    page = text(response)
    assert response.status_code == 422
    assert "Describe your solution." in page
    assert "saved as a draft but not submitted" in page
    db.session.refresh(entry)
    assert entry.status is EntryStatus.DRAFT and entry.title == "Rượu men lá Mường Phăng"


def test_a_submit_after_the_deadline_keeps_the_text(client, applicant, competition, frozen):
    login(client, applicant)
    entry = start(client, competition)
    data = form(competition, entry, title="Viết đến phút chót", submit="1")
    frozen.move_to(competition.closes_at + timedelta(minutes=1))
    response = client.post_form(f"/entries/{entry.id}/edit", data)
    assert response.status_code == 422
    assert "The deadline has passed" in text(response)
    db.session.refresh(entry)
    assert (entry.status, entry.title) == (EntryStatus.DRAFT, "Viết đến phút chót")
    # Afterwards the entry is read-only to her.
    assert client.get(f"/entries/{entry.id}/edit").location == f"/entries/{entry.id}"


def test_a_save_after_the_deadline_never_changes_the_submitted_entry(
    client, applicant, competition, frozen
):
    login(client, applicant)
    entry = start(client, competition)
    client.post_form(f"/entries/{entry.id}/edit", form(competition, entry, submit="1"))
    db.session.refresh(entry)
    opened = form(competition, entry, title="Sửa sau hạn", save="1")  # the page left open
    frozen.move_to(competition.closes_at + timedelta(seconds=5))
    response = client.post_form(f"/entries/{entry.id}/edit", opened)
    page = text(response)
    assert response.status_code == 422
    assert "your entry stays as you submitted it" in page
    assert 'value="Sửa sau hạn"' in page  # what she typed comes back, to keep
    db.session.expire_all()
    entry = db.session.get(Entry, entry.id)
    assert entry.title == "Rượu men lá Mường Phăng"  # what organisers and judges read
    assert not entry.has_unsubmitted_changes and len(entry.versions) == 1


def test_wrong_input_gets_a_message_and_keeps_the_text(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    response = client.post_form(
        f"/entries/{entry.id}/edit",
        form(competition, entry, capital_needed="-5", title="<script>alert(1)</script>", save="1"),
    )
    page = text(response)
    assert response.status_code == 422
    assert "Enter an amount of 0 đồng or more." in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    too_long = client.post_form(
        f"/entries/{entry.id}/edit", form(competition, entry, summary="x" * 1001, save="1")
    )
    assert too_long.status_code == 422


def test_withdrawing_needs_a_confirmation(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    assert client.get(f"/entries/{entry.id}/withdraw").status_code == 200
    assert client.post_form(f"/entries/{entry.id}/withdraw", {}).status_code == 422
    response = client.post_form(f"/entries/{entry.id}/withdraw", {"confirm": "y"})
    assert response.location == "/entries/"
    db.session.refresh(entry)
    assert entry.status is EntryStatus.WITHDRAWN


def test_another_applicants_entry_is_forbidden(app, client, applicant, competition, units):
    login(client, applicant)
    entry = start(client, competition)
    other = app.test_client()
    login(other, applicant_with_profile(units))
    for url in (
        f"/entries/{entry.id}",
        f"/entries/{entry.id}/edit",
        f"/entries/{entry.id}/withdraw",
    ):
        assert other.get(url).status_code == 403
    assert (
        other.post_form(f"/entries/{entry.id}/edit", form(competition, entry, save="1")).status_code
        == 403
    )


def test_organisers_see_entries_of_their_unit_only(app, client, applicant, competition, units):
    login(client, applicant)
    entry = start(client, competition)
    own = app.test_client()
    login(own, UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])]))
    assert own.get(f"/entries/{entry.id}").status_code == 200
    assert own.get(f"/entries/{entry.id}/edit").status_code == 403  # only she edits it
    stranger = app.test_client()
    login(stranger, UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]))
    assert stranger.get(f"/entries/{entry.id}").status_code == 403
    judge = app.test_client()
    login(judge, UserFactory(roles=[Role.JUDGE]))
    assert judge.get(f"/entries/{entry.id}").status_code == 403


def test_the_competition_page_invites_applicants_to_enter(client, applicant, competition):
    page = text(client.get(f"/competitions/{competition.id}", headers={"Accept-Language": "en"}))
    assert "Log in to enter" in page
    login(client, applicant)
    assert "Enter this competition" in text(client.get(f"/competitions/{competition.id}"))


def test_a_save_after_her_session_ended_gives_her_text_back(client, applicant, competition):
    """Logged out everywhere (a password change on another device) while typing: the save is
    refused, nothing is stored, and the page gives back what she typed with the way back."""
    from portal.auth.models import new_session_token

    login(client, applicant)
    entry = start(client, competition)
    typed = form(competition, entry, title="Gõ lúc mất phiên", save="1")
    typed["csrf_token"] = client.csrf_token()
    applicant.session_token = new_session_token()  # as a password change elsewhere does
    db.session.commit()
    response = client.post(
        f"/entries/{entry.id}/edit", data=typed, headers={"Accept-Language": "en"}
    )
    page = text(response)
    assert response.status_code == 401
    assert "You are no longer logged in" in page
    assert "Gõ lúc mất phiên" in page and "Men lá rừng." in page
    assert f'href="/login?next=/entries/{entry.id}/edit"' in page
    db.session.refresh(entry)
    assert entry.title == ""


def test_a_save_with_an_expired_form_gives_her_text_back(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    typed = form(competition, entry, title="Gõ lúc hết hạn", save="1")
    typed["csrf_token"] = "expired"
    response = client.post(f"/entries/{entry.id}/edit", data=typed)
    page = text(response)
    assert response.status_code == 400
    assert "This form has expired" in page and "Gõ lúc hết hạn" in page
    assert f'href="/entries/{entry.id}/edit"' in page  # still logged in: back to the form
    assert 'name="csrf_token"' not in page.split("<main")[1].split("</main>")[0]


def test_every_long_form_is_kept_on_the_device(client, applicant, competition):
    login(client, applicant)
    entry = start(client, competition)
    page = text(client.get(f"/entries/{entry.id}/edit"))
    assert f'data-keep="{applicant.id}:entry-{entry.id}"' in page
    assert "data-keep-restored=" in page


def test_a_withdrawn_entry_is_grey_and_a_submitted_one_is_not(
    client, applicant, competition, units
):
    other = make_competition(
        UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])]), units["dien_bien"]
    )
    login(client, applicant)
    withdrawn, submitted = start(client, competition), start(client, other)
    withdrawn.status, submitted.status = EntryStatus.WITHDRAWN, EntryStatus.SUBMITTED
    db.session.commit()

    page = text(client.get("/entries/"))
    assert '<span class="badge text-bg-secondary">Withdrawn</span>' in page
    assert '<span class="badge text-bg-info">Submitted</span>' in page
    assert 'class="badge text-bg-secondary">Withdrawn' in text(
        client.get(f"/entries/{withdrawn.id}")
    )
