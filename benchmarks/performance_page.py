"""`make bench` (web): the aggregate pages under 50 concurrent users, two web processes, PostgreSQL.

What it measures: the response time of ``/services/<id>/performance/`` (one service), of
``/services/<id>/performance/?with=…`` (the comparison: a partnership of 4 services) and of
``/services/<id>/analysis/?by=ethnicity`` (the analysis page by ethnicity), of
``/services/<id>/disproportionality/`` (its default view) and of ``/services/<id>/compare/``
(the national comparison on the SYNTHETIC national table of about 155 areas), as seen by a load generator in
this process talking HTTP to ``--servers`` (default 2) ``reoffkit serve`` processes (waitress, 8
threads each) on 127.0.0.1, each user keeping to one of them as a load balancer with sticky sessions
would — so the server time plus loopback and the wait for a free waitress thread. The database is
PostgreSQL (a fresh database ``reoffkit_bench_page`` on 127.0.0.1:5432, dropped at the end; override
with ``--database-url``) or, with ``--database sqlite``, a fresh SQLite file.

Data: 4 services at the per-service density of the 10× national benchmark data
(``benchmarks/run.py``: 155 services × 26 × 10 new children a quarter, 16 quarters of entrants,
≈742,000 cohort entries in 12 quarters), anchored on today so there are completed cohorts and
cohorts still in follow-up. They are loaded into a fresh SQLite database in a temporary folder
with the services, one manager with access to all 4 and the shipped reference figures (migrations).
The children's records go in with the ORM's ``bulk_create`` (the default; benchmark set-up only:
the same rows, with one audit event per service instead of one per row) or, with ``--loader
actions``, through ``reoffkit.web.spreadsheets.loading.load_case_frames`` (the product path: each record
validated and audited; about 3 minutes at full size on 2 CPUs, against 8–13 s for bulk_create).

Phases, in order:

1. **first request** of each view after the server started (imports and template loading included);
2. **cold**: the report recomputed — before each repetition a manager changes a setting of the first
   service (an audited write to it), which makes every cached page including that service stale
   (the cache is keyed on the newest data-changing audit event of the page's services); each view
   is then requested once, alone;
3. **warm**: one user alone makes 5 requests, one at a time (the server time without contention);
   then 20 users (threads, one keep-alive connection and session each) make 10 requests
   each to one view at once, no think time; then the same for the other view;
4. **burst after a write**: a settings change makes the cache stale, then the 20 users request the
   view at once (one waitress thread computes the page; the others wait for it).

Options: ``--quick`` (a quarter of the density, 5 users: a smoke run of under a minute),
``--users N`` (default 50), ``--requests N``, ``--cold N`` (cold repetitions), ``--loader actions|bulk``,
``--threads N`` (waitress), ``--servers N`` (web processes), ``--database postgres|sqlite``,
``--page NAME=PATH`` (another page, e.g. ``--page "disproportionality=/services/{id}/disproportionality/"``),
``--keep`` (keep the temporary folder and print its path), ``--only NAME`` (time only that view, e.g.
``--only "national comparison" --users 20``: its own target's conditions; not written to the docs),
``--baseline DIR`` (a checkout of other code, e.g. ``git archive <commit> | tar -x -C DIR``: as many
web processes of it are started on the same database, and the warm phase of each view is run
against both, interleaved — baseline, this code, this code, baseline — and compared; not written
to the docs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import math
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from run import CHILDREN_PER_QUARTER, QUARTERS, SERVICES, write_doc  # noqa: E402  (the national benchmark's sizes)

SCALE = 10  # the "10×" national benchmark data
NATIONAL_10X_ENTRIES = 742_488  # docs/benchmarks.md: cohort entries of the 10× data (155 services, 12 quarters)
NAMES = [f"Service {i:03d}" for i in range(4)]  # the first 4 services of the national data (same districts)
USERNAME = "bench.manager"
ALONE_REQUESTS = 5  # warm requests by one user alone, before the concurrent run
TARGET_P95 = 0.3  # seconds, each page, warm, 50 concurrent users, PostgreSQL, two web processes
TARGET_USERS = 50
DATABASE_NAME = "reoffkit_bench_page"  # its own database: never the plain reoffkit name CI uses
HOST = "127.0.0.1"


# ---- Data --------------------------------------------------------------------------------------


def make_frames(today: dt.date, density: float):
    """The 4 services' synthetic records: 16 quarters of entrants up to today's quarter, as run.py
    makes them (12 quarters plus a year of earlier entrants), at ``density`` × the 10× density."""
    from reoffkit.engine.rules import quarter_of
    from reoffkit.synthetic import generate, services_named

    quarters = QUARTERS + 4
    first = quarter_of(today) - quarters + 1
    frames = generate(
        services_named(NAMES, seed=1),
        first_quarter=first,
        quarters=quarters,
        children_per_quarter=CHILDREN_PER_QUARTER * SCALE * density,
        as_at=today,
        seed=SCALE * 10,
    )
    return frames, first, quarters


def count_entries(frames, first: int, quarters: int, today: dt.date) -> tuple[int, int]:
    """Cohort entries in the page's window (all ``quarters``) and in the last 12 (as run.py counts)."""
    from reoffkit.engine import CountingRules, Period, entry_table

    def entries(period):
        return entry_table(frames["people"], frames["outcomes"], frames["assessments"], period=period, rules=CountingRules(), as_at=today).height

    return entries(Period(first, quarters)), entries(Period(first + quarters - QUARTERS, QUARTERS))


def frames_of(frames, name: str):
    import polars as pl

    people = frames["people"].filter(pl.col("service") == name)
    ids = people["person_id"].implode()
    return {"people": people, **{k: frames[k].filter(pl.col("person_id").is_in(ids)) for k in ("outcomes", "assessments", "actions")}}


def fresh_postgres(url: str) -> None:
    """Drop and create the benchmark's own PostgreSQL database named in ``url``."""
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    if name == "reoffkit":
        raise SystemExit("the benchmark never uses the database named reoffkit (CI's)")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_postgres(url: str) -> None:
    import psycopg

    parsed = urllib.parse.urlparse(url)
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (parsed.path.lstrip("/"),))
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}"')


def setup_database(data_dir: Path, frames, loader: str, database_url: str | None) -> tuple[str, list[int], float]:
    """A fresh database (PostgreSQL at ``database_url``, else SQLite in ``data_dir``): the 4
    services, one manager, the records."""
    os.environ["REOFFKIT_ENV"] = "demo"
    os.environ["REOFFKIT_DATA_DIR"] = str(data_dir)
    os.environ["REOFFKIT_HTTPS"] = "false"
    if database_url:
        fresh_postgres(database_url)
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    from reoffkit.web.server import prepare_database_and_static, setup_django

    setup_django()
    prepare_database_and_static()
    from reoffkit.demo import demo_name
    from reoffkit.web.tracker import actions
    from reoffkit.web.spreadsheets.loading import load_case_frames

    services = [actions.create_service(by="benchmark", name=name) for name in NAMES]
    password = secrets.token_urlsafe(18)
    manager = actions.create_staff_user(by="benchmark", username=USERNAME, password=password, role="manager", services=services)
    started = time.perf_counter()
    for service in services:
        mine = frames_of(frames, service.name)
        if loader == "actions":
            load_case_frames(by=manager, service=service, frames=mine, name_for=demo_name, owner_for=lambda owner: manager)
        else:
            bulk_load(manager, service, mine)
    # The national comparison page's data: the demo's SYNTHETIC national table (about 155 areas ×
    # 12 quarterly cohorts and 3 years), the first service placed as its first fictional service.
    from reoffkit.reference.synthetic_national import synthetic_national
    from reoffkit.web.compare.actions import load_figures, set_service_comparison

    national = synthetic_national(as_at=dt.date.today())
    load_figures(by="benchmark", data=national, title="SYNTHETIC national table (benchmark)", publisher="reoffkit")
    set_service_comparison(by=manager, service=services[0], area_code=national.areas[0].area_code, rag_against="country:England and Wales")
    return password, [s.pk for s in services], time.perf_counter() - started


def bulk_load(manager, service, frames) -> None:
    """The rows ``load_case_frames`` would make, inserted with ``bulk_create`` (no per-row
    validation or audit event; one audit event for the lot). Benchmark set-up only."""
    from django.db import transaction

    from reoffkit.demo import demo_name
    from reoffkit.web.tracker import actions
    from reoffkit.web.tracker.models import Assessment, Outcome, ReviewAction, YoungPerson

    batch = 2000
    with transaction.atomic():
        districts = {d.name: d for d in service.districts.all()}
        for name in sorted(set(frames["people"]["district"].drop_nulls().to_list()) - set(districts)):
            districts[name] = actions.add_district(by=manager, service=service, name=name)
        people = []
        for row in frames["people"].iter_rows(named=True):
            first, last = demo_name(row["person_id"])
            people.append(
                YoungPerson(
                    service=service,
                    local_id=row["person_id"],
                    pnc_id=row["pnc_id"] or "",
                    first_name=first,
                    last_name=last,
                    date_of_birth=row["date_of_birth"],
                    sex=row["sex"] or "not known",
                    ethnicity=row["ethnicity"] or "Not known",
                    looked_after=bool(row["looked_after"]),
                    district=districts.get(row["district"]) if row["district"] else None,
                    yot_caseload=row["yot_caseload"] is not False,
                )
            )
        YoungPerson.objects.bulk_create(people, batch_size=batch)
        pk = dict(YoungPerson.objects.filter(service=service).values_list("local_id", "pk"))
        Outcome.objects.bulk_create(
            (
                Outcome(
                    person_id=pk[row["person_id"]],
                    offence_date=row["offence_date"],
                    outcome_date=row["outcome_date"],
                    outcome_type=row["outcome_type"],
                    release_date=row["release_date"],
                    offence_type=row["offence_type"] or "",
                    gravity=row["gravity"],
                    breach=bool(row["breach"]),
                    recorded_on=row["recorded_on"] or row["outcome_date"] or row["offence_date"],
                )
                for row in frames["outcomes"].sort("offence_date", "outcome_id").iter_rows(named=True)
            ),
            batch_size=batch,
        )
        Assessment.objects.bulk_create(
            (
                Assessment(
                    person_id=pk[row["person_id"]],
                    assessment_date=row["assessment_date"],
                    tool=row["tool"],
                    score=None if row["score"] is None else Decimal(str(round(row["score"], 1))),
                    likelihood_band=row["likelihood_band"],
                    intervention_level=row["intervention_level"],
                )
                for row in frames["assessments"].iter_rows(named=True)
            ),
            batch_size=batch,
        )
        ReviewAction.objects.bulk_create(
            (
                ReviewAction(
                    person_id=pk[row["person_id"]],
                    raised_on=row["raised_on"],
                    trigger=row["trigger"],
                    action=row["action"],
                    status=row["status"],
                    owner=manager,
                    raised_by=manager,
                    due_on=row["due_on"],
                    completed_on=row["completed_on"] if row["status"] == "completed" else None,
                    notes=row["notes"] or "",
                )
                for row in frames["actions"].iter_rows(named=True)
            ),
            batch_size=batch,
        )
        actions.audit(
            by=manager,
            verb="import",
            service=service,
            object_type="young_person",
            summary=f"Benchmark set-up: bulk-loaded {len(people)} young people and their records",
        )


def breakdown(service_ids: list[int], today: dt.date, repeat: int = 2) -> dict[str, dict[str, float]]:
    """Where one page's time goes, measured in this process (no server, one thread): reading the
    records into frames, computing the report (the part the cache saves), building the charts'
    Altair specifications and drawing them as SVG (all four saved by the cache since the charts are drawn with the report). Best of ``repeat``."""
    from reoffkit.charts.performance import performance_charts
    from reoffkit.reports.performance import performance_report
    from reoffkit.web.performance import queries as performance_queries
    from reoffkit.web.tracker import queries
    from reoffkit.web.tracker.models import Service

    result = {}
    for name, ids in (("one service", service_ids[:1]), ("4-service partnership", service_ids)):
        services = list(Service.objects.filter(pk__in=ids).order_by("pk"))
        best: dict[str, float] = {}
        for _ in range(repeat):
            times = {}
            started = time.perf_counter()
            frames = queries.service_frames(services)
            figures = performance_queries.reference_figures()
            times["frames"] = time.perf_counter() - started
            started = time.perf_counter()
            report = performance_report(
                frames.people, frames.outcomes, frames.assessments, areas=[s.name for s in services], as_at=today, rules=services[0].counting_rules(), figures=figures
            )
            times["report"] = time.perf_counter() - started
            started = time.perf_counter()
            charts = performance_charts(report)
            times["specs"] = time.perf_counter() - started
            started = time.perf_counter()
            for chart in charts.values():
                chart.svg()
            times["svg"] = time.perf_counter() - started
            times["charts"] = len(charts)
            best = {k: min(v, best.get(k, v)) for k, v in times.items()}
        result[name] = best
    return result


# ---- Server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, threads: int, source: Path | None = None) -> subprocess.Popen:
    """``reoffkit serve`` (migrate, collectstatic, waitress) on the benchmark database; the code of
    the checkout ``source`` (its ``src`` first on the path) when given."""
    env = {**os.environ, "REOFFKIT_ENV": "demo", "REOFFKIT_DATA_DIR": str(data_dir), "REOFFKIT_HTTPS": "false"}  # DATABASE_URL as set up
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source / "src"), env.get("PYTHONPATH", "")]))
    log = open(data_dir / f"server-{port}.log", "wb")
    command = [sys.executable, "-m", "reoffkit.cli", "serve", "--host", HOST, "--port", str(port), "--threads", str(threads)]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode}):\n{(data_dir / f'server-{port}.log').read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer within 120 s:\n{(data_dir / f'server-{port}.log').read_text()[-3000:]}")


def stop_server(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)  # its own session, started above: the server and nothing else
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=15)


def cpu_seconds_of(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ---- Load generator ----------------------------------------------------------------------------


class Client:
    """One user: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=600)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes, float]:
        headers = {"Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # waitress closes a keep-alive connection left idle for 2 minutes; reconnect once
                # (the request was never answered) and time the new attempt alone.
                self.connection.close()
                if attempt == 2:
                    raise
                continue
            data = response.read()
            seconds = time.perf_counter() - started
            break
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.will_close:
            self.connection.close()
        return response.status, data, seconds

    def login(self, username: str, password: str) -> None:
        status, page, _ = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise SystemExit(f"GET /login/ gave {status} without a CSRF token")
        status, _, _ = self.request("POST", "/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1).decode()})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"logging in as {username} failed (status {status})")

    def close(self) -> None:
        self.connection.close()


REFRESHING = b'http-equiv="refresh"'  # a page still waiting for its background job (the analysis)


def until_ready(client: "Client", path: str, expect: list[bytes], limit: float = 300) -> tuple[int, bytes, float]:
    """Request ``path`` until it is the finished page (not one refreshing while a background job
    computes it), as a browser following the refresh would; the time from the first request."""
    started = time.perf_counter()
    while True:
        status, body, _ = client.request("GET", path)
        if status != 200 or REFRESHING not in body or time.perf_counter() - started > limit:
            return status, body, time.perf_counter() - started
        time.sleep(0.2)


def check(status: int, body: bytes, expect: list[bytes]) -> None:
    if status != 200 or not all(e in body for e in expect) or (len(expect) > 1 and REFRESHING in body):
        raise SystemExit(f"unexpected response {status} ({len(body):,} bytes): {body[:300]!r}")


def concurrent(clients: list[Client], path: str, requests: int, expect: list[bytes]) -> tuple[list[float], float]:
    """Every client makes ``requests`` requests to ``path`` at once; the per-request times and the
    wall time of the whole run."""
    times: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)

    def user(client: Client) -> None:
        mine = []
        try:
            barrier.wait()
            for _ in range(requests):
                status, body, seconds = client.request("GET", path)
                check(status, body, expect)
                mine.append(seconds)
        except BaseException as error:  # reported below, after every thread has finished
            errors.append(error)
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=user, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} user(s) failed; the first: {errors[0]!r}")
    return times, wall


def warm_pair(path: str, expect: list[bytes], *, requests: int, this: tuple, baseline: tuple) -> dict[str, dict]:
    """The warm phase against the baseline's servers and this code's, interleaved (baseline, this,
    this, baseline), each side's requests and server CPU added up over its two turns."""
    sides = {"baseline": baseline, "this code": this}
    found = {side: {"warm": [], "alone": [], "wall": 0.0, "server_cpu": 0.0} for side in sides}
    for side in ("baseline", "this code", "this code", "baseline"):
        servers, clients, probes = sides[side]
        for other in probes:
            check(*until_ready(other, path, expect)[:2], expect)
        for _ in range(ALONE_REQUESTS):
            status, body, seconds = probes[0].request("GET", path)
            check(status, body, expect)
            found[side]["alone"].append(seconds)
        cpu_before = sum(cpu_seconds_of(server.pid) for server in servers)
        times, wall = concurrent(clients, path, requests, expect)
        found[side]["server_cpu"] += sum(cpu_seconds_of(server.pid) for server in servers) - cpu_before
        found[side]["warm"] += times
        found[side]["wall"] += wall
        found[side].setdefault("load", []).append(os.getloadavg()[0])
    return found


def print_comparison(compared: dict[str, dict[str, dict]], *, users: int, baseline: Path) -> None:
    print()
    print(f"Baseline ({baseline}) against this code, warm, interleaved (baseline, this, this, baseline), {users} users:")
    header = ("view", "code", "warm alone median", "warm p50", "warm p95", "requests/s", "server CPU ms/request", "load average (1 min) after each turn")
    rows = []
    for name, sides in compared.items():
        for side, r in sides.items():
            rows.append((name, side, ms(statistics.median(r["alone"])), ms(percentile(r["warm"], 50)), ms(percentile(r["warm"], 95)),
                         f"{len(r['warm']) / r['wall']:.1f}", f"{1000 * r['server_cpu'] / len(r['warm']):,.1f}", " / ".join(f"{x:.1f}" for x in r["load"])))
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    for line in (header, *rows):
        print("  ".join(str(cell).rjust(width) if i > 1 else str(cell).ljust(width) for i, (cell, width) in enumerate(zip(line, widths))))
    for name, sides in compared.items():
        before, after = sides["baseline"], sides["this code"]
        cpu = (before["server_cpu"] / len(before["warm"])) / (after["server_cpu"] / len(after["warm"]))
        p95 = percentile(before["warm"], 95) / percentile(after["warm"], 95)
        print(f"  {name}: baseline ÷ this code — server CPU per request {cpu:.1f}×, p95 {p95:.1f}×.")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(len(ordered) * p / 100) - 1))] if ordered else float("nan")


def ms(seconds: float) -> str:
    return f"{1000 * seconds:,.0f} ms"


# ---- Main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: a quarter of the density, 5 users, 3 requests each, 2 cold repetitions")
    parser.add_argument("--users", type=int, default=None, help="concurrent users (default 50; 5 with --quick)")
    parser.add_argument("--requests", type=int, default=None, help="warm requests per user and view (default 10; 3 with --quick)")
    parser.add_argument("--cold", type=int, default=None, help="cold repetitions per view (default 5; 2 with --quick)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (default 8, as reoffkit serve)")
    parser.add_argument(
        "--loader", choices=["actions", "bulk"], default=None, help="load the records through the actions (the product path) or with bulk_create (default: bulk)"
    )
    parser.add_argument("--servers", type=int, default=2, help="web processes (reoffkit serve), users shared between them (default 2)")
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres", help="PostgreSQL (default) or SQLite")
    parser.add_argument("--database-url", default=f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}", help="the PostgreSQL database to create, use and drop")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite the figures in docs/benchmarks.md")
    parser.add_argument("--page", action="append", default=[], help="another page to time, NAME=PATH ({id}: the first service; {others}: with=… of the other three)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, server log) and print where it is")
    parser.add_argument("--only", action="append", default=[], help="time only this view (by name, e.g. --only 'national comparison'; repeatable)")
    parser.add_argument("--baseline", type=Path, default=None, help="a checkout of other code: its warm phase is run too, interleaved with this code's, and compared")
    arguments = parser.parse_args()
    density = 0.25 if arguments.quick else 1.0
    users = arguments.users or (5 if arguments.quick else TARGET_USERS)
    database_url = None if arguments.database == "sqlite" else arguments.database_url
    requests = arguments.requests or (3 if arguments.quick else 10)
    cold_runs = arguments.cold or (2 if arguments.quick else 5)
    loader = arguments.loader or "bulk"

    def terminated(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminated)
    today = dt.date.today()
    load_before = os.getloadavg()
    print(
        f"Performance page benchmark, as at {today}: {os.cpu_count()} CPU(s), load average {load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f} (1 / 5 / 15 min); "
        f"{users} users × {requests} warm requests per view, no think time; {arguments.servers} web process(es), waitress with {arguments.threads} threads each; "
        f"{'PostgreSQL' if database_url else 'SQLite'}; {'QUICK: ' if arguments.quick else ''}"
        f"{density:g} × the 10× national density.",
        flush=True,
    )
    data_dir = Path(tempfile.mkdtemp(prefix="reoffkit-performance-bench-"))
    servers: list[subprocess.Popen] = []
    baseline_servers: list[subprocess.Popen] = []
    clients: list[Client] = []
    probes: list[Client] = []
    baseline_clients: list[Client] = []
    baseline_probes: list[Client] = []
    compared: dict[str, dict[str, dict]] = {}
    try:
        started = time.perf_counter()
        frames, first, quarters = make_frames(today, density)
        generate_seconds = time.perf_counter() - started
        window_entries, last12_entries = count_entries(frames, first, quarters, today)
        sizes = {name: frames[name].height for name in ("people", "outcomes", "assessments", "actions")}
        national_per_service = NATIONAL_10X_ENTRIES / SERVICES
        print(
            f"Data: {len(NAMES)} services, {quarters} quarters of entrants; {sizes['people']:,} children, {sizes['outcomes']:,} outcomes, "
            f"{sizes['assessments']:,} assessments, {sizes['actions']:,} review actions; {window_entries:,} cohort entries in the page's "
            f"{quarters}-quarter window, {last12_entries:,} in the last {QUARTERS} quarters ({last12_entries / len(NAMES):,.0f} a service; "
            f"the 10× national data: {national_per_service:,.0f} a service). Generated in {generate_seconds:.1f} s.",
            flush=True,
        )
        password, service_ids, load_seconds = setup_database(data_dir, frames, loader, database_url)
        how = "load_case_frames (the product path: validated and audited)" if loader == "actions" else "bulk_create (benchmark set-up only, not the product path)"
        print(f"Loaded into {'PostgreSQL' if database_url else 'SQLite'} in {load_seconds:.1f} s with {how}.", flush=True)

        parts = {} if arguments.quick or arguments.only else breakdown(service_ids, today)  # (a quick or --only run skips it: it draws every chart twice)
        if parts:
            print(
                "Where the time goes (in this process, one thread, best of 2): "
                + "; ".join(f"{name}: frames {ms(p['frames'])}, report {ms(p['report'])}, chart specs {ms(p['specs'])}, SVG {ms(p['svg'])}" for name, p in parts.items()),
                flush=True,
            )

        started = time.perf_counter()
        ports = [free_port() for _ in range(arguments.servers)]
        for port in ports:
            servers.append(start_server(data_dir, port, arguments.threads))
        print(f"{len(servers)} server(s) (reoffkit serve: waitress, {arguments.threads} threads) up on ports {', '.join(map(str, ports))} in {time.perf_counter() - started:.1f} s.", flush=True)
        baseline_ports = [free_port() for _ in range(arguments.servers)] if arguments.baseline else []
        for port in baseline_ports:
            baseline_servers.append(start_server(data_dir, port, arguments.threads, source=arguments.baseline.resolve()))
        if baseline_ports:
            print(f"{len(baseline_servers)} baseline server(s) ({arguments.baseline}) up on ports {', '.join(map(str, baseline_ports))}.", flush=True)

        views = {
            "one service": (f"/services/{service_ids[0]}/performance/", [b"Performance against projected national averages", NAMES[0].encode()]),
            "4-service partnership": (
                f"/services/{service_ids[0]}/performance/?" + "&".join(f"with={pk}" for pk in service_ids[1:]),
                [b"Partnership of"] + [name.encode() for name in NAMES],
            ),
            "analysis by ethnicity": (f"/services/{service_ids[0]}/analysis/?by=ethnicity", [b"What drove reoffending in a completed cohort", b"Ethnicity"]),
            "disproportionality": (f"/services/{service_ids[0]}/disproportionality/", [b"Ethnic disproportionality at every stage", b"Every stage, every group", NAMES[0].encode()]),
            "national comparison": (f"/services/{service_ids[0]}/compare/?figures=synthetic", [b"National comparison", b"funnel_binary", b"SYNTHETIC"]),
        }
        for extra in arguments.page:  # NAME=PATH, {id} for the first service, {others} for with=… of the other three
            name, path = extra.split("=", 1)
            others = "&".join(f"with={pk}" for pk in service_ids[1:])
            views[name] = (path.format(id=service_ids[0], others=others), [NAMES[0].encode()])
        if arguments.only:
            unknown = [name for name in arguments.only if name not in views]
            if unknown:
                raise SystemExit(f"--only: no view called {', '.join(map(repr, unknown))} (expected one of {', '.join(map(repr, views))})")
            views = {name: view for name, view in views.items() if name in arguments.only}
        # Every user signs in first (sign-ins are audited but do not make cached pages stale).
        started = time.perf_counter()
        clients = [Client(ports[i % len(ports)]) for i in range(users)]
        for client in clients:
            client.login(USERNAME, password)
        probes = [Client(port) for port in ports]  # one user alone per web process
        for probe in probes:
            probe.login(USERNAME, password)
        probe = probes[0]
        baseline_clients = [Client(baseline_ports[i % len(baseline_ports)]) for i in range(users)] if baseline_ports else []
        baseline_probes = [Client(port) for port in baseline_ports]
        for client in baseline_clients + baseline_probes:
            client.login(USERNAME, password)
        print(f"{users + 1} sessions signed in through the login form in {time.perf_counter() - started:.1f} s.", flush=True)

        def invalidate() -> None:
            """A manager changes the first service's settings (an audited write to it): every cached
            page that includes that service is stale. (Sign-ins and views do not change reports.)"""
            from reoffkit.web.tracker import actions
            from reoffkit.web.tracker.models import Service
            from django.contrib.auth import get_user_model

            service = Service.objects.get(pk=service_ids[0])
            manager = get_user_model().objects.get(username=USERNAME)
            actions.update_service_settings(by=manager, service=service, action_days=15 if service.action_days == 14 else 14)

        results: dict[str, dict] = {name: {} for name in views}
        for name, (path, expect) in views.items():
            status, body, seconds = until_ready(probe, path, expect)
            check(status, body, expect)
            results[name]["first"] = seconds
            results[name]["bytes"] = len(body)
            for other in probes[1:]:  # the other processes' first requests are not measured
                check(*until_ready(other, path, expect)[:2], expect)
        print("First requests: " + "; ".join(f"{name} {ms(r['first'])}" for name, r in results.items()), flush=True)

        for name in views:
            results[name]["cold"] = []
        for _ in range(cold_runs):
            invalidate()
            for name, (path, expect) in views.items():
                for other in probes:
                    status, body, seconds = until_ready(other, path, expect)  # a job's page: until it is finished
                    check(status, body, expect)
                    results[name]["cold"].append(seconds)
        print("Cold (after a write, alone): " + "; ".join(f"{name} median {ms(statistics.median(r['cold']))}" for name, r in results.items()), flush=True)

        for name, (path, expect) in views.items():
            alone = []
            for other in probes:  # every process's cache is warm before the concurrent run
                check(*until_ready(other, path, expect)[:2], expect)
            for _ in range(ALONE_REQUESTS):  # cached by the last cold run: one user, one request at a time
                status, body, seconds = probe.request("GET", path)
                check(status, body, expect)
                alone.append(seconds)
            results[name]["alone"] = alone
            cpu_before, client_cpu_before = sum(cpu_seconds_of(server.pid) for server in servers), time.process_time()
            times, wall = concurrent(clients, path, requests, expect)
            results[name].update(
                warm=times,
                wall=wall,
                server_cpu=sum(cpu_seconds_of(server.pid) for server in servers) - cpu_before,
                client_cpu=time.process_time() - client_cpu_before,
            )
            print(f"Warm, {users} users: {name} p50 {ms(percentile(times, 50))}, p95 {ms(percentile(times, 95))}.", flush=True)
            if baseline_ports:
                compared[name] = warm_pair(path, expect, requests=requests, this=(servers, clients, probes), baseline=(baseline_servers, baseline_clients, baseline_probes))

        for name, (path, expect) in views.items():
            invalidate()
            times, wall = concurrent(clients, path, 1, expect[:1])  # a job's page may still be refreshing: the heading only
            results[name]["burst"] = times
            print(f"Burst after a write, {users} users at once: {name} p50 {ms(percentile(times, 50))}, max {ms(max(times))}.", flush=True)
        server_peak = sum(peak_rss_mb(server.pid) for server in servers)
    finally:
        for client in clients + probes + baseline_clients + baseline_probes:
            client.close()
        for server in servers + baseline_servers:
            stop_server(server)
        if database_url and not arguments.keep:
            drop_postgres(database_url)
        if arguments.keep:
            print(f"Kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)

    load_after = os.getloadavg()
    header = ("view", "page size", "first request", f"cold median / max (n={cold_runs})", f"warm alone median (n={ALONE_REQUESTS})", f"warm p50 ({users} users)", "warm p95", "warm max", "requests/s", "server CPU ms/request", f"burst after a write p50 / max ({users} at once)")
    rows = []
    for name, r in results.items():
        warm = r["warm"]
        rows.append(
            (
                name,
                f"{r['bytes'] / 1024:,.0f} KB",
                ms(r["first"]),
                f"{ms(statistics.median(r['cold']))} / {ms(max(r['cold']))}",
                ms(statistics.median(r["alone"])),
                ms(percentile(warm, 50)),
                ms(percentile(warm, 95)),
                ms(max(warm)),
                f"{len(warm) / r['wall']:.1f}",
                f"{1000 * r['server_cpu'] / len(warm):,.0f}",
                f"{ms(percentile(r['burst'], 50))} / {ms(max(r['burst']))}",
            )
        )
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    print()
    for line in (header, *rows):
        print("  ".join(str(cell).rjust(width) if i else str(cell).ljust(width) for i, (cell, width) in enumerate(zip(line, widths))))
    print()
    print(f"Data: {sizes['people']:,} children, {sizes['outcomes']:,} outcomes, {window_entries:,} cohort entries in {len(NAMES)} services ({density:g} × the 10× national density); "
          f"loaded in {load_seconds:.1f} s ({loader}).")
    print("Times: wall clock per request measured by the client on loopback (server time + waiting for a waitress thread); percentiles nearest-rank.")
    print(
        f"CPU: {os.cpu_count()} CPU(s) shared by the server and the load generator (the generator used "
        + ", ".join(f"{r['client_cpu']:.2f} CPU s during the {name} warm run" for name, r in results.items())
        + f"); server peak memory {server_peak:,.0f} MB."
    )
    print("Where one page's time goes, measured in this process without the server (one thread, best of 2):")
    for name, p in parts.items():
        print(
            f"  {name}: database → frames {ms(p['frames'])}, report (engine) {ms(p['report'])} — both saved by the cache; "
            f"{p['charts']:.0f} charts' Altair specifications {ms(p['specs'])}, drawn as SVG {ms(p['svg'])} — also saved by the cache (drawn once with the report)."
        )
    print(f"Load average before {load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f}, after {load_after[0]:.2f} / {load_after[1]:.2f} / {load_after[2]:.2f} (1 / 5 / 15 min).")
    if compared:
        print_comparison(compared, users=users, baseline=arguments.baseline)
    official = not arguments.quick and not arguments.only and not arguments.baseline and users == TARGET_USERS and arguments.servers == 2 and database_url is not None
    verdicts = []
    for name, r in results.items():
        p95 = percentile(r["warm"], 95)
        verdict = f"- {name}: p95 under {ms(TARGET_P95)} with {users} concurrent users — **{'met' if p95 < TARGET_P95 else 'NOT met'}** ({ms(p95)}"
        verdict += ")" if p95 < TARGET_P95 else f", {p95 / TARGET_P95:.1f}× the target)"
        if official:
            note = ""
        elif arguments.quick:
            note = " (not the target's conditions: a smoke run)"
        elif arguments.baseline:
            note = " (--baseline: two sets of web processes share the CPUs; not written to the docs)"
        elif arguments.only:
            note = " (--only: one view, not written to the docs)"
        else:
            note = " (not the target's conditions)"
        verdicts.append(verdict + note + ".")
    print("Targets:")
    print("\n".join(verdicts))
    if official and not arguments.no_docs:
        table = ["| page | page size | first request | cold median / max | warm alone median | warm p50 | **warm p95** | warm max | requests/s | server CPU ms/request | burst after a write p50 / max |",
                 "|---|---|---|---|---|---|---|---|---|---|---|"]
        table += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
        write_doc(
            "\n".join(
                [
                    f"Run of {dt.datetime.now():%d %b %Y %H:%M} (`make bench`, `benchmarks/performance_page.py`): {users} users × {requests} requests per page, "
                    f"{arguments.servers} web processes × {arguments.threads} waitress threads, PostgreSQL; {sizes['people']:,} children, {sizes['outcomes']:,} outcomes "
                    f"in 4 services (the 10× national density); {os.cpu_count()} CPUs shared by the servers, the database and the load generator; "
                    f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after.",
                    "",
                    *table,
                    "",
                    *verdicts,
                ]
            ),
            "performance_page.py",
        )

if __name__ == "__main__":
    main()
