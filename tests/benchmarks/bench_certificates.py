"""Benchmark: rendering certificates, one PDF and all of a competition's as a ZIP.

    .venv/bin/python -m tests.benchmarks.bench_certificates [--competitions 10]

Generates, in an in-memory SQLite database, `--competitions` published competitions of 12
entries each (the test world: 11 prizes per competition, names with full diacritics), then times
render_pdf() for every award and zip_all() for the largest batch an organiser downloads (every
award of every competition in one ZIP). Prints the best of three runs.
"""

import argparse
import time

import sqlalchemy as sa

from config import DevelopmentConfig
from portal import create_app
from portal.awards.certificates.services import render_pdf, zip_all
from portal.awards.models import Award
from portal.extensions import db


def bench_app():
    config = type(
        "BenchConfig",
        (DevelopmentConfig,),
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SERVER_NAME": "portal.example.vn"},
    )
    return create_app(config)


def generate(competitions: int) -> list[Award]:
    from tests.factories import make_awards, make_units, publish_directly

    units = make_units()
    for n in range(competitions):
        world = make_awards(units)
        for entry in world.entries:  # references are unique across the portal
            entry.reference = entry.reference.replace("DB-", f"B{n}-")
        db.session.commit()
        publish_directly(world)
    return list(db.session.scalars(sa.select(Award).where(Award.certificate_code.is_not(None))))


def best_of(runs: int, work) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--competitions", type=int, default=10)
    args = parser.parse_args(argv)
    app = bench_app()
    with app.app_context(), app.test_request_context():
        db.create_all()
        awards = generate(args.competitions)
        render_pdf(awards[0])  # registers the fonts once, as the first request of a worker does
        one = best_of(3, lambda: [render_pdf(a) for a in awards]) / len(awards)
        size = len(render_pdf(awards[0]))
        whole = best_of(3, lambda: zip_all(awards))
        print(f"{len(awards)} certificates")
        print(f"one certificate: {one * 1000:.1f} ms, {size / 1024:.0f} KiB")
        print(f"ZIP of {len(awards)}: {whole:.2f} s, {len(zip_all(awards)) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
