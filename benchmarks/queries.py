"""How many statements each page runs, counted in-process (called by `benchmarks.run`).

    python -m benchmarks.queries SPEC.json

SPEC names the database, the Redis URLs and the pages: [{"key", "path", "role"}], role being
"organiser", "judge" or null. The portal is built on that database and Redis (the same as the
servers under load), the Flask test client logs in as each role through the login form, and an
engine listener (`before_cursor_execute`) counts the statements of each view. Each page is
viewed twice: the first view may find nothing kept in Redis, the second is what the load
measures. Prints {key: [first, second]} as JSON on its last line.

Run from the directory the servers run from (benchmarks.run's snapshot of the code), so that
the code counted is the code measured.
"""

import json
import re
import sys
from pathlib import Path

from sqlalchemy import event

from config import DevelopmentConfig, database_url
from portal import create_app
from portal.extensions import db

CSRF = re.compile(r"<input[^>]*\bname=\"csrf_token\"[^>]*\bvalue=\"([^\"]+)\"")


def count(spec: dict) -> dict[str, list[int]]:
    config = type(
        "QueryCountConfig",
        (DevelopmentConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url(spec["database_url"]),
            "SECRET_KEY": spec["secret_key"],
            "RATELIMIT_STORAGE_URI": spec["ratelimit"] or "memory://",
            "FIGURES_CACHE_URL": spec["cache"],
        },
    )
    app = create_app(config)
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def logged_in(email: str):
        client = app.test_client()
        found = CSRF.search(client.get("/login").get_data(as_text=True))
        response = client.post(
            "/login",
            data={
                "csrf_token": found.group(1) if found else "",
                "email": email,
                "password": spec["password"],
                "next": "",
            },
        )
        if response.status_code != 302:
            raise RuntimeError(f"in-process login as {email} failed ({response.status_code})")
        client.get(response.location)  # the welcome message shown, as her browser would
        return client

    clients = {None: app.test_client()}
    for role, email in spec["accounts"].items():
        if any(page["role"] == role for page in spec["pages"]):
            clients[role] = logged_in(email)
    clients[None].get("/healthz")  # the process's first request out of the way
    counts = {}
    event.listen(engine, "before_cursor_execute", note)
    try:
        for page in spec["pages"]:
            views = []
            for _ in range(2):
                statements.clear()
                response = clients[page["role"]].get(
                    page["path"], headers={"Accept-Language": "vi"}
                )
                if response.status_code != 200:
                    raise RuntimeError(
                        f"{page['key']}: GET {page['path']} answered {response.status_code}"
                    )
                views.append(len(statements))
            counts[page["key"]] = views
    finally:
        event.remove(engine, "before_cursor_execute", note)
        engine.dispose()
    return counts


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    print(json.dumps(count(spec)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
