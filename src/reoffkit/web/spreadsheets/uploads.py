"""Reading an uploaded case file: an .xlsx workbook, or a .zip holding the CSV files (the
case-file reader unpacks it safely), optionally in the service's own layout. Nothing here raises
for what a file holds.

An upload is read in a process of its own with a memory and a CPU-time limit (``resource``'s
``RLIMIT_AS`` and ``RLIMIT_CPU``), so that a file crafted to exhaust either costs that reading,
never the web process, the worker or the command that asked for it: the reader's own limits
(:mod:`reoffkit.casefile.sources`) refuse most such files before reading them; the process limits
stop the rest. The child imports no Django: it reads, and hands back frames (Arrow IPC) and
problems (JSON), never pickles. The web import, the mapping samples, ``reoffkit import``, the
action plan's import (on the web and in ``reoffkit board-report --plan``), and the national
figures, national rates by stratum and population tables (on the web and in the commands that
read a file given to them) all read through here.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from reoffkit.casefile import CaseFile, Problem, read_case_file
from reoffkit.casefile.reader import SHEETS
from reoffkit.casefile.sources import TOO_LARGE, TooLarge
from reoffkit.engine.schema import empty_frame

#: Defaults of the limits of the reading process (settings REOFFKIT_UPLOAD_MEMORY_MB and
#: REOFFKIT_UPLOAD_CPU_SECONDS). A full case file at Excel's row limit reads in under 500 MB.
MEMORY_MB = 2048
CPU_SECONDS = 600


def _refused(path: Path, expected: str, name: str | None = None, value: str | None = None) -> CaseFile:
    frames = {sheet: empty_frame(sheet) for sheet in SHEETS}
    return CaseFile(**frames, problems=(Problem(name or path.name, None, None, value, expected),), source=str(path))


def read_upload_here(path: str | Path, mapping: dict | None = None, *, name: str | None = None) -> CaseFile:
    """Read an uploaded .xlsx or .zip in this process; with ``mapping`` (a workbook in the
    service's own layout, see :mod:`reoffkit.casefile.mapping`) the workbook is first mapped onto
    the case file. ``name`` is the name it was uploaded as (it is stored under another): problems
    with the whole file are reported against it."""
    path = Path(path)
    if mapping and path.suffix.lower() == ".xlsx":
        from reoffkit.casefile.mapping import remap
        from reoffkit.casefile.sources import workbook_problem

        why = workbook_problem(path) if path.exists() else None
        if why is not None or not path.exists():
            return read_case_file(path, name=name)
        with tempfile.TemporaryDirectory(prefix="reoffkit-mapped-") as folder:
            try:
                remap(path, mapping, Path(folder), name=name)
            except TooLarge as refused:
                problem = refused.problem
                return CaseFile(**{s: empty_frame(s) for s in SHEETS}, problems=(problem,), source=str(path))
            except Exception as error:  # a damaged workbook: let the reader describe it
                return _refused(path, f"a readable .xlsx workbook: this one could not be read ({type(error).__name__})", name)
            case_file = read_case_file(folder)
            return CaseFile(**case_file.frames(), problems=case_file.problems, source=str(path))
    return read_case_file(path, name=name)


def limits() -> tuple[int, int]:
    """(memory in MB, CPU seconds) for a reading process: the settings when Django is set up."""
    try:
        from django.conf import settings

        return int(getattr(settings, "REOFFKIT_UPLOAD_MEMORY_MB", MEMORY_MB)), int(getattr(settings, "REOFFKIT_UPLOAD_CPU_SECONDS", CPU_SECONDS))
    except Exception:  # Django not configured: the defaults
        return MEMORY_MB, CPU_SECONDS


#: What a reading stopped by the limits asks for, by what was read (a case file unless named).
ADVICE = {
    "plan": "a smaller workbook (an action plan needs only the four columns of its first sheet)",
    "table": "a smaller file (only the table's own columns and rows)",
}
CASE_FILE_ADVICE = "a smaller file (split the records over several files, or remove what the case file does not need)"


def _run_isolated(
    task: dict, name: str, *, memory_mb: int | None, cpu_seconds: int | None, advice: str = CASE_FILE_ADVICE
) -> tuple[Path | None, Problem | None, tempfile.TemporaryDirectory]:
    """Run ``task`` in a child process under the limits; (its output folder, or the problem that
    stopped it, asking for ``advice``)."""
    default_memory, default_cpu = limits()
    memory_mb, cpu_seconds = memory_mb or default_memory, cpu_seconds or default_cpu
    folder = tempfile.TemporaryDirectory(prefix="reoffkit-read-")
    task = {**task, "out": folder.name, "memory_mb": memory_mb, "cpu_seconds": cpu_seconds}
    environment = {**os.environ, "POLARS_MAX_THREADS": "2", "OMP_NUM_THREADS": "1"}
    completed = subprocess.run(
        [sys.executable, "-m", "reoffkit.web.spreadsheets.uploads", json.dumps(task)],
        env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False,
    )
    if completed.returncode == 0 and (Path(folder.name) / "done").exists():
        return Path(folder.name), None, folder
    if completed.returncode in (-signal.SIGXCPU, -signal.SIGKILL) or b"MemoryError" in completed.stderr:
        value = f"{TOO_LARGE}: reading it needed more than {memory_mb:,} MB of memory or {cpu_seconds:,} s of processor time"
    else:
        value = f"reading it stopped unexpectedly (exit {completed.returncode})"
    problem = Problem(name, None, None, value, advice)
    return None, problem, folder


def read_upload(
    path: str | Path, mapping: dict | None = None, *, name: str | None = None, memory_mb: int | None = None, cpu_seconds: int | None = None
) -> CaseFile:
    """:func:`read_upload_here` in a process of its own under memory and CPU limits; a reading
    the limits stop comes back as a problem with the whole file ("too large when unpacked")."""
    import polars as pl

    path = Path(path)
    shown = name or path.name
    out, problem, folder = _run_isolated(
        {"do": "case file", "path": str(path), "mapping": mapping, "name": name}, shown, memory_mb=memory_mb, cpu_seconds=cpu_seconds
    )
    with folder:
        if problem is not None:
            return CaseFile(**{s: empty_frame(s) for s in SHEETS}, problems=(problem,), source=str(path))
        problems = tuple(Problem(**p) for p in json.loads((out / "problems.json").read_text(encoding="utf-8")))
        frames = {sheet: pl.read_ipc(out / f"{sheet}.arrow").clone() for sheet in SHEETS}
        return CaseFile(**frames, problems=problems, source=str(path))


def sample_headings(path: str | Path, *, name: str, memory_mb: int | None = None, cpu_seconds: int | None = None) -> dict[str, dict]:
    """The mapping screen's headings and values of a sample workbook
    (:func:`reoffkit.casefile.mapping.headings_and_values`), read under the same limits. Raises
    :class:`TooLarge` with the problem when the limits stopped it, ``ValueError`` when the file
    is not a readable workbook."""
    out, problem, folder = _run_isolated({"do": "headings", "path": str(path), "name": name}, name, memory_mb=memory_mb, cpu_seconds=cpu_seconds)
    with folder:
        if problem is not None:
            raise TooLarge(problem)
        found = json.loads((out / "headings.json").read_text(encoding="utf-8"))
    if "problem" in found:
        raise TooLarge(Problem(**found["problem"]))
    if "unreadable" in found:
        raise ValueError(found["unreadable"])
    return found["sheets"]


def read_plan_upload(path: str | Path, *, name: str, memory_mb: int | None = None, cpu_seconds: int | None = None) -> tuple[list[dict], list[str]]:
    """An action plan workbook's items (:func:`reoffkit.reports.board.read_plan`), or its problems
    in words, read as a case file is: refused unread when its parts unpack too large, otherwise read
    in a process of its own under the same memory and CPU limits."""
    import datetime as dt

    out, problem, folder = _run_isolated({"do": "plan", "path": str(path), "name": name}, name, memory_mb=memory_mb, cpu_seconds=cpu_seconds, advice=ADVICE["plan"])
    with folder:
        if problem is not None:
            return [], [str(problem)]
        found = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    items = [{**item, "due_on": dt.date.fromisoformat(item["due_on"]) if item["due_on"] else None} for item in found["items"]]
    return items, found["problems"]


def _read_table(task: dict, name: str, memory_mb: int | None, cpu_seconds: int | None):
    """Run a reference-table reading ``task`` in the limited process: (what it read as JSON, the
    frame it read, if any); :class:`CaseFileError` with the reader's problems, or with the one
    problem of a reading the limits stopped."""
    import polars as pl

    from reoffkit.casefile import CaseFileError

    out, problem, folder = _run_isolated(task, name, memory_mb=memory_mb, cpu_seconds=cpu_seconds, advice=ADVICE["table"])
    with folder:
        if problem is not None:
            raise CaseFileError([problem])
        found = json.loads((out / "read.json").read_text(encoding="utf-8"))
        frame = pl.read_ipc(out / "read.arrow").clone() if (out / "read.arrow").exists() else None
    if "problems" in found:
        raise CaseFileError([Problem(**p) for p in found["problems"]])
    return found, frame


def read_area_upload(path: str | Path, *, name: str, known_areas=(), memory_mb: int | None = None, cpu_seconds: int | None = None):
    """:func:`reoffkit.reference.areas.read_area_file` (national figures and areas) in the limited
    process: the same :class:`AreaData`, or the same :class:`CaseFileError`."""
    import datetime as dt

    from reoffkit.reference.areas import AreaData, AreaFigure, AreaInfo

    known = [{**asdict(a), "family": list(a.family), "lower_tier": list(a.lower_tier)} for a in known_areas]
    found, _ = _read_table({"do": "area file", "path": str(path), "known_areas": known}, name, memory_mb, cpu_seconds)
    figures = tuple(
        AreaFigure(**{**f, "period_start": dt.date.fromisoformat(f["period_start"]), "period_end": dt.date.fromisoformat(f["period_end"])})
        for f in found["figures"]
    )
    areas = tuple(AreaInfo(**{**a, "family": tuple(a["family"]), "lower_tier": tuple(a["lower_tier"])}) for a in found["areas"])
    return AreaData(figures, areas)


def read_stratum_upload(path: str | Path, *, name: str, memory_mb: int | None = None, cpu_seconds: int | None = None):
    """:func:`reoffkit.reference.areas.read_stratum_rates` in the limited process: the same frame,
    or the same :class:`CaseFileError`."""
    return _read_table({"do": "stratum rates", "path": str(path)}, name, memory_mb, cpu_seconds)[1]


def read_population_upload(path: str | Path, *, name: str, memory_mb: int | None = None, cpu_seconds: int | None = None):
    """:func:`reoffkit.reference.population.read_population` in the limited process: the same
    :class:`PopulationTable`, or the same :class:`CaseFileError`."""
    from reoffkit.reference.population import PopulationRow, PopulationTable

    found, _ = _read_table({"do": "population", "path": str(path)}, name, memory_mb, cpu_seconds)
    return PopulationTable(tuple(PopulationRow(**row) for row in found["rows"]), sheet=found["sheet"])


def _read_table_here(task: dict, out: Path) -> None:
    """The child's side of :func:`_read_table`: what the reader returns, or its problems."""
    from reoffkit.casefile import CaseFileError

    try:
        if task["do"] == "area file":
            from reoffkit.reference.areas import AreaInfo, read_area_file

            known = [AreaInfo(**{**a, "family": tuple(a["family"]), "lower_tier": tuple(a["lower_tier"])}) for a in task["known_areas"]]
            data = read_area_file(Path(task["path"]), known_areas=known)
            figures = [{**asdict(f), "period_start": f.period_start.isoformat(), "period_end": f.period_end.isoformat()} for f in data.figures]
            found: dict = {"figures": figures, "areas": [asdict(a) for a in data.areas]}
        elif task["do"] == "stratum rates":
            from reoffkit.reference.areas import read_stratum_rates

            read_stratum_rates(Path(task["path"])).write_ipc(out / "read.arrow")
            found = {}
        else:
            from reoffkit.reference.population import read_population

            table = read_population(Path(task["path"]))
            found = {"rows": [asdict(row) for row in table.rows], "sheet": table.sheet}
    except CaseFileError as error:
        found = {"problems": [asdict(p) for p in error.problems]}
    (out / "read.json").write_text(json.dumps(found), encoding="utf-8")


def stored_upload(folder: str | Path, upload) -> Path:
    """Write ``upload`` (a Django uploaded file) into ``folder`` under the name the user gave it,
    made safe (no folders; letters, digits, spaces, dots, dashes and underscores), so that what
    the readers say of the whole file names the file the user chose."""
    import re

    given = Path(upload.name or "").name
    suffix = Path(given).suffix.lower()
    stem = re.sub(r"[^\w .-]", "_", Path(given).stem).strip(" .")[:100] or "upload"
    path = Path(folder) / f"{stem}{suffix}"
    with path.open("wb") as stored:
        for chunk in upload.chunks():
            stored.write(chunk)
    return path


def _child(task: dict) -> int:
    """The reading process: limits first, then read, then write what was read."""
    import resource

    memory = task["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = task["cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    out = Path(task["out"])
    if task["do"] == "headings":
        from reoffkit.casefile.mapping import headings_and_values

        try:
            found: dict = {"sheets": headings_and_values(Path(task["path"]), name=task["name"])}
        except TooLarge as refused:
            found = {"problem": asdict(refused.problem)}
        except MemoryError:
            from reoffkit.casefile.sources import out_of_memory

            found = {"problem": asdict(out_of_memory(task["name"]))}
        except Exception as error:  # not a workbook, or a damaged one
            found = {"unreadable": type(error).__name__}
        (out / "headings.json").write_text(json.dumps(found), encoding="utf-8")
    elif task["do"] == "plan":
        from reoffkit.casefile.sources import archive_problem
        from reoffkit.reports.board import read_plan

        refused = archive_problem(Path(task["path"]), task["name"])
        items, problems = ([], [refused]) if refused else read_plan(Path(task["path"]))
        shown = [{**item, "due_on": item["due_on"].isoformat() if item["due_on"] else None} for item in items]
        (out / "plan.json").write_text(json.dumps({"items": shown, "problems": [str(p) for p in problems]}), encoding="utf-8")
    elif task["do"] in ("area file", "stratum rates", "population"):
        _read_table_here(task, out)
    else:
        case_file = read_upload_here(task["path"], task.get("mapping"), name=task.get("name"))
        for sheet, frame in case_file.frames().items():
            frame.write_ipc(out / f"{sheet}.arrow")
        (out / "problems.json").write_text(json.dumps([asdict(p) for p in case_file.problems]), encoding="utf-8")
    (out / "done").touch()
    return 0


if __name__ == "__main__":
    sys.exit(_child(json.loads(sys.argv[1])))
