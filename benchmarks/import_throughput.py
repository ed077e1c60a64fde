"""`make bench` (import): how fast a case file of about 20,000 outcome rows imports into an empty
service through the product path (read and validate, plan, then every record created through the
actions — validated and audited — in one transaction), on a fresh SQLite database.

Target (issue 17): 20,000 outcome rows in under 10 s (it was under a minute). ``--quick``: a tenth
of the rows, docs untouched.

``--alongside``: instead, a 72,000-change import (a tenth with ``--quick``) runs in a thread while
the main thread opens a child's record page again and again, on the same SQLite file in WAL mode:
the record page's latency during the import (median, 95th percentile, slowest) and whether any
request failed ("database is locked").
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
    parser.add_argument("--alongside", action="store_true", help="record-page latency during a 72,000-change import")
    arguments = parser.parse_args()
    if arguments.alongside:
        return alongside(quick=arguments.quick)
    children = 105 if arguments.quick else 1045  # new children a quarter: ≈20,000 outcome rows at full size
    folder = Path(tempfile.mkdtemp(prefix="reoffkit-import-bench-"))
    try:
        os.environ.update(REOFFKIT_ENV="demo", REOFFKIT_DATA_DIR=str(folder), REOFFKIT_HTTPS="false")
        os.environ.pop("DATABASE_URL", None)
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

        commit_import(plan, by=officer, progress=progress)
        total_s = time.perf_counter() - started
        commit_s = total_s - read_s - plan_s
        outcomes = sizes["outcomes"]
        print(f"Read and validated in {read_s:.1f} s, planned in {plan_s:.1f} s, committed {len(plan.changes):,} changes in {commit_s:.1f} s.")
        print(f"Total {total_s:.1f} s for {outcomes:,} outcome rows: {outcomes / total_s:,.0f} outcome rows a second "
              f"({len(plan.changes) / total_s:,.0f} records a second); peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB.")
        scaled = total_s * 20_000 / outcomes
        verdict = (f"- the web import of 20,000 outcome rows in under {TARGET_SECONDS:g} s: **{'met' if scaled < TARGET_SECONDS else 'NOT met'}** — {scaled:.1f} s at 20,000 rows "
                   f"(scaled from {outcomes:,}{'; a quick run' if arguments.quick else ''})" + (f", {scaled / TARGET_SECONDS:.1f}× the target" if scaled >= TARGET_SECONDS else "") + ".")
        print(f"{verdict} {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}.")
        if not arguments.quick and not arguments.no_docs:
            write_doc(
                f"Run of {dt.datetime.now():%d %b %Y %H:%M} (`make bench`, `benchmarks/import_throughput.py`; SQLite; load average {os.getloadavg()[0]:.1f}): "
                f"a {workbook.stat().st_size / 1e6:.1f} MB .xlsx of {sizes['people']:,} people and {outcomes:,} outcome rows read and checked in {read_s:.1f} s, "
                f"planned in {plan_s:.1f} s, {len(plan.changes):,} records created (each validated and audited) in {commit_s:.1f} s: {total_s:.1f} s in all, "
                f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB.\n\n{verdict}",
                "import_throughput.py",
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def alongside(*, quick: bool) -> None:
    """The record page's latency while a 72,000-change import writes (in batches) into the service."""
    import statistics
    import threading

    folder = Path(tempfile.mkdtemp(prefix="reoffkit-import-alongside-"))
    try:
        os.environ.update(REOFFKIT_ENV="demo", REOFFKIT_DATA_DIR=str(folder), REOFFKIT_HTTPS="false")
        os.environ.pop("DATABASE_URL", None)
        from reoffkit.casefile import read_case_file, write_case_file
        from reoffkit.synthetic import generate
        from reoffkit.web.server import prepare_database_and_static, setup_django

        setup_django()
        prepare_database_and_static()
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from reoffkit.web.spreadsheets.importing import commit_import, plan_import
        from reoffkit.web.tracker import actions

        today = dt.date.today()
        service = actions.create_service(by="benchmark", name="Benchmark Service")
        officer = actions.create_staff_user(by="benchmark", username="officer", password=secrets.token_urlsafe(18), role="performance", services=[service])
        worker = actions.create_staff_user(by="benchmark", username="worker", password=secrets.token_urlsafe(18), role="practitioner", services=[service])
        child, _ = actions.add_cohort_member(
            by=worker, service=service,
            new_person=dict(local_id="B0", first_name="Bench", last_name="Child", date_of_birth=today - dt.timedelta(days=5500), sex="male",
                            ethnicity="White", looked_after=False, yot_caseload=True),
            index_outcome=dict(outcome_type="youth_caution", offence_date=today - dt.timedelta(days=50), outcome_date=today - dt.timedelta(days=40), gravity=2),
        )
        target = 7_200 if quick else 72_000
        children = 40 if quick else 400
        plan = None
        while True:  # grow the file until the import makes the changes wanted
            frames = generate(["Benchmark Service"], first_quarter="2023Q1", quarters=4, children_per_quarter=children, as_at=today, seed=2)
            plan = plan_import(service, read_case_file(write_case_file(frames, folder / f"case-{children}")))
            if len(plan.changes) >= target:
                break
            children = int(children * target / max(len(plan.changes), 1)) + 1
        finished = threading.Event()

        def run() -> None:
            try:
                commit_import(plan, by=officer)
            finally:
                connection.close()
                finished.set()

        client = Client()
        client.force_login(worker)
        url = reverse("person", args=[service.pk, child.pk])
        latencies, failures = [], 0
        started = time.perf_counter()
        thread = threading.Thread(target=run)
        thread.start()
        while not finished.is_set():
            began = time.perf_counter()
            try:
                ok = client.get(url).status_code == 200
            except Exception:
                ok = False
            latencies.append(time.perf_counter() - began)
            failures += not ok
        thread.join()
        import_s = time.perf_counter() - started
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        line = (
            f"A {len(plan.changes):,}-change import took {import_s:.1f} s; meanwhile the record page answered {len(latencies):,} times "
            f"({failures} failed): median {statistics.median(latencies) * 1000:,.0f} ms, 95th percentile {p95 * 1000:,.0f} ms, "
            f"slowest {latencies[-1] * 1000:,.0f} ms. {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}."
        )
        print(line)
        if not quick:
            write_doc(f"Run of {dt.datetime.now():%d %b %Y %H:%M} (`benchmarks/import_throughput.py --alongside`; SQLite, WAL): {line}", "import_throughput.py --alongside")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
