"""Real case files for the reader's tests: .xlsx workbooks through openpyxl, CSV folders through csv."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook

D = dt.date
TODAY = D(2026, 11, 24)  # the reader's "today" in every test: no hidden clock

PEOPLE = ["person_id", "pnc_id", "date_of_birth", "sex", "ethnicity", "looked_after", "district", "yot_caseload"]
OUTCOMES = ["person_id", "offence_date", "outcome_date", "outcome_type", "release_date", "offence_type", "gravity", "breach"]
ASSESSMENTS = ["person_id", "assessment_date", "tool", "score", "likelihood_band", "intervention_level"]
ACTIONS = ["person_id", "raised_on", "trigger", "action", "status", "owner", "due_on", "completed_on", "notes"]

#: One child and one offence that read with no problem at all; tests change one thing.
GOOD_PERSON = ["A1", "15/123456A", "2001-06-01", "male", "White", "no", "North", "yes"]
GOOD_OUTCOME = ["A1", "2016-10-01", "2016-10-15", "youth_caution", "", "theft", "2", "no"]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write ``sheets`` (name → rows, the first row the headings) as a real .xlsx file."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def csv_folder(path: Path, files: dict[str, list[list]], *, encoding: str = "utf-8", delimiter: str = ",", suffix: str = ".csv") -> Path:
    """Write each of ``files`` (name → rows) as ``name.csv`` in a new folder.

    ``encoding="utf-16"`` with ``delimiter="\t"`` and ``suffix=".txt"`` is what Excel's "Unicode
    Text" writes: UTF-16 little-endian with a byte order mark, tab-separated, CRLF line ends."""
    path.mkdir()
    for name, rows in files.items():
        with (path / f"{name}{suffix}").open("w", newline="", encoding=encoding) as file:
            csv.writer(file, delimiter=delimiter).writerows(rows)
    return path


def minimal(**changes: list[list]) -> dict[str, list[list]]:
    """The good child and offence, with sheets replaced or added by keyword."""
    files = {"people": [PEOPLE, GOOD_PERSON], "outcomes": [OUTCOMES, GOOD_OUTCOME]}
    files.update(changes)
    return files


def found(case_file) -> set[tuple]:
    """Each problem as (sheet, row, column, severity): what a test compares exactly."""
    return {(p.sheet, p.row, p.column, p.severity) for p in case_file.problems}
