"""The reference page of issue 16: what a minimal Flask page costs on the same machine, server
and database, so that every page of the portal is measured as a multiple of it.

    gunicorn -c benchmarks/gunicorn_reference.py "benchmarks.reference:create_app()"

`/competitions/<id>/entries` runs one indexed SQLAlchemy query, the competition's 50 latest
entries joined to their applicant (the index on entry (competition_id, submitted_at)), and renders
them into a 50-row Jinja table inside a layout of about 4 KB; `/hello` answers a word. Nothing
else: no sessions, no login, no translations, no extensions. It reads the portal's tables with
its own small mapped classes (only the columns it shows) and never imports the portal.

DATABASE_URL names the database (the benchmark's, as for the portal).
"""

import os
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, abort, render_template
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

PER_PAGE = 50


class Base(DeclarativeBase):
    pass


class Applicant(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))


class Entry(Base):
    __tablename__ = "entry"
    __table_args__ = (sa.Index("ix_entry_competition_submitted", "competition_id", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.Integer)
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    reference: Mapped[str | None] = mapped_column(sa.String(24))
    title: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(20))
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    applicant: Mapped[Applicant] = relationship()


def engine_url(url: str) -> str:
    """PostgreSQL through psycopg 3, as the portal connects."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def latest_entries(session: Session, competition_id: int) -> list[tuple[Entry, str]]:
    """The competition's 50 latest entries with their applicant's name: one query."""
    return list(
        session.execute(
            sa.select(Entry, Applicant.full_name)
            .join(Applicant, Applicant.id == Entry.applicant_id)
            .where(Entry.competition_id == competition_id)
            .order_by(Entry.submitted_at.desc())
            .limit(PER_PAGE)
        ).tuples()
    )


def create_app(database_url: str | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent / "templates"))
    # No connection is opened here: with --preload every worker opens its own after the fork.
    engine = sa.create_engine(engine_url(database_url or os.environ["DATABASE_URL"]))
    app.extensions["reference_engine"] = engine

    @app.template_filter("when")
    def when(value: datetime | None) -> str:
        return value.strftime("%d/%m/%Y %H:%M") if value else ""

    @app.get("/hello")
    def hello():
        return "hello"

    @app.get("/competitions/<int:competition_id>/entries")
    def entries(competition_id: int):
        with Session(engine) as session:
            rows = latest_entries(session, competition_id)
        if not rows:
            abort(404)
        return render_template("reference/entries.html", rows=rows, competition_id=competition_id)

    return app
