"""Other layouts: a service's own workbook (its sheet names, headings and words for codes) mapped
onto the case-file format, so a performance officer need not retype an export.

A mapping is plain data, saved per service::

    {"sheets": {"Cohort list": "people", "Disposals": "outcomes"},
     "columns": {"people": {"ID": "person_id", "DOB": "date_of_birth", "Gender": "sex"}},
     "values": {"outcome_type": {"Caution - Youth": "youth_caution", "YRO": "yro"}}}

:func:`remap` writes the mapped file as a folder of case-file CSVs (only mapped sheets and columns;
cell values replaced where a value mapping says so), which the ordinary reader then validates —
so every problem is still reported against the case-file's columns, with the row numbers of the
service's own workbook.
"""

from __future__ import annotations

import csv
from pathlib import Path

from reoffkit.casefile.columns import SPECS
from reoffkit.casefile.sources import SheetLimits, TooLarge, _cell_text, archive_problem, heading
from reoffkit.casefile.xlsx import Book
from reoffkit.cells import csv_text
from reoffkit.engine import codes

#: The code columns whose words a mapping may translate, and the codes each accepts.
CODE_COLUMNS: dict[str, str] = {spec.name: spec.vocabulary for specs in SPECS.values() for spec in specs if spec.kind == "code"}
ROW_NUMBER = "__row__"


def codes_for(column: str) -> list[str]:
    vocabulary = CODE_COLUMNS[column]
    if vocabulary == "outcome_type":
        return [t.code for t in codes.OUTCOME_TYPES]
    return list(codes.SYNONYMS[vocabulary])


def recognised(column: str, value: str) -> str | None:
    """Our code for ``value`` in ``column`` if the reader already accepts it, else ``None``."""
    vocabulary = CODE_COLUMNS[column]
    table = codes.outcome_type_lookup() if vocabulary == "outcome_type" else codes.lookup(codes.SYNONYMS[vocabulary])
    return table.get(codes.normalise_word(value))


def workbook_rows(path: Path, name: str | None = None) -> dict[str, list[list[str | None]]]:
    """Every sheet of a workbook as rows of text (dates as ISO dates), first row first. Raises
    :class:`~reoffkit.casefile.sources.TooLarge` (naming ``name``, the file as the user knows it,
    or the sheet) for a workbook over the reader's limits, before or while reading it."""
    too_large = archive_problem(path, name or path.name)
    if too_large is not None:
        raise TooLarge(too_large)
    limits = SheetLimits()
    with Book(path) as book:
        sheets = {}
        for sheet in book.names:
            if not book.is_worksheet(sheet):
                continue
            rows = []
            for number, row in enumerate(book.rows(sheet), start=1):
                limits.row(sheet, number, row)
                rows.append([_cell_text(v) for v in row])
            sheets[sheet] = rows
        return sheets


def headings_and_values(path: Path, *, limit: int = 60, name: str | None = None) -> dict[str, dict]:
    """For the mapping screen: each sheet's headings (its first non-blank row) and, per heading, up
    to ``limit`` distinct values."""
    found = {}
    for name, rows in workbook_rows(path, name).items():
        start = next((i for i, row in enumerate(rows) if any(v is not None for v in row)), None)
        if start is None:
            continue
        names = [v for v in rows[start]]
        values: dict[str, list[str]] = {}
        for position, title in enumerate(names):
            if title is None:
                continue
            seen: dict[str, None] = {}
            for row in rows[start + 1 :]:
                if position < len(row) and row[position] is not None and len(seen) < limit:
                    seen.setdefault(row[position])
            values[title] = list(seen)
        found[name] = {"headings": [n for n in names if n is not None], "values": values}
    return found


def suggest(path: Path) -> dict:
    """A first mapping: sheets and headings that already match the case file's, by name."""
    return suggest_from(headings_and_values(path))


def suggest_from(sheets: dict[str, dict]) -> dict:
    """:func:`suggest` from what :func:`headings_and_values` found."""
    ours = {heading(sheet): sheet for sheet in SPECS}
    mapping: dict = {"sheets": {}, "columns": {}, "values": {}}
    for name, found in sheets.items():
        sheet = ours.get(heading(name))
        if sheet is None:
            continue
        mapping["sheets"][name] = sheet
        columns = {spec.name for spec in SPECS[sheet]}
        mapping["columns"][sheet] = {title: heading(title) for title in found["headings"] if heading(title) in columns}
    return mapping


def remap(path: Path, mapping: dict, folder: Path, name: str | None = None) -> Path:
    """Write ``path`` (a workbook) through ``mapping`` as case-file CSVs in ``folder``."""
    values = {column: {codes.normalise_word(theirs): ours for theirs, ours in words.items()} for column, words in mapping.get("values", {}).items()}
    for sheet_name, rows in workbook_rows(path, name).items():
        sheet = mapping.get("sheets", {}).get(sheet_name)
        if sheet not in SPECS:
            continue
        start = next((i for i, row in enumerate(rows) if any(v is not None for v in row)), None)
        if start is None:
            continue
        columns = mapping.get("columns", {}).get(sheet, {})
        chosen = [(position, columns[title]) for position, title in enumerate(rows[start]) if title in columns]
        # Columns the mapping leaves out are blank: a value the case file requires is then
        # reported on each row that lacks it.
        blank = [spec.name for spec in SPECS[sheet] if spec.required_column and spec.name not in {ours for _, ours in chosen}]
        with (folder / f"{sheet}.csv").open("w", newline="", encoding="utf-8") as target:
            writer = csv.writer(target)
            writer.writerow([ours for _, ours in chosen] + blank)
            for row in rows[start + 1 :]:
                out = []
                for position, ours in chosen:
                    value = row[position] if position < len(row) else None
                    if value is not None and ours in values:
                        value = values[ours].get(codes.normalise_word(value), value)
                    out.append("" if value is None else csv_text(value))
                writer.writerow(out + [""] * len(blank))
    return folder


def as_of(mapping: dict) -> str:
    """A one-line description for the pages."""
    sheets = ", ".join(f"{theirs} → {ours}" for theirs, ours in mapping.get("sheets", {}).items()) or "no sheets"
    words = sum(len(v) for v in mapping.get("values", {}).values())
    return f"{sheets}; {sum(len(c) for c in mapping.get('columns', {}).values())} columns; {words} words for codes"

