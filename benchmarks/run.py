"""Closed-loop load benchmark of the portal under gunicorn, against the generated data set.

    python -m benchmarks.run --database-url postgresql://postgres@127.0.0.1:5432/portal_bench

Starts `gunicorn -w 4 "portal:create_app()"` on a free port of 127.0.0.1, waits for /healthz, logs
in as the generated organiser through the real login form (CSRF token, session cookie), then runs
each scenario with C concurrent clients for a fixed time after a short warm-up, and prints a
Markdown table (also written to benchmarks/results.md). Gunicorn is always stopped at the end.

Only the standard library is used for HTTP (http.client, one connection per client thread).
Every loop is bounded in time and in number of requests.
"""

import argparse
import http.client
import math
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
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

from benchmarks.generate import (
    DEFAULT_DATABASE_URL,
    ORGANISER_EMAIL,
    ORGANISER_PASSWORD,
    database_name,
    psycopg_url,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.md"
HOST = "127.0.0.1"
USER_AGENT = "portal-benchmark/1.0"
CATEGORY_CODE = "agriculture"  # the category of scenario (a)
CSRF_INPUT = re.compile(r"<input[^>]*\bname=\"csrf_token\"[^>]*>")
VALUE = re.compile(r"\bvalue=\"([^\"]+)\"")


# --- Facts about the data set -------------------------------------------------------------------


@dataclass
class Dataset:
    competition_id: int
    category_id: int
    entry_ids: list[int]
    applicants: int
    statuses: dict[str, int]
    postgres_version: str
    project_ids: list[int]
    reports: int


def read_dataset(url: str) -> Dataset:
    with psycopg.connect(psycopg_url(url)) as conn:
        row = conn.execute(
            """
            SELECT c.id FROM competition c JOIN user_account u ON u.id = c.created_by_id
            WHERE u.email = %s ORDER BY c.id LIMIT 1
            """,
            (ORGANISER_EMAIL,),
        ).fetchone()
        if row is None:
            raise SystemExit("No generated competition: run `python -m benchmarks.generate` first.")
        competition_id = row[0]
        category_id = conn.execute(
            "SELECT id FROM competition_category WHERE competition_id = %s AND code = %s",
            (competition_id, CATEGORY_CODE),
        ).fetchone()[0]
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
        applicants = conn.execute(
            "SELECT count(DISTINCT applicant_id) FROM entry WHERE competition_id = %s",
            (competition_id,),
        ).fetchone()[0]
        version = conn.execute("SHOW server_version").fetchone()[0]
        project_ids = [r[0] for r in conn.execute("SELECT id FROM supported_project ORDER BY id")]
        reports = conn.execute("SELECT count(*) FROM progress_report").fetchone()[0]
    return Dataset(
        competition_id, category_id, entry_ids, applicants, statuses, version, project_ids, reports
    )


# --- Gunicorn -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_path() -> str:
    for candidate in (
        ROOT / ".venv" / "bin" / "gunicorn",
        Path(sys.executable).parent / "gunicorn",
    ):
        if candidate.exists():
            return str(candidate)
    raise SystemExit("gunicorn not found: install the project in .venv first.")


def start_gunicorn(
    url: str, port: int, workers: int, log, figures_cache: str = ""
) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        PORTAL_CONFIG="development",
        SECRET_KEY="bench",
        RATELIMIT_STORAGE_URI="memory://",
        FIGURES_CACHE_URL=figures_cache,
    )
    command = [gunicorn_path(), "-w", str(workers), "-b", f"{HOST}:{port}", "portal:create_app()"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_gunicorn(process: subprocess.Popen) -> None:
    """SIGTERM to the master (it stops its workers); SIGKILL to its group if it hangs."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def wait_healthy(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"/healthz did not answer 200 within {timeout:.0f} s")


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


def log_in(browser: Browser, email: str, password: str) -> None:
    status, _, page = browser.request("GET", "/login")
    tag = CSRF_INPUT.search(page)
    value = VALUE.search(tag.group(0)) if tag else None
    if status != 200 or value is None:
        raise RuntimeError(f"GET /login answered {status} without a CSRF token")
    status, headers, _ = browser.request(
        "POST",
        "/login",
        {"csrf_token": value.group(1), "email": email, "password": password, "next": ""},
    )
    if status != 302 or "/login" in (headers.get("Location") or ""):
        raise RuntimeError(f"logging in as {email} failed (status {status})")


# --- CPU accounting (Linux /proc) ---------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class CpuMeter:
    """CPU seconds used by the gunicorn processes, by the database's backends, by this process
    and by the whole machine: CPU per request does not depend on other work on the machine,
    latency does."""

    def __init__(self, gunicorn_pid: int, database: str):
        self.gunicorn_pid = gunicorn_pid
        self.backend_marker = f" {database} "

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
        app: dict[int, float] = {}
        backends: dict[int, float] = {}
        proc = Path("/proc")
        for entry in proc.iterdir() if proc.is_dir() else []:
            if not entry.name.isdigit():
                continue
            try:
                text = (entry / "stat").read_text()
                fields = text[text.rindex(")") + 2 :].split()
                ppid, seconds = int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK
                pid = int(entry.name)
                if pid == self.gunicorn_pid or ppid == self.gunicorn_pid:
                    app[pid] = seconds
                elif text[text.index("(") + 1 : text.rindex(")")].startswith("postgres"):
                    cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    if cmdline.startswith("postgres:") and self.backend_marker in cmdline:
                        backends[pid] = seconds
            except (OSError, ValueError, IndexError):
                continue
        own = os.times()
        busy, total = self._machine()
        return {
            "app": app,
            "db": backends,
            "client": own.user + own.system,
            "busy": busy,
            "total": total,
        }

    @staticmethod
    def difference(before: dict, after: dict) -> dict[str, float]:
        def used(key):
            return sum(t - before[key].get(pid, 0.0) for pid, t in after[key].items())

        return {
            "app": used("app"),
            "db": used("db"),
            "client": after["client"] - before["client"],
            "busy": after["busy"] - before["busy"],
            "total": after["total"] - before["total"],
        }


# --- Load ---------------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    shown_path: str
    paths: Callable[[random.Random], str]  # the next path to request
    cookie: str | None
    marker: str  # text the page must contain (checked once before the run)


@dataclass
class Result:
    scenario: Scenario
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds used during the window
    logins: int = 0  # logins made beside the load (--logins-every)

    @property
    def requests(self) -> int:
        return len(self.latencies) + sum(self.failures.values())

    @property
    def errors(self) -> int:
        return sum(c for s, c in self.statuses.items() if s != 200) + sum(self.failures.values())

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
        return ordered[rank - 1] * 1000


def client(port, scenario, seed, start, seconds, max_requests, result, lock, timeout):
    rng = random.Random(seed)
    headers = {"User-Agent": USER_AGENT, "Accept-Language": "vi"}
    if scenario.cookie:
        headers["Cookie"] = scenario.cookie
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


def run_load(port, scenario, concurrency, seconds, max_requests, seed, timeout, meter) -> Result:
    """C clients, each sending its next request as soon as the previous one is answered."""
    result = Result(scenario)
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    per_client = max(1, max_requests // concurrency)
    threads = [
        threading.Thread(
            target=client,
            args=(port, scenario, seed + n, start, seconds, per_client, result, lock, timeout),
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
        result.cpu = CpuMeter.difference(cpu_before, meter.snapshot())
    return result


class Logins(threading.Thread):
    """Logs in through the real form every `every` seconds until stopped: each login writes the
    account's last login, a write like any other to the figures' cache."""

    def __init__(self, port: int, every: float):
        super().__init__(daemon=True)
        self.port, self.every, self.count = port, every, 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                log_in(Browser(self.port), ORGANISER_EMAIL, ORGANISER_PASSWORD)
                self.count += 1
            except (OSError, http.client.HTTPException, RuntimeError):
                pass

    def stop(self) -> int:
        self.stopped.set()
        self.join(timeout=60)
        return self.count


def check(port: int, scenario: Scenario) -> None:
    """One request before the load: the page answers 200 with what it should show."""
    headers = {"User-Agent": USER_AGENT, "Accept-Language": "vi"}
    if scenario.cookie:
        headers["Cookie"] = scenario.cookie
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    path = scenario.paths(random.Random(0))
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    if response.status != 200 or scenario.marker not in body:
        raise RuntimeError(
            f"{scenario.name}: GET {path} answered {response.status}"
            f" {'without' if scenario.marker not in body else 'with'} {scenario.marker!r}"
        )


# --- Report -------------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    lines = [
        "| scenario | request | requests | errors | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        lines.append(
            f"| {r.scenario.name} | `{r.scenario.shown_path}` | {r.requests} | {r.errors} "
            f"| {r.requests / r.seconds:.1f} | {r.percentile(50):.0f} | {r.percentile(95):.0f} "
            f"| {r.percentile(99):.0f} |"
        )
    return "\n".join(lines)


def cpu_table(results: list[Result]) -> str:
    lines = [
        "| scenario | app CPU ms/req | DB CPU ms/req | client CPU ms/req | machine CPU busy | "
        "other processes |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        if not r.cpu or not r.requests or not r.cpu["total"]:
            continue
        c = r.cpu
        other = max(0.0, c["busy"] - c["app"] - c["db"] - c["client"])
        lines.append(
            f"| {r.scenario.name} | {c['app'] / r.requests * 1000:.1f} "
            f"| {c['db'] / r.requests * 1000:.1f} | {c['client'] / r.requests * 1000:.1f} "
            f"| {c['busy'] / c['total'] * 100:.0f} % | {other / c['total'] * 100:.0f} % |"
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


def report(args, data: Dataset, results: list[Result], command: str, loads) -> str:
    facts = machine()
    statuses = ", ".join(f"{s} {c}" for s, c in sorted(data.statuses.items()))
    errors = [
        f"- {r.scenario.name}: statuses {dict(r.statuses)}, failures {dict(r.failures)}"
        for r in results
        if r.errors
    ]
    return "\n".join(
        [
            "# Load benchmark results",
            "",
            f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- command: `{command}`",
            f"- machine: {facts['nproc']} CPUs ({facts['cpu']}), {facts['memory']} RAM, "
            f"{facts['os']}",
            f"- Python {facts['python']}, PostgreSQL {data.postgres_version}",
            f"- dataset: database `{database_name(args.database_url)}`, "
            f"{len(data.entry_ids)} entries of one competition ({statuses}), "
            f"{data.applicants} applicants; {len(data.project_ids)} supported projects with "
            f"{data.reports} progress reports",
            f"- server: gunicorn, {args.workers} sync workers, on the same machine as the "
            "database and the load generator",
            f"- load: {args.concurrency} concurrent clients (closed loop), {args.duration:g} s "
            f"per scenario after a {args.warmup:g} s warm-up",
            f"- 1-minute load average: {loads[0]:.2f} before the run, {loads[1]:.2f} at its end "
            "(other work on the machine skews the results)",
            *(
                [
                    f"- figures' cache: {args.figures_cache}"
                    + (
                        f"; a login every {args.logins_every:g} s during each measurement ("
                        + ", ".join(f"{r.scenario.name[0]}: {r.logins}" for r in results)
                        + ")"
                        if args.logins_every
                        else ""
                    )
                ]
                if args.figures_cache
                else []
            ),
            "",
            table(results),
            "",
            "Latency is measured by the client from sending the request to reading the whole "
            "response; errors are answers other than 200 and failed connections.",
            "",
            "CPU time used during each measured window (from /proc), per request: by the gunicorn "
            "master and workers (app), by the PostgreSQL backends of this database (DB) and by the "
            "load generator (client); then how busy the machine's CPUs were, and the share taken "
            "by other processes: PostgreSQL's parallel query workers count there (they live "
            "for less than a request), anything else means the run was disturbed.",
            "",
            cpu_table(results),
            *(["", "Errors:", *errors] if errors else []),
            "",
        ]
    )


# --- Main ---------------------------------------------------------------------------------------


FIGURES = "/figures?from=2024&to=2026"
REPORT = "/figures/report?from=2024&to=2026"


def scenarios(data: Dataset, cookie: str, chosen: set[str]) -> list[Scenario]:
    c = data.competition_id
    listing = f"/competitions/{c}/entries"
    filtered = f"{listing}?status=submitted&sort=title&category={data.category_id}"
    search = f"{listing}?q=ruou"
    ids = data.entry_ids
    all_ = [
        Scenario("a. list, filtered and sorted", filtered, lambda rng: filtered, cookie, "DB-"),
        Scenario("b. list, search ?q=ruou", search, lambda rng: search, cookie, "ượu"),
        Scenario(
            "c. entry detail (organiser)",
            "/entries/<random id>",
            lambda rng: f"/entries/{rng.choice(ids)}",
            cookie,
            "DB-",
        ),
        Scenario(
            "d. public competition page",
            f"/competitions/{c}",
            lambda rng: f"/competitions/{c}",
            None,
            "Vòng sơ khảo",
        ),
        Scenario(
            "e. follow-up list (projects)",
            "/projects/follow-up",
            lambda rng: "/projects/follow-up",
            cookie,
            "Theo dõi dự án được hỗ trợ",
        ),
        Scenario(
            "f. a project's page (organiser)",
            "/projects/<random id>",
            lambda rng: f"/projects/{rng.choice(data.project_ids)}",
            cookie,
            "Báo cáo tiến độ",
        ),
        Scenario(
            "g. the union's figures, 2024–2026",
            FIGURES,
            lambda rng: FIGURES,
            cookie,
            'id="figure-entries"',
        ),
        Scenario(
            "h. the term report, 2024–2026",
            REPORT,
            lambda rng: REPORT,
            cookie,
            'id="report-entries"',
        ),
    ]
    return [s for s in all_ if s.name[0] in chosen]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per scenario")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before each scenario")
    parser.add_argument(
        "--max-requests", type=int, default=100_000, help="upper bound per scenario"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--scenarios", default="abcdef", help="which scenarios, e.g. ab, or gh")
    parser.add_argument(
        "--figures-cache",
        default="",
        help="a Redis URL for the figures' cache (FIGURES_CACHE_URL); none: computed every view",
    )
    parser.add_argument(
        "--logins-every",
        type=float,
        default=0.0,
        help="seconds between logins made beside the load (each one writes to the database)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--results", type=Path, default=RESULTS, help="Markdown file to write")
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 256 or not 0 < args.duration <= 600 or args.warmup < 0:
        parser.error("concurrency 1-256, duration up to 600 s, warm-up 0 or more")
    if args.logins_every < 0 or 0 < args.logins_every < 1:
        parser.error("--logins-every: 1 second or more (0: none)")
    command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])

    def interrupted(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, interrupted)
    data = read_dataset(args.database_url)
    before = os.getloadavg()[0]
    if before > 0.5 * (os.cpu_count() or 1):
        print(f"warning: the machine is busy (load average {before:.2f}); results may be skewed")
    with tempfile.TemporaryFile() as log:
        results = measure(args, data, log)
    text = report(args, data, results, command, (before, os.getloadavg()[0]))
    print()
    print(table(results))
    print()
    print(cpu_table(results))
    args.results.write_text(text, encoding="utf-8")
    print(f"\nwritten to {args.results}")
    return 0


def measure(args, data: Dataset, log) -> list[Result]:
    """Start gunicorn, log in, run every scenario; gunicorn is stopped whatever happens."""
    port = free_port()
    process = start_gunicorn(args.database_url, port, args.workers, log, args.figures_cache)
    results: list[Result] = []
    failed = True
    try:
        wait_healthy(port, process)
        print(f"gunicorn ({args.workers} workers) up on {HOST}:{port}")
        browser = Browser(port)
        log_in(browser, ORGANISER_EMAIL, ORGANISER_PASSWORD)
        cookie = browser.cookie_header()
        print(f"logged in as {ORGANISER_EMAIL}")
        meter = CpuMeter(process.pid, database_name(args.database_url))
        for scenario in scenarios(data, cookie, set(args.scenarios)):
            check(port, scenario)
            if args.warmup:
                run_load(
                    port, scenario, args.concurrency, args.warmup, args.max_requests, 0, 10, None
                )
            logins = Logins(port, args.logins_every) if args.logins_every else None
            if logins:
                logins.start()
            result = run_load(
                port,
                scenario,
                args.concurrency,
                args.duration,
                args.max_requests,
                args.seed,
                args.timeout,
                meter,
            )
            if logins:
                result.logins = logins.stop()
            results.append(result)
            print(
                f"{scenario.name}: {result.requests} requests, {result.errors} errors, "
                f"{result.requests / result.seconds:.1f} req/s, "
                f"p50 {result.percentile(50):.0f} ms, p95 {result.percentile(95):.0f} ms, "
                f"p99 {result.percentile(99):.0f} ms"
                + (f" ({result.logins} logins beside)" if logins else ""),
                flush=True,
            )
        failed = False
    finally:
        stop_gunicorn(process)
        log.seek(0)
        server_log = log.read().decode("utf-8", "replace")
        tracebacks = server_log.count("Traceback")
        if failed or tracebacks:
            print(f"--- gunicorn log (last lines; {tracebacks} tracebacks) ---", file=sys.stderr)
            print("\n".join(server_log.splitlines()[-40:]), file=sys.stderr)
    return results


if __name__ == "__main__":
    sys.exit(main())
