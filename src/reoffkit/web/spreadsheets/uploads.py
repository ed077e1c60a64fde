"""Reading an uploaded case file safely: an .xlsx workbook, or a .zip holding the CSV files.

A zip is unpacked into a temporary folder, refusing anything but top-level ``.csv`` files of a
reasonable size (no paths, no zip bombs); everything else goes to the case-file reader, which
reports every problem. Nothing here raises for what a file holds.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from reoffkit.casefile import CaseFile, Problem, read_case_file
from reoffkit.engine.schema import empty_frame

MAX_UNPACKED_BYTES = 200_000_000


def _refused(path: Path, expected: str) -> CaseFile:
    frames = {name: empty_frame(name) for name in ("people", "outcomes", "assessments", "actions", "resettlement")}
    return CaseFile(**frames, problems=(Problem(path.name, None, None, None, expected),), source=str(path))


def read_upload(path: str | Path, mapping: dict | None = None) -> CaseFile:
    """Read an uploaded .xlsx or .zip; with ``mapping`` (a workbook in the service's own layout,
    see :mod:`reoffkit.casefile.mapping`) the workbook is first mapped onto the case file."""
    path = Path(path)
    if mapping and path.suffix.lower() == ".xlsx":
        from reoffkit.casefile.mapping import remap
        from reoffkit.casefile.sources import workbook_problem

        why = workbook_problem(path) if path.exists() else None
        if why is not None or not path.exists():
            return read_case_file(path)
        with tempfile.TemporaryDirectory(prefix="reoffkit-mapped-") as folder:
            try:
                remap(path, mapping, Path(folder))
            except Exception as error:  # a damaged workbook: let the reader describe it
                return _refused(path, f"a readable .xlsx workbook: this one could not be read ({type(error).__name__})")
            case_file = read_case_file(folder)
            return CaseFile(**case_file.frames(), problems=case_file.problems, source=str(path))
    if path.suffix.lower() != ".zip":
        return read_case_file(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return _refused(path, "a readable .zip of CSV files (this file is damaged or is not a zip)")
    with archive, tempfile.TemporaryDirectory(prefix="reoffkit-upload-") as folder:
        members = [m for m in archive.infolist() if not m.is_dir() and not Path(m.filename).name.startswith(".")]
        csvs = [m for m in members if m.filename.lower().endswith(".csv")]
        if not csvs:
            names = ", ".join(m.filename for m in members[:10]) or "nothing"
            return _refused(path, f"a .zip holding people.csv, outcomes.csv (and assessments.csv, actions.csv, resettlement.csv); it holds: {names}")
        if sum(m.file_size for m in csvs) > MAX_UNPACKED_BYTES:
            return _refused(path, f"CSV files of {MAX_UNPACKED_BYTES // 1_000_000} MB or less in all, unpacked")
        for member in csvs:
            name = Path(member.filename).name  # never a path from the archive
            with archive.open(member) as source, open(Path(folder) / name, "wb") as target:
                target.write(source.read(MAX_UNPACKED_BYTES))
        case_file = read_case_file(folder)
        return CaseFile(**case_file.frames(), problems=case_file.problems, source=str(path))
