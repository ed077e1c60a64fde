"""`make bench`: reoffkit against pandas 3 and DuckDB SQL, counting the same way, at 1×, 10× and 100×.

Data: ``reoffkit.synthetic.generate`` makes 155 services × 12 quarters (plus a year of earlier
entrants) as at 30 June 2026: about 75,000 cohort entries and 300,000 outcome rows at 1× (ten and a
hundred times the children at 10× and 100×). Each scale is written once under ``benchmarks/data/``
(git-ignored; rewritten when the generator or the sizes change) as a CSV case file, the same frames
as Parquet, and at 1× an .xlsx workbook too. 100× is written as 10 partitions of about 16 services
each (a CSV case file and Parquet frames per partition): every child's records are in one partition.

Work ("count"): the engine's rules with default settings for the aggregated 12-quarter period:
cohort size, reoffenders and reoffences for every service × quarter × field × group (11 fields),
every service × field × group over the whole period (quarter ``all``), and the same for service ×
quarter × sex × tier. The engine does it with ``entry_counts`` then ``measures_by`` (rates and
Wilson intervals included); pandas 3 with ``pandas_baseline.py``; DuckDB with ``duckdb_baseline.py``.

1. **Verify.** On the 1× data (whatever scales the run times), each baseline's counts are compared
   with the engine's, group by group, before anything is timed. A baseline that differs is not timed at
   any scale: the run lists the groups that differ and fails.
2. **Count**, each tool in a fresh process on the Parquet frames (loaded before timing), best of N.
3. **End to end**, each tool in a fresh process, one run: start the interpreter, read and check the
   case file (CSV folder; .xlsx at 1×), count, write the result. The whole process is timed from
   outside; the stages inside. The engine reads through the product's reader (``read_case_file``);
   the baselines check less (docs/benchmarks.md lists what).
4. **Reading and checking now against the issue's "today"**: the reader of commit ``REFERENCE`` is
   extracted from git and timed in the same run on the same files.
5. **100×** (``--scale 100``): partition by partition for the engine and pandas (each partition read,
   checked and counted, the counts concatenated), all at once for DuckDB (its own spilling, 6 GB
   limit); and two things the engine cannot do by partition: counting all 100× frames at once, and
   reading one unpartitioned 100× CSV case file, each watched and stopped above ``--memory-cap``.
6. **The limit**: memory bandwidth measured in the same run (a NumPy sum over 256 MiB, one core, best of 20);
   next to each figure, how many times one pass over its input columns at that bandwidth it takes.

Peak memory is each process's own peak resident set (``VmHWM``; sees native allocations; includes the interpreter).
Options: ``--scale`` (repeatable; default 1, 10 and 100), ``--quick`` (a tenth of the services at 1×,
one run, CSV only, docs untouched: under a minute), ``--repeat N`` (default 3), ``--no-docs``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tarfile
import io
import threading
import time
import zipfile
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
DATA = ROOT / "data"
DOC = REPO / "docs" / "benchmarks.md"
AS_AT = dt.date(2026, 6, 30)
FIRST_QUARTER = 2023 * 4  # 2023Q1 … 2025Q4: every cohort at least 6 months into follow-up on AS_AT
QUARTERS = 12
SERVICES = 155
FIELDS = ["sex", "age", "age_group", "ethnicity", "looked_after", "district", "yot_caseload", "tier", "index_disposal", "intervention_level", "likelihood_band"]
CHILDREN_PER_QUARTER = 26  # new entrants per service-quarter at 1×; with re-entries ≈75,000 cohort entries
PARTITIONS = 10  # at 100×: partitions of about 16 services
PARTITIONED_FROM = 100  # scales at or above this are written and run as partitions
XLSX_ROW_LIMIT = 1_048_576  # rows in one worksheet (Excel's and the format's limit)
REFERENCE = "d338b17"  # the commit the issue measured ("today"): its reader is timed beside the current one
READ_ROUNDS = 3  # reader processes each, now and at REFERENCE, interleaved
KEYS = ["service", "quarter", "field", "group"]
COUNTS = ["cohort_size", "reoffenders", "reoffences"]
GENERATOR_VERSION = "2"  # bump when the way the files are written changes

# Targets (issue 17), each a ratio measured in this run.
TARGET_E2E_PANDAS = 5.0  # end to end at 10×: at least 5× faster than pandas 3
TARGET_E2E_DUCKDB = 1.0  # … and at least as fast as DuckDB
TARGET_READ = 3.0  # reading and checking at least 3× faster than at REFERENCE
TARGET_100X_SECONDS = 60.0
TARGET_100X_MB = 8 * 1024


# ---- Helpers ------------------------------------------------------------------------------------


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    """This process's peak resident memory (``VmHWM``: unlike ``ru_maxrss`` it does not carry the
    parent's peak over into a child started by fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _vocabularies() -> dict[str, tuple[str, ...]]:
    from reoffkit.engine import codes

    return {name: tuple(codes.SYNONYMS[name]) for name in ("sex", "ethnicity", "tool", "likelihood_band", "intervention_level")}


def _period():
    from reoffkit.engine import Period

    return Period(FIRST_QUARTER, QUARTERS)


def folder_of(services: int, scale: float) -> Path:
    return DATA / f"national-{services}s-{scale:g}x"


def partitioned(scale: float) -> bool:
    return scale >= PARTITIONED_FROM


def case_files(folder: Path, scale: float) -> list[Path]:
    return sorted((folder / "parts").glob("*/case-file")) if partitioned(scale) else [folder / "case-file"]


def frame_folders(folder: Path, scale: float) -> list[Path]:
    return sorted((folder / "parts").glob("*/frames")) if partitioned(scale) else [folder / "frames"]


def _fingerprint(services: int, scale: float) -> str:
    """Changes when the generator or the sizes do, so stale data is never benchmarked."""
    source = (REPO / "src" / "reoffkit" / "synthetic.py").read_bytes() + (REPO / "src" / "reoffkit" / "casefile" / "writer.py").read_bytes()
    settings = f"{services}|{scale}|{CHILDREN_PER_QUARTER}|{FIRST_QUARTER}|{QUARTERS}|{AS_AT}|{PARTITIONS}|{GENERATOR_VERSION}".encode()
    return hashlib.sha256(source + settings).hexdigest()[:16]


# ---- Data ---------------------------------------------------------------------------------------


def generate_job(services: int, scale: float, folder: Path) -> dict:
    """Write the case file(s) and Parquet frames for one scale (in its own process)."""
    from reoffkit.casefile import write_case_file
    from reoffkit.synthetic import generate as synthesise
    from reoffkit.synthetic import services_named

    started = time.perf_counter()
    named = services_named([f"Service {i:03d}" for i in range(services)], seed=1)
    parts = PARTITIONS if partitioned(scale) else 1
    size = -(-services // parts)
    offset = 0
    sizes = {"people": 0, "outcomes": 0, "assessments": 0}
    for part in range(parts):
        frames = synthesise(
            named[part * size : (part + 1) * size],
            first_quarter=FIRST_QUARTER - 4,  # a year of earlier entrants, so the first quarters are steady
            quarters=QUARTERS + 4,
            children_per_quarter=CHILDREN_PER_QUARTER * scale,
            as_at=AS_AT,
            seed=int(scale * 10) + (1000 * part if parts > 1 else 0),
        )
        if parts > 1:  # ids unique across partitions
            prefix = pl.lit(f"P{part:02d}-")
            frames = {name: f.with_columns(pl.concat_str(prefix, pl.col("person_id").str.slice(1)).alias("person_id")) for name, f in frames.items()}
            frames["outcomes"] = frames["outcomes"].with_columns(pl.col("outcome_id") + offset)
            offset += frames["outcomes"].height
        target = folder / "parts" / f"{part:02d}" if parts > 1 else folder
        write_case_file(frames, target / "case-file")
        (target / "frames").mkdir(parents=True, exist_ok=True)
        for name in ("people", "outcomes", "assessments"):
            frames[name].write_parquet(target / "frames" / f"{name}.parquet")
            sizes[name] += frames[name].height
        if parts == 1 and services == SERVICES and frames["outcomes"].height < XLSX_ROW_LIMIT:  # (a quick run reads CSV only)
            write_case_file(frames, folder / "case-file.xlsx")
        del frames
    return {"seconds": time.perf_counter() - started, **sizes}


def _stamp(services: int, scale: float) -> str | None:
    stamp = folder_of(services, scale) / "fingerprint"
    return stamp.read_text() if stamp.exists() else None


def generate(services: int, scale: float) -> tuple[Path, float]:
    folder = folder_of(services, scale)
    stamp = folder / "fingerprint"
    fingerprint = _fingerprint(services, scale)
    if stamp.exists() and stamp.read_text() == fingerprint:
        return folder, 0.0
    if folder.exists():
        subprocess.run(["rm", "-rf", str(folder)], check=True)
    folder.mkdir(parents=True)
    print(f"  writing the {scale:g}× data (once) …", flush=True)
    result = in_fresh_process(["generate", "--services", str(services), "--scale", str(scale)], folder)
    stamp.write_text(fingerprint)
    return folder, result["seconds"]


# ---- Counting -----------------------------------------------------------------------------------


def engine_breakdowns(entries: pl.DataFrame) -> pl.DataFrame:
    """Every breakdown of the work with the engine's ``measures_by``, in the benchmark's long form."""
    from pandas_baseline import ALL_QUARTERS, CROSS

    from reoffkit.engine import measures_by

    out = []
    for keys in [[field] for field in FIELDS] + [list(CROSS)]:
        group = pl.concat_str([pl.col(k).cast(pl.String) for k in keys], separator="|").alias("group")
        for by_quarter in (True, False):
            grouped = measures_by(entries, ["service", *(["quarter"] if by_quarter else []), *keys])
            quarter = pl.col("quarter") if by_quarter else pl.lit(ALL_QUARTERS)
            out.append(grouped.select("service", quarter.alias("quarter"), pl.lit(",".join(keys)).alias("field"), group, *COUNTS))
    return pl.concat(out)


def engine_count(frames: dict[str, pl.DataFrame], full: bool = False) -> tuple[pl.DataFrame, int]:
    from reoffkit.engine import CountingRules, entry_table
    from reoffkit.engine.cohort import entry_counts

    entries = (entry_table if full else entry_counts)(
        frames["people"], frames["outcomes"], frames["assessments"], period=_period(), rules=CountingRules(), as_at=AS_AT
    )
    return engine_breakdowns(entries), entries.height


def pandas_frames(folder: Path) -> dict:
    import pandas as pd

    def load(name):
        frame = pd.read_parquet(folder / f"{name}.parquet")
        for column in frame.columns:
            if column.endswith("_date") or column in ("date_of_birth", "recorded_on"):
                frame[column] = pd.to_datetime(frame[column])
        return frame

    return {name: load(name) for name in ("people", "outcomes", "assessments")}


def pandas_count(frames: dict):
    import pandas as pd
    from pandas_baseline import all_breakdowns, tier_frame

    from reoffkit.engine import codes

    period = _period()
    return all_breakdowns(
        frames["people"], frames["outcomes"], frames["assessments"], tier_frame(codes.OUTCOME_TYPES),
        pd.Timestamp(period.start), pd.Timestamp(period.end), pd.Timestamp(AS_AT), FIELDS,
    )


def duckdb_count(connection) -> pl.DataFrame:
    from duckdb_baseline import all_breakdowns

    from reoffkit.engine import codes

    period = _period()
    return pl.from_arrow(all_breakdowns(connection, codes.OUTCOME_TYPES, period.start, period.end, AS_AT, FIELDS))


def _load_duckdb_frames(connection, folders: list[Path]) -> None:
    for name in ("people", "outcomes", "assessments"):
        listing = ", ".join(f"'{f / f'{name}.parquet'}'" for f in folders)
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM read_parquet([{listing}])")


def count_job(tool: str, folder: Path, scale: float, repeat: int) -> dict:
    """The count alone, best of ``repeat``, on frames loaded before timing — except by partition
    (100×), where each partition's Parquet frames are read inside the timing, one at a time."""
    sys.path.insert(0, str(ROOT))
    folders = frame_folders(folder, scale)
    times, cpu, entries = [], [], 0
    if tool == "duckdb":
        from duckdb_baseline import connect

        connection = connect(**_duckdb_settings(scale, folder))
        _load_duckdb_frames(connection, folders)
        for _ in range(repeat):
            started, cpu_started = time.perf_counter(), _cpu_seconds()
            result = duckdb_count(connection)
            times.append(time.perf_counter() - started)
            cpu.append(_cpu_seconds() - cpu_started)
        return _counted(result, folder, tool, times, cpu, 0)
    _statsmodels_warm()

    def read(part: Path) -> dict:
        if tool == "pandas":
            return pandas_frames(part)
        return {n: pl.read_parquet(part / f"{n}.parquet") for n in ("people", "outcomes", "assessments")}

    if tool == "engine-all":  # every partition's frames at once, as one file would give them
        loaded = [{n: pl.concat([pl.read_parquet(p / f"{n}.parquet") for p in folders]) for n in ("people", "outcomes", "assessments")}]
    elif partitioned(scale):
        loaded = None
    else:
        loaded = [read(part) for part in folders]
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        results, entries = [], 0
        for frames in loaded or map(read, folders):
            if tool == "pandas":
                results.append(pl.from_pandas(pandas_count(frames)))
            else:
                counted, n = engine_count(frames, full=tool == "engine-full")
                results.append(counted)
                entries += n
            del frames
        result = pl.concat(results)
        times.append(time.perf_counter() - started)
        cpu.append(_cpu_seconds() - cpu_started)
    return _counted(result, folder, tool, times, cpu, entries)


def _counted(result: pl.DataFrame, folder: Path, tool: str, times: list[float], cpu: list[float], entries: int) -> dict:
    _write_result(result, folder, f"count-{tool}")
    return {"seconds": min(times), "all_seconds": times, "cpu_seconds": min(cpu), "entries": entries, "groups": result.height}


def _statsmodels_warm() -> bool:
    """statsmodels is imported once per process (about 0.8 s), not timed with each computation."""
    from reoffkit.engine.measures import wilson_interval

    wilson_interval([1], [2])
    return True


def _duckdb_settings(scale: float, folder: Path) -> dict:
    if partitioned(scale):
        (folder / "duckdb-tmp").mkdir(exist_ok=True)
        return {"memory_limit": "6GB", "temp_directory": folder / "duckdb-tmp"}
    return {}


def _write_result(result: pl.DataFrame, folder: Path, name: str) -> None:
    (folder / "results").mkdir(exist_ok=True)
    result.select(*(pl.col(k).cast(pl.String) for k in KEYS), *(pl.col(c).cast(pl.Int64) for c in COUNTS)).write_parquet(folder / "results" / f"{name}.parquet")


# ---- End to end ---------------------------------------------------------------------------------


def e2e_job(tool: str, source: str, folder: Path, scale: float, started_at: float) -> dict:
    """Read and check, then count, from the case file(s); stages timed. ``started_at``: when the
    parent started this process (so the interpreter's start and the imports are a stage too)."""
    sys.path.insert(0, str(ROOT))
    stages = {"read_check": 0.0, "count": 0.0}
    paths = [folder / "case-file.xlsx"] if source == "xlsx" else case_files(folder, scale)
    if source == "single":
        paths = [folder / "single" / "case-file"]
    if tool == "engine":
        from reoffkit.casefile import read_case_file

        _statsmodels_warm()
    elif tool == "pandas":
        import pandas  # noqa: F401
        from pandas_baseline import read_and_check
    else:
        from duckdb_baseline import connect, read_and_check
    stages["start_and_imports"] = time.time() - started_at
    results, entries, problems = [], 0, 0
    if tool == "duckdb":  # all partitions at once: DuckDB reads many files as one table
        from reoffkit.engine import codes

        connection = connect(**_duckdb_settings(scale, folder))
        t = time.perf_counter()
        read_and_check(connection, paths[0] if len(paths) == 1 else folder / "parts", AS_AT, codes.OUTCOME_TYPES, _vocabularies())
        stages["read_check"] += time.perf_counter() - t
        t = time.perf_counter()
        results.append(duckdb_count(connection))
        stages["count"] += time.perf_counter() - t
    for path in paths if tool != "duckdb" else []:
        t = time.perf_counter()
        if tool == "engine":
            case_file = read_case_file(path, today=AS_AT)
            problems += len(case_file.problems)
            if not case_file.ok:
                raise SystemExit(f"the case file has errors: {case_file.errors[:3]}")
            frames = {"people": case_file.people, "outcomes": case_file.outcomes, "assessments": case_file.assessments}
        else:
            from reoffkit.engine import codes

            frames = read_and_check(path, AS_AT, codes.OUTCOME_TYPES, _vocabularies())
        stages["read_check"] += time.perf_counter() - t
        t = time.perf_counter()
        if tool == "engine":
            counted, n = engine_count(frames)
            entries += n
            results.append(counted)
        else:
            results.append(pl.from_pandas(pandas_count(frames)))
        stages["count"] += time.perf_counter() - t
        del frames
    result = pl.concat(results)
    _write_result(result, folder, f"e2e-{tool}-{source}")
    return {**stages, "cpu_seconds": _cpu_seconds(), "entries": entries, "problems": problems, "groups": result.height}


def read_job(folder: Path, source: str, repeat: int) -> dict:
    """The reader alone (the current one, or the reference commit's when PYTHONPATH points at it), best of ``repeat``."""
    import reoffkit
    from reoffkit.casefile import read_case_file

    path = folder / "case-file.xlsx" if source == "xlsx" else folder / "case-file"
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        case_file = read_case_file(path, today=AS_AT)
        times.append(time.perf_counter() - started)
        if not case_file.ok:
            raise SystemExit(f"the case file has errors: {case_file.errors[:3]}")
    return {"seconds": min(times), "all_seconds": times, "module": reoffkit.__file__, "outcomes": case_file.outcomes.height}


def reference_source() -> Path | None:
    """The reader of commit ``REFERENCE``, extracted from git once (``None`` outside a git checkout)."""
    target = DATA / f"reference-{REFERENCE}"
    if (target / "src" / "reoffkit" / "__init__.py").exists():
        return target / "src"
    archive = subprocess.run(["git", "-C", str(REPO), "archive", REFERENCE, "src/reoffkit"], capture_output=True)
    if archive.returncode != 0:
        return None
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target / "src"


# ---- Processes ----------------------------------------------------------------------------------


class Refused(Exception):
    pass


def in_fresh_process(arguments: list[str], folder: Path, *, env: dict | None = None, cap_mb: float | None = None) -> dict:
    """Run a job of this script in a new interpreter; its JSON result, plus ``process_seconds``
    (wall time of the whole process seen from here) and ``peak_rss_mb``. With ``cap_mb`` the process
    is watched and stopped when its resident memory passes the cap (the result then says so)."""
    started = time.time()
    command = [sys.executable, __file__, "--job", *arguments, "--started-at", repr(started), str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    watched = {"peak": 0.0, "stopped": False}

    def watch() -> None:
        status = Path(f"/proc/{process.pid}/status")
        while process.poll() is None:
            try:
                rss = next(int(line.split()[1]) / 1024 for line in status.read_text().splitlines() if line.startswith("VmRSS:"))
            except (OSError, StopIteration):
                break
            watched["peak"] = max(watched["peak"], rss)
            if cap_mb and rss > cap_mb:
                watched["stopped"] = True
                process.kill()  # this job's own process, started above
                break
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    stdout, stderr = process.communicate()
    watcher.join()
    seconds = time.time() - started
    if watched["stopped"]:
        return {"stopped": True, "process_seconds": seconds, "peak_rss_mb": watched["peak"]}
    if process.returncode != 0:
        raise SystemExit(f"job {' '.join(arguments)} failed:\n{stderr[-4000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["process_seconds"] = seconds
    return result


def differences(folder: Path, name: str, against: str = "count-engine") -> tuple[int, pl.DataFrame]:
    """Groups whose counts differ between two results (empty when they agree), and how many groups."""
    engine = pl.read_parquet(folder / "results" / f"{against}.parquet")
    other = pl.read_parquet(folder / "results" / f"{name}.parquet")
    joined = engine.join(other, on=KEYS, how="full", suffix="_other", coalesce=True)
    differ = joined.filter(pl.any_horizontal((pl.col(c) != pl.col(f"{c}_other")).fill_null(True) for c in COUNTS))
    return joined.height, differ


# ---- The limit ----------------------------------------------------------------------------------


def memory_bandwidth() -> float:
    """Bytes a second one core reads: a NumPy sum over 256 MiB (far beyond the caches), best of 20
    (on a busy machine the best run is the one that had the core to itself)."""
    import numpy as np

    values = np.ones(2**25)  # 256 MiB of float64
    best = float("inf")
    for _ in range(20):
        started = time.perf_counter()
        values.sum()
        best = min(best, time.perf_counter() - started)
    return values.nbytes / best


COLUMNS_READ = {
    "people": ["person_id", "service", "date_of_birth", "sex", "ethnicity", "looked_after", "district", "yot_caseload"],
    "outcomes": ["outcome_id", "person_id", "offence_date", "outcome_date", "outcome_type", "release_date", "gravity", "breach", "recorded_on"],
    "assessments": ["person_id", "assessment_date", "tool", "score", "likelihood_band", "intervention_level"],
}


def input_bytes(folder: Path, scale: float) -> dict[str, int]:
    """What one pass must read: the columns the rules use in memory; the three CSV files; the
    three sheets' XML (uncompressed) and the shared strings of the workbook."""
    columns = sum(
        pl.scan_parquet(f / f"{name}.parquet").select(names).collect().estimated_size()
        for f in frame_folders(folder, scale)
        for name, names in COLUMNS_READ.items()
    )
    csv = sum((f / f"{name}.csv").stat().st_size for f in case_files(folder, scale) for name in COLUMNS_READ)
    result = {"count": columns, "csv": csv, "single": csv}
    workbook = folder / "case-file.xlsx"
    if workbook.exists():
        with zipfile.ZipFile(workbook) as z:
            names = z.namelist()
            index = {n: i for i, n in enumerate(("people", "outcomes", "assessments", "actions", "resettlement"))}
            wanted = [f"xl/worksheets/sheet{index[n] + 1}.xml" for n in COLUMNS_READ] + ["xl/sharedStrings.xml"]
            result["xlsx"] = sum(z.getinfo(n).file_size for n in wanted if n in names)
    return result


# ---- The run ------------------------------------------------------------------------------------


def concatenate_partitions(folder: Path) -> Path:
    """One unpartitioned CSV case file of all partitions (for the attempt to read 100× at once)."""
    target = folder / "single" / "case-file"
    stamp = target / "done"
    if stamp.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    parts = case_files(folder, PARTITIONED_FROM)
    for name in ("people", "outcomes", "assessments", "actions", "resettlement"):
        with (target / f"{name}.csv").open("wb") as out:
            for i, part in enumerate(parts):
                with (part / f"{name}.csv").open("rb") as source:
                    heading = source.readline()
                    if i == 0:
                        out.write(heading)
                    while chunk := source.read(1 << 24):
                        out.write(chunk)
    stamp.write_text("")
    return target


def verify(services: int, refused: dict[str, str]) -> None:
    """Before anything is timed: each baseline's counts against the engine's on the 1× data (a
    tenth of it with --quick); a baseline that differs in any group goes into ``refused``."""
    folder, _ = generate(services, 1.0)
    for tool in ("engine", "pandas", "duckdb"):
        in_fresh_process(["count", "--tool", tool, "--repeat", "1", "--scale", "1"], folder)
    for tool in ("pandas", "duckdb"):
        groups, differ = differences(folder, f"count-{tool}")
        if differ.height:
            refused[tool] = f"differs from the engine on {differ.height:,} of {groups:,} groups of the 1× data"
            print(f"\nREFUSED: {tool} counts differently from the engine on {differ.height:,} of {groups:,} groups of the 1× data, e.g.:")
            with pl.Config(tbl_rows=20, tbl_cols=12, tbl_width_chars=200):
                print(differ.head(20))
        else:
            print(f"verified on the 1× data: {tool} gives the engine's counts in all {groups:,} groups", flush=True)


def run_scale(scale: float, services: int, repeat: int, refused: dict[str, str], quick: bool, cap_mb: float) -> dict:
    folder, generated = generate(services, scale)
    row: dict = {"scale": scale, "generated_seconds": generated, "bytes": input_bytes(folder, scale), "checks": {}}
    sizes = {name: sum(pl.scan_parquet(f / f"{name}.parquet").select(pl.len()).collect().item() for f in frame_folders(folder, scale)) for name in ("people", "outcomes", "assessments")}
    row["sizes"] = sizes
    print(f"{scale:g}×: {sizes['people']:,} children, {sizes['outcomes']:,} outcome rows, {sizes['assessments']:,} assessments", flush=True)
    tools = ["engine", "pandas", "duckdb"]

    def job(*arguments, **options):
        return in_fresh_process([*arguments, "--scale", str(scale)], folder, **options)

    row["count"] = {"engine": job("count", "--tool", "engine", "--repeat", str(repeat if not partitioned(scale) else 1))}
    timed = [t for t in tools[1:] if t not in refused]
    for tool in timed:
        if tool == "pandas" and partitioned(scale):
            continue  # at 100× pandas is timed end to end only (by partition), which includes this
        row["count"][tool] = job("count", "--tool", tool, "--repeat", str(repeat if not partitioned(scale) else 1))
    if not quick and not partitioned(scale):
        row["count"]["engine-full"] = job("count", "--tool", "engine-full", "--repeat", str(repeat))
    for name in row["count"]:
        if name != "engine":
            groups, differ = differences(folder, f"count-{name}")
            row["checks"][f"count-{name}"] = (groups, differ.height)
    print("  count: " + ", ".join(f"{t} {r['seconds']:.2f} s" for t, r in row["count"].items()), flush=True)

    sources = ["csv"] + (["xlsx"] if (folder / "case-file.xlsx").exists() and not quick else [])
    row["e2e"] = {}
    for source in sources:
        for tool in ["engine", *timed]:
            result = job("e2e", "--tool", tool, "--source", source, cap_mb=cap_mb if partitioned(scale) else None)
            row["e2e"][f"{tool}/{source}"] = result
            if not result.get("stopped"):
                groups, differ = differences(folder, f"e2e-{tool}-{source}")
                row["checks"][f"e2e-{tool}-{source}"] = (groups, differ.height)
            print(f"  end to end from {source}: {tool} {result['process_seconds']:.1f} s (peak {result['peak_rss_mb']:,.0f} MB)", flush=True)
    if partitioned(scale):
        # What the engine cannot do by partition: everything at once.
        result = job("count", "--tool", "engine-all", "--repeat", "1", cap_mb=cap_mb)
        row["count"]["engine-all"] = result
        if not result.get("stopped"):
            groups, differ = differences(folder, "count-engine-all")
            row["checks"]["count-engine-all"] = (groups, differ.height)
        concatenate_partitions(folder)
        result = job("e2e", "--tool", "engine", "--source", "single", cap_mb=cap_mb)
        row["e2e"]["engine/single"] = result
        if not result.get("stopped"):
            groups, differ = differences(folder, "e2e-engine-single")
            row["checks"]["e2e-engine-single"] = (groups, differ.height)
    elif not quick:
        reference = reference_source()
        row["read"] = {}
        for source in ("csv",):  # from .xlsx the reader takes minutes a read at 1×: its stages are in the end-to-end table
            # Interleaved (now, then, now, then), each the best of its processes: on a shared machine the
            # load changes within a minute, and one process each would time the two at different loads.
            nows, thens = [], []
            for _ in range(READ_ROUNDS):
                nows.append(job("read", "--source", source, "--repeat", "2"))
                if reference:
                    thens.append(job("read", "--source", source, "--repeat", "2", env={"PYTHONPATH": str(reference)}))
            now = _best_read(nows)
            then = _best_read(thens) if thens else None
            if then and REFERENCE not in then["module"] and str(reference) not in then["module"]:
                raise SystemExit(f"the reference reader was not the one imported: {then['module']}")
            row["read"][source] = {"now": now, "reference": then}
            print(f"  reader from {source}: now {now['seconds']:.2f} s, at {REFERENCE} {then['seconds']:.2f} s" if then else f"  reader now {now['seconds']:.2f} s", flush=True)
    bad = {name: check for name, check in row["checks"].items() if check[1]}
    if bad:
        raise SystemExit(f"{scale:g}×: results differ from the engine's count: {bad}")
    return row


def _best_read(results: list[dict]) -> dict:
    """The fastest of several reader processes, with every time they took."""
    best = min(results, key=lambda r: r["seconds"])
    return {**best, "all_seconds": [t for r in results for t in r["all_seconds"]]}


# ---- Report -------------------------------------------------------------------------------------


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def _ratio(a: float | None, b: float | None) -> str:
    return "–" if not a or not b else f"{a / b:.1f}×"


def _mb(mb: float | None) -> str:
    return "–" if mb is None else f"{mb:,.0f}"


def _cpu(result: dict | None) -> str:
    """CPU seconds of a result, or a dash where the tool was not timed (pandas counting at 100×)."""
    return "–" if not result or result.get("cpu_seconds") is None else f"{result['cpu_seconds']:.1f}"


def _limit(seconds: float | None, nbytes: int | None, bandwidth: float) -> str:
    if not seconds or not nbytes:
        return "–"
    return f"{seconds / (nbytes / bandwidth):,.0f}×"


def tables(rows: list[dict], refused: dict[str, str]) -> tuple[str, list[str]]:
    """The markdown tables and the target verdicts."""
    lines = []
    lines.append("**Counting** (frames in memory, each tool in a fresh process, best of the runs):")
    lines.append("")
    lines.append("| data | cohort entries | outcome rows | groups | engine | full `entry_table` | pandas 3 | DuckDB | pandas ÷ engine | DuckDB ÷ engine | peak MB engine / pandas / DuckDB | CPU s engine / pandas / DuckDB | one pass at bandwidth | engine ÷ that |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        c = row["count"]
        e, p, d = c["engine"], c.get("pandas"), c.get("duckdb")
        bandwidth = row["bandwidth"]
        one_pass = row["bytes"]["count"] / bandwidth
        lines.append(
            f"| {row['scale']:g}×{' (by partition)' if partitioned(row['scale']) else ''} | {e['entries']:,} | {row['sizes']['outcomes']:,} | {e['groups']:,} | {_s(e['seconds'])} | "
            f"{_s(c['engine-full']['seconds']) if 'engine-full' in c else '–'} | {_s(p and p['seconds'])} | {_s(d and d['seconds'])} | "
            f"**{_ratio(p and p['seconds'], e['seconds'])}** | **{_ratio(d and d['seconds'], e['seconds'])}** | "
            f"{_mb(e['peak_rss_mb'])} / {_mb(p and p['peak_rss_mb'])} / {_mb(d and d['peak_rss_mb'])} | "
            f"{_cpu(e)} / {_cpu(p)} / {_cpu(d)} | "
            f"{one_pass * 1000:,.1f} ms ({row['bytes']['count'] / 1e6:,.0f} MB) | {_limit(e['seconds'], row['bytes']['count'], bandwidth)} |"
        )
        a = c.get("engine-all")
        if a:  # the engine on every partition's frames at once, as one national file would give them
            seconds = "stopped above the memory cap" if a.get("stopped") else _s(a["seconds"])
            lines.append(
                f"| {row['scale']:g}× (all at once) | {a.get('entries', 0):,} | {row['sizes']['outcomes']:,} | {a.get('groups', 0):,} | {seconds} | – | – | – | – | – | "
                f"{_mb(a['peak_rss_mb'])} / – / – | {_cpu(a)} / – / – | {one_pass * 1000:,.1f} ms | {_limit(a.get('seconds'), row['bytes']['count'], bandwidth)} |"
            )
    lines.append("")
    lines.append("**End to end** (a fresh process each: start, imports, read and check the case file, count; timed from outside; one run):")
    lines.append("")
    lines.append("| data | from | tool | whole process | start + imports | read + check | count | CPU s | peak MB | ÷ engine (whole process) | one pass over the file at bandwidth | whole process ÷ that |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    names = {"engine": "reoffkit", "pandas": "pandas 3", "duckdb": "DuckDB"}
    for row in rows:
        bandwidth = row["bandwidth"]
        for key, r in row["e2e"].items():
            tool, source = key.split("/")
            engine = row["e2e"].get(f"engine/{source}")
            label = {"csv": "CSV folder", "xlsx": ".xlsx", "single": "one CSV folder (unpartitioned)"}[source]
            if partitioned(row["scale"]) and source == "csv":
                label += " × 10 partitions" if tool != "duckdb" else " × 10 partitions (read at once)"
            nbytes = row["bytes"].get(source)
            if r.get("stopped"):
                lines.append(f"| {row['scale']:g}× | {label} | {names[tool]} | stopped above {_mb(r['peak_rss_mb'])} MB after {_s(r['process_seconds'])} | – | – | – | – | > {_mb(r['peak_rss_mb'])} | – | – | – |")
                continue
            ratio = "–" if tool == "engine" else _ratio(r["process_seconds"], engine and not engine.get("stopped") and engine["process_seconds"])
            lines.append(
                f"| {row['scale']:g}× | {label} | {names[tool]} | **{_s(r['process_seconds'])}** | {_s(r['start_and_imports'])} | {_s(r['read_check'])} | {_s(r['count'])} | {r['cpu_seconds']:.1f} | {_mb(r['peak_rss_mb'])} | "
                f"{ratio} | {nbytes / bandwidth * 1000:,.0f} ms ({nbytes / 1e6:,.0f} MB) | {_limit(r['process_seconds'], nbytes, bandwidth)} |"
            )
    reads = [(row, source, r) for row in rows for source, r in row.get("read", {}).items() if r["reference"]]
    if reads:
        lines.append("")
        lines.append(f"**Reading and checking** (`read_case_file` alone, best of 2 reads in each of {READ_ROUNDS} fresh processes, now and then interleaved): now against commit `{REFERENCE}` (the issue's \"today\"), same run, same files:")
        lines.append("")
        lines.append(f"| data | from | at `{REFERENCE}` | now | speed-up | one pass at bandwidth | now ÷ that |")
        lines.append("|---|---|---|---|---|---|---|")
        for row, source, r in reads:
            nbytes, bandwidth = row["bytes"].get(source), row["bandwidth"]
            lines.append(
                f"| {row['scale']:g}× | {source} | {_s(r['reference']['seconds'])} | {_s(r['now']['seconds'])} | {_ratio(r['reference']['seconds'], r['now']['seconds'])} | "
                f"{nbytes / bandwidth * 1000:,.0f} ms | {_limit(r['now']['seconds'], nbytes, bandwidth)} |"
            )
    verdicts = []
    for row in rows:
        if row["scale"] == 10:
            e, p, d = (row["e2e"].get(f"{t}/csv") for t in ("engine", "pandas", "duckdb"))
            if p:
                ratio = p["process_seconds"] / e["process_seconds"]
                verdicts.append(_verdict(f"end to end at 10× (CSV) at least {TARGET_E2E_PANDAS:g}× faster than pandas 3", ratio >= TARGET_E2E_PANDAS,
                                         f"{ratio:.1f}× ({_s(e['process_seconds'])} against {_s(p['process_seconds'])}); missed by a factor of {TARGET_E2E_PANDAS / ratio:.1f}" if ratio < TARGET_E2E_PANDAS else f"{ratio:.1f}×"))
            if d:
                ratio = d["process_seconds"] / e["process_seconds"]
                verdicts.append(_verdict("end to end at 10× (CSV) at least as fast as DuckDB", ratio >= TARGET_E2E_DUCKDB,
                                         f"{ratio:.2f}× ({_s(e['process_seconds'])} against {_s(d['process_seconds'])})" + (f"; {e['process_seconds'] / d['process_seconds']:.1f}× slower" if ratio < 1 else "")))
        for source, r in row.get("read", {}).items():
            if r["reference"]:
                ratio = r["reference"]["seconds"] / r["now"]["seconds"]
                verdicts.append(_verdict(f"reading and checking at {row['scale']:g}× ({source}) at least {TARGET_READ:g}× faster than at {REFERENCE}", ratio >= TARGET_READ,
                                         f"{ratio:.2f}× ({_s(r['now']['seconds'])} against {_s(r['reference']['seconds'])}); needs {TARGET_READ / ratio:.1f}× more"))
        if partitioned(row["scale"]):
            e = row["e2e"]["engine/csv"]
            ok = e["process_seconds"] < TARGET_100X_SECONDS and e["peak_rss_mb"] < TARGET_100X_MB
            verdicts.append(_verdict(f"100× under {TARGET_100X_SECONDS:g} s and under 8 GB (engine, CSV, by partition)", ok,
                                     f"{_s(e['process_seconds'])}, peak {_mb(e['peak_rss_mb'])} MB" + (f"; {e['process_seconds'] / TARGET_100X_SECONDS:.1f}× the time allowed" if e["process_seconds"] >= TARGET_100X_SECONDS else "")))
            for key, what in (("engine/single", "reading one unpartitioned 100× CSV case file"),):
                r = row["e2e"].get(key)
                if r:
                    verdicts.append(_verdict(f"{what} in 8 GB", not r.get("stopped") and r["peak_rss_mb"] < TARGET_100X_MB,
                                             f"stopped above {_mb(r['peak_rss_mb'])} MB after {_s(r['process_seconds'])}" if r.get("stopped") else f"{_s(r['process_seconds'])}, peak {_mb(r['peak_rss_mb'])} MB"))
            r = row["count"].get("engine-all")
            if r:
                verdicts.append(_verdict("counting all 100× frames at once in 8 GB", not r.get("stopped") and r["peak_rss_mb"] < TARGET_100X_MB,
                                         f"stopped above {_mb(r['peak_rss_mb'])} MB" if r.get("stopped") else f"{_s(r['seconds'])}, peak {_mb(r['peak_rss_mb'])} MB"))
    for tool, why in refused.items():
        verdicts.append(f"- **{tool} was not timed**: {why}.")
    return "\n".join(lines), verdicts


def _verdict(what: str, met: bool, detail: str) -> str:
    return f"- {what}: **{'met' if met else 'NOT met'}** — {detail}."


def machine() -> str:
    import duckdb
    import numpy
    import pandas

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) / 1024**2 for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), 0)
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory:.0f} GiB; Python {platform.python_version()}, Polars {pl.__version__}, "
        f"pandas {pandas.__version__}, DuckDB {duckdb.__version__}, NumPy {numpy.__version__}"
    )


def write_doc(block: str, name: str = "run.py") -> None:
    """Replace the block between ``<!-- bench:NAME:start -->`` and its end in docs/benchmarks.md."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    text = DOC.read_text()
    if start not in text:
        raise SystemExit(f"{DOC} has no {start} … {end} block to replace")
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    DOC.write_text(f"{before}{start}\n{block}\n{end}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, action="append", help="1, 10 and/or 100 (default all three); repeat the option for several")
    parser.add_argument("--quick", action="store_true", help="a smoke run: a tenth of the services at 1×, one run each, docs untouched")
    parser.add_argument("--repeat", type=int, default=None, help="best of N counting runs in each process (default 3; 1 with --quick)")
    parser.add_argument("--memory-cap", type=float, default=12 * 1024, help="MB: a 100× process above this is stopped and reported (default 12288)")
    parser.add_argument("--no-docs", action="store_true", help=f"do not rewrite the table in {DOC.relative_to(REPO)}")
    parser.add_argument("--report", action="store_true", help="time nothing: rewrite the table from the kept results of each scale's latest run")
    parser.add_argument("--job", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--tool", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--services", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--started-at", type=float, help=argparse.SUPPRESS)
    parser.add_argument("folder", nargs="?", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    repeat = arguments.repeat or (1 if arguments.quick else 3)
    if arguments.job:
        kind, scale = arguments.job[0], (arguments.scale or [1.0])[-1]
        if kind == "generate":
            result = generate_job(arguments.services, scale, arguments.folder)
        elif kind == "count":
            result = count_job(arguments.tool, arguments.folder, scale, repeat)
        elif kind == "e2e":
            result = e2e_job(arguments.tool, arguments.source, arguments.folder, scale, arguments.started_at)
        else:
            result = read_job(arguments.folder, arguments.source, repeat)
        result["peak_rss_mb"] = _peak_mb()
        print(json.dumps(result))
        return

    services = SERVICES // 10 if arguments.quick else SERVICES
    scales = sorted(arguments.scale or ([1.0] if arguments.quick else [1.0, 10.0, 100.0]))
    if arguments.report:
        scales = []
    started = time.perf_counter()
    bandwidth = memory_bandwidth()
    load = os.getloadavg()
    header = (
        f"{services} services × {QUARTERS} quarters ({_period().label}), as at {AS_AT}; {machine()}; memory bandwidth {bandwidth / 1e9:.1f} GB/s "
        f"(one core, NumPy sum over 256 MiB, best of 20); best of {repeat} counting run(s); load average {load[0]:.1f} at the start"
    )
    print(header, flush=True)
    rows, refused = [], {}
    if scales:
        verify(services, refused)
    for scale in scales:
        row = run_scale(scale, services, repeat, refused, arguments.quick, arguments.memory_cap)
        row.update(bandwidth=bandwidth, run=f"{dt.datetime.now():%d %b %Y %H:%M}, load average {os.getloadavg()[0]:.1f}")
        rows.append(row)
        if not arguments.quick:  # kept, so a later run of other scales can show this one beside its own
            (DATA / "results").mkdir(parents=True, exist_ok=True)
            (DATA / "results" / f"scale-{scale:g}.json").write_text(json.dumps(row, default=str))
    earlier = []
    if not arguments.quick and not arguments.no_docs:
        for path in sorted((DATA / "results").glob("scale-*.json")):
            row = json.loads(path.read_text())
            if row["scale"] not in scales and row["scale"] in (1.0, 10.0, 100.0) and _fingerprint(services, row["scale"]) == _stamp(services, row["scale"]):
                earlier.append(row)
    rows = sorted(rows + earlier, key=lambda row: row["scale"])
    block, verdicts = tables(rows, refused)
    load_after = os.getloadavg()
    command = "make bench" + (f" BENCH_ARGS='{' '.join(sys.argv[1:])}'" if sys.argv[1:] else "")
    if arguments.report:
        first = f"Rewritten on {dt.datetime.now():%d %b %Y %H:%M} (`.venv/bin/python benchmarks/run.py --report`) from the kept results of `make bench` runs on this machine ({machine()})."
    else:
        first = f"Run of {dt.datetime.now():%d %b %Y %H:%M} (`{command}`, {time.perf_counter() - started:,.0f} s in all): {header}; load average {load_after[0]:.1f} at the end."
    text = "\n".join(
        [
            first,
            "",
            *([f"Rows of {'the' if arguments.report else 'other'} scales from {'these' if arguments.report else 'earlier'} runs on the same data: " + "; ".join(f"{row['scale']:g}× ({row['run']}, memory bandwidth {row['bandwidth'] / 1e9:.1f} GB/s)" for row in earlier) + ".", ""] if earlier else []),
            block,
            "",
            "Targets (each a ratio within one run):",
            "",
            *verdicts,
        ]
    )
    print()
    print(text)
    (DATA / "results").mkdir(parents=True, exist_ok=True)
    (DATA / "results" / ("run-quick.json" if arguments.quick else "run.json")).write_text(json.dumps({"rows": rows, "bandwidth": bandwidth, "refused": refused}, indent=1, default=str))
    if arguments.quick or arguments.no_docs:
        print(f"\n({'quick run: ' if arguments.quick else ''}{DOC.relative_to(REPO)} not rewritten)")
    else:
        write_doc(text)
        print(f"\nWritten to {DOC.relative_to(REPO)}.")
    if refused:
        raise SystemExit("; ".join(f"{tool} {why}" for tool, why in refused.items()))


if __name__ == "__main__":
    main()
