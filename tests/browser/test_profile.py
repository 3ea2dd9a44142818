"""The province → commune picker on the profile page, with JavaScript."""

from playwright.sync_api import Page, expect

from portal.auth.models import User
from portal.extensions import db
from tests.browser.conftest import assert_accessible, fresh_db, log_in
from tests.factories import PASSWORD, UserFactory


def test_the_commune_list_follows_the_province_and_the_choice_is_saved(page: Page, units):
    dien_bien_id, muong_phang_id = units["dien_bien"].id, units["muong_phang"].id
    user = UserFactory(language="en")
    email = user.email
    fresh_db()

    log_in(page, email, PASSWORD)
    page.goto("/profile")
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    # With JavaScript the no-JS button is out of the way, and there is nothing to choose yet.
    expect(page.get_by_role("button", name="Show communes")).to_be_hidden()
    province = page.get_by_label("Province or city")
    commune = page.get_by_label("Commune or ward")
    expect(commune.locator("option")).to_have_text(["— Choose —"])
    assert_accessible(page)

    province.select_option(label="Điện Biên")
    expect(commune.locator("option")).to_have_text(
        ["— Choose —", "Phường Điện Biên Phủ", "Xã Mường Phăng"]
    )
    expect(commune).to_be_enabled()
    assert_accessible(page)

    commune.select_option(label="Xã Mường Phăng")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile has been saved.")
    assert_accessible(page)

    page.reload()
    expect(province).to_have_value(str(dien_bien_id))
    expect(commune).to_have_value(str(muong_phang_id))
    expect(commune.locator("option:checked")).to_have_text("Xã Mường Phăng")
    assert_accessible(page)

    fresh_db()
    saved = db.session.scalar(db.select(User).where(User.email == email))
    assert (saved.province_id, saved.commune_id) == (dien_bien_id, muong_phang_id)
    fresh_db()
