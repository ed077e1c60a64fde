"""`make bench`: the engine against a plain pandas implementation on national-scale synthetic data.

For each scale (1× ≈ 155 services × 12 quarters ≈ 75,000 cohort entries; 10× ten times the
children) it generates a case file, writes it as a CSV folder under ``benchmarks/data/`` (git-
ignored; regenerated when the generator or the sizes change), reads and validates it through the
case-file reader (timed on its own), then times — each in a fresh process, so peak memory is that
computation's own — every service × quarter × breakdown with the engine and with the pandas
baseline, checks that both give identical counts, and prints a table with the ratios. The engine
is timed twice: on its lean path (``entry_counts``, only the columns the measures read — the
like-for-like comparison with the pandas baseline, which computes counts only) and through the
full ``entry_table`` (every per-entry detail the case views use); both must agree with pandas.

Options: ``--scale 1`` (repeatable; default 1 and 10), ``--quick`` (a tenth of the 1× services,
one timing run: a smoke test), ``--repeat N`` (best of N timing runs per process, default 3).

Peak memory is the process's maximum resident set size (``resource.getrusage(...).ru_maxrss``),
which sees Polars' and pandas' native allocations alike (tracemalloc would miss Polars').
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
AS_AT = dt.date(2026, 6, 30)
FIRST_QUARTER = 2023 * 4  # 2023Q1 … 2025Q4: every cohort at least 6 months into follow-up on AS_AT
QUARTERS = 12
SERVICES = 155
FIELDS = ["sex", "age", "age_group", "ethnicity", "looked_after", "district", "yot_caseload", "tier", "index_disposal", "intervention_level", "likelihood_band"]
CHILDREN_PER_QUARTER = 26  # new entrants per service-quarter at 1×; with re-entries ≈75,000 cohort entries
TARGET_SECONDS_10X = 10.0
TARGET_RATIO = 5.0


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _fingerprint(services: int, scale: float) -> str:
    """Changes when the generator or the sizes do, so stale data is never benchmarked."""
    source = (ROOT.parent / "src" / "reoffkit" / "synthetic.py").read_bytes()
    settings = f"{services}|{scale}|{CHILDREN_PER_QUARTER}|{FIRST_QUARTER}|{QUARTERS}|{AS_AT}".encode()
    return hashlib.sha256(source + settings).hexdigest()[:16]


def generate(services: int, scale: float) -> tuple[Path, float]:
    """Write the synthetic case file (CSV folder) unless an identical one is there."""
    from reoffkit.casefile import write_case_file
    from reoffkit.synthetic import generate as synthesise
    from reoffkit.synthetic import services_named

    folder = DATA / f"national-{services}s-{scale:g}x"
    stamp = folder / "fingerprint"
    fingerprint = _fingerprint(services, scale)
    if stamp.exists() and stamp.read_text() == fingerprint:
        return folder, 0.0
    started = time.perf_counter()
    frames = synthesise(
        services_named([f"Service {i:03d}" for i in range(services)], seed=1),
        first_quarter=FIRST_QUARTER - 4,  # a year of earlier entrants, so the first quarters are steady
        quarters=QUARTERS + 4,
        children_per_quarter=CHILDREN_PER_QUARTER * scale,
        as_at=AS_AT,
        seed=int(scale * 10),
    )
    seconds = time.perf_counter() - started
    write_case_file(frames, folder / "case-file")
    stamp.write_text(fingerprint)
    return folder, seconds


def engine_job(folder: Path, repeat: int, full: bool = False) -> dict:
    """The engine's lean path (``entry_counts``: only what the measures read), or with ``full`` the
    whole ``entry_table`` (every per-entry detail the case views use), then ``measures_by``."""
    from reoffkit.engine import CountingRules, Period, entry_table, measures_by
    from reoffkit.engine.cohort import entry_counts
    from reoffkit.engine.measures import wilson_interval

    frames = {name: pl.read_parquet(folder / "frames" / f"{name}.parquet") for name in ("people", "outcomes", "assessments")}
    wilson_interval([1], [2])  # statsmodels is imported once per process (about 0.8 s), not per computation
    entries_of = entry_table if full else entry_counts
    times, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        period = Period(FIRST_QUARTER, QUARTERS)
        entries = entries_of(frames["people"], frames["outcomes"], frames["assessments"], period=period, rules=CountingRules(), as_at=AS_AT)
        results = []
        for field in FIELDS:
            grouped = measures_by(entries, ["service", "quarter", field])
            results.append(
                grouped.select(
                    "service", "quarter", pl.lit(field).alias("field"), pl.col(field).cast(pl.String).alias("group"), "cohort_size", "reoffenders", "reoffences"
                )
            )
        result = pl.concat(results)
        times.append(time.perf_counter() - started)
        cpu.append(_cpu_seconds() - cpu_started)
    result.write_parquet(folder / ("engine-full-result.parquet" if full else "engine-result.parquet"))
    return {"seconds": min(times), "all_seconds": times, "cpu_seconds": min(cpu), "entries": entries.height}


def pandas_job(folder: Path, repeat: int) -> dict:
    import pandas as pd

    sys.path.insert(0, str(ROOT))
    from pandas_baseline import all_breakdowns

    from reoffkit.engine.codes import OUTCOME_TYPES

    def load(name):
        frame = pd.read_parquet(folder / "frames" / f"{name}.parquet")
        for column in frame.columns:
            if column.endswith("_date") or column in ("date_of_birth", "recorded_on"):
                frame[column] = pd.to_datetime(frame[column])
        return frame

    people, outcomes, assessments = load("people"), load("outcomes"), load("assessments")
    tiers = pd.DataFrame({"outcome_type": [t.code for t in OUTCOME_TYPES], "tier": [t.tier for t in OUTCOME_TYPES]})
    start = pd.Timestamp(dt.date(FIRST_QUARTER // 4, 1, 1))
    end = pd.Timestamp(dt.date(FIRST_QUARTER // 4 + QUARTERS // 4 - 1, 12, 31))
    times, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        result = all_breakdowns(people, outcomes, assessments, tiers, start, end, pd.Timestamp(AS_AT), FIELDS)
        times.append(time.perf_counter() - started)
        cpu.append(_cpu_seconds() - cpu_started)
    result.to_parquet(folder / "pandas-result.parquet")
    return {"seconds": min(times), "all_seconds": times, "cpu_seconds": min(cpu)}


def in_fresh_process(job: str, folder: Path, repeat: int) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--job", job, "--repeat", str(repeat), str(folder)], capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise SystemExit(f"{job} job failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def compare(folder: Path, result: str = "engine-result.parquet") -> tuple[int, pl.DataFrame]:
    """Groups where the engine and the baseline differ (empty when they agree), and how many groups."""
    keys = ["service", "quarter", "field", "group"]
    counts = ["cohort_size", "reoffenders", "reoffences"]
    engine = pl.read_parquet(folder / result).with_columns(pl.col("group").cast(pl.String))
    baseline = pl.read_parquet(folder / "pandas-result.parquet").with_columns(pl.col("group").cast(pl.String)).select(keys + counts)
    engine = engine.with_columns(pl.col(c).cast(pl.Int64) for c in counts)
    baseline = baseline.with_columns(pl.col(c).cast(pl.Int64) for c in counts)
    joined = engine.join(baseline, on=keys, how="full", suffix="_pandas", coalesce=True)
    differ = joined.filter(pl.any_horizontal((pl.col(c) != pl.col(f"{c}_pandas")).fill_null(True) for c in counts))
    return joined.height, differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, action="append", help="1 and/or 10 (default both); repeat the option for several")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 1× children per quarter for a tenth of the services, one timing run")
    parser.add_argument("--repeat", type=int, default=None, help="best of N timing runs in each process (default 3; 1 with --quick)")
    parser.add_argument("--job", choices=["engine", "engine-full", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("folder", nargs="?", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    repeat = arguments.repeat or (1 if arguments.quick else 3)
    if arguments.job:
        if arguments.job == "pandas":
            result = pandas_job(arguments.folder, repeat)
        else:
            result = engine_job(arguments.folder, repeat, full=arguments.job == "engine-full")
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    from reoffkit.casefile import read_case_file

    services = SERVICES // 10 if arguments.quick else SERVICES
    scales = arguments.scale or ([1.0] if arguments.quick else [1.0, 10.0])
    print(f"{services} services × {QUARTERS} quarters ({dt.date(FIRST_QUARTER // 4, 1, 1)} – {dt.date(FIRST_QUARTER // 4 + QUARTERS // 4 - 1, 12, 31)}), "
          f"as at {AS_AT}; {os.cpu_count()} CPU(s); best of {repeat} run(s) per process; load average {os.getloadavg()[0]:.1f}")
    rows = []
    failures = []
    for scale in scales:
        folder, generated = generate(services, scale)
        started = time.perf_counter()
        case_file = read_case_file(folder / "case-file", today=AS_AT)
        read_seconds = time.perf_counter() - started
        if not case_file.ok:
            raise SystemExit(f"the synthetic case file has errors: {case_file.errors[:3]}")
        # Both computations run on exactly what the reader returned.
        (folder / "frames").mkdir(exist_ok=True)
        for name, frame in case_file.frames().items():
            frame.write_parquet(folder / "frames" / f"{name}.parquet")
        engine = in_fresh_process("engine", folder, repeat)
        full = in_fresh_process("engine-full", folder, repeat)
        baseline = in_fresh_process("pandas", folder, repeat)
        groups, differ = compare(folder)
        _, differ_full = compare(folder, "engine-full-result.parquet")
        for path, disagreeing in (("lean", differ), ("full entry_table", differ_full)):
            if disagreeing.height:
                print(f"\n{scale:g}×: the engine ({path}) and the pandas baseline disagree on {disagreeing.height:,} of {groups:,} groups, e.g.:")
                print(disagreeing.head(10))
                failures.append(f"{scale:g}×: {disagreeing.height:,} groups disagree ({path})")
        rows.append(
            {
                "data": f"{scale:g}×",
                "entries": engine["entries"],
                "outcomes": case_file.outcomes.height,
                "children": case_file.people.height,
                "generate": generated,
                "read": read_seconds,
                "engine": engine["seconds"],
                "full": full["seconds"],
                "pandas": baseline["seconds"],
                "engine_cpu": engine["cpu_seconds"],
                "pandas_cpu": baseline["cpu_seconds"],
                "engine_mb": engine["peak_rss_mb"],
                "pandas_mb": baseline["peak_rss_mb"],
                "groups": groups,
                "agree": differ.height == 0 and differ_full.height == 0,
            }
        )

    header = ("data", "cohort entries", "outcome rows", "read+validate", "engine", "pandas", "pandas ÷ engine", "CPU s engine / pandas", "peak MB engine / pandas", "full table", "pandas ÷ full", "groups", "agree")
    lines = [
        (
            row["data"],
            f"{row['entries']:,}",
            f"{row['outcomes']:,}",
            f"{row['read']:.1f} s",
            f"{row['engine']:.2f} s",
            f"{row['pandas']:.2f} s",
            f"{row['pandas'] / row['engine']:.1f}×",
            f"{row['engine_cpu']:.2f} / {row['pandas_cpu']:.2f}",
            f"{row['engine_mb']:,.0f} / {row['pandas_mb']:,.0f}",
            f"{row['full']:.2f} s",
            f"{row['pandas'] / row['full']:.1f}×",
            f"{row['groups']:,}",
            "yes" if row["agree"] else "NO",
        )
        for row in rows
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines)]
    print()
    for line in (header, *lines):
        print("  ".join(str(cell).rjust(width) for cell, width in zip(line, widths)))
    print(f"\nWork: {len(FIELDS)} breakdowns × every service × {QUARTERS} quarters (default counting rules). Engine: entry_counts (the lean entry table: what the")
    print("measures read) once, then measures_by per breakdown; full table: the same with entry_table (every per-entry detail). pandas: counts only.")
    print("Times: wall clock, best of the runs; CPU s: user + system CPU time of that run (all threads).")
    print("Peak memory: ru_maxrss of a fresh process per computation (includes the interpreter and the loaded frames).")
    for row in rows:
        if row["generate"]:
            print(f"{row['data']}: generated {row['children']:,} children in {row['generate']:.1f} s.")
    for row in rows:
        if row["data"] == "10×" and not arguments.quick:
            verdict = "met" if row["engine"] < TARGET_SECONDS_10X else "NOT met"
            print(f"Target: 10× in under {TARGET_SECONDS_10X:g} s — {verdict} ({row['engine']:.2f} s).")
        ratio = row["pandas"] / row["engine"]
        print(f"Target: engine at least {TARGET_RATIO:g}× faster than pandas at {row['data']} — {'met' if ratio >= TARGET_RATIO else 'NOT met'} ({ratio:.1f}×).")
    import pandas

    print(f"(pandas {pandas.__version__}; the ratio depends on it: pandas 3 runs this baseline about twice as fast as pandas 2.3.)")
    if failures:
        raise SystemExit("; ".join(failures))


if __name__ == "__main__":
    main()
