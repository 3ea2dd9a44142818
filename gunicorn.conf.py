"""Gunicorn's settings for the portal, read by `gunicorn -c gunicorn.conf.py "portal:create_app()"`.

See docs/deployment.md. Every value can be changed from the environment, as gunicorn allows
(`GUNICORN_CMD_ARGS="--workers 8"`) or through the variables below.
"""

import gc
import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
# Sync workers: a request is a few milliseconds of Python and a query; two per core keeps the
# CPUs busy while one waits for PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2))
# The term report and a large export take seconds; a worker stuck longer is restarted.
timeout = int(os.environ.get("PORTAL_TIMEOUT", 120))
graceful_timeout = 30
# A worker is replaced now and then, so that a slow leak cannot grow for ever.
max_requests = 5000
max_requests_jitter = 500
# The app is built once, in the master, before the workers are forked: they share its memory
# (templates compiled on first use are not, but the code, the catalogues and the units are).
preload_app = True
# The reverse proxy in front sets X-Forwarded-For (the portal reads it with TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("PORTAL_ACCESS_LOG", "-")


def when_ready(server):
    # Everything the master built is there for the life of every worker: move it out of the
    # garbage collector's sight, so that a worker's collections neither scan it nor, by touching
    # it, copy the shared pages into the worker.
    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    # A connection opened while the app was built would be shared by every worker: each worker
    # opens its own.
    app = server.app.wsgi()
    from portal.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
