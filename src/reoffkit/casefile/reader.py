"""Read a case file into engine frames, validating everything and reporting every problem at once.

A problem names the sheet, the row as the user sees it (the header is row 1, the first record
row 2, in a workbook and a CSV file alike), the column, the value as given and what was expected.
Errors stop the engine; warnings are listed and do not. No row is dropped or guessed silently:
a record whose value cannot be read is reported, and its value is left empty in the frame.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import polars as pl

from reoffkit.engine import codes
from reoffkit.engine.schema import SCHEMAS, conform

SHEETS: tuple[str, ...] = ("people", "outcomes", "assessments", "actions")
REQUIRED_SHEETS: tuple[str, ...] = ("people", "outcomes")
ROW = "__row"
DATE_EXPECTED = "a date like 2016-10-15 or 15/10/2016"
EARLIEST = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", column {self.column}"
        shown = "" if self.value is None else f": {self.value!r}"
        label = "error" if self.severity == "error" else "warning"
        return f"{label}: {where}{shown} — expected {self.expected}"


@dataclass(frozen=True)
class CaseFile:
    people: pl.DataFrame
    outcomes: pl.DataFrame
    assessments: pl.DataFrame
    actions: pl.DataFrame
    problems: tuple[Problem, ...]
    source: str

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors

    def frames(self) -> dict[str, pl.DataFrame]:
        return {name: getattr(self, name) for name in SHEETS}


class CaseFileError(Exception):
    def __init__(self, problems: tuple[Problem, ...]):
        self.problems = problems
        super().__init__(format_problems(problems, limit=20))


def format_problems(problems, limit: int | None = None) -> str:
    """One line per problem, errors first; with ``limit``, a count of the rest by kind."""
    ordered = sorted(problems, key=lambda p: (p.severity != "error", SHEETS.index(p.sheet) if p.sheet in SHEETS else 9, p.row or 0))
    shown = ordered if limit is None else ordered[:limit]
    lines = [str(p) for p in shown]
    rest = ordered[len(shown) :]
    if rest:
        lines.append(f"… and {len(rest)} more ({sum(p.severity == 'error' for p in rest)} errors, {sum(p.severity == 'warning' for p in rest)} warnings)")
    return "\n".join(lines)


def load_case_file(path: str | Path) -> CaseFile:
    """Read and validate; raise :class:`CaseFileError` (with every problem) if there are errors."""
    case_file = read_case_file(path)
    if not case_file.ok:
        raise CaseFileError(case_file.problems)
    return case_file


# Reading raw tables ---------------------------------------------------------------------------


def _header(name) -> str:
    return codes.normalise_word(str(name)).replace(" ", "_") if name is not None else ""


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _table(sheet: str, header: list, rows: list[tuple[int, list]], problems: list[Problem]) -> pl.DataFrame | None:
    names = [_header(h) for h in header]
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if not name:
            continue
        if name in seen:
            problems.append(Problem(sheet, 1, name, str(header[i]), "each column heading once"))
        seen.setdefault(name, i)
    columns = {name: [] for name in seen}
    columns[ROW] = []
    for row_number, values in rows:
        for name, index in seen.items():
            columns[name].append(_cell_text(values[index]) if index < len(values) else None)
        columns[ROW].append(row_number)
    return pl.DataFrame(columns, schema={**{name: pl.String for name in seen}, ROW: pl.Int64})


def _read_workbook(path: Path, problems: list[Problem]) -> dict[str, pl.DataFrame]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except zipfile.BadZipFile:
        if path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            expected = "an .xlsx workbook that is not password-protected (this one is encrypted or an old .xls file: save it as .xlsx without a password)"
        else:
            expected = "an .xlsx workbook (this file is not one: save it from Excel or LibreOffice as .xlsx)"
        problems.append(Problem(path.name, None, None, None, expected))
        return {}
    except Exception as error:  # openpyxl raises many types for damaged files
        problems.append(Problem(path.name, None, None, None, f"a readable .xlsx workbook ({type(error).__name__}: the file is damaged)"))
        return {}
    tables: dict[str, pl.DataFrame] = {}
    sheet_names = {_header(name): name for name in workbook.sheetnames}
    for sheet in SHEETS:
        if sheet not in sheet_names:
            continue
        worksheet = workbook[sheet_names[sheet]]
        rows_iter = worksheet.iter_rows(values_only=True)
        header = None
        for header_row, values in enumerate(rows_iter, start=1):
            if any(v is not None and str(v).strip() for v in values):
                header = list(values)
                break
        if header is None:
            tables[sheet] = pl.DataFrame()
            continue
        rows: list[tuple[int, list]] = []
        blank_run = 0
        for row_number, values in enumerate(rows_iter, start=header_row + 1):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                blank_run += 1
                if blank_run > 10_000:  # formatted but empty rows to the end of the sheet
                    break
                continue
            blank_run = 0
            rows.append((row_number, list(values)))
        tables[sheet] = _table(sheet, header, rows, problems)
    workbook.close()
    return tables


def _read_folder(path: Path, problems: list[Problem]) -> dict[str, pl.DataFrame]:
    tables: dict[str, pl.DataFrame] = {}
    files = {_header(p.stem): p for p in path.glob("*.csv")} | {_header(p.stem): p for p in path.glob("*.CSV")}
    for sheet in SHEETS:
        if sheet not in files:
            continue
        try:
            raw = pl.read_csv(files[sheet], infer_schema=False, encoding="utf8-lossy")
        except pl.exceptions.NoDataError:
            tables[sheet] = pl.DataFrame()
            continue
        except Exception as error:
            problems.append(Problem(sheet, None, None, files[sheet].name, f"a comma-separated file with one heading row ({error})"))
            continue
        renamed = {}
        for column in raw.columns:
            name = _header(column)
            if name in renamed.values():
                problems.append(Problem(sheet, 1, name, column, "each column heading once"))
                continue
            renamed[column] = name
        raw = raw.select([pl.col(c).alias(n) for c, n in renamed.items()])
        raw = raw.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in raw.columns)
        raw = raw.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
        tables[sheet] = raw.filter(~pl.all_horizontal(pl.exclude(ROW).is_null())) if raw.width > 1 else raw
    return tables


# Validating columns ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | date | code | yes_no | integer | number
    required_column: bool = True
    required_value: bool = False
    vocabulary: dict[str, str] | None = None
    accepted: str = ""
    low: float | None = None
    high: float | None = None
    not_future: bool = False


def _vocab(name: str) -> tuple[dict[str, str], str]:
    vocabulary = codes.SYNONYMS[name]
    return codes.lookup(vocabulary), ", ".join(vocabulary)


SEX, SEX_TEXT = _vocab("sex")
ETHNICITY, ETHNICITY_TEXT = _vocab("ethnicity")
YES_NO, _ = _vocab("yes_no")
OUTCOME_TYPES = codes.outcome_type_lookup()

SPECS: dict[str, list[Column]] = {
    "people": [
        Column("person_id", "text", required_value=True),
        Column("pnc_id", "text", required_column=False),
        Column("service", "text", required_column=False),
        Column("date_of_birth", "date", required_value=True, not_future=True),
        Column("sex", "code", vocabulary=SEX, accepted=SEX_TEXT),
        Column("ethnicity", "code", vocabulary=ETHNICITY, accepted=ETHNICITY_TEXT),
        Column("looked_after", "yes_no"),
        Column("district", "text"),
        Column("yot_caseload", "yes_no"),
    ],
    "outcomes": [
        Column("outcome_id", "integer", required_column=False, required_value=True, low=1),
        Column("person_id", "text", required_value=True),
        Column("offence_date", "date", required_value=True, not_future=True),
        Column("outcome_date", "date", not_future=True),
        Column("outcome_type", "code", required_value=True, vocabulary=OUTCOME_TYPES, accepted=", ".join(t.code for t in codes.OUTCOME_TYPES)),
        Column("release_date", "date"),
        Column("offence_type", "text"),
        Column("gravity", "integer", low=1, high=8),
        Column("breach", "yes_no"),
        Column("recorded_on", "date", required_column=False, not_future=True),
    ],
    "assessments": [
        Column("person_id", "text", required_value=True),
        Column("assessment_date", "date", required_value=True, not_future=True),
        Column("tool", "code", required_value=True, vocabulary=_vocab("tool")[0], accepted=_vocab("tool")[1]),
        Column("score", "number", low=0, high=100),
        Column("likelihood_band", "code", vocabulary=_vocab("likelihood_band")[0], accepted=_vocab("likelihood_band")[1]),
        Column("intervention_level", "code", vocabulary=_vocab("intervention_level")[0], accepted=_vocab("intervention_level")[1]),
    ],
    "actions": [
        Column("person_id", "text", required_value=True),
        Column("raised_on", "date", required_value=True, not_future=True),
        Column("trigger", "code", required_value=True, vocabulary=_vocab("trigger")[0], accepted=_vocab("trigger")[1]),
        Column("action", "code", required_value=True, vocabulary=_vocab("action")[0], accepted=_vocab("action")[1]),
        Column("status", "code", required_value=True, vocabulary=_vocab("status")[0], accepted=_vocab("status")[1]),
        Column("owner", "text"),
        Column("due_on", "date"),
        Column("completed_on", "date", not_future=True),
        Column("notes", "text"),
    ],
}


def _normalised(column: str) -> pl.Expr:
    return (
        pl.col(column)
        .str.to_lowercase()
        .str.replace_all(r"[_\-–]", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def _parse_date(column: str) -> pl.Expr:
    text = pl.col(column).str.slice(0, 10)
    return pl.coalesce(
        text.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        pl.col(column).str.strptime(pl.Date, "%d/%m/%Y", strict=False),
        pl.col(column).str.strptime(pl.Date, "%d/%m/%y", strict=False),
        pl.col(column).str.strptime(pl.Date, "%d-%m-%Y", strict=False),
    )


def _parsed(spec: Column) -> tuple[pl.Expr, str]:
    """The expression that reads a column, and what a valid value looks like."""
    if spec.kind == "date":
        return _parse_date(spec.name), DATE_EXPECTED
    if spec.kind == "code":
        return _normalised(spec.name).replace_strict(spec.vocabulary, default=None, return_dtype=pl.String), f"one of: {spec.accepted}"
    if spec.kind == "yes_no":
        return _normalised(spec.name).replace_strict({k: v == "yes" for k, v in YES_NO.items()}, default=None, return_dtype=pl.Boolean), "yes or no"
    if spec.kind == "integer":
        number = pl.col(spec.name).str.strip_chars().cast(pl.Float64, strict=False)
        ok = number.is_not_null() & (number == number.floor())
        if spec.low is not None:
            ok &= number >= spec.low
        if spec.high is not None:
            ok &= number <= spec.high
        bounds = f" from {spec.low:g} to {spec.high:g}" if spec.high is not None else (f" of at least {spec.low:g}" if spec.low is not None else "")
        return pl.when(ok).then(number).otherwise(None).cast(pl.Int64), f"a whole number{bounds}"
    if spec.kind == "number":
        number = pl.col(spec.name).str.strip_chars().cast(pl.Float64, strict=False)
        ok = number.is_not_null() & (number >= spec.low) & (number <= spec.high)
        return pl.when(ok).then(number).otherwise(None), f"a number from {spec.low:g} to {spec.high:g}"
    return pl.col(spec.name), "a value"


def _problems_where(table: pl.DataFrame, sheet: str, mask: pl.Expr, column: str, expected: str, severity: str = "error") -> list[Problem]:
    flagged = table.filter(mask)
    if flagged.is_empty():
        return []
    values = flagged[column].to_list() if column in flagged.columns else [None] * flagged.height
    return [
        Problem(sheet, row, column, None if value is None else str(value), expected, severity)
        for row, value in zip(flagged[ROW].to_list(), values)
    ]


def _validate_sheet(sheet: str, table: pl.DataFrame, today: dt.date, problems: list[Problem]) -> pl.DataFrame:
    specs = SPECS[sheet]
    present = set(table.columns)
    missing = [s.name for s in specs if s.required_column and s.name not in present]
    for name in missing:
        found = ", ".join(c for c in table.columns if c != ROW) or "none"
        problems.append(Problem(sheet, 1, name, None, f"a column headed {name} (columns found: {found})"))
    if missing:
        return conform(pl.DataFrame(), sheet).with_columns(pl.lit(None, pl.Int64).alias(ROW)).clear()
    absent = {spec.name for spec in specs if spec.name not in present}
    for name in absent:
        table = table.with_columns(pl.lit(None, pl.String).alias(name))
    parsed_columns = {}
    for spec in specs:
        expression, expected = _parsed(spec)
        parsed_name = f"__{spec.name}"
        table = table.with_columns(expression.alias(parsed_name))
        given = pl.col(spec.name).is_not_null()
        problems += _problems_where(table, sheet, given & pl.col(parsed_name).is_null(), spec.name, expected)
        if spec.required_value and spec.name not in absent:
            problems += _problems_where(table, sheet, ~given, spec.name, "a value (this column must not be blank)")
        if spec.kind == "date":
            parsed = pl.col(parsed_name)
            problems += _problems_where(table, sheet, parsed < EARLIEST, spec.name, "a date after 1900")
            if spec.not_future:
                problems += _problems_where(table, sheet, parsed > today, spec.name, f"a date no later than today ({today.isoformat()})")
        parsed_columns[spec.name] = pl.col(parsed_name).alias(spec.name)
    return table.select(ROW, *parsed_columns.values())


def _cross_checks(tables: dict[str, pl.DataFrame], today: dt.date, problems: list[Problem]) -> None:
    people = tables["people"]
    outcomes = tables["outcomes"]
    problems += _problems_where(
        people, "people", pl.col("person_id").is_not_null() & pl.col("person_id").is_duplicated(), "person_id", "a person_id used by one row only"
    )
    known = people["person_id"].drop_nulls().unique().implode()
    for sheet in ("outcomes", "assessments", "actions"):
        table = tables[sheet]
        problems += _problems_where(
            table, sheet, pl.col("person_id").is_not_null() & ~pl.col("person_id").is_in(known), "person_id", "a person_id listed in the people sheet"
        )
    if not outcomes.is_empty():
        problems += _problems_where(
            outcomes, "outcomes", pl.col("outcome_id").is_not_null() & pl.col("outcome_id").is_duplicated(), "outcome_id", "an outcome_id used by one row only"
        )
        tiers = pl.DataFrame({"outcome_type": [t.code for t in codes.OUTCOME_TYPES], "__tier": [t.tier for t in codes.OUTCOME_TYPES]})
        checked = outcomes.join(tiers, on="outcome_type", how="left").join(
            people.select("person_id", "date_of_birth").unique("person_id"), on="person_id", how="left"
        )
        unproven = pl.col("__tier") == "unproven"
        rules: list[tuple[pl.Expr, str, str, str]] = [
            (pl.col("__tier").is_not_null() & ~unproven & pl.col("outcome_date").is_null(), "outcome_date", "the date the offence was dealt with (blank only for charged or admitted offences)", "error"),
            (unproven & pl.col("outcome_date").is_not_null(), "outcome_date", "blank for a charged or admitted offence (give the disposal as outcome_type once it is proven)", "error"),
            (pl.col("release_date").is_not_null() & (pl.col("__tier") != "custody"), "release_date", "blank: only a custodial sentence has a release date", "error"),
            (pl.col("outcome_date") < pl.col("offence_date"), "outcome_date", "an outcome on or after the offence date (check the dates)", "warning"),
            (pl.col("release_date") < pl.col("outcome_date"), "release_date", "a release on or after the sentence date (check the dates)", "warning"),
            (pl.col("release_date") > today, "release_date", "a release that has happened (a future release date makes no cohort entry until then)", "warning"),
            (
                pl.col("offence_date") < pl.col("date_of_birth").dt.offset_by("10y"),
                "offence_date",
                "an offence on or after the child's 10th birthday (the age of criminal responsibility; check the dates)",
                "warning",
            ),
        ]
        for mask, column, expected, severity in rules:
            problems += _problems_where(checked, "outcomes", mask.fill_null(False), column, expected, severity)
    actions = tables["actions"]
    if not actions.is_empty():
        problems += _problems_where(
            actions, "actions", (pl.col("status") == "completed") & pl.col("completed_on").is_null(), "completed_on", "the date a completed action was completed", "warning"
        )
        problems += _problems_where(
            actions, "actions", (pl.col("completed_on") < pl.col("raised_on")).fill_null(False), "completed_on", "a date on or after raised_on", "error"
        )


def read_case_file(path: str | Path, *, today: dt.date | None = None) -> CaseFile:
    """Read a workbook or CSV folder. Never raises for what the file contains: see ``problems``."""
    path = Path(path)
    today = today or dt.date.today()
    problems: list[Problem] = []
    if not path.exists():
        problems.append(Problem(path.name, None, None, str(path), "an .xlsx workbook or a folder of CSV files that exists"))
        raw = {}
    elif path.is_dir():
        raw = _read_folder(path, problems)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        raw = _read_workbook(path, problems)
    else:
        problems.append(Problem(path.name, None, None, path.suffix or path.name, "an .xlsx workbook or a folder of CSV files (people.csv, outcomes.csv, assessments.csv, actions.csv)"))
        raw = {}
    if raw or not problems:
        for sheet in REQUIRED_SHEETS:
            if sheet not in raw:
                kind = "file" if path.is_dir() else "sheet"
                name = f"{sheet}.csv" if path.is_dir() else sheet
                problems.append(Problem(sheet, None, None, None, f"a {kind} named {name}"))
    tables: dict[str, pl.DataFrame] = {}
    for sheet in SHEETS:
        table = raw.get(sheet)
        if table is None or table.width == 0:
            if table is not None and sheet in REQUIRED_SHEETS:
                problems.append(Problem(sheet, None, None, None, f"a heading row and at least one record in {sheet}"))
            tables[sheet] = conform(pl.DataFrame(), sheet).with_columns(pl.lit(None, pl.Int64).alias(ROW)).clear()
            continue
        tables[sheet] = _validate_sheet(sheet, table, today, problems)
    _cross_checks(tables, today, problems)
    outcomes = tables["outcomes"]
    if outcomes["outcome_id"].null_count() == outcomes.height:
        # No outcome_id column: the row number identifies the offence (stable for the file).
        outcomes = outcomes.with_columns((pl.col(ROW) - 1).alias("outcome_id"))
    frames = {name: conform(tables[name] if name != "outcomes" else outcomes, name) for name in SHEETS}
    return CaseFile(**frames, problems=tuple(problems), source=str(path))
