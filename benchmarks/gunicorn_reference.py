"""Gunicorn's settings for the reference page: the portal's own (gunicorn.conf.py, read here, so
that both are served alike: workers, preloading, frozen memory, timeouts, worker recycling, the
access log), except the hook after the fork, which closes the reference's connections instead of
the portal's.

    gunicorn -c benchmarks/gunicorn_reference.py "benchmarks.reference:create_app()"
"""

import runpy
from pathlib import Path

from gunicorn.config import KNOWN_SETTINGS

_portal = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))

# Every setting of the portal's file, whatever it holds now or later, but its post_fork.
globals().update(
    {
        name: value
        for name, value in _portal.items()
        if name in {s.name for s in KNOWN_SETTINGS} and name != "post_fork"
    }
)


def post_fork(server, worker):
    # Each worker opens its own connections (none was opened before the fork, but a pool that
    # somehow holds one must not share it).
    server.app.wsgi().extensions["reference_engine"].dispose(close=False)
