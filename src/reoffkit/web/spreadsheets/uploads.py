"""Reading an uploaded case file: an .xlsx workbook, or a .zip holding the CSV files (the
case-file reader unpacks it safely), optionally in the service's own layout. Nothing here raises
for what a file holds.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from reoffkit.casefile import CaseFile, Problem, read_case_file
from reoffkit.engine.schema import empty_frame


def _refused(path: Path, expected: str, name: str | None = None) -> CaseFile:
    frames = {sheet: empty_frame(sheet) for sheet in ("people", "outcomes", "assessments", "actions", "resettlement")}
    return CaseFile(**frames, problems=(Problem(name or path.name, None, None, None, expected),), source=str(path))


def read_upload(path: str | Path, mapping: dict | None = None, *, name: str | None = None) -> CaseFile:
    """Read an uploaded .xlsx or .zip; with ``mapping`` (a workbook in the service's own layout,
    see :mod:`reoffkit.casefile.mapping`) the workbook is first mapped onto the case file.
    ``name`` is the name it was uploaded as (it is stored under another): problems with the whole
    file are reported against it."""
    path = Path(path)
    if mapping and path.suffix.lower() == ".xlsx":
        from reoffkit.casefile.mapping import remap
        from reoffkit.casefile.sources import workbook_problem

        why = workbook_problem(path) if path.exists() else None
        if why is not None or not path.exists():
            return read_case_file(path, name=name)
        with tempfile.TemporaryDirectory(prefix="reoffkit-mapped-") as folder:
            try:
                remap(path, mapping, Path(folder))
            except Exception as error:  # a damaged workbook: let the reader describe it
                return _refused(path, f"a readable .xlsx workbook: this one could not be read ({type(error).__name__})", name)
            case_file = read_case_file(folder)
            return CaseFile(**case_file.frames(), problems=case_file.problems, source=str(path))
    return read_case_file(path, name=name)
