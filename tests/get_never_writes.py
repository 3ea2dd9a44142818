"""A GET request never writes (docs/architecture.md, "Transactions").

Every statement the app's engine runs is seen here; an INSERT, UPDATE or DELETE run while a GET
or HEAD request is served is noted, and the autouse fixture in tests/conftest.py fails the test
that made the request. So every request test checks it, the access tables first: they issue
every GET route of the portal as every role (tests/test_access.py and the feature tables).
"""

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

WRITES = ("INSERT", "UPDATE", "DELETE")
# The API's access log: each call, and its token's last use, is written as it is answered.
ACCESS_LOG = ("INSERT INTO api_call", "UPDATE api_token SET last_used_at")
# A round's stored ranking (round_ranking, round_ranking_row, round_ranking_judge): a cache of
# its score sheets, not a record. The first view after the sheets changed computes it once and
# keeps it (portal/judging/results/ranking.py); the alternative, ranking 10,000 entries on the
# POST of every sheet, would make each judge wait a second.
KEPT_RANKING = ("INSERT INTO round_ranking", "UPDATE round_ranking", "DELETE FROM round_ranking")
ALLOWED = ACCESS_LOG + KEPT_RANKING
READS = ("GET", "HEAD")
writes_on_get: list[str] = []


def watch(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def note_a_write_on_get(conn, cursor, statement, parameters, context, executemany):
        if has_request_context() and request.method in READS:
            words = statement.split(None, 3)
            if words and words[0].upper() in WRITES and not statement.startswith(ALLOWED):
                writes_on_get.append(f"{request.method} {request.full_path}: {' '.join(words[:3])}")
