"""Every key page of the portal against a reference page, interleaved, under gunicorn, against
the generated data set (issue 16).

    python -m benchmarks.run --database-url postgresql://postgres@127.0.0.1:5432/portal_bench

Copies the code (others edit the working tree while a run goes), then starts the production
shape from the copy on free ports of 127.0.0.1: a Redis of its own (rate limits and the figures'
cache), the portal under `gunicorn -c gunicorn.conf.py` (4 workers, preloaded,
PORTAL_CONFIG=production) and the reference page (benchmarks/reference.py) under the same
gunicorn settings. It counts the queries each page runs (benchmarks/queries.py: the Flask test
client and an engine listener), logs in as the generated organiser and judge through the real
login form, checks that each page answers 200 with what it should show, then runs R rounds: in
each round every scenario in turn gets a short warm-up and a short measured window of C clients
in a closed loop, so that whatever else the machine does falls on every scenario alike. Per
scenario it sums the requests and the CPU used (from /proc: the gunicorn processes, the
database's backends, Redis) over the rounds, and reports the CPU per request, its ratio to the
reference page's, the latency percentiles and the queries per page, as Markdown
(benchmarks/results.md) and, with --json, as a file `python -m benchmarks.compare` reads.
Everything started is stopped at the end, also on an error or Ctrl-C.

Only the standard library speaks HTTP (http.client, one connection per client thread). Every
loop is bounded in time and in number of requests.
"""

import argparse
import http.client
import io
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg
from redis import Redis

from benchmarks.generate import (
    DEFAULT_DATABASE_URL,
    ORGANISER_EMAIL,
    ORGANISER_PASSWORD,
    database_name,
    psycopg_url,
)
from benchmarks.judging import JUDGE_EMAIL, JUDGED_PREFIX
from portal.core.cache import ACCOUNT_VERSION_KEY

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.md"
HOST = "127.0.0.1"
USER_AGENT = "portal-benchmark/2.0"
CATEGORY_CODE = "agriculture"  # the category of scenario (a)
CSRF_INPUT = re.compile(r"<input[^>]*\bname=\"csrf_token\"[^>]*>")
VALUE = re.compile(r"\bvalue=\"([^\"]+)\"")
# The issue's Redis databases: rate limits in 4, the figures' cache in 3.
RATELIMIT_DB, CACHE_DB = 4, 3
SECRET_KEY = "bench-secret-key-not-for-production"


# --- Facts about the data set -------------------------------------------------------------------


@dataclass
class Dataset:
    competition_id: int  # the open competition
    category_id: int
    entry_ids: list[int]
    applicants: int
    statuses: dict[str, int]
    postgres_version: str
    project_ids: list[int]
    reports: int
    loans: int
    judged_round_id: int | None  # the first round of the competition in judging
    judged_entries: int
    judged_sheets: int
    final_round_id: int | None  # the final of last year's competition, results published
    final_entries: int
    finished_id: int | None  # last year's competition
    awards: int

    def describe(self) -> str:
        statuses = ", ".join(f"{s} {c}" for s, c in sorted(self.statuses.items()))
        return (
            f"{len(self.entry_ids)} entries of the open competition ({statuses}) from "
            f"{self.applicants} applicants; a round in judging of {self.judged_entries} entries "
            f"({self.judged_sheets} submitted sheets, 60 judges); last year's competition with "
            f"a final of {self.final_entries} entries and {self.awards} awards published; "
            f"{len(self.project_ids)} supported projects with {self.reports} progress reports; "
            f"{self.loans} loans"
        )


def read_dataset(url: str) -> Dataset:
    with psycopg.connect(psycopg_url(url)) as conn:

        def one(query: str, *params):
            row = conn.execute(query, params).fetchone()
            return row[0] if row else None

        competition_id = one(
            """
            SELECT c.id FROM competition c JOIN user_account u ON u.id = c.created_by_id
            WHERE u.email = %s AND c.status = 'open' ORDER BY c.id LIMIT 1
            """,
            ORGANISER_EMAIL,
        )
        if competition_id is None:
            raise SystemExit("No generated competition: run `python -m benchmarks.generate` first.")
        category_id = one(
            "SELECT id FROM competition_category WHERE competition_id = %s AND code = %s",
            competition_id,
            CATEGORY_CODE,
        )
        entry_ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM entry WHERE competition_id = %s AND status <> 'draft' ORDER BY id",
                (competition_id,),
            )
        ]
        statuses = dict(
            conn.execute(
                "SELECT status, count(*) FROM entry WHERE competition_id = %s GROUP BY status",
                (competition_id,),
            ).fetchall()
        )
        applicants = one(
            "SELECT count(DISTINCT applicant_id) FROM entry WHERE competition_id = %s",
            competition_id,
        )
        judged_round_id = one(
            """
            SELECT r.id FROM competition_round r JOIN competition c ON c.id = r.competition_id
            WHERE c.status = 'judging' AND c.reference_prefix = %s AND r.position = 0
            ORDER BY r.id LIMIT 1
            """,
            JUDGED_PREFIX,
        )
        finished_id = one(
            "SELECT id FROM competition WHERE status = 'results_published' ORDER BY id LIMIT 1"
        )
        final_round_id = one(
            "SELECT id FROM competition_round WHERE competition_id = %s AND position = 1",
            finished_id,
        )
        postgres_version = one("SHOW server_version")
        return Dataset(
            competition_id=competition_id,
            category_id=category_id,
            entry_ids=entry_ids,
            applicants=applicants,
            statuses=statuses,
            postgres_version=postgres_version,
            project_ids=[
                r[0] for r in conn.execute("SELECT id FROM supported_project ORDER BY id")
            ],
            reports=one("SELECT count(*) FROM progress_report"),
            loans=one("SELECT count(*) FROM loan"),
            judged_round_id=judged_round_id,
            judged_entries=one(
                "SELECT count(DISTINCT entry_id) FROM judge_assignment WHERE round_id = %s",
                judged_round_id,
            )
            or 0,
            judged_sheets=one(
                "SELECT count(*) FROM score_sheet WHERE round_id = %s AND status = 'submitted'",
                judged_round_id,
            )
            or 0,
            final_round_id=final_round_id,
            final_entries=one(
                "SELECT count(*) FROM round_entry WHERE round_id = %s", final_round_id
            )
            or 0,
            finished_id=finished_id,
            awards=one(
                "SELECT count(*) FROM award WHERE competition_id = %s AND certificate_code "
                "IS NOT NULL",
                finished_id,
            )
            or 0,
        )


# --- The servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def executable(name: str) -> str:
    for candidate in (ROOT / ".venv" / "bin" / name, Path(sys.executable).parent / name):
        if candidate.exists():
            return str(candidate)
    raise SystemExit(f"{name} not found: install the project in .venv first.")


def start(command: list[str], env: dict, log, cwd: Path = ROOT) -> subprocess.Popen:
    """A server in a session of its own, so that it and its children can be stopped together."""
    return subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen | None) -> None:
    """SIGTERM (gunicorn's master stops its workers); SIGKILL to its group if it hangs."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def start_redis(port: int, log) -> subprocess.Popen:
    """A Redis of the run's own, in memory only: nothing another run or person keeps in the
    machine's Redis can be read as this data set's figures, and nothing of it outlives the run."""
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server not found: give --redis redis://… or --redis none")
    command = [server, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
    return start(command, {}, log)


def wait_redis(port: int, process: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with code {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"redis-server did not answer within {timeout:.0f} s")


def wait_healthy(port: int, path: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{path} did not answer 200 within {timeout:.0f} s")


@dataclass
class Shape:
    """Where the portal keeps its rate limits and figures (empty: in each worker, none)."""

    ratelimit: str
    cache: str
    description: str


def portal_env(args, port: int, shape: Shape) -> dict[str, str]:
    return {
        "DATABASE_URL": args.database_url,
        "PORTAL_CONFIG": args.config,
        "SECRET_KEY": SECRET_KEY,
        "FORCE_HTTPS": "0",  # plain HTTP on 127.0.0.1; TLS is the proxy's work
        "RATELIMIT_STORAGE_URI": shape.ratelimit or "memory://",
        "FIGURES_CACHE_URL": shape.cache,
        "PORTAL_BIND": f"{HOST}:{port}",
        "WEB_CONCURRENCY": str(args.workers),
    }


# --- HTTP with a cookie jar ---------------------------------------------------------------------


class Browser:
    """Just enough of a browser to log in: keeps cookies, does not follow redirects."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"User-Agent": USER_AGENT, "Accept-Language": "vi"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.headers, text


def csrf_token(page: str) -> str | None:
    tag = CSRF_INPUT.search(page)
    value = VALUE.search(tag.group(0)) if tag else None
    return value.group(1) if value else None


def log_in(browser: Browser, email: str, password: str) -> None:
    status, _, page = browser.request("GET", "/login")
    token = csrf_token(page)
    if status != 200 or token is None:
        raise RuntimeError(f"GET /login answered {status} without a CSRF token")
    status, headers, _ = browser.request(
        "POST", "/login", {"csrf_token": token, "account": email, "password": password, "next": ""}
    )
    if status != 302 or "/login" in (headers.get("Location") or ""):
        raise RuntimeError(f"logging in as {email} failed (status {status})")
    # As her browser does: the page she is sent to shows the welcome message and takes it out of
    # her session cookie. Kept in it, every measured page would show it again and write the
    # cookie anew, and none could be read from the cache.
    landing = urllib.parse.urlsplit(headers["Location"])
    status, _, _ = browser.request(
        "GET", landing.path + (f"?{landing.query}" if landing.query else "")
    )
    if status != 200:
        raise RuntimeError(f"the page after logging in as {email} answered {status}")


# --- CPU accounting (Linux /proc) ---------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class CpuMeter:
    """CPU seconds used by the gunicorn masters and their workers (app), by the database's
    backends (DB), by Redis, by this process and by the whole machine. CPU per request does not
    depend on other work on the machine; latency does.

    A master's own time includes its finished children's (cutime, cstime): a worker replaced
    during a window (gunicorn's max_requests) is counted whole, and as the totals before and
    after are compared, only its time within the window remains."""

    def __init__(self, masters: list[int], database: str, redis_pid: int | None):
        self.masters = set(masters)
        self.backend_marker = f" {database} "
        self.redis_pid = redis_pid

    @staticmethod
    def _machine() -> tuple[float, float]:
        """(busy, total) CPU seconds of the machine since boot."""
        try:
            ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        except (OSError, ValueError):
            return 0.0, 0.0
        idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
        return (sum(ticks) - idle) / TICK, sum(ticks) / TICK

    def snapshot(self) -> dict:
        app = db = redis = 0.0
        proc = Path("/proc")
        for entry in proc.iterdir() if proc.is_dir() else []:
            if not entry.name.isdigit():
                continue
            try:
                text = (entry / "stat").read_text()
                fields = text[text.rindex(")") + 2 :].split()
                ppid, pid = int(fields[1]), int(entry.name)
                own = (int(fields[11]) + int(fields[12])) / TICK
                if pid in self.masters:
                    app += own + (int(fields[13]) + int(fields[14])) / TICK
                elif ppid in self.masters:
                    app += own
                elif pid == self.redis_pid:
                    redis += own
                elif text[text.index("(") + 1 : text.rindex(")")].startswith("postgres"):
                    cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    if cmdline.startswith("postgres:") and self.backend_marker in cmdline:
                        db += own
            except (OSError, ValueError, IndexError):
                continue
        times = os.times()
        busy, total = self._machine()
        return {
            "app": app,
            "db": db,
            "redis": redis,
            "client": times.user + times.system,
            "busy": busy,
            "total": total,
        }

    @staticmethod
    def difference(before: dict, after: dict) -> dict[str, float]:
        # A backend that ended during the window takes its time with it; the pool keeps them.
        return {key: max(0.0, after[key] - before[key]) for key in after}


# --- Load ---------------------------------------------------------------------------------------


@dataclass
class Scenario:
    key: str
    name: str
    shown_path: str
    paths: Callable[[random.Random], str]  # the next path to request
    role: str | None  # "organiser", "judge" or None (anonymous)
    marker: str  # text the page must contain (checked once before the run)
    server: str = "portal"  # or "reference"


@dataclass
class Result:
    scenario: Scenario
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    cpu: Counter = field(default_factory=Counter)  # CPU seconds used during the windows
    logins: int = 0  # logins made beside the load (--logins-every)
    writes: int = 0  # versions moved beside the load (--writes-every)
    queries: int | None = None  # per view, once its kept figures are kept
    queries_cold: int | None = None  # the first view, nothing kept yet
    windows: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies) + sum(self.failures.values())

    @property
    def errors(self) -> int:
        return sum(c for s, c in self.statuses.items() if s != 200) + sum(self.failures.values())

    def add(self, other: "Result") -> None:
        self.seconds += other.seconds
        self.latencies.extend(other.latencies)
        self.statuses.update(other.statuses)
        self.failures.update(other.failures)
        self.cpu.update(other.cpu)
        self.logins += other.logins
        self.writes += other.writes
        self.windows += 1

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
        return ordered[rank - 1] * 1000

    def per_request(self, key: str) -> float:
        """CPU milliseconds per request."""
        return self.cpu[key] / self.requests * 1000 if self.requests else float("nan")

    @property
    def server_cpu(self) -> float:
        """What a request costs the servers: app + DB + Redis, ms."""
        return sum(self.per_request(k) for k in ("app", "db", "redis"))


def client(port, scenario, seed, start, seconds, max_requests, result, lock, timeout, cookie):
    rng = random.Random(seed)
    headers = {"User-Agent": USER_AGENT, "Accept-Language": "vi"}
    if cookie:
        headers["Cookie"] = cookie
    latencies, statuses, failures = [], Counter(), Counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    start.wait()
    end = time.monotonic() + seconds
    sent = 0
    while sent < max_requests and time.monotonic() < end:
        path = scenario.paths(rng)
        sent += 1
        began = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as error:
            failures[type(error).__name__] += 1
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
            continue
        latencies.append(time.perf_counter() - began)
        statuses[response.status] += 1
    conn.close()
    with lock:
        result.latencies.extend(latencies)
        result.statuses.update(statuses)
        result.failures.update(failures)


def run_load(
    port, scenario, cookie, concurrency, seconds, max_requests, seed, timeout, meter
) -> Result:
    """C clients, each sending its next request as soon as the previous one is answered; the
    window lasts until the last answer to a request sent within `seconds` is read."""
    result = Result(scenario)
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    per_client = max(1, max_requests // concurrency)
    threads = [
        threading.Thread(
            target=client,
            args=(
                port,
                scenario,
                seed + n,
                start,
                seconds,
                per_client,
                result,
                lock,
                timeout,
                cookie,
            ),
            daemon=True,
        )
        for n in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    cpu_before = meter.snapshot() if meter else None
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join(timeout=seconds + timeout + 30)
    result.seconds = time.monotonic() - began
    if meter:
        result.cpu = Counter(CpuMeter.difference(cpu_before, meter.snapshot()))
    return result


class Beside(threading.Thread):
    """Work done every `every` seconds beside the load until stopped; `stop` says how often."""

    def __init__(self, every: float):
        super().__init__(daemon=True)
        self.every, self.count = every, 0
        self.stopped = threading.Event()

    def stop(self) -> int:
        self.stopped.set()
        self.join(timeout=60)
        return self.count


class Logins(Beside):
    """Logs in through the real form every `every` seconds until stopped: each login writes the
    account's last login, a write like any other."""

    def __init__(self, port: int, every: float):
        super().__init__(every)
        self.port = port

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                log_in(Browser(self.port), ORGANISER_EMAIL, ORGANISER_PASSWORD)
                self.count += 1
            except (OSError, http.client.HTTPException, RuntimeError):
                pass


class Writes(Beside):
    """Moves the version of the organisers' kept pages every `every` seconds, as each write does
    (core/cache.py: any commit but a draft's), without the write's own work: what writes at that
    rate (judges' sheets, screenings, repayments) do to the kept pages, and nothing else."""

    def __init__(self, cache_url: str, every: float):
        super().__init__(every)
        self.cache_url = cache_url

    def run(self) -> None:
        client = Redis.from_url(self.cache_url)
        due = time.monotonic()
        while not self.stopped.is_set():
            client.incr(ACCOUNT_VERSION_KEY)
            self.count += 1
            due += self.every
            self.stopped.wait(max(0.0, due - time.monotonic()))


def check(port: int, scenario: Scenario, cookie: str | None, timeout: float) -> None:
    """One request before the load: the page answers 200 with what it should show."""
    headers = {"User-Agent": USER_AGENT, "Accept-Language": "vi"}
    if cookie:
        headers["Cookie"] = cookie
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    path = scenario.paths(random.Random(0))
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    if response.status != 200 or scenario.marker not in body:
        raise RuntimeError(
            f"{scenario.key}: GET {path} answered {response.status}"
            f" {'without' if scenario.marker not in body else 'with'} {scenario.marker!r}"
        )


# --- The code measured: a snapshot ---------------------------------------------------------------

# What the servers need at run time (and the generator: the migrations). Others edit the
# working tree while a run goes: a worker recycled after such an edit would read new templates
# with the code loaded before it. Both servers and the query count run from a copy instead.
SNAPSHOT = (
    "portal",
    "templates",
    "static",
    "benchmarks",
    "migrations",
    "config.py",
    "gunicorn.conf.py",
)
SNAPSHOT_NOTE = "SNAPSHOT.txt"  # in the copy: the commit and changes it was taken at


def take_snapshot(into: Path, commit: str | None = None) -> str:
    """Copy the code into `into` (made if missing) unless it holds a copy already; returns
    what the copy holds. With `commit`, the code of that commit (`git archive`, its catalogues
    compiled) and the benchmark's own code as it is in the working tree."""
    note = into / SNAPSHOT_NOTE
    if note.exists():
        return note.read_text(encoding="utf-8").strip()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "results-*.json")
    into.mkdir(parents=True, exist_ok=True)
    if commit:
        described = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%h %s", commit],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", commit]
            + [name for name in SNAPSHOT if name != "benchmarks"],
            capture_output=True,
            timeout=120,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(into, filter="data")
        subprocess.run(
            [executable("pybabel"), "-q", "compile", "-d", str(into / "portal" / "translations")],
            timeout=120,
            check=True,
        )
        shutil.copytree(ROOT / "benchmarks", into / "benchmarks", ignore=ignore)
        state = f"commit {described[:80]} (git archive), benchmarks/ from the working tree"
    else:
        state = git_state()
        for name in SNAPSHOT:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, into / name, ignore=ignore)
            else:
                shutil.copy2(source, into / name)
    note.write_text(state + "\n", encoding="utf-8")
    return state


def count_queries(args, shape: "Shape", chosen: list[Scenario], cwd: Path) -> dict:
    """{key: (first view, next view)} statements of each portal page (benchmarks/queries.py,
    in a process of its own started from the code measured)."""
    spec = {
        "database_url": args.database_url,
        "secret_key": SECRET_KEY,
        "ratelimit": shape.ratelimit,
        "cache": shape.cache,
        "password": ORGANISER_PASSWORD,
        "accounts": {"organiser": ORGANISER_EMAIL, "judge": JUDGE_EMAIL},
        "pages": [
            {"key": s.key, "path": s.paths(random.Random(0)), "role": s.role}
            for s in chosen
            if s.server == "portal"
        ],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as file:
        json.dump(spec, file)
        file.flush()
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.queries", file.name],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=600,
        )
    if done.returncode != 0:
        raise RuntimeError("counting the queries failed:\n" + done.stderr[-3000:])
    return {key: tuple(views) for key, views in json.loads(done.stdout.splitlines()[-1]).items()}


# --- Report -------------------------------------------------------------------------------------


def queries_cell(r: Result) -> str:
    if r.queries is None:
        return "–"
    if r.queries_cold is not None and r.queries_cold != r.queries:
        return f"{r.queries} ({r.queries_cold} first)"
    return str(r.queries)


def table(results: list[Result], reference: Result | None) -> str:
    lines = [
        "| scenario | request | requests | errors | req/s | p50 ms | p95 ms | app CPU ms/req "
        "| DB CPU ms/req | Redis ms/req | CPU ms/req | × reference | queries | other load |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    base = reference.server_cpu if reference and reference.requests else float("nan")
    for r in results:
        if not r.requests:
            continue
        c = r.cpu
        other = max(0.0, c["busy"] - c["app"] - c["db"] - c["redis"] - c["client"])
        lines.append(
            f"| {r.scenario.name} | `{r.scenario.shown_path}` | {r.requests} | {r.errors} "
            f"| {r.requests / r.seconds:.1f} | {r.percentile(50):.0f} | {r.percentile(95):.0f} "
            f"| {r.per_request('app'):.1f} | {r.per_request('db'):.1f} "
            f"| {r.per_request('redis'):.2f} | **{r.server_cpu:.1f}** "
            f"| **{r.server_cpu / base:.1f}** | {queries_cell(r)} "
            f"| {other / c['total'] * 100 if c['total'] else 0:.0f} % |"
        )
    return "\n".join(lines)


def machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu or platform.processor() or "unknown",
        "memory": memory or "unknown",
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def git_state() -> str:
    """The last commit and the working tree's changes against it (others edit the tree while the
    benchmark runs): all of them, and those outside benchmarks/ (the code measured)."""

    def git(*command: str) -> str:
        return subprocess.run(
            ["git", "-C", str(ROOT), *command], capture_output=True, text=True, timeout=10
        ).stdout.strip()

    def last_line(text: str) -> str:
        return text.splitlines()[-1].strip() if text else "no uncommitted changes"

    try:
        commit = git("log", "-1", "--format=%h %s")
        everything = last_line(git("diff", "--stat"))
        measured = last_line(git("diff", "--stat", "--", ".", ":(exclude)benchmarks"))
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit[:80]}; `git diff --stat`: {everything} (outside benchmarks/: {measured})"


@dataclass
class Run:
    """What a run was, for the report and the JSON file."""

    command: str
    started: datetime
    loads: tuple[float, float]
    git: str
    shape: str


def report(args, data: Dataset, results: list[Result], run: Run) -> str:
    facts = machine()
    reference = next((r for r in results if r.scenario.key == "ref"), None)
    errors = [
        f"- {r.scenario.name}: statuses {dict(r.statuses)}, failures {dict(r.failures)}"
        for r in results
        if r.errors
    ]
    return "\n".join(
        [
            "# Load benchmark results",
            "",
            f"- date: {run.started:%Y-%m-%d %H:%M} UTC",
            f"- command: `{run.command}`",
            f"- machine: {facts['nproc']} CPUs ({facts['cpu']}), {facts['memory']} RAM, "
            f"{facts['os']}",
            f"- Python {facts['python']}, PostgreSQL {data.postgres_version}",
            f"- data set: database `{database_name(args.database_url)}`: {data.describe()}",
            f"- servers: the portal under gunicorn (gunicorn.conf.py, {args.workers} sync "
            f"workers, preloaded, PORTAL_CONFIG={args.config}), the reference page under the "
            "same settings, on the same machine as the database and the clients; "
            f"{run.shape}",
            f"- load: {args.concurrency} concurrent clients (closed loop); {args.rounds} rounds, "
            f"each giving every scenario in turn a {args.warmup:g} s warm-up and a "
            f"{args.window:g} s window (the order turns by one each round)",
            f"- 1-minute load average: {run.loads[0]:.2f} before the run, {run.loads[1]:.2f} at "
            "its end (other work on the machine skews latency, less so CPU per request)",
            f"- code: {run.git}",
            "",
            table(results, reference),
            "",
            "Latency is measured by the client from sending the request to reading the whole "
            "response; errors are answers other than 200 and failed connections. CPU per request "
            "is the CPU time used during the windows (from /proc) divided by the requests: by the "
            "gunicorn masters and workers (app), by the PostgreSQL backends of this database (DB) "
            "and by Redis; **CPU ms/req** is their sum and **× reference** its ratio to the "
            "reference page's. Queries: the statements one view runs once its kept figures are "
            "in Redis, and the first view's when it differs (counted in-process). Other load: the "
            "machine's CPU used by neither the servers nor the clients during the windows "
            "(PostgreSQL's parallel workers count there; anything else means the run was "
            "disturbed).",
            *(["", "Errors:", *errors] if errors else []),
            "",
        ]
    )


def as_json(args, data: Dataset, results: list[Result], run: Run) -> dict:
    reference = next((r for r in results if r.scenario.key == "ref"), None)
    base = reference.server_cpu if reference and reference.requests else None
    return {
        "date": run.started.isoformat(timespec="seconds"),
        "command": run.command,
        "machine": machine(),
        "postgres": data.postgres_version,
        "load_average": list(run.loads),
        "code": run.git,
        "shape": run.shape,
        "settings": {
            "workers": args.workers,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "window": args.window,
            "warmup": args.warmup,
            "config": args.config,
        },
        "dataset": {
            "entries": len(data.entry_ids),
            "judged_entries": data.judged_entries,
            "judged_sheets": data.judged_sheets,
            "final_entries": data.final_entries,
            "awards": data.awards,
            "projects": len(data.project_ids),
            "reports": data.reports,
            "loans": data.loans,
        },
        "scenarios": {
            r.scenario.key: {
                "name": r.scenario.name,
                "path": r.scenario.shown_path,
                "requests": r.requests,
                "errors": r.errors,
                "seconds": round(r.seconds, 3),
                "p50_ms": round(r.percentile(50), 2),
                "p95_ms": round(r.percentile(95), 2),
                "app_ms": round(r.per_request("app"), 3),
                "db_ms": round(r.per_request("db"), 3),
                "redis_ms": round(r.per_request("redis"), 3),
                "cpu_ms": round(r.server_cpu, 3),
                "ratio": round(r.server_cpu / base, 3) if base else None,
                "queries": r.queries,
                "queries_first": r.queries_cold,
            }
            for r in results
            if r.requests
        },
    }


# --- Scenarios ----------------------------------------------------------------------------------


FIGURES = "/figures?from=2024&to=2026"
REPORT = "/figures/report?from=2024&to=2026"
PAGE_KEYS = "abcdefghijklmnop"
ALL_KEYS = ["ref", "hello", *PAGE_KEYS]


def scenarios(data: Dataset) -> list[Scenario]:
    """Every scenario, the reference page and a bare hello first."""
    c = data.competition_id
    listing = f"/competitions/{c}/entries"
    filtered = f"{listing}?status=submitted&sort=title&category={data.category_id}"
    search = f"{listing}?q=ruou"
    ids = data.entry_ids
    projects = data.project_ids
    big = f"/judging/rounds/{data.judged_round_id}/results"
    small = f"/judging/rounds/{data.final_round_id}/results"
    results = f"/competitions/{data.finished_id}/results"

    def fixed(path: str) -> Callable[[random.Random], str]:
        return lambda rng: path

    return [
        Scenario(
            "ref",
            "ref. reference page (50 entries)",
            listing,
            fixed(listing),
            None,
            'id="reference-entries"',
            "reference",
        ),
        Scenario(
            "hello", "hello. a bare hello", "/hello", fixed("/hello"), None, "hello", "reference"
        ),
        Scenario(
            "a", "a. list, filtered and sorted", filtered, fixed(filtered), "organiser", "DB-"
        ),
        Scenario("b", "b. list, search ?q=ruou", search, fixed(search), "organiser", "ượu"),
        Scenario(
            "c",
            "c. entry page (organiser)",
            "/entries/<random id>",
            lambda rng: f"/entries/{rng.choice(ids)}",
            "organiser",
            "DB-",
        ),
        Scenario(
            "d",
            "d. public competition page",
            f"/competitions/{c}",
            fixed(f"/competitions/{c}"),
            None,
            "Vòng sơ khảo",
        ),
        Scenario(
            "e",
            "e. follow-up list (projects)",
            "/projects/follow-up",
            fixed("/projects/follow-up"),
            "organiser",
            "Theo dõi dự án được hỗ trợ",
        ),
        Scenario(
            "f",
            "f. a project's page (organiser)",
            "/projects/<random id>",
            lambda rng: f"/projects/{rng.choice(projects)}",
            "organiser",
            "Báo cáo tiến độ",
        ),
        Scenario(
            "g",
            "g. the union's figures (dashboard)",
            FIGURES,
            fixed(FIGURES),
            "organiser",
            'id="figure-entries"',
        ),
        Scenario(
            "h", "h. the term report", REPORT, fixed(REPORT), "organiser", 'id="report-entries"'
        ),
        Scenario(
            "i",
            "i. public competitions list",
            "/competitions/",
            fixed("/competitions/"),
            None,
            "Phụ nữ Điện Biên khởi nghiệp",
        ),
        Scenario(
            "j",
            "j. judge's dashboard",
            "/judging/",
            fixed("/judging/"),
            "judge",
            f"{JUDGED_PREFIX}-",
        ),
        Scenario(
            "k",
            f"k. judging results, {data.final_entries} entries",
            small,
            fixed(small),
            "organiser",
            "DB-",
        ),
        Scenario(
            "l",
            f"l. judging results, {data.judged_entries} entries × 5 judges",
            big,
            fixed(big),
            "organiser",
            f"{JUDGED_PREFIX}-",
        ),
        Scenario(
            "m",
            "m. projects list",
            "/projects/",
            fixed("/projects/"),
            "organiser",
            'id="project-totals"',
        ),
        Scenario("n", "n. winners' gallery", "/winners", fixed("/winners"), None, "Giải Nhất"),
        Scenario("o", "o. public results", results, fixed(results), None, "Giải Nhất"),
        Scenario(
            "p",
            "p. loan portfolio (capital)",
            "/capital/portfolio",
            fixed("/capital/portfolio"),
            "organiser",
            'id="portfolio-summary"',
        ),
    ]


def parse_keys(text: str) -> list[str]:
    """`all`, letters (`abk`) or keys separated by commas (`a,k,hello`); the reference page is
    always measured, it is what every ratio divides by."""
    text = text.strip().lower()
    if text == "all":
        return list(ALL_KEYS)
    if "," in text or text in ALL_KEYS:
        keys = [k.strip() for k in text.split(",") if k.strip()]
    else:
        keys = list(text)
    unknown = [k for k in keys if k not in ALL_KEYS]
    if unknown:
        raise ValueError(f"unknown scenarios {unknown}: choose among {', '.join(ALL_KEYS)}")
    return ["ref", *[k for k in ALL_KEYS if k in keys and k != "ref"]]


# --- Main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (each server)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
    parser.add_argument("--rounds", type=int, default=4, help="rounds over every scenario")
    parser.add_argument(
        "--window", "--duration", type=float, default=5.0, help="seconds per scenario and round"
    )
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before each window")
    parser.add_argument(
        "--max-requests", type=int, default=100_000, help="upper bound per scenario and window"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    parser.add_argument(
        "--scenarios", default="all", help="all, letters (abk) or keys (a,k,hello); ref always"
    )
    parser.add_argument(
        "--config",
        default="production",
        choices=["production", "development"],
        help="PORTAL_CONFIG",
    )
    parser.add_argument(
        "--redis",
        default="private",
        help="private: a redis-server of the run's own (the default); redis://host:port: that "
        "server (databases 4 and 3); none: rate limits in each worker's memory, no figures kept",
    )
    parser.add_argument(
        "--figures-cache",
        default=None,
        help="FIGURES_CACHE_URL instead of the Redis chosen above ('' for none)",
    )
    parser.add_argument(
        "--logins-every",
        type=float,
        default=0.0,
        help="seconds between logins made beside the load (each one writes to the database)",
    )
    parser.add_argument(
        "--writes-every",
        type=float,
        default=0.0,
        help="seconds between moves of the kept pages' version beside the load, as each write "
        "makes (0.01: a hundred a second)",
    )
    parser.add_argument(
        "--no-queries", action="store_true", help="do not count the queries per page"
    )
    parser.add_argument(
        "--code",
        type=Path,
        default=None,
        help="serve the copy of the code in this directory, copying the working tree into it "
        "first if it holds none (several runs on the same code)",
    )
    parser.add_argument(
        "--commit",
        default=None,
        help="serve the code of this commit (e.g. HEAD: without the uncommitted changes of "
        "others) with the benchmark's code of the working tree",
    )
    parser.add_argument(
        "--no-snapshot",
        action="store_true",
        help="serve the working tree itself rather than a copy taken at the start",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--results", type=Path, default=RESULTS, help="Markdown file to write")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 256 or not 0 < args.window <= 600 or args.warmup < 0:
        parser.error("concurrency 1-256, window up to 600 s, warm-up 0 or more")
    if not 1 <= args.rounds <= 50 or not 1 <= args.workers <= 64:
        parser.error("rounds 1-50, workers 1-64")
    if args.logins_every < 0 or 0 < args.logins_every < 1:
        parser.error("--logins-every: 1 second or more (0: none)")
    if args.writes_every < 0 or 0 < args.writes_every < 0.001:
        parser.error("--writes-every: 0.001 second or more (0: none)")
    try:
        keys = parse_keys(args.scenarios)
    except ValueError as error:
        parser.error(str(error))
    command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])

    def interrupted(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, interrupted)
    data = read_dataset(args.database_url)
    if data.judged_round_id is None or data.finished_id is None:
        raise SystemExit("No judging in the data set: generate it again with this version.")
    chosen = [s for s in scenarios(data) if s.key in keys]
    before = os.getloadavg()[0]
    if before > 0.5 * (os.cpu_count() or 1):
        print(f"warning: the machine is busy (load average {before:.2f}); results may be skewed")
    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        if args.no_snapshot:
            code, git = ROOT, git_state()
        else:
            code = (args.code or Path(folder)).resolve()
            git = take_snapshot(code, args.commit)
            print(f"code measured: a copy of the working tree in {code} ({git})")
        with tempfile.TemporaryFile() as log:
            results, shape = measure(args, data, chosen, log, code)
    run = Run(command, started, (before, os.getloadavg()[0]), git, shape)
    reference = next((r for r in results if r.scenario.key == "ref"), None)
    print()
    print(table(results, reference))
    args.results.write_text(report(args, data, results, run), encoding="utf-8")
    print(f"\nwritten to {args.results}")
    if args.json:
        args.json.write_text(
            json.dumps(as_json(args, data, results, run), ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )
        print(f"written to {args.json}")
    return 0


def shape_of(args, redis_port: int | None) -> Shape:
    if args.redis == "none":
        shape = Shape("", "", "rate limits in each worker's memory, no figures kept (--redis none)")
    else:
        server = f"redis://{HOST}:{redis_port}" if redis_port else args.redis.rstrip("/")
        where = "a Redis of the run's own" if redis_port else f"the Redis at {server}"
        shape = Shape(
            f"{server}/{RATELIMIT_DB}",
            f"{server}/{CACHE_DB}",
            f"rate limits and kept figures in {where} (databases {RATELIMIT_DB} and {CACHE_DB})",
        )
    if args.figures_cache is not None:
        shape.cache = args.figures_cache
        shape.description += f"; FIGURES_CACHE_URL={args.figures_cache or '(none)'}"
    return shape


def measure(
    args, data: Dataset, chosen: list[Scenario], log, code: Path
) -> tuple[list[Result], str]:
    """Start Redis and both servers from `code`, count queries, log in, check, then the
    interleaved rounds; everything started is stopped whatever happens."""
    redis = portal = reference = None
    failed = True
    results = {s.key: Result(s) for s in chosen}
    try:
        redis_port = None
        if args.redis == "private":
            redis_port = free_port()
            redis = start_redis(redis_port, log)
            wait_redis(redis_port, redis)
        shape = shape_of(args, redis_port)
        ports = {"portal": free_port(), "reference": free_port()}
        portal = start(
            [executable("gunicorn"), "-c", "gunicorn.conf.py", "portal:create_app()"],
            portal_env(args, ports["portal"], shape),
            log,
            code,
        )
        reference = start(
            [
                executable("gunicorn"),
                "-c",
                "benchmarks/gunicorn_reference.py",
                "benchmarks.reference:create_app()",
            ],
            {
                "DATABASE_URL": args.database_url,
                "PORTAL_BIND": f"{HOST}:{ports['reference']}",
                "WEB_CONCURRENCY": str(args.workers),
            },
            log,
            code,
        )
        wait_healthy(ports["portal"], "/healthz", portal)
        wait_healthy(ports["reference"], "/hello", reference)
        print(
            f"portal on {HOST}:{ports['portal']}, reference on {HOST}:{ports['reference']} "
            f"({args.workers} workers each); {shape.description}"
        )
        if not args.no_queries:
            for key, (first, then) in count_queries(args, shape, chosen, code).items():
                results[key].queries_cold, results[key].queries = first, then
            print(
                "queries per page: "
                + ", ".join(
                    f"{k} {queries_cell(r)}" for k, r in results.items() if r.queries is not None
                )
            )
        cookies = {None: None}
        for role, email in (("organiser", ORGANISER_EMAIL), ("judge", JUDGE_EMAIL)):
            if any(s.role == role for s in chosen):
                browser = Browser(ports["portal"])
                log_in(browser, email, ORGANISER_PASSWORD)
                cookies[role] = browser.cookie_header()
        for scenario in chosen:
            check(ports[scenario.server], scenario, cookies[scenario.role], args.timeout)
        print(f"every page checked; {args.rounds} rounds of {len(chosen)} scenarios")
        meter = CpuMeter(
            [portal.pid, reference.pid],
            database_name(args.database_url),
            redis.pid if redis else None,
        )
        for n in range(args.rounds):
            turn = n % len(chosen)
            for scenario in chosen[turn:] + chosen[:turn]:
                port, cookie = ports[scenario.server], cookies[scenario.role]
                if args.warmup:
                    run_load(
                        port,
                        scenario,
                        cookie,
                        args.concurrency,
                        args.warmup,
                        args.max_requests,
                        0,
                        args.timeout,
                        None,
                    )
                logins = Logins(ports["portal"], args.logins_every) if args.logins_every else None
                if logins:
                    logins.start()
                writes = (
                    Writes(shape.cache, args.writes_every)
                    if args.writes_every and shape.cache
                    else None
                )
                if writes:
                    writes.start()
                part = run_load(
                    port,
                    scenario,
                    cookie,
                    args.concurrency,
                    args.window,
                    args.max_requests,
                    args.seed + 1000 * n,
                    args.timeout,
                    meter,
                )
                if logins:
                    part.logins = logins.stop()
                if writes:
                    part.writes = writes.stop()
                results[scenario.key].add(part)
                print(
                    f"round {n + 1}/{args.rounds} {scenario.key}: {part.requests} requests, "
                    f"{part.errors} errors, {part.requests / part.seconds:.1f} req/s, "
                    f"p50 {part.percentile(50):.0f} ms, "
                    f"{part.server_cpu:.1f} ms CPU/req"
                    + (f", {part.writes} writes beside" if writes else ""),
                    flush=True,
                )
        failed = False
    finally:
        for process in (portal, reference, redis):
            stop(process)
        log.seek(0)
        server_log = log.read().decode("utf-8", "replace")
        tracebacks = server_log.count("Traceback")
        if failed or tracebacks:
            print(f"--- servers' log (last lines; {tracebacks} tracebacks) ---", file=sys.stderr)
            lines = [line for line in server_log.splitlines() if '" 200 ' not in line]
            print("\n".join(lines[-60:]), file=sys.stderr)
    return list(results.values()), shape.description


if __name__ == "__main__":
    sys.exit(main())
