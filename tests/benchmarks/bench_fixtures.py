"""Benchmark: what the fixtures of one test cost, the way the suite used to pay and the way it does.

    .venv/bin/python -m tests.benchmarks.bench_fixtures [--database-url postgresql://…/bench] [--runs 20]

Times, on in-memory SQLite or on the PostgreSQL database given (its schema is replaced), each
piece of a test's set-up and clean-up, as the median of `--runs`:

- making the app (500 URL rules compiled) — before: every test; now: once per worker;
- making the schema — before: every test on SQLite (create_all, then drop_all); now: once per
  worker, the clean-up empties only the tables a test wrote to;
- cleaning up on PostgreSQL — before: TRUNCATE of every table; now: the same reset as SQLite;
- a page (the login page) — before: its templates compiled again by every test's new app; now:
  from the app's template cache;
- the published awards world (12 entries, 3 judges, 11 prizes) — built through the services, or
  restored from its snapshot;
- a password hash, with the tests' method and with production's scrypt;
- starting Chromium, and opening a new context in a started one.
"""

import argparse
import statistics
import time
from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine
from werkzeug.security import generate_password_hash

from config import TestingConfig, database_url
from portal import create_app
from portal.extensions import db
from tests import snapshots
from tests.database import Database, ensure_database
from tests.factories import make_published, make_units

FORBIDDEN_DATABASES = {"test", "postgres", "portal"}


def median_ms(runs: int, work, before=None) -> float:
    timings = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="sqlite://")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    url = database_url(args.database_url)
    name = "" if url.startswith("sqlite") else (sa.make_url(url).database or "")
    if name in FORBIDDEN_DATABASES or name.startswith("test"):
        raise SystemExit("Give the benchmark a database of its own: its schema is replaced.")
    ensure_database(url)
    config = type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    runs = args.runs
    figures: list[tuple[str, float]] = []

    figures.append(("make the app", median_ms(runs, lambda: create_app(config))))
    app = create_app(config)
    with app.app_context():
        database = Database(db.engine, db.metadata)
        database.create_schema()
        postgres = database.is_postgres
        if not postgres:
            figures.append(
                (
                    "create_all + drop_all (SQLite, before)",
                    median_ms(runs, lambda: (db.drop_all(), db.create_all())),
                )
            )
        snapshots.database = database
        app.config["UPLOAD_FOLDER"] = "/tmp/bench-fixtures-uploads"

        def build():
            with time_machine.travel(datetime(2026, 5, 10, 3, 0, tzinfo=UTC), tick=False):
                make_published(make_units())

        def build_cached():
            with time_machine.travel(datetime(2026, 5, 10, 3, 0, tzinfo=UTC), tick=False):
                snapshots.cached(make_published, make_units())

        def clean():
            db.session.remove()
            database.reset()

        def clean_then_build():
            clean()
            build()

        figures.append(("published world, built", median_ms(max(runs // 4, 3), build, clean)))
        clean()
        build_cached()  # the first call builds and records it
        figures.append(("published world, restored", median_ms(runs, build_cached, clean)))
        if postgres:
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)

            def truncate():
                with db.engine.begin() as conn:
                    conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))

            figures.append(
                (
                    "clean-up: TRUNCATE every table (before)",
                    median_ms(runs, truncate, clean_then_build),
                )
            )
        figures.append(
            ("clean-up: reset what was written (now)", median_ms(runs, clean, clean_then_build))
        )
        figures.append(("clean-up: reset, nothing written", median_ms(runs, clean)))

        client = app.test_client()

        def first_view():
            app.jinja_env.cache.clear()
            assert client.get("/login").status_code == 200

        figures.append(("login page, templates compiled", median_ms(runs, first_view)))
        figures.append(
            ("login page, templates cached", median_ms(runs, lambda: client.get("/login")))
        )
        snapshots.database = None
        db.session.remove()
        db.engine.dispose()

    for method in (TestingConfig.PASSWORD_HASH_METHOD, "scrypt"):
        figures.append(
            (
                f"password hash, {method}",
                median_ms(runs, lambda method=method: generate_password_hash("x", method)),
            )
        )
    figures.extend(_browser(max(runs // 4, 3)))

    print(f"{sa.make_url(url).get_backend_name()}, median of {runs} runs:")
    for name, ms in figures:
        print(f"  {name:45s} {ms:9.1f} ms")


def _browser(runs: int) -> list[tuple[str, float]]:
    try:
        from playwright.sync_api import sync_playwright

        from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    except ImportError:
        return []
    with sync_playwright() as playwright:

        def launch():
            playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS).close()

        started = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return [
                ("Chromium started", median_ms(runs, launch)),
                (
                    "new context in a started Chromium",
                    median_ms(runs, lambda: started.new_context().close()),
                ),
            ]
        finally:
            started.close()


if __name__ == "__main__":
    main()
