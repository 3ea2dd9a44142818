"""Benchmark: a round's results from the database, 10,000 entries × 5 judges × 6 criteria.

    .venv/bin/python -m tests.benchmarks.bench_results [--entries 10000] [--judges-per-entry 5]
        [--judges 60] [--database-url sqlite:///instance/bench_results.db] [--repeat 3] [--keep]

    .venv/bin/python -m tests.benchmarks.bench_results \
        --database-url postgresql://postgres@127.0.0.1:5432/portal_rank [--views 50]

Writes a seeded data set into the given database (its tables are dropped and created again, so
never point it at a database that matters; `test` and `postgres` are refused): a province, an
organiser, a competition in judging with the default six-criterion rubric, N applicants and N
eligible entries, the judges, k active assignments per entry (plus a few recused ones) and their
submitted sheets (each judge a little lenient or harsh), with bulk INSERTs. Then it times
`portal.judging.results.services.compute` (loading with column-only queries + aggregate()), the load and
the aggregation apart, and the CSV export of the whole ranking. Prints the best of the runs.

Then the stored ranking (`portal.judging.results.ranking`): (a) computing and storing it, as the
first view after a change of the sheets does, and the write alone; (b) reading one page of it
(`page_of`: the page's queries and the objects the template reads), unfiltered, the last page,
and with the search, a flag and a category; (c) whole views of the results page through the
Flask test client, the organiser logged in: CPU (`time.process_time`) and wall time per view,
the mean of `--views` after 5 of warm-up, and the same for the reference page of issue 16
(`benchmarks/reference.py`: one query, a 50-row table) when it is there, in the same process.
With `--keep`, a second run reuses the data of the first instead of writing it again.
"""

import argparse
import random
import secrets
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from config import DevelopmentConfig, database_url
from portal import create_app
from portal.auth.models import Role, RoleGrant, User
from portal.competitions.models import Competition, CompetitionStatus
from portal.core.time import utcnow
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.judging import common
from portal.judging.models import (
    Assignment,
    AssignmentSource,
    CompetitionJudge,
    Score,
    ScoreSheet,
    SheetStatus,
)
from portal.judging.results import services as results
from portal.judging.results.aggregation import EntryInfo, aggregate

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'instance' / 'bench_results.db'}"
FORBIDDEN_DATABASES = {"test", "postgres", "template0", "template1"}
BATCH = 20_000


def bench_app(url: str):
    config = type(
        "BenchConfig", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": database_url(url)}
    )
    return create_app(config)


def reset_schema(url: str) -> None:
    engine = db.engine
    if engine.dialect.name == "postgresql":
        if engine.url.database in FORBIDDEN_DATABASES:
            raise SystemExit(f"Refusing to use the database {engine.url.database!r}.")
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
            # The trigram index on entry.search_text needs its operator class.
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    else:
        db.drop_all()
    db.create_all()


def insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(model), rows[start : start + BATCH])


def generate(entries: int, per_entry: int, judge_count: int, seed: int = 2026) -> int:
    """Write the data set; returns the round's id."""
    from tests.factories import make_competition, make_units

    rng = random.Random(seed)
    units = make_units()
    organiser = User(email="tochuc@bench.vn", full_name="Lò Thị Hương", confirmed_at=utcnow())
    organiser.set_password("bench-password-2026")
    organiser.roles.append(RoleGrant(role=Role.ORGANISER, unit_id=units["dien_bien"].id))
    db.session.add(organiser)
    db.session.commit()
    now = utcnow()
    competition: Competition = make_competition(
        organiser,
        units["dien_bien"],
        status="closed",
        opens=now - timedelta(days=60),
        closes=now - timedelta(days=10),
        reference_prefix="DB",
    )
    round_ = competition.rounds[0]
    round_.judges_per_entry = per_entry
    round_.tie_break = ["social_impact", "feasibility"]
    criteria = common.ensure_rubric(round_)
    competition.status = CompetitionStatus.JUDGING
    db.session.commit()

    password_hash = organiser.password_hash
    first_user = db.session.scalar(sa.select(sa.func.max(User.id))) + 1
    people = entries + judge_count
    insert(
        User,
        [
            {
                "id": first_user + i,
                "email": f"nguoi{i:05d}@bench.vn",
                "password_hash": password_hash,
                "full_name": f"Nguyễn Thị Người {i}" if i < entries else f"Giám khảo {i}",
                "full_name_folded": f"nguyen thi nguoi {i}",
                "language": "vi",
                "confirmed_at": now,
                "created_at": now,
                "session_token": secrets.token_urlsafe(24),
            }
            for i in range(people)
        ],
    )
    judges = list(range(first_user + entries, first_user + people))
    insert(
        RoleGrant,
        [{"user_id": first_user + i, "role": Role.APPLICANT} for i in range(entries)]
        + [{"user_id": j, "role": Role.JUDGE} for j in judges],
    )
    insert(
        CompetitionJudge,
        [
            {
                "competition_id": competition.id,
                "email": f"nguoi{j - first_user:05d}@bench.vn",
                "user_id": j,
                "invited_by_id": organiser.id,
                "expertise": [],
                "conflict_commune_ids": [],
            }
            for j in judges
        ],
    )
    categories = [c.id for c in competition.categories]
    start = now - timedelta(days=50)
    insert(
        Entry,
        [
            {
                "id": e + 1,
                "competition_id": competition.id,
                "applicant_id": first_user + e,
                "category_id": categories[e % len(categories)],
                "status": EntryStatus.ELIGIBLE,
                "reference": f"DB-{now.year}-{e + 1:05d}",
                "title": f"Ý tưởng khởi nghiệp số {e + 1}",
                "submitted_at": start + timedelta(seconds=37 * e),
                "first_submitted_at": start + timedelta(seconds=37 * e),
                "search_text": f"y tuong khoi nghiep so {e + 1}",
            }
            for e in range(entries)
        ],
    )
    leniency = {j: rng.uniform(-0.15, 0.15) for j in judges}
    assignments, sheets, scores = [], [], []
    for e in range(1, entries + 1):
        quality = rng.random()
        chosen = rng.sample(judges, per_entry + (1 if e % 50 == 0 else 0))
        for n, judge in enumerate(chosen):
            assignment_id = len(assignments) + 1
            recused = n == per_entry  # one entry in 50 also has a judge who withdrew
            assignments.append(
                {
                    "id": assignment_id,
                    "round_id": round_.id,
                    "entry_id": e,
                    "judge_id": judge,
                    "source": AssignmentSource.AUTOMATIC,
                    "created_at": now,
                    "created_by_id": organiser.id,
                    "recused_at": now if recused else None,
                }
            )
            if recused:
                continue
            sheets.append(
                {
                    "id": assignment_id,
                    "assignment_id": assignment_id,
                    "round_id": round_.id,
                    "status": SheetStatus.SUBMITTED,
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                }
            )
            for c in criteria:
                value = c.max_points * (quality + leniency[judge] + rng.gauss(0, 0.1))
                scores.append(
                    {
                        "sheet_id": assignment_id,
                        "criterion_id": c.id,
                        "points": float(max(0, min(c.max_points, round(value)))),
                    }
                )
    insert(Assignment, assignments)
    insert(ScoreSheet, sheets)
    insert(Score, scores)
    round_.scoring_started_at = now
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            for table in ("entry", "judge_assignment", "score_sheet", "user_account"):
                conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            conn.execute(sa.text("ANALYZE"))
    return round_.id


def best_of(repeat: int, function):
    best, value = float("inf"), None
    for _ in range(repeat):
        db.session.expunge_all()
        started = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - started)
    return best, value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--judges-per-entry", type=int, default=5)
    parser.add_argument("--judges", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="reuse the data of a previous run")
    parser.add_argument("--views", type=int, default=50, help="views of each page timed")
    args = parser.parse_args(argv)
    if args.database_url == DEFAULT_DATABASE_URL:
        (ROOT / "instance").mkdir(exist_ok=True)
    app = bench_app(args.database_url)
    with app.app_context():
        started = time.perf_counter()
        round_id = None
        if args.keep:
            from portal.competitions.models import Round

            round_id = db.session.scalar(sa.select(sa.func.min(Round.id)))
        if round_id is None:
            reset_schema(args.database_url)
            round_id = generate(args.entries, args.judges_per_entry, args.judges)
            print(f"data written in {time.perf_counter() - started:.1f} s")
        from portal.competitions.models import Round

        def round_():
            return db.session.get(Round, round_id)

        def load():
            r = round_()
            criteria = common.criteria_of(r)
            return (
                criteria,
                results.load_entries(r),
                results.load_sheets(r, criteria),
                results.recused_entry_ids(r),
            )

        load_time, (criteria, entries, sheets, recused) = best_of(args.repeat, load)
        r = round_()
        entries_time, _ = best_of(args.repeat, lambda: results.load_entries(round_()))
        sheets_time, _ = best_of(args.repeat, lambda: results.load_sheets(round_(), criteria))
        # The fast path (binary rows on PostgreSQL) reads the same sheets as SQLAlchemy Core.
        core_rows = db.session.connection().execute(results.sheets_query(round_(), criteria))
        codes = [c.code for c in criteria]
        through_core = {
            (row[0], row[1]): dict(zip(codes, row[2:], strict=True))
            for row in core_rows
            if None not in row
        }
        assert through_core == {(s.judge_id, s.entry_id): s.points for s in sheets}
        infos = [EntryInfo(e.id, e.submitted_at, e.id in recused) for e in entries.values()]
        r = round_()
        aggregate_time, _ = best_of(
            args.repeat,
            lambda: aggregate(
                results.as_criteria(criteria),
                sheets,
                infos,
                judges_per_entry=r.judges_per_entry,
                disagreement_threshold=r.disagreement_threshold,
                rank_by=r.rank_by,
                tie_break=r.tie_break,
            ),
        )
        total_time, _ = best_of(args.repeat, lambda: results.compute(round_(), explain=False))
        page_time, ranking = best_of(args.repeat, lambda: results.compute(round_()))
        export_time, _ = best_of(args.repeat, lambda: results.export_csv(ranking))
        flagged = sum(1 for x in ranking.results if "disagreement" in x.flags)
        recused_count = sum(1 for x in ranking.results if "recused" in x.flags)
        print(
            f"{db.engine.dialect.name}: {len(entries)} entries × {args.judges_per_entry} judges × "
            f"{len(criteria)} criteria ({len(sheets)} sheets, {len(sheets) * len(criteria)} "
            f"scores, {len(ranking.judges)} judges)\n"
            f"  load (4 column-only queries): {load_time:.3f} s "
            f"(entries {entries_time:.3f} s, sheets {sheets_time:.3f} s)\n"
            f"  aggregate():                  {aggregate_time:.3f} s\n"
            f"  compute() = load + aggregate: {total_time:.3f} s (best of {args.repeat})\n"
            f"  compute() with the explanation (judges, means, spreads): {page_time:.3f} s\n"
            f"  CSV export of the whole ranking: {export_time:.3f} s\n"
            f"  {flagged} flagged for disagreement, {recused_count} with a recusal; "
            f"top: {ranking.results[0].normalised_score:.2f}"
        )
        stored_ranking(app, round_id, args)


# --- The stored ranking -------------------------------------------------------------------------


def timed(repeat: int, work, before=None) -> tuple[float, float]:
    """The best wall time and the best CPU time (seconds) of `repeat` runs of `work`."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeat):
        if before is not None:
            before()
        db.session.expunge_all()
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu


class QueryClock:
    """The statements run and the time the database took for them."""

    def __init__(self):
        self.count, self.seconds, self._started = 0, 0.0, []

    def _before(self, *args):
        self._started.append(time.perf_counter())

    def _after(self, *args):
        self.count += 1
        self.seconds += time.perf_counter() - self._started.pop()

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self._before)
        sa.event.listen(db.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self._before)
        sa.event.remove(db.engine, "after_cursor_execute", self._after)


def stored_ranking(app, round_id: int, args) -> None:
    from portal.competitions.models import Round
    from portal.judging.results import ranking as kept

    def round_():
        return db.session.get(Round, round_id)

    def changed():
        common.ranking_changed(round_id=round_id)  # as a submitted sheet does
        db.session.commit()

    def first_view():
        kept.page_of(round_(), results.ResultFilters(), 1, 50)

    compute_store = timed(args.repeat, first_view, before=changed)
    computed = results.compute(round_())

    def write_only():
        r = round_()
        kept._write(r, computed, kept._header(round_id), utcnow())
        db.session.commit()

    write_time = timed(args.repeat, write_only)
    first_view()  # current again
    pages = {
        "page 1": (results.ResultFilters(), 1),
        "last page": (results.ResultFilters(), 10**6),
        "search 'so 99'": (results.ResultFilters(search="so 99"), 1),
        "flag disagreement": (results.ResultFilters(flag="disagreement"), 1),
        "category": (results.ResultFilters(category_id=round_().competition.categories[0].id), 1),
    }
    read = {}
    for name, (filters, number) in pages.items():
        with QueryClock() as clock:
            kept.page_of(round_(), filters, number, 50)
        read[name] = (
            *timed(args.repeat * 3, lambda f=filters, n=number: kept.page_of(round_(), f, n, 50)),
            clock.count,
        )
    export_time = timed(args.repeat, lambda: results.export_csv(kept.whole(round_())))
    print(
        f"stored ranking ({db.engine.dialect.name}):\n"
        f"  (a) compute + store (first view after a change): {compute_store[0]:.3f} s wall, "
        f"{compute_store[1]:.3f} s CPU; the write alone {write_time[0]:.3f} s\n"
        f"  (b) one page of it (page_of), wall / CPU / queries:"
    )
    for name, (wall, cpu, count) in read.items():
        print(f"      {name:18} {wall * 1000:6.1f} ms {cpu * 1000:6.1f} ms  {count}")
    print(f"  CSV export from the stored ranking: {export_time[0]:.3f} s")
    views(app, round_id, args)


def views(app, round_id: int, args) -> None:
    """Whole views through the test client, the organiser logged in; and the reference page."""
    import re

    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    response = client.post(
        "/login",
        data={"account": "tochuc@bench.vn", "password": "bench-password-2026", "csrf_token": token},
    )
    assert response.status_code == 302, response.status_code
    measured = {
        "results page": (client, f"/judging/rounds/{round_id}/results"),
        "results page, search": (client, f"/judging/rounds/{round_id}/results?q=so+99"),
        "results page, page 150": (client, f"/judging/rounds/{round_id}/results?page=150"),
    }
    try:
        from benchmarks.reference import create_app as reference_app

        reference = reference_app(str(db.engine.url.render_as_string(hide_password=False)))
        competition_id = db.session.scalar(sa.select(sa.func.min(Entry.competition_id)))
        measured["reference page"] = (
            reference.test_client(),
            f"/competitions/{competition_id}/entries",
        )
    except ImportError:
        pass
    print(f"  (c) views through the test client, mean of {args.views} after 5 of warm-up:")
    for name, (who, url) in measured.items():
        for _ in range(5):
            assert who.get(url).status_code == 200, url
        with QueryClock() as clock:
            started, started_cpu = time.perf_counter(), time.process_time()
            for _ in range(args.views):
                who.get(url)
            wall = (time.perf_counter() - started) / args.views
            cpu = (time.process_time() - started_cpu) / args.views
        print(
            f"      {name:24} CPU {cpu * 1000:6.1f} ms  wall {wall * 1000:6.1f} ms  "
            f"queries {clock.count / args.views:4.1f} ({clock.seconds / args.views * 1000:.1f} ms)"
        )


if __name__ == "__main__":
    main()
