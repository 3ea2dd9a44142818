"""Two tabs of a judge submitting different scores at the same moment, against the live server
on PostgreSQL: one is written, the other gets the 409 page with what she typed."""

import pytest
import sqlalchemy as sa

from portal.core.audit import AuditLog
from portal.extensions import db
from portal.judging.models import ScoreSheet
from tests.concurrency import Visitor, at_once
from tests.factories import PASSWORD, assign

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.mark.parametrize("trial", range(3))
def test_two_tabs_submitting_at_once_write_one_sheet(judging, concurrent_server, trial):
    judge, entry = judging.judges[0], judging.entries[0]
    assign(judging, entry, judge)
    db.session.commit()
    first = Visitor(concurrent_server)
    first.log_in(judge.email, PASSWORD)
    second = Visitor(concurrent_server)
    second.cookies = first.cookies  # the same browser, two tabs
    path = f"/judging/rounds/{judging.round.id}/entries/{entry.id}/score"
    fields = first.form(path)
    tabs = [
        fields | {f"points_{c.id}": "8" for c in judging.criteria} | {"submit": "1"},
        fields | {f"points_{c.id}": "3" for c in judging.criteria} | {"submit": "1"},
    ]
    answers = at_once([lambda: first.post(path, tabs[0]), lambda: second.post(path, tabs[1])])

    assert sorted(a.status for a in answers) == [302, 409], [a.status for a in answers]
    written = 0 if answers[0].status == 302 else 1
    assert "changed in another window or on another device" in answers[1 - written].text
    db.session.remove()
    [sheet] = db.session.scalars(sa.select(ScoreSheet)).all()
    expected = 8 if written == 0 else 3
    assert set(sheet.points_by_criterion().values()) == {expected}
    audits = db.session.scalar(
        sa.select(sa.func.count(AuditLog.id)).where(AuditLog.action == "score_sheet.submitted")
    )
    assert audits == 1


def test_viewers_of_a_stale_ranking_at_the_same_moment_compute_it_once(
    judging, concurrent_server, monkeypatch
):
    """Four organisers' tabs open the results at once after the sheets changed: one computes
    the ranking under the round's lock, the others wait for it and read what it stored."""
    import time

    from portal.judging.results import ranking
    from tests.factories import score

    for n, entry in enumerate(judging.entries):
        for judge in judging.judges[:3]:
            score(judging, entry, judge, 0.9 - 0.05 * n)
    db.session.commit()
    computed = []
    real_compute = ranking.compute

    def slow_compute(round_, **kwargs):
        computed.append(round_.id)
        time.sleep(0.5)  # long enough for every other tab to reach the lock
        return real_compute(round_, **kwargs)

    monkeypatch.setattr(ranking, "compute", slow_compute)
    tab = Visitor(concurrent_server)
    tab.log_in(judging.organiser.email, PASSWORD)
    tabs = [tab] + [Visitor(concurrent_server) for _ in range(3)]
    for other in tabs[1:]:
        other.cookies = tab.cookies
    path = f"/judging/rounds/{judging.round.id}/results"
    answers = at_once([lambda t=t: t.get(path) for t in tabs])

    assert [a.status for a in answers] == [200] * 4
    assert computed == [judging.round.id]
    tables = {
        a.text.split('<table class="table table-sm align-middle results-table">')[1]
        for a in answers
    }
    assert len(tables) == 1  # the same ranking on every tab
    assert judging.entries[0].reference in tables.pop()
