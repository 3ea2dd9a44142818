"""The cascade at phone width, page by page: Điện Biên's organiser nominates her competition's
winner to the national final, a second organiser approves, the woman confirms on her entry's page
and follows the path of her idea (in both languages), the national organiser sees where it came
from, and the national prize shows on the Điện Biên project."""

from playwright.sync_api import Page, expect

from portal.extensions import db
from tests.browser.conftest import assert_accessible, fresh_db, log_in, open_menu
from tests.factories import PASSWORD
from tests.factories.nominations import make_cascade


def log_out(page: Page, name: str = "Log out") -> None:
    page.get_by_role("button", name=name).click()


def test_an_idea_goes_from_the_province_to_the_nation_and_its_prize_comes_back(page: Page, units):
    world = make_cascade(units)
    below = world.below
    entry = below.entries[0]
    woman = entry.applicant
    for person in (woman, below.organiser, below.second_organiser, world.organiser):
        person.language = "en"
    db.session.commit()
    national_title = world.competition.title
    below_id, national_id = below.competition.id, world.competition.id
    emails = {
        "organiser": below.organiser.email,
        "second": below.second_organiser.email,
        "woman": woman.email,
        "national": world.organiser.email,
    }
    title, entry_id = entry.title, entry.id
    below_title = below.competition.title
    national_ids = (world.organiser.id, world.second_organiser.id)
    fresh_db()

    # Điện Biên's organiser nominates her first prize winner from the competition's page.
    log_in(page, emails["organiser"], PASSWORD)
    page.goto(f"/competitions/{below_id}")
    page.get_by_role("link", name="Nominate to a higher round").click()
    expect(page.get_by_role("heading", name=national_title)).to_be_visible()
    expect(page.locator("main")).to_contain_text("0 of 2 places used.")
    assert_accessible(page)
    page.get_by_role("button", name=f"Nominate · {title}", exact=True).click()
    expect(page.locator(".flash-messages")).to_contain_text("A second organiser")
    expect(page.locator("main")).to_contain_text("Proposed, awaiting a second organiser")
    assert_accessible(page)
    log_out(page)

    # The second organiser approves it.
    log_in(page, emails["second"], PASSWORD)
    open_menu(page)
    page.get_by_role("link", name="Nominations").click()
    expect(page.get_by_role("heading", name="Nominations along the cascade")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/competitions/{below_id}/nominate")
    page.get_by_role("button", name=f"Approve · {title}", exact=True).click()
    expect(page.locator(".flash-messages")).to_contain_text("Approved")
    log_out(page)

    # She confirms on her entry's page, and her idea's path shows both rounds.
    log_in(page, emails["woman"], PASSWORD)
    page.goto(f"/entries/{entry_id}")
    expect(
        page.get_by_role("heading", name=f"Your idea is nominated to {national_title}")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm and enter").click()
    expect(page.locator(".flash-messages")).to_contain_text(
        f"Your idea is entered in {national_title}"
    )
    path = page.locator("ol.idea-path")
    expect(path.locator("li")).to_have_count(2)
    expect(path).to_contain_text("Provincial")
    expect(path).to_contain_text("National")
    expect(path).to_contain_text("Won: Giải Nhất")
    assert_accessible(page)
    open_menu(page)
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", name="Hành trình ý tưởng của chị")).to_be_visible()
    expect(page.locator("ol.idea-path")).to_contain_text("Cấp toàn quốc")
    assert_accessible(page)
    open_menu(page)
    page.get_by_role("button", name="English").click()
    log_out(page)

    # The national organiser sees the lower round's prize and rank on the entry.
    fresh_db()
    from sqlalchemy import select

    from portal.entries.models import Entry

    carried = db.session.scalars(select(Entry).where(Entry.competition_id == national_id)).one()
    carried_id = carried.id
    log_in(page, emails["national"], PASSWORD)
    page.goto(f"/competitions/{national_id}/nominations")
    expect(page.locator("main")).to_contain_text("Confirmed by her")
    assert_accessible(page)
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=f"Nominated by {below_title}")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Prize there: Giải Nhất")
    assert_accessible(page)
    log_out(page)

    # The national prize is published: it shows on the Điện Biên project, and on the overview.
    from portal.auth.models import User
    from portal.competitions.models import Competition

    world.organiser, world.second_organiser = (db.session.get(User, i) for i in national_ids)
    world.competition = db.session.get(Competition, national_id)
    world.publish_prize(db.session.get(Entry, carried_id))
    fresh_db()
    log_in(page, emails["organiser"], PASSWORD)
    open_menu(page)
    page.get_by_role("link", name="Nominations").click()
    expect(page.locator("main")).to_contain_text("Won: Giải Nhất toàn quốc")
    assert_accessible(page)
    page.goto(f"/entries/{entry_id}")
    expect(page.locator("ol.idea-path")).to_contain_text("Won: Giải Nhất toàn quốc")
    from portal.projects.models import SupportedProject

    project_id = db.session.scalars(
        select(SupportedProject.id).where(SupportedProject.entry_id == entry_id)
    ).one()
    page.goto(f"/projects/{project_id}")
    expect(page.locator("main")).to_contain_text("National: Giải Nhất toàn quốc")
    expect(page.locator("main")).not_to_contain_text("Recorded by mistake?")
    assert_accessible(page)
