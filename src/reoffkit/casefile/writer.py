"""Write engine frames as a case file: a folder of CSV files or one .xlsx workbook.

Dates are written as ISO dates in CSV and as real Excel dates in a workbook; booleans as
``yes``/``no``. Text is never written as a formula (:mod:`reoffkit.cells`: a text cell in a
workbook, an apostrophe in front of text beginning like a formula in CSV, which the reader takes
off again). The output reads back through :func:`reoffkit.casefile.read_case_file` to the same
frames (``outcome_id`` is written, so offences keep their identity).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import polars as pl
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from reoffkit.cells import write_csv, xlsx_row
from reoffkit.casefile.reader import SHEETS
from reoffkit.engine.schema import SCHEMAS, conform


def _for_output(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    frame = conform(frame, name)
    return frame.with_columns(
        pl.when(pl.col(c)).then(pl.lit("yes")).when(~pl.col(c)).then(pl.lit("no")).alias(c)
        for c, dtype in SCHEMAS[name].items()
        if dtype == pl.Boolean()
    )


def write_case_file(frames: Mapping[str, pl.DataFrame], path: str | Path) -> Path:
    """Write ``frames`` (keyed by sheet name; missing sheets are written empty) to ``path``.

    A path ending in ``.xlsx`` becomes a workbook; anything else a folder of CSV files.
    """
    path = Path(path)
    tables = {name: _for_output(frames.get(name, pl.DataFrame()), name) for name in SHEETS}
    if path.suffix.lower() == ".xlsx":
        _write_workbook(tables, path)
    else:
        path.mkdir(parents=True, exist_ok=True)
        for name, table in tables.items():
            write_csv(table, path / f"{name}.csv", date_format="%Y-%m-%d")
    return path


def _write_workbook(tables: Mapping[str, pl.DataFrame], path: Path) -> None:
    workbook = Workbook(write_only=True)
    for name, table in tables.items():
        sheet = workbook.create_sheet(name)
        for i, column in enumerate(table.columns):
            sheet.column_dimensions[get_column_letter(i + 1)].width = max(12, len(column) + 2)
        sheet.append(xlsx_row(sheet, table.columns))
        for row in table.iter_rows():
            sheet.append(xlsx_row(sheet, row))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
