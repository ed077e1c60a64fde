"""Read a case file into engine frames, validating everything and reporting every problem at once.

A case file is an .xlsx workbook with the sheets ``people``, ``outcomes``, ``assessments`` and
``actions``, or a folder of CSV files with those names, or a .zip of them (``docs/case-file.md`` is
the user's guide).

The reader never raises for what a file holds, and never drops or guesses a row: every row is kept,
a value that cannot be read is left empty in the frame and reported as a :class:`Problem` (sheet,
row as the user sees it, column, value as given, what was expected). Errors stop the engine;
warnings are things a performance officer should check. The frames always match
:mod:`reoffkit.engine.schema`, even when there are errors.

``outcome_id``: without that column (or with it left entirely blank), an offence is numbered by
its row: the first row under the heading is 1 (spreadsheet row 2 is outcome 1), blank rows keeping
their numbers, so the number stays the same however the file is re-read.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from reoffkit.casefile.columns import DATE_COLUMNS, SPECS, Check, given, month_first_suspicion, read_column
from reoffkit.casefile.problems import CaseFileError, Problem, format_problems
from reoffkit.casefile.sources import (
    ROW,
    RawTable,
    csv_files,
    heading,
    is_out_of_memory,
    out_of_memory,
    read_csv_table,
    read_workbook,
    unzip_sheets,
)
from reoffkit.engine import codes
from reoffkit.engine.schema import conform, empty_frame

__all__ = ["SHEETS", "CaseFile", "CaseFileError", "Problem", "format_problems", "load_case_file", "read_case_file"]

SHEETS: tuple[str, ...] = ("people", "outcomes", "assessments", "actions", "resettlement")
REQUIRED_SHEETS: tuple[str, ...] = ("people", "outcomes")
WORKBOOK_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")
WRONG_TYPES: dict[str, str] = {
    ".xls": "an .xlsx workbook: this is an old Excel 97–2003 (.xls) file — open it in Excel and save it as an Excel Workbook (.xlsx)",
    ".ods": "an .xlsx workbook: this is an OpenDocument spreadsheet — save it as an Excel Workbook (.xlsx)",
    ".csv": (
        "a folder of CSV files, not one CSV file: put people.csv, outcomes.csv (and assessments.csv, actions.csv) "
        "in one folder (or one .zip) and give that"
    ),
}
SHOWN_ROWS = 5  # the other rows named in a duplicate's problem
COHORT_EXPORT_SHEETS = ("cohort", "measures")  # the live tracker's cohort workbook (not a case file)
CAN_BE_FOUND = (
    "an .xlsx workbook, or a folder of CSV files (people.csv, outcomes.csv, assessments.csv, actions.csv, resettlement.csv) "
    "or a .zip of them"
)


@dataclass(frozen=True)
class CaseFile:
    people: pl.DataFrame
    outcomes: pl.DataFrame
    assessments: pl.DataFrame
    actions: pl.DataFrame
    resettlement: pl.DataFrame
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
        """No errors (warnings allowed): the engine may use these frames."""
        return not any(p.severity == "error" for p in self.problems)

    def frames(self) -> dict[str, pl.DataFrame]:
        return {name: getattr(self, name) for name in SHEETS}


def load_case_file(path: str | Path, *, today: dt.date | None = None, outcome_types: tuple[codes.OutcomeType, ...] = codes.OUTCOME_TYPES) -> CaseFile:
    """Read and validate; raise :class:`CaseFileError` (carrying every problem) if there are errors."""
    case_file = read_case_file(path, today=today, outcome_types=outcome_types)
    if not case_file.ok:
        raise CaseFileError(case_file.problems)
    return case_file


def read_case_file(
    path: str | Path,
    *,
    today: dt.date | None = None,
    outcome_types: tuple[codes.OutcomeType, ...] = codes.OUTCOME_TYPES,
    name: str | None = None,
) -> CaseFile:
    """Read a workbook, a CSV folder or a .zip of CSV files. Never raises for what the file holds:
    see ``problems``.

    ``today`` bounds the dates that cannot be in the future (default: the real date);
    ``outcome_types`` is the outcome-type table (a service may add types, as the engine allows);
    ``name`` is the file's name as the user knows it (an upload is stored under another), which
    problems with the whole file are reported against (default: the name of ``path``).
    """
    path = Path(path)
    try:
        return _read_case_file(path, today or dt.date.today(), outcome_types, name or path.name)
    except BaseException as error:
        if not is_out_of_memory(error):
            raise
        # A panic of Polars derives from BaseException: ``except Exception`` would let it through.
        frames = {sheet: empty_frame(sheet) for sheet in SHEETS}
        return CaseFile(**frames, problems=(out_of_memory(name or path.name),), source=str(path))


def _read_case_file(path: Path, today: dt.date, outcome_types, name: str) -> CaseFile:
    problems: list[Problem] = []
    raw = _read_raw(path, problems, name)
    tables: dict[str, pl.DataFrame | None] = {}
    for sheet in SHEETS:
        table = raw.get(sheet) if raw is not None else None
        tables[sheet] = None if table is None else _validate_sheet(sheet, table, today, outcome_types, problems)
    if raw is not None and path.suffix.lower() in WORKBOOK_SUFFIXES and any(p.severity == "error" for p in problems):
        _explain_formulas(path, {p.sheet for p in problems if p.severity == "error"}, problems)
    if tables["people"] is not None:
        tables["people"] = _classify_ethnicity(tables["people"], problems)
    people_listed = raw is not None and "people" in raw and "person_id" in raw["people"].frame.columns
    _cross_check(tables, today, outcome_types, problems, people_listed=people_listed)
    frames = {}
    for sheet in SHEETS:
        table = tables[sheet]
        if table is None:
            frames[sheet] = empty_frame(sheet)
            continue
        numbered = raw["outcomes"].frame if sheet == "outcomes" else None
        if numbered is not None and ("outcome_id" not in numbered.columns or numbered["outcome_id"].null_count() == numbered.height):
            table = table.with_columns((pl.col(ROW) - raw["outcomes"].header_row).alias("outcome_id"))
        frames[sheet] = conform(table, sheet)
    return CaseFile(**frames, problems=tuple(problems), source=str(path))


# Finding the sheets ---------------------------------------------------------------------------


def _read_raw(path: Path, problems: list[Problem], name: str) -> dict[str, RawTable] | None:
    """The raw tables found, with a problem for each required sheet missing; ``None`` if unreadable.
    ``name``: the file's name as the user knows it."""
    if not path.exists():
        problems.append(Problem(name, None, None, str(path), f"{CAN_BE_FOUND} that exists (nothing is at this path)"))
        return None
    suffix = path.suffix.lower()
    if path.is_dir():
        tables = _read_folder(path, f"the folder {name}", problems)
    elif suffix == ".zip":
        with tempfile.TemporaryDirectory(prefix="reoffkit-zip-") as folder:
            if not unzip_sheets(path, Path(folder), SHEETS, name, problems):
                return None
            tables = _read_folder(Path(folder), name, problems)
    else:
        if suffix not in WORKBOOK_SUFFIXES:
            problems.append(Problem(name, None, None, None, WRONG_TYPES.get(suffix, f"{CAN_BE_FOUND}; this is a {suffix or 'file without a type'} file")))
            return None
        read = read_workbook(path, DATE_COLUMNS, problems, name)
        if read is None:
            return None
        tables, sheet_names = read
        if not any(sheet in tables for sheet in REQUIRED_SHEETS) and {heading(n) for n in sheet_names} >= set(COHORT_EXPORT_SHEETS):
            problems.append(
                Problem(
                    name, None, None,
                    f"the live tracker's cohort export (sheets {', '.join(sheet_names)}): it lists cohort entries, not the records a case file holds",
                    "a case file, which the cohort export is not: to move a service's records, a performance officer uses Export the case file "
                    "on the service's import page (Import, then 'Export the case file: the service's records as a case file') and imports that file",
                )
            )
            return None
        for sheet in REQUIRED_SHEETS:
            if sheet not in tables and not any(p.sheet == sheet for p in problems):
                problems.append(Problem(sheet, None, None, None, f"a sheet named {sheet} (the workbook has: {', '.join(sheet_names)})"))
    for sheet in REQUIRED_SHEETS:
        table = tables.get(sheet)
        if table is not None and not table.has_headings:
            problems.append(Problem(sheet, 1, None, None, f"a heading row naming the columns of {sheet} (the {sheet} sheet is empty)"))
        elif table is not None and table.frame.is_empty():
            problems.append(Problem(sheet, None, None, None, f"at least one record in {sheet} (it has headings only)", "warning"))
    return tables


def _read_folder(folder: Path, where: str, problems: list[Problem]) -> dict[str, RawTable]:
    """The raw tables of the CSV files in ``folder``, with a problem for each required one missing
    (``where`` names the folder, or the .zip it was unpacked from, as the user knows it)."""
    files = csv_files(folder)
    tables = {}
    for sheet in SHEETS:
        if sheet in files:
            table = read_csv_table(sheet, files[sheet], problems)
            if table is not None:
                tables[sheet] = table
    found = ", ".join(sorted(p.name for p in folder.iterdir())) or "nothing"
    for sheet in REQUIRED_SHEETS:
        if sheet not in files:
            problems.append(Problem(sheet, None, None, None, f"a file named {sheet}.csv in {where} (it holds: {found})"))
    return tables


# One sheet at a time --------------------------------------------------------------------------


def _validate_sheet(sheet: str, raw: RawTable, today: dt.date, outcome_types, problems: list[Problem]) -> pl.DataFrame | None:
    """The sheet in engine types, every value checked; ``None`` if it has no headings.

    The frame keeps ``ROW`` and each column's text as given (``given(name)``) for later checks.
    """
    if not raw.has_headings:
        return None
    table = raw.frame
    specs = SPECS[sheet]
    found = ", ".join(raw.headings) or "none"
    for spec in specs:
        if spec.required_column and spec.name not in table.columns:
            problems.append(Problem(sheet, raw.header_row, spec.name, None, f"a column headed {spec.name} (columns found: {found})"))
    # An optional column left entirely blank is as good as absent (e.g. an empty outcome_id column).
    filled = {s.name for s in specs if s.name in table.columns and table[s.name].null_count() < table.height}
    present = {s.name for s in specs if s.name in table.columns}
    table = table.with_columns(pl.lit(None, pl.String).alias(s.name) for s in specs if s.name not in present)
    readings = {spec.name: read_column(spec, table, today=today, outcome_types=outcome_types) for spec in specs}
    for spec in specs:
        if spec.kind == "date" and spec.name in filled:
            month_first, either = month_first_suspicion(table, spec.name)
            if month_first and either:
                problems.append(
                    Problem(
                        sheet, None, spec.name, None,
                        f"dates written day first throughout: {month_first:,} dates in this column are month first (like 10/15/2016), "
                        f"so {either:,} read day first (like 03/04/2016, read as 3 April) may be wrong too",
                        "warning",
                    )
                )
    table = (
        table.lazy()
        .select(
            ROW,
            *(pl.col(name).alias(given(name)) for name in readings),
            *(reading.parsed.alias(name) for name, reading in readings.items()),
        )
        .collect()
    )
    table = _fall_back(table, readings)
    checks = [check for reading in readings.values() for check in reading.checks]
    checks += [
        Check(pl.col(given(spec.name)).is_null(), spec.name, f"a value ({spec.name} must not be blank)")
        for spec in specs
        if spec.required_value and (spec.name in filled or (spec.required_column and spec.name in present))
    ]
    return _report(table, sheet, checks, problems, blank_errors=True)


def _fall_back(table: pl.DataFrame, readings: dict) -> pl.DataFrame:
    """Each column read by a fast path, with the values it left empty read by the column's
    ``fallback`` — worked out for those rows only (usually none)."""
    slow = {name: reading.fallback for name, reading in readings.items() if reading.fallback is not None}
    if not slow or table.is_empty():
        return table
    missed = table.select((pl.col(given(name)).is_not_null() & pl.col(name).is_null()).alias(name) for name in slow)
    replaced = []
    for name, found in zip(slow, missed.select(pl.all().any()).row(0)):
        if not found:
            continue
        rows = missed[name].arg_true()
        values = table[rows].select(slow[name].alias(name)).to_series()
        replaced.append(table[name].scatter(rows, values))
    return table.with_columns(replaced) if replaced else table


def _flags(table: pl.DataFrame, checks: list[Check], names: list[str]) -> pl.DataFrame:
    """One boolean column per check (null counts as passing), all in one pass over ``table``; a
    check with ``only_where`` is worked out only on the rows where that holds."""
    flags = table.lazy().select(
        (check.failing if check.only_where is None else check.only_where).fill_null(False).alias(name) for check, name in zip(checks, names)
    ).collect()
    narrowed = [(check, name) for check, name in zip(checks, names) if check.only_where is not None]
    if not narrowed:
        return flags
    found = flags.select(pl.col(name).any() for _, name in narrowed).row(0)
    refined = []
    for (check, name), any_row in zip(narrowed, found):
        if not any_row:
            continue
        rows = flags[name].arg_true()
        values = table[rows].select(check.failing.fill_null(False).alias(name)).to_series()
        refined.append(pl.repeat(False, table.height, eager=True).alias(name).scatter(rows, values))
    return flags.with_columns(refined) if refined else flags


def _report(table: pl.DataFrame, sheet: str, checks: list[Check], problems: list[Problem], *, blank_errors: bool = False) -> pl.DataFrame:
    """Evaluate every check in one pass over ``table`` and make a problem of each failing row.

    The value shown is the text as given where the frame keeps it. With ``blank_errors``, a value
    with an error is then left empty in the returned frame (a date in the future is read, but not
    used), so the checks across columns do not report its consequences a second time.
    """
    if not checks or table.is_empty():
        return table
    names = [f"__check{i}" for i in range(len(checks))]
    flags = _flags(table, checks, names)
    any_flag = flags.select(pl.any_horizontal(names)).to_series()
    if not any_flag.any():
        return table
    failing = pl.concat([table.filter(any_flag), flags.filter(any_flag)], how="horizontal")
    for check, name in zip(checks, names):
        rows = failing.filter(pl.col(name))
        if rows.is_empty():
            continue
        shown = given(check.column) if given(check.column) in rows.columns else check.column
        values = rows[shown].to_list() if shown in rows.columns else [None] * rows.height
        problems.extend(
            Problem(sheet, row, check.column, None if value is None else str(value), check.expected, check.severity)
            for row, value in zip(rows[ROW].to_list(), values)
        )
    if not blank_errors:
        return table
    errors_in: dict[str, list[str]] = {}
    for check, name in zip(checks, names):
        if check.severity == "error" and check.column in table.columns and failing[name].any():
            errors_in.setdefault(check.column, []).append(name)
    return table.with_columns(
        pl.when(flags.select(pl.any_horizontal(flagged)).to_series()).then(None).otherwise(pl.col(column)).alias(column)
        for column, flagged in errors_in.items()
    )


# Across rows and sheets -----------------------------------------------------------------------


def _duplicates(table: pl.DataFrame, sheet: str, column: str, what: str, problems: list[Problem]) -> bool:
    """Each row whose ``column`` value another row also has, naming the other rows; whether there were any."""
    values = pl.col(column).drop_nulls()
    if table.select(values.n_unique() == values.len()).item():  # the usual case: nothing repeated
        return False
    shown = given(column) if given(column) in table.columns else column
    table = table.select(list(dict.fromkeys([ROW, column, shown])))  # only what is reported: the rest of a wide sheet is not copied
    repeated = table.filter(pl.col(column).is_not_null() & pl.col(column).is_duplicated())
    rows_of = repeated.group_by(column).agg(pl.col(ROW).sort().head(SHOWN_ROWS + 1).alias("__rows"), pl.len().alias("__count"))
    for row, value, rows, count in repeated.join(rows_of, on=column).sort(ROW).select(ROW, shown, "__rows", "__count").iter_rows():
        others = [str(r) for r in rows if r != row][:SHOWN_ROWS]
        more = f" and {count - 1 - len(others):,} more" if count - 1 > len(others) else ""
        problems.append(Problem(sheet, row, column, str(value), f"{what} used by one row only (also on row {', '.join(others)}{more})"))
    return True


def _classify_ethnicity(people: pl.DataFrame, problems: list[Problem]) -> pl.DataFrame:
    """The ethnic group and scheme a detailed category implies, checked against those given.

    A detailed category (``ethnicity_detail``) fills a blank ``ethnicity`` with its group and a
    blank ``ethnicity_scheme`` with its scheme; given ones must agree with it. An officer-observed
    record has no Mixed group (the police codes have none).
    """
    categories = codes.ETHNIC_CATEGORIES
    detail_group = pl.col("ethnicity_detail").replace_strict({c.code: c.group for c in categories}, default=None, return_dtype=pl.String)
    detail_scheme = pl.col("ethnicity_detail").replace_strict({c.code: c.scheme for c in categories}, default=None, return_dtype=pl.String)
    scheme = pl.coalesce("ethnicity_scheme", detail_scheme)
    police = ", ".join(c.code for c in categories if c.scheme == "officer_observed")
    given_scheme = pl.col("ethnicity_scheme")
    checks = [
        Check(
            (detail_scheme == "self_defined") & (given_scheme == "officer_observed"),
            "ethnicity_detail",
            f"a police identity code ({police}), since ethnicity_scheme is officer_observed",
        ),
        Check(
            (detail_scheme == "officer_observed") & (given_scheme == "self_defined"),
            "ethnicity_detail",
            "a 2021 Census ethnic group category, since ethnicity_scheme is self_defined (police identity codes are officer_observed)",
        ),
        *(
            Check(
                (detail_group == group) & pl.col("ethnicity").is_not_null() & (pl.col("ethnicity") != group),
                "ethnicity",
                f"{group}, the group of the ethnicity_detail given on this row (or leave ethnicity blank)",
            )
            for group in codes.ETHNICITIES
        ),
        Check(
            (scheme == "officer_observed") & (pl.coalesce("ethnicity", detail_group) == "Mixed"),
            "ethnicity",
            "one of White, Black, Asian, Other or Not known: an officer-observed record uses the police codes, which have no Mixed group",
        ),
    ]
    _report(people, "people", checks, problems)
    return people.with_columns(ethnicity=pl.coalesce("ethnicity", detail_group), ethnicity_scheme=scheme)


def _shared_pnc_ids(people: pl.DataFrame, problems: list[Problem]) -> None:
    """A PNC identifier belongs to one person: two person_ids with one is probably one child twice."""
    people = people.select(ROW, "pnc_id", given("pnc_id"), "person_id").filter(pl.col("pnc_id").is_not_null() & pl.col("person_id").is_not_null())
    holders = (
        people
        .filter(pl.col("pnc_id").is_duplicated())  # only a pnc_id on two rows can have two holders
        .group_by("pnc_id")
        .agg(pl.col("person_id").unique().sort().alias("__holders"))
        .filter(pl.col("__holders").list.len() > 1)
    )
    if holders.is_empty():
        return
    shared = people.join(holders, on="pnc_id").sort(ROW)
    for row, pnc_id, person_id, holders_of in shared.select(ROW, given("pnc_id"), "person_id", "__holders").iter_rows():
        others = [h for h in holders_of if h != person_id][:SHOWN_ROWS]
        problems.append(
            Problem("people", row, "pnc_id", pnc_id, f"a pnc_id of one child only: person_id {', '.join(others)} has it too (the same child entered twice?)", "warning")
        )


def _cross_check(tables: dict[str, pl.DataFrame | None], today: dt.date, outcome_types, problems: list[Problem], *, people_listed: bool) -> None:
    """Checks across rows and sheets. ``people_listed``: the people sheet has a person_id column."""
    people, outcomes = tables["people"], tables["outcomes"]
    found = None  # each outcome's child in the people sheet: listed there, and their 10th birthday
    if people is not None:
        repeated = _duplicates(people, "people", "person_id", "a person_id", problems)
        _shared_pnc_ids(people, problems)
        known = people["person_id"].drop_nulls().unique().implode()
        if outcomes is not None:
            # One join for both uses; the 10th birthday is worked out once per child, not per outcome.
            children = people.select("person_id", "date_of_birth").filter(pl.col("person_id").is_not_null())
            if repeated:  # a child listed twice: the first row's birth date is the one used
                children = children.unique("person_id", keep="first", maintain_order=True)
            children = children.select("person_id", pl.col("date_of_birth").dt.offset_by("10y").alias("__tenth"), pl.lit(True).alias("__listed"))
            found = outcomes.select("person_id").join(children, on="person_id", how="left", maintain_order="left").drop("person_id")
        for sheet in ("outcomes", "assessments", "actions", "resettlement"):
            table = tables[sheet]
            if table is None or not people_listed:
                continue
            if sheet == "outcomes":
                table, listed = table.with_columns(found["__listed"]), pl.col("__listed").is_not_null()
            else:
                listed = pl.col("person_id").is_in(known)
            _report(table, sheet, [Check(pl.col("person_id").is_not_null() & ~listed, "person_id", "a person_id listed in the people sheet")], problems)
    if outcomes is not None and not outcomes.is_empty():
        _duplicates(outcomes, "outcomes", "outcome_id", "an outcome_id", problems)
        tiers = {t.code: t.tier for t in outcome_types}
        tier = pl.col("outcome_type").replace_strict(tiers, default=None, return_dtype=pl.String).alias("__tier")
        tenth = found["__tenth"] if found is not None else pl.lit(None, pl.Date).alias("__tenth")
        _report(outcomes.with_columns(tier, tenth), "outcomes", _outcome_checks(today), problems)
    resettlement = tables["resettlement"]
    if resettlement is not None and outcomes is not None:
        custody = {t.code for t in outcome_types if t.tier == "custody"}
        releases = outcomes.select("person_id", "outcome_type", "release_date").filter(pl.col("outcome_type").is_in(list(custody)) & pl.col("release_date").is_not_null())
        released = (releases["person_id"] + "|" + releases["release_date"].cast(pl.String)).unique().implode()
        key = pl.col("person_id") + "|" + pl.col("release_date").cast(pl.String)
        _report(
            resettlement,
            "resettlement",
            [Check(pl.col("release_date").is_not_null() & ~key.is_in(released), "release_date", "the release_date of one of the child's custodial outcomes")],
            problems,
        )
    assessments = tables["assessments"]
    if assessments is not None:
        _report(assessments, "assessments", [Check((pl.col("tool") == "asset") & (pl.col("score") > 64), "score", "an Asset score from 0 to 48 (or a Scaled Approach score from 0 to 64)")], problems)
    actions = tables["actions"]
    if actions is not None:
        completed = pl.col("status") == "completed"
        _report(
            actions,
            "actions",
            [
                Check(completed & pl.col(given("completed_on")).is_null(), "completed_on", "the date a completed action was completed", "warning"),
                Check(~completed & pl.col("completed_on").is_not_null(), "status", "completed, since the action has a completed_on date", "warning"),
                Check(pl.col("completed_on") < pl.col("raised_on"), "completed_on", "a date on or after raised_on (check the dates)", "warning"),
                Check(pl.col("due_on") < pl.col("raised_on"), "due_on", "a date on or after raised_on (check the dates)", "warning"),
            ],
            problems,
        )


def _outcome_checks(today: dt.date) -> list[Check]:
    """The rules joining columns of one outcome row (its tier is ``__tier``, the child's 10th birthday ``__tenth``)."""
    tier = pl.col("__tier")
    unproven = tier == "unproven"
    return [
        Check(
            tier.is_not_null() & ~unproven & pl.col(given("outcome_date")).is_null(),
            "outcome_date",
            "the date the offence was dealt with (only charged or admitted offences may have none)",
        ),
        Check(
            unproven & pl.col("outcome_date").is_not_null(),
            "outcome_date",
            "no outcome_date for a charged or admitted offence: it is read as not yet proven (if it has been proven, give its disposal as outcome_type)",
            "warning",
        ),
        Check(pl.col("release_date").is_not_null() & tier.is_not_null() & (tier != "custody"), "release_date", "no release_date: only a custodial sentence has one"),
        # Errors, not warnings: with either, the index event would follow its own offence (docs/adr/0002).
        Check(
            pl.col("outcome_date") < pl.col("offence_date"),
            "outcome_date",
            "an outcome_date on or after the offence_date: an offence is dealt with after it is committed (correct whichever date is wrong)",
        ),
        Check(
            pl.col("release_date") < pl.col("outcome_date"),
            "release_date",
            "a release_date on or after the sentence date (outcome_date): a child is released after being sentenced (correct whichever date is wrong)",
        ),
        Check(
            pl.col("release_date") > today,
            "release_date",
            "a release that has happened (the child enters the cohort on release, so not until then)",
            "warning",
        ),
        Check(pl.col("recorded_on") < pl.col("offence_date"), "recorded_on", "a date on or after the offence date (check the dates)", "warning"),
        Check(
            pl.col("offence_date") < pl.col("__tenth"),
            "offence_date",
            "an offence on or after the child's 10th birthday (the age of criminal responsibility; check the dates)",
            "warning",
        ),
    ]


def _explain_formulas(path: Path, sheets: set[str], problems: list[Problem]) -> None:
    """A workbook whose formulas were never calculated (written by a program, not saved by Excel or
    LibreOffice) reads as blank cells: when a sheet has errors, say so if that is why."""
    from reoffkit.casefile.xlsx import formula_counts

    try:
        counts = formula_counts(path, lambda name: heading(name) in sheets)
    except Exception:  # already reported as unreadable
        return
    for name, formulas in counts.items():
        if formulas:
            problems.append(
                Problem(
                    heading(name), None, None, f"{formulas} formula{'s' if formulas > 1 else ''}",
                    "values, not formulas without calculated results: open the workbook in Excel or LibreOffice and save it "
                    "(or copy the cells and paste them as values), then import it again",
                )
            )
