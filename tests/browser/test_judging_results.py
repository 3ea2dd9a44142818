"""Results in the browser, at phone width: an organiser imports paper sheets (a mistake first),
reads the ranking and its explanation, makes the results final and advances the top 10."""

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.judging.models import RoundEntry, ScoreSheet
from tests.browser.conftest import assert_accessible, fresh_db, log_in
from tests.factories import PASSWORD, assign, make_judging, score


def paper(world, judge, *, mistake: bool) -> bytes:
    lines = ["reference,judge_email,criterion,points,comment"]
    for n, entry in enumerate(world.entries):
        for c in world.criteria:
            points = round((0.88 - 0.03 * n) * c.max_points, 1)
            if mistake and n == 3 and c.code == "creativity":
                points = 25  # more than the criterion's 20
            lines.append(f"{entry.reference},{judge.email},{c.code},{points},Phiếu giấy")
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_an_organiser_imports_paper_sheets_ranks_finalises_and_advances(
    page: Page, live_server, units
):
    world = make_judging(units, entries=12, judges=3)
    world.organiser.language = "en"
    paper_judge = world.judges[2]
    for n, entry in enumerate(world.entries):
        score(world, entry, world.judges[0], round(0.9 - 0.03 * n, 4))
        score(world, entry, world.judges[1], round(0.86 - 0.03 * n, 4))
        assign(world, entry, paper_judge)
    db.session.commit()
    organiser_email, round_id = world.organiser.email, world.round.id
    first, judge_name = world.entries[0].reference, world.judges[0].full_name
    first_id, eleventh_id = world.entries[0].id, world.entries[10].id
    wrong, right = paper(world, paper_judge, mistake=True), paper(world, paper_judge, mistake=False)
    fresh_db()

    log_in(page, organiser_email, PASSWORD)
    page.goto(f"/judging/rounds/{round_id}/results")
    expect(page.get_by_role("heading", name="Results of Vòng sơ khảo")).to_be_visible()
    assert_accessible(page)
    expect(page.locator(".results-table")).to_contain_text("Sheets missing")

    # The paper sheets, with a mistake on one line: nothing is imported, the line is named.
    page.get_by_role("link", name="Import paper score sheets").click()
    assert_accessible(page)
    upload = page.get_by_label("CSV file of paper score sheets")
    upload.set_input_files(files=[{"name": "phieu.csv", "mimeType": "text/csv", "buffer": wrong}])
    page.get_by_role("button", name="Import the scores").click()
    report = page.locator(".import-problems")
    expect(report).to_contain_text("25 points is outside 0 to 20 for creativity")
    expect(report.locator("tbody tr")).to_have_count(1)
    expect(report.locator("tbody td").first).to_have_text("20")  # header + 3 entries × 6 + 1
    assert_accessible(page)
    fresh_db()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScoreSheet)) == 24

    # Corrected, the file goes in whole.
    upload = page.get_by_label("CSV file of paper score sheets")
    upload.set_input_files(files=[{"name": "phieu.csv", "mimeType": "text/csv", "buffer": right}])
    page.get_by_role("button", name="Import the scores").click()
    expect(page.get_by_role("status")).to_contain_text("Imported 12 score sheets for 12 entries.")
    assert_accessible(page)

    # The ranking, and how the first entry's score was computed.
    table = page.locator(".results-table")
    expect(table.locator("tbody tr").first).to_contain_text(first)
    expect(table).not_to_contain_text("Sheets missing")
    table.get_by_role("link", name=first).click()
    expect(page.get_by_role("heading", name=f"How {first}'s score was computed")).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "Raw score: the mean of the totals T of the 3 judges"
    )
    expect(page.locator("main")).to_contain_text(judge_name)
    assert_accessible(page)
    page.get_by_role("link", name="Results of").click()

    # Final.
    page.get_by_role("button", name="Make the results final").click()
    expect(page.get_by_role("status")).to_contain_text("The results are final")
    assert_accessible(page)

    # The top 10 go on to the final, after a preview.
    page.get_by_role("link", name="Advance entries to Chung kết").click()
    assert_accessible(page)
    page.get_by_label("How many entries (by rank)").fill("10")
    page.get_by_role("button", name="Show who would advance").click()
    expect(
        page.get_by_role("heading", name="10 entries would advance to Chung kết")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Advance 10 entries").click()
    expect(page.get_by_role("status")).to_contain_text("10 entries advanced to Chung kết.")

    fresh_db()
    carried = set(db.session.scalars(sa.select(RoundEntry.entry_id)))
    assert len(carried) == 10
    assert first_id in carried and eleventh_id not in carried
