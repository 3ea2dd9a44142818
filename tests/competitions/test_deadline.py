"""The sentence that says when a competition takes entries follows its real state, on every page
that shows it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from portal.auth.models import Role
from portal.competitions import services
from portal.competitions.models import CompetitionStatus
from portal.entries.models import EntryStatus
from tests.conftest import login
from tests.factories import EntryFactory, UserFactory, make_competition

NOW = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)  # 09:00, 8 March 2026 in Hà Nội
EN = {"Accept-Language": "en"}
S = CompetitionStatus


@pytest.fixture(autouse=True)
def frozen(app):
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def organiser(units):
    return UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="en")


def text(response) -> str:
    return response.get_data(as_text=True)


def closed_early(organiser, units, then_status=S.CLOSED):
    """Open until 28 February 2027, closed by its organiser on 6 March 2026 at 16:30."""
    with time_machine.travel(datetime(2026, 3, 6, 9, 30, tzinfo=UTC), tick=False):
        competition = make_competition(
            organiser, units["dien_bien"], closes=datetime(2027, 2, 28, 10, 0, tzinfo=UTC)
        )
        services.change_status(organiser, competition, S.CLOSED)
    if then_status is not S.CLOSED:
        services.change_status(organiser, competition, then_status)
    return competition


def test_a_draft_closing_in_the_future_is_not_yet_open(client, units):
    organiser = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="vi")
    competition = make_competition(
        organiser,
        units["dien_bien"],
        status="draft",
        opens=datetime(2027, 1, 1, 1, 0, tzinfo=UTC),
        closes=datetime(2027, 2, 28, 10, 0, tzinfo=UTC),
    )
    login(client, organiser)
    detail = text(client.get(f"/competitions/{competition.id}"))
    manage = text(client.get("/competitions/manage"))
    for page in (detail, manage):
        assert "Chưa mở nhận bài: dự kiến từ 08:00, 01/01/2027 đến 17:00, 28/02/2027." in page
        assert "Đã ngừng nhận bài" not in page and "hết hạn" not in page


def test_an_upcoming_competition_says_when_entries_open(client, organiser, units):
    competition = make_competition(
        organiser,
        units["dien_bien"],
        opens=NOW + timedelta(days=3),
        closes=NOW + timedelta(days=40),
    )
    sentence = "Entries open 11 Mar 2026, 09:00 and close 17 Apr 2026, 09:00."
    assert sentence in text(client.get(f"/competitions/{competition.id}", headers=EN))
    assert sentence in text(client.get("/competitions/", headers=EN))


def test_an_open_competition_says_how_long_is_left_everywhere(client, organiser, units):
    competition = make_competition(
        organiser, units["dien_bien"], closes=NOW + timedelta(days=12, hours=3)
    )
    sentence = "Open for entries until 20 Mar 2026, 12:00 (12 days left)."
    for url in ("/", "/competitions/", f"/competitions/{competition.id}"):
        assert sentence in text(client.get(url, headers=EN)), url
    login(client, organiser)
    assert sentence in text(client.get("/competitions/manage"))


def test_the_entry_form_gives_her_own_deadline(client, organiser, units):
    competition = make_competition(organiser, units["dien_bien"], closes=NOW + timedelta(days=3))
    applicant = UserFactory(language="en")
    entry = EntryFactory(
        competition=competition,
        applicant=applicant,
        status=EntryStatus.DRAFT,
        extension_until=NOW + timedelta(days=5),
    )
    login(client, applicant)
    page = text(client.get(f"/entries/{entry.id}/edit"))
    assert "Open for entries until 13 Mar 2026, 09:00 (5 days left)." in page


def test_a_competition_past_its_deadline_closed_at_the_deadline(client, organiser, units):
    competition = make_competition(
        organiser,
        units["dien_bien"],
        opens=NOW - timedelta(days=40),
        closes=NOW - timedelta(days=2),
    )
    sentence = "Entries closed at 6 Mar 2026, 09:00."
    assert sentence in text(client.get(f"/competitions/{competition.id}", headers=EN))
    assert sentence in text(client.get("/competitions/?phase=past", headers=EN))


@pytest.mark.parametrize("status", [S.CLOSED, S.JUDGING])
def test_a_competition_closed_early_closed_when_its_organiser_closed_it(
    client, organiser, units, status
):
    competition = closed_early(organiser, units, status)
    assert competition.closed_at == datetime(2026, 3, 6, 9, 30, tzinfo=UTC)
    sentence = "Entries closed at 6 Mar 2026, 16:30."
    detail = text(client.get(f"/competitions/{competition.id}", headers=EN))
    assert sentence in detail and "2027" not in detail.split("Rounds")[0]
    assert sentence in text(client.get("/competitions/", headers=EN))
    login(client, organiser)
    assert sentence in text(client.get("/competitions/manage"))


def test_reopening_forgets_the_early_close(client, organiser, units):
    competition = closed_early(organiser, units, S.OPEN)
    assert competition.closed_at is None
    page = text(client.get(f"/competitions/{competition.id}", headers=EN))
    assert "Open for entries until 28 Feb 2027, 17:00" in page


def test_a_closed_competition_without_the_moment_recorded_says_only_that(client, organiser, units):
    # Closed before the moment was recorded, with a deadline still ahead.
    competition = make_competition(organiser, units["dien_bien"], status="closed")
    page = text(client.get(f"/competitions/{competition.id}", headers=EN))
    assert "Entries are closed." in page
    assert "Entries closed at" not in page
