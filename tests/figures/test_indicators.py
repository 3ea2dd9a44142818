"""The union's figures against hand-built data: a withdrawn entry and a draft do not count, a
woman who sent two ideas counts once, a revoked prize does not count; each figure equals the
records its page lists; another province's organiser sees none of them."""

import html
import re
from datetime import date

import pytest

from portal.auth.models import Role
from portal.capital.loans import services as loans
from portal.figures import indicators as figures
from portal.figures.measures import Scope, count, units_within
from tests.capital.loans.test_services import approved_loan
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026


def scope_of(world, year=None):
    year = year or world.competition.year
    return Scope(units_within([world.competition.unit_id]), year, year)


def test_the_figures_of_a_published_competition(published):
    scope = scope_of(published)
    found = figures.values(scope)
    assert found["competitions"] == 1
    assert found["entries"] == 12  # the twelve entries of the final
    assert found["women"] == len({e.applicant_id for e in published.entries})
    assert found["prizes"] == 11
    assert found["projects"] == 10
    _, agreement = approved_loan(published)
    loans.disburse(published.organiser, agreement, date(2026, 1, 10))
    year_2026 = Scope(scope.unit_ids, 2026, 2026)
    assert figures.value(figures.by_code()["loans"], year_2026) == 1
    assert figures.value(figures.by_code()["loan_money"], year_2026) == 6_000_000
    nothing = Scope(scope.unit_ids, 2010, 2011)
    assert set(figures.values(nothing).values()) == {0}


def test_withdrawn_entries_and_revoked_prizes_do_not_count(published):
    from portal.awards.models import AwardStatus
    from portal.entries.models import EntryStatus
    from portal.extensions import db

    scope = scope_of(published)
    before = figures.values(scope)
    award = published.awards[0]
    award.status = AwardStatus.REVOKED  # as certificates/revoking.py leaves it
    entry = published.entries[-1]
    entry.status = EntryStatus.WITHDRAWN
    db.session.commit()
    after = figures.values(scope)
    assert after["prizes"] == before["prizes"] - 1
    assert after["entries"] == before["entries"] - 1


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_each_figure_links_to_the_records_behind_it(client, published, units):
    year = published.competition.year
    login(client, published.organiser)
    page = text(client.get(f"/figures?from={year}&to={year}"))
    for indicator in figures.INDICATORS:
        shown = re.search(rf'id="figure-{indicator.code}">([^<]+)<', page).group(1)
        records = client.get(f"/figures/{indicator.code}?from={year}&to={year}")
        assert records.status_code == 200
        if indicator.measure is count:  # one record each
            rows = text(records).split('id="records"')[1].count("<tr>") - 1  # the header
            value = int(shown.replace(".", ""))
            assert rows == value or (value == 0 and rows == 1), indicator.code
    assert client.get("/figures/nothing").status_code == 404
    login(client, UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])]))
    other = text(client.get(f"/figures?from={year}&to={year}"))
    assert re.search(r'id="figure-entries">0<', other)
