"""`make bench` (import): how fast a case file of about 20,000 outcome rows imports into an empty
service through the product path (read and validate, plan, then every record created through the
actions — validated and audited — in batches, as any large import), on a fresh SQLite database.

Target (issue 17): 20,000 outcome rows in under 10 s (it was under a minute). ``--quick``: a tenth
of the rows, docs untouched.

``--alongside``: instead, a 72,000-change import (3,000 with ``--quick``) runs as ``reoffkit
import`` in a process of its own while this process signs in and opens a child's record page again
and again (the Django test client), on the same SQLite file in WAL mode (``--postgres``: a fresh
database on the server ``DATABASE_URL`` names): each page's median and 95th percentile during the
import against the same page with no import running, measured in the same run before and after it,
and how many requests failed ("database is locked"). ``--as-before`` runs the import as large
imports were first made (batches of 200 changes, no pause, no time limit), for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import write_doc  # noqa: E402

TARGET_SECONDS = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite the figures in docs/benchmarks.md")
    parser.add_argument("--alongside", action="store_true", help="sign-in and record-page latency during a 72,000-change import in another process")
    parser.add_argument("--as-before", action="store_true", help="with --alongside: the import in batches of 200 changes with no pause and no time limit, as first made")
    parser.add_argument("--postgres", action="store_true", help="on a fresh database of the PostgreSQL server DATABASE_URL names")
    arguments = parser.parse_args()
    if arguments.alongside:
        return alongside(quick=arguments.quick, as_before=arguments.as_before, postgres=arguments.postgres)
    children = 105 if arguments.quick else 1045  # new children a quarter: ≈20,000 outcome rows at full size
    folder = Path(tempfile.mkdtemp(prefix="reoffkit-import-bench-"))
    base_url = os.environ.get("DATABASE_URL", "")
    try:
        os.environ.update(REOFFKIT_ENV="demo", REOFFKIT_DATA_DIR=str(folder), REOFFKIT_HTTPS="false")
        os.environ.pop("DATABASE_URL", None)
        database = fresh_postgres(base_url, f"reoffkit_bench_import_{os.getpid()}") if arguments.postgres else "SQLite"
        from reoffkit.casefile import write_case_file
        from reoffkit.web.server import prepare_database_and_static, setup_django
        from reoffkit.synthetic import generate

        today = dt.date.today()
        frames = generate(["Benchmark Service"], first_quarter="2023Q1", quarters=4, children_per_quarter=children, as_at=today, seed=1)
        workbook = write_case_file(frames, folder / "case-file.xlsx")
        sizes = {name: frame.height for name, frame in frames.items()}
        setup_django()
        prepare_database_and_static()
        from reoffkit.web.tracker import actions
        from reoffkit.web.spreadsheets.importing import commit_import, plan_import
        from reoffkit.web.spreadsheets.uploads import read_upload

        service = actions.create_service(by="benchmark", name="Benchmark Service")
        officer = actions.create_staff_user(by="benchmark", username="officer", password=secrets.token_urlsafe(18), role="performance", services=[service])
        print(f"Case file: {workbook.stat().st_size / 1e6:.1f} MB; " + ", ".join(f"{n:,} {name}" for name, n in sizes.items()), flush=True)
        started = time.perf_counter()
        case = read_upload(workbook)
        read_s = time.perf_counter() - started
        plan = plan_import(service, case)
        plan_s = time.perf_counter() - started - read_s

        def progress(done: int, total: int) -> None:
            if done % 5000 == 0 or done == total:
                print(f"  {done:,} of {total:,} changes ({time.perf_counter() - started:.0f} s)", flush=True)

        cpu = time.process_time()
        commit_import(plan, by=officer, progress=progress)
        commit_cpu = time.process_time() - cpu
        total_s = time.perf_counter() - started
        commit_s = total_s - read_s - plan_s
        outcomes = sizes["outcomes"]
        print(f"Read and validated in {read_s:.1f} s, planned in {plan_s:.1f} s, committed {len(plan.changes):,} changes in {commit_s:.1f} s ({commit_cpu:.1f} s of CPU).")
        print(f"Total {total_s:.1f} s for {outcomes:,} outcome rows: {outcomes / total_s:,.0f} outcome rows a second "
              f"({len(plan.changes) / total_s:,.0f} records a second); peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB.")
        scaled = total_s * 20_000 / outcomes
        verdict = (f"- the web import of 20,000 outcome rows in under {TARGET_SECONDS:g} s: **{'met' if scaled < TARGET_SECONDS else 'NOT met'}** — {scaled:.1f} s at 20,000 rows "
                   f"(scaled from {outcomes:,}{'; a quick run' if arguments.quick else ''})" + (f", {scaled / TARGET_SECONDS:.1f}× the target" if scaled >= TARGET_SECONDS else "") + ".")
        print(f"{verdict} {database}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; CPU time of this process {time.process_time():.1f} s.")
        if not arguments.quick and not arguments.no_docs and not arguments.postgres:
            write_doc(
                f"Run of {dt.datetime.now():%d %b %Y %H:%M} (`make bench`, `benchmarks/import_throughput.py`; SQLite; load average {os.getloadavg()[0]:.1f}): "
                f"a {workbook.stat().st_size / 1e6:.1f} MB .xlsx of {sizes['people']:,} people and {outcomes:,} outcome rows read and checked in {read_s:.1f} s, "
                f"planned in {plan_s:.1f} s, {len(plan.changes):,} records created (each validated and audited) in {commit_s:.1f} s: {total_s:.1f} s in all, "
                f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB.\n\n{verdict}",
                "import_throughput.py",
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if arguments.postgres:
            drop_postgres(base_url, f"reoffkit_bench_import_{os.getpid()}")


def drop_postgres(base_url: str, name: str) -> None:
    from django.db import connections

    connections.close_all()
    import psycopg

    with psycopg.connect(f"{base_url.rsplit('/', 1)[0]}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")


def fresh_postgres(base_url: str, name: str) -> str:
    """Point ``DATABASE_URL`` at a new, empty database ``name`` on the PostgreSQL server ``base_url`` names."""
    if not base_url.startswith("postgres"):
        raise SystemExit("--postgres: set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/reoffkit")
    import psycopg

    server = base_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = f"{server}/{name}"
    return "PostgreSQL"


def alongside(*, quick: bool, as_before: bool, postgres: bool) -> None:
    """Sign-in and the record page, from this process, before, during and after a 72,000-change
    ``reoffkit import`` running in a process of its own (as it does in a deployment)."""
    import statistics
    import subprocess

    folder = Path(tempfile.mkdtemp(prefix="reoffkit-import-alongside-"))
    database = "SQLite, WAL"
    base_url = os.environ.get("DATABASE_URL", "")
    try:
        os.environ.update(REOFFKIT_ENV="demo", REOFFKIT_DATA_DIR=str(folder), REOFFKIT_HTTPS="false")
        os.environ.pop("DATABASE_URL", None)
        if postgres:
            database = fresh_postgres(base_url, "reoffkit_bench_alongside")
        from reoffkit.casefile import read_case_file, write_case_file
        from reoffkit.synthetic import generate
        from reoffkit.web.server import prepare_database_and_static, setup_django

        setup_django()
        prepare_database_and_static()
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from reoffkit.web.jobs.imports import import_running
        from reoffkit.web.spreadsheets.importing import BATCH, BATCH_SECONDS, GAP_SQLITE, plan_import
        from reoffkit.web.tracker import actions

        today = dt.date.today()
        password = secrets.token_urlsafe(18)
        service = actions.create_service(by="benchmark", name="Benchmark Service")
        actions.create_staff_user(by="benchmark", username="officer", password=password, role="performance", services=[service])
        worker = actions.create_staff_user(by="benchmark", username="worker", password=password, role="practitioner", services=[service])
        child, _ = actions.add_cohort_member(
            by=worker, service=service,
            new_person=dict(local_id="B0", first_name="Bench", last_name="Child", date_of_birth=today - dt.timedelta(days=5500), sex="male",
                            ethnicity="White", looked_after=False, yot_caseload=True),
            index_outcome=dict(outcome_type="youth_caution", offence_date=today - dt.timedelta(days=50), outcome_date=today - dt.timedelta(days=40), gravity=2),
        )
        target = 3_000 if quick else 72_000
        children = 20 if quick else 400
        while True:  # grow the file until the import makes the changes wanted (planning writes nothing)
            frames = generate(["Benchmark Service"], first_quarter="2023Q1", quarters=4, children_per_quarter=children, as_at=today, seed=2)
            case = write_case_file(frames, folder / f"case-{children}")
            changes = len(plan_import(service, read_case_file(case)).changes)
            if changes >= target:
                break
            children = int(children * target / max(changes, 1)) + 1
        url = reverse("person", args=[service.pk, child.pk])

        def one_round(into: dict) -> None:
            """Sign in afresh, then open the child's record: each timed, a failure counted."""
            for what in ("sign-in", "record page"):
                began = time.perf_counter()
                try:
                    if what == "sign-in":
                        client = Client()
                        ok = client.post(reverse("login"), {"username": "worker", "password": password}).status_code == 302
                    else:
                        ok = client.get(url).status_code == 200
                except Exception:  # "database is locked" and the like
                    ok = False
                into.setdefault(what, []).append(time.perf_counter() - began)
                into.setdefault(f"{what} failed", []).append(not ok)

        rounds = 6 if quick else 25
        before: dict = {}
        for _ in range(rounds):
            one_round(before)
        if not as_before:
            command = [sys.executable, "-m", "reoffkit.cli"]
        else:  # the same command with batches of 200 changes however long they take and no pause, as first made
            command = [sys.executable, "-c", "import sys; from reoffkit.web.server import setup_django; setup_django(); "
                       "import functools, reoffkit.web.spreadsheets.importing as i; i.GAP_SQLITE = i.BATCH_SECONDS = 0; "
                       "i.commit_import = functools.partial(i.commit_import, batch=i.BATCH); "
                       "from reoffkit.cli import main; sys.exit(main(sys.argv[1:]))"]
        command += ["import", str(case), "--service", "Benchmark Service", "--by", "officer", "--show", "0"]
        connection.close()
        launched = time.perf_counter()
        importer = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        while importer.poll() is None and import_running(service) is None:  # reading and planning: not yet writing
            time.sleep(0.05)
        writing = time.perf_counter()
        during: dict = {}
        overran: dict = {}  # the round begun while the import wrote that finished only after it
        while importer.poll() is None:
            sample: dict = {}
            one_round(sample)
            if import_running(service) is None:  # ended meanwhile: not a sample of "during"
                overran = sample
                break
            for key, values in sample.items():
                during.setdefault(key, []).extend(values)
        _, errors = importer.communicate()
        ended = time.perf_counter()
        if importer.returncode != 0:
            raise SystemExit(f"the import failed ({importer.returncode}): {errors[-2000:]}")
        after: dict = {}
        for _ in range(rounds):
            one_round(after)

        def figures(samples: list[float]) -> tuple[float, float]:
            ordered = sorted(samples)
            return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]

        if as_before:
            how = " (as first made: no pause, however long a batch takes)"
        else:
            how = f" of at most {BATCH_SECONDS * 1000:.0f} ms" + (f" at least {GAP_SQLITE * 1000:.0f} ms apart" if database.startswith("SQLite") else "")
        lines = [
            f"{database}; {changes:,} changes imported by `reoffkit import` in a process of its own, in "
            + (f"batches of {BATCH}" + how if as_before else "batches" + how)
            + f": read and planned in {writing - launched:.1f} s, written in {ended - writing:.1f} s. Sign-in and the record page "
            f"from another process (the Django test client), {rounds} times each before and after the import, and over and over while it wrote:",
            "",
            "| page | no import (before): median · p95 | during the import: median · p95 | during ÷ before (median · p95) | answered during | failed during | no import (after): median |",
            "|---|---|---|---|---|---|---|",
        ]
        for what in ("sign-in", "record page"):
            if not during.get(what):
                lines.append(f"| {what} | {figures(before[what])[0] * 1000:,.0f} · {figures(before[what])[1] * 1000:,.0f} ms | no request finished while the import wrote | | 0 | | |")
                continue
            b, d, a = figures(before[what]), figures(during[what]), figures(after[what])
            lines.append(
                f"| {what} | {b[0] * 1000:,.0f} · {b[1] * 1000:,.0f} ms | {d[0] * 1000:,.0f} · {d[1] * 1000:,.0f} ms | "
                f"{d[0] / b[0]:.1f}× · {d[1] / b[1]:.1f}× | {len(during[what]):,} | {sum(during[what + ' failed'])} | {a[0] * 1000:,.0f} ms |"
            )
        slowest = ", ".join(f"{what} {max(during[what]) * 1000:,.0f} ms" for what in ("sign-in", "record page") if during.get(what))
        last = ", ".join(f"{what} {overran[what][0] * 1000:,.0f} ms{' (failed)' if overran[what + ' failed'][0] else ''}" for what in ("sign-in", "record page") if overran.get(what))
        lines += ["", (f"Slowest during the import: {slowest}. " if slowest else "")
                  + (f"The last round, begun while the import wrote and ended after it: {last}. " if last else "")
                  + f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}."]
        text = "\n".join(lines)
        print(text)
        if not quick and not as_before and not postgres:
            write_doc(f"Run of {dt.datetime.now():%d %b %Y %H:%M} (`benchmarks/import_throughput.py --alongside`): {text}", "import_throughput.py --alongside")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if postgres and base_url:
            drop_postgres(base_url, "reoffkit_bench_alongside")


if __name__ == "__main__":
    sys.exit(main())
