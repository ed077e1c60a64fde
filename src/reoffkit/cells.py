"""Cells of the workbooks and CSV files reoffkit writes: user text always goes out as text, never as
a formula (a name or an offence type beginning with ``=`` must not become ``=HYPERLINK(...)`` in
the reader's spreadsheet program).

Every writer calls one function of this module per format:

- **.xlsx**: :func:`xlsx_cell` (or :func:`xlsx_row`) writes a string as a typed text cell (openpyxl
  would otherwise store a string beginning with ``=`` as a formula, and ``#N/A`` as an error), with
  Excel's "quote prefix" when it begins like a formula, so that editing the cell keeps it text.
  Numbers, dates and booleans stay numbers, dates and booleans.
- **CSV**: :func:`csv_safe` (frames) and :func:`csv_text` (one value) put an apostrophe in front of
  text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (the OWASP guidance on
  CSV injection: spreadsheet programs start formulas with any of them). Only text is touched: a
  number column, negative numbers included, and dates are written as they are. Text that already
  begins with apostrophes followed by one of those characters gets one more, so that
  :func:`csv_unescape` (the case-file reader's undo) gives back exactly the text written: the
  round trip export → import changes nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

#: The characters a spreadsheet program may take as the start of a formula.
FORMULA_STARTS = "=+-@\t\r"
QUOTE = "'"
_STARTS_CLASS = r"[=+\-@\t\r]"  # FORMULA_STARTS as a class that Python's and Polars' regexes both read
_NEEDS_QUOTE = f"^{QUOTE}*{_STARTS_CLASS}"
_QUOTED = f"^{QUOTE}+{_STARTS_CLASS}"
_NEEDS_QUOTE_RE = re.compile(_NEEDS_QUOTE)
_QUOTED_RE = re.compile(_QUOTED)
TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum)


# CSV ------------------------------------------------------------------------------------------


def csv_text(value):
    """One value for a CSV file: text that could start a formula gets an apostrophe in front;
    anything else (numbers, dates, ``None``) is returned as it is."""
    if isinstance(value, str) and _NEEDS_QUOTE_RE.match(value):
        return QUOTE + value
    return value


def csv_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text column made safe by :func:`csv_text` (other columns untouched)."""
    text = [name for name, dtype in frame.schema.items() if isinstance(dtype, TEXT_TYPES)]
    if not text:
        return frame
    return frame.with_columns(
        pl.when(pl.col(name).cast(pl.String).str.contains(_NEEDS_QUOTE))
        .then(pl.lit(QUOTE) + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in text
    )


def write_csv(frame: pl.DataFrame, path: str | Path | None = None, **options) -> str | None:
    """``frame`` as CSV (to ``path``, or returned as text), its text made safe by :func:`csv_safe`.
    The one way reoffkit writes a CSV file of a frame."""
    return csv_safe(frame).write_csv(path, **options)


def csv_unescape(column: pl.Expr) -> pl.Expr:
    """The reader's undo of :func:`csv_text`: one apostrophe is taken off text that begins with
    apostrophes followed by a formula character (as a person typing ``'=x`` into a spreadsheet
    means the text ``=x``); all other text is left exactly as it is."""
    return pl.when(column.str.contains(_QUOTED)).then(column.str.slice(1)).otherwise(column)


def csv_unescape_text(value: str | None) -> str | None:
    """:func:`csv_unescape` for one value."""
    return value[1:] if value is not None and _QUOTED_RE.match(value) else value


# .xlsx ----------------------------------------------------------------------------------------


def xlsx_cell(sheet, value):
    """An openpyxl cell of ``sheet`` (an ordinary or a write-only sheet) holding ``value``; a string
    is always a text cell, never a formula or an error value. Pass it to ``sheet.append``."""
    from openpyxl.cell.cell import Cell

    cell = Cell(sheet, row=1, column=1, value=value)  # append() gives it its place
    if isinstance(value, str):
        cell.data_type = "s"
        if value[:1] and value[0] in FORMULA_STARTS:
            cell.quotePrefix = True
    return cell


def xlsx_row(sheet, values) -> list:
    """A row of :func:`xlsx_cell` for ``sheet.append`` (an empty value stays an empty cell)."""
    return [None if value is None else xlsx_cell(sheet, value) for value in values]


def workbook_bytes(tables, notes=()) -> bytes:
    """An .xlsx workbook of ``tables`` (name → Polars frame), one sheet each, after an ``About``
    sheet holding ``notes``; every cell written by :func:`xlsx_cell`."""
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    about = book.create_sheet("About")
    for note in notes:
        about.append(xlsx_row(about, [note]))
    for name, table in tables.items():
        sheet = book.create_sheet(name[:31])
        sheet.append(xlsx_row(sheet, table.columns))
        for row in table.iter_rows():
            sheet.append(xlsx_row(sheet, [v.isoformat() if hasattr(v, "isoformat") else v for v in row]))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
