"""`make bench`: the engine against a plain pandas implementation on national-scale synthetic data.

For each scale (1× ≈ 155 services × 12 quarters; 10× the children per quarter) it generates a
case file, writes it as a CSV folder, times reading and validating it, then times — each in a fresh
process, so peak memory is that computation's own — every service × quarter × breakdown with the
engine and with the pandas baseline, checks that both give identical counts, and prints the ratio.
Peak memory is the process's maximum resident set size (``ru_maxrss``), which sees Polars' and
pandas' native allocations alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
AS_AT = dt.date(2026, 6, 30)
FIRST_QUARTER = 2023 * 4  # 2023Q1 … 2025Q4
QUARTERS = 12
FIELDS = ["sex", "age", "age_group", "ethnicity", "looked_after", "district", "yot_caseload", "tier", "index_disposal", "intervention_level", "likelihood_band"]
CHILDREN_PER_QUARTER = 25  # new entrants per service-quarter at 1×; with re-entries ≈75,000 cohort entries


def generate(scale: int) -> Path:
    from reoffkit.casefile import write_case_file
    from reoffkit.synthetic import generate as synthesise
    from reoffkit.synthetic import services_named

    folder = DATA / f"national-{scale}x"
    if (folder / "frames" / "outcomes.parquet").exists():
        return folder
    frames = synthesise(
        services_named([f"Service {i:03d}" for i in range(155)], seed=1),
        first_quarter=FIRST_QUARTER - 4,  # a year of earlier entrants, so the first quarters are steady
        quarters=QUARTERS + 4,
        children_per_quarter=CHILDREN_PER_QUARTER * scale,
        as_at=AS_AT,
        seed=scale,
    )
    write_case_file(frames, folder / "case-file")
    (folder / "frames").mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.write_parquet(folder / "frames" / f"{name}.parquet")
    return folder


def engine_job(folder: Path) -> dict:
    from reoffkit.engine import CountingRules, Period, entry_table, measures_by

    from reoffkit.engine.measures import wilson_interval

    frames = {name: pl.read_parquet(folder / "frames" / f"{name}.parquet") for name in ("people", "outcomes", "assessments")}
    wilson_interval([1], [2])  # statsmodels is imported once per process (about 0.8 s), not per computation
    started = time.perf_counter()
    period = Period(FIRST_QUARTER, QUARTERS)
    entries = entry_table(frames["people"], frames["outcomes"], frames["assessments"], period=period, rules=CountingRules(), as_at=AS_AT)
    results = []
    for field in FIELDS:
        grouped = measures_by(entries, ["service", "quarter", field])
        results.append(
            grouped.select(
                "service", "quarter", pl.lit(field).alias("field"), pl.col(field).cast(pl.String).alias("group"), "cohort_size", "reoffenders", "reoffences"
            )
        )
    seconds = time.perf_counter() - started
    pl.concat(results).write_parquet(folder / "engine-result.parquet")
    return {"seconds": seconds, "entries": entries.height}


def pandas_job(folder: Path) -> dict:
    import pandas as pd

    sys.path.insert(0, str(ROOT))
    from pandas_baseline import all_breakdowns

    from reoffkit.engine.codes import OUTCOME_TYPES

    def load(name):
        frame = pd.read_parquet(folder / "frames" / f"{name}.parquet")
        for column in frame.columns:
            if column.endswith("_date") or column in ("date_of_birth",):
                frame[column] = pd.to_datetime(frame[column])
        return frame

    people, outcomes, assessments = load("people"), load("outcomes"), load("assessments")
    tiers = pd.DataFrame({"outcome_type": [t.code for t in OUTCOME_TYPES], "tier": [t.tier for t in OUTCOME_TYPES]})
    started = time.perf_counter()
    start = pd.Timestamp(dt.date(FIRST_QUARTER // 4, 1, 1))
    end = pd.Timestamp(dt.date(FIRST_QUARTER // 4 + QUARTERS // 4 - 1, 12, 31))
    result = all_breakdowns(people, outcomes, assessments, tiers, start, end, pd.Timestamp(AS_AT), FIELDS)
    seconds = time.perf_counter() - started
    result.to_parquet(folder / "pandas-result.parquet")
    return {"seconds": seconds}


def in_fresh_process(job: str, folder: Path) -> dict:
    completed = subprocess.run([sys.executable, __file__, "--job", job, str(folder)], capture_output=True, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"{job} job failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def compare(folder: Path) -> str:
    keys = ["service", "quarter", "field", "group"]
    engine = pl.read_parquet(folder / "engine-result.parquet").with_columns(pl.col("group").cast(pl.String))
    baseline = pl.read_parquet(folder / "pandas-result.parquet").with_columns(pl.col("group").cast(pl.String)).select(keys + ["cohort_size", "reoffenders", "reoffences"])
    baseline = baseline.with_columns(pl.col(c).cast(pl.Int64) for c in ("cohort_size", "reoffenders", "reoffences"))
    joined = engine.join(baseline, on=keys, how="full", suffix="_pandas", coalesce=True)
    differ = joined.filter(
        (pl.col("cohort_size") != pl.col("cohort_size_pandas")).fill_null(True)
        | (pl.col("reoffenders") != pl.col("reoffenders_pandas")).fill_null(True)
        | (pl.col("reoffences") != pl.col("reoffences_pandas")).fill_null(True)
    )
    if differ.height:
        print(differ.head(10))
        raise SystemExit(f"the engine and the pandas baseline disagree on {differ.height} of {joined.height} groups")
    return f"identical on all {joined.height:,} service × quarter × breakdown groups"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, action="append", help="1 and/or 10 (default both)")
    parser.add_argument("--job", choices=["engine", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("folder", nargs="?", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.job:
        result = (engine_job if arguments.job == "engine" else pandas_job)(arguments.folder)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    from reoffkit.casefile import read_case_file

    rows = []
    for scale in arguments.scale or [1, 10]:
        started = time.perf_counter()
        folder = generate(scale)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        case_file = read_case_file(folder / "case-file", today=AS_AT)
        read_seconds = time.perf_counter() - started
        if not case_file.ok:
            raise SystemExit(f"the synthetic case file has errors: {case_file.errors[:3]}")
        engine = in_fresh_process("engine", folder)
        baseline = in_fresh_process("pandas", folder)
        agreement = compare(folder)
        rows.append((scale, case_file, generated, read_seconds, engine, baseline, agreement))
        print(
            f"{scale}×: {engine['entries']:,} cohort entries, {case_file.outcomes.height:,} outcome rows, {case_file.people.height:,} children "
            f"(generated in {generated:.1f} s; read and validated from CSV in {read_seconds:.1f} s)"
        )
        print(f"    engine  {engine['seconds']:7.2f} s   peak memory {engine['peak_rss_mb']:7.0f} MB")
        print(f"    pandas  {baseline['seconds']:7.2f} s   peak memory {baseline['peak_rss_mb']:7.0f} MB")
        print(f"    engine is {baseline['seconds'] / engine['seconds']:.1f}× faster than pandas, using {engine['peak_rss_mb'] / baseline['peak_rss_mb']:.2f}× its memory; {agreement}")
    print(f"\nWork: {len(FIELDS)} breakdowns × every service × {QUARTERS} quarters (default counting rules, as at {AS_AT}).")


if __name__ == "__main__":
    main()
