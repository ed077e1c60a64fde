"""`make bench` (import): how fast a case file of about 20,000 outcome rows imports into an empty
service through the product path (read and validate, plan, then every record created through the
actions — validated and audited — in one transaction), on a fresh SQLite database.

Target (issue 17): 20,000 outcome rows in under 10 s (it was under a minute). ``--quick``: a tenth
of the rows, docs untouched.
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
    arguments = parser.parse_args()
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


if __name__ == "__main__":
    sys.exit(main())
