"""Area-level published figures and the areas they describe: the national comparison's data.

Two tidy tables (``docs/comparison.md``), each a CSV file or a sheet of one .xlsx workbook:

- **area figures** (sheet ``area figures``): one row per area, cohort basis and period — code,
  name, type, the cohort's size, reoffenders and reoffences with their rates, and for the data
  summary indicators first-time entrants, custodial sentences and the 10–17 population.
- **areas** (sheet ``areas``): one row per area — its region, police and crime commissioner (PCC)
  area, family of similar services (area codes separated by ``;``) and the lower-tier
  authorities within it (names separated by ``;``).

A file is read whole and every problem is listed (sheet, row, column, value, what was expected);
a file with any error is refused whole. Old-method (12-month cohort) and 3-month-cohort figures are
never mixed in one period: they are different measures (docs/rules.md §17).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

import polars as pl

from reoffkit.casefile.problems import CaseFileError, Problem
from reoffkit.casefile.sources import ROW, RawTable, read_csv_table, read_workbook

FIGURES = "area_figures"
AREAS = "areas"
AREA_TYPES: dict[str, str] = {
    "youth_justice_service": "youth justice service",
    "local_authority": "local authority",
    "pcc_area": "police force / PCC area",
    "region": "region",
    "country": "country",
}
#: Cohort bases (months each period spans); ``indicator_12m`` rows carry only the data summary
#: indicators (first-time entrants, custody, population) of a 12-month period.
BASES: dict[str, int] = {"quarter": 3, "aggregated_quarters": 12, "annual_12m_old_method": 12, "indicator_12m": 12}
OLD_METHOD = "annual_12m_old_method"
NEW_METHODS = ("quarter", "aggregated_quarters")
FIGURE_COLUMNS: tuple[str, ...] = (
    "area_code", "area_name", "area_type", "cohort_basis", "period_start", "period_end",
    "cohort_size", "reoffenders", "reoffences", "binary_rate", "frequency_rate",
    "first_time_entrants", "custodial_sentences", "population_10_17", "source",
)
FIGURE_REQUIRED: tuple[str, ...] = ("area_code", "area_name", "area_type", "cohort_basis", "period_start", "period_end", "source")
COUNT_COLUMNS: tuple[str, ...] = ("cohort_size", "reoffenders", "reoffences", "first_time_entrants", "custodial_sentences", "population_10_17")
AREA_COLUMNS: tuple[str, ...] = ("area_code", "area_name", "area_type", "region", "pcc_area", "family", "lower_tier")
AREA_REQUIRED: tuple[str, ...] = ("area_code", "area_name", "area_type")
#: Published rates are rounded; beyond this they disagree with their counts.
RATE_TOLERANCE = 0.0051
FREQUENCY_TOLERANCE = 0.0051
SYNTHETIC_MARK = "SYNTHETIC"


@dataclass(frozen=True)
class AreaFigure:
    area_code: str
    area_name: str
    area_type: str
    cohort_basis: str
    period_start: dt.date
    period_end: dt.date
    cohort_size: int | None = None
    reoffenders: int | None = None
    reoffences: int | None = None
    binary_rate: float | None = None
    frequency_rate: float | None = None
    first_time_entrants: int | None = None
    custodial_sentences: int | None = None
    population_10_17: int | None = None
    source: str = ""

    @property
    def key(self) -> tuple:
        return (self.area_code.casefold(), self.cohort_basis, self.period_start, self.period_end)

    @property
    def synthetic(self) -> bool:
        return SYNTHETIC_MARK in self.source

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class AreaInfo:
    area_code: str
    area_name: str
    area_type: str
    region: str | None = None
    pcc_area: str | None = None
    family: tuple[str, ...] = ()
    lower_tier: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {**asdict(self), "family": ";".join(self.family), "lower_tier": ";".join(self.lower_tier)}


@dataclass(frozen=True)
class Revision:
    """A figure loaded again with a different value: both are kept, the newer is shown."""

    key: tuple
    column: str
    before: object
    after: object
    before_source: str
    after_source: str


@dataclass(frozen=True)
class AreaData:
    figures: tuple[AreaFigure, ...]
    areas: tuple[AreaInfo, ...] = ()
    revisions: tuple[Revision, ...] = field(default=())

    @property
    def synthetic(self) -> bool:
        return any(f.synthetic for f in self.figures)

    def area(self, name_or_code: str) -> AreaInfo | None:
        wanted = name_or_code.casefold()
        for area in self.areas:
            if wanted in (area.area_code.casefold(), area.area_name.casefold()):
                return area
        return None

    def sources(self) -> list[str]:
        return sorted({f.source for f in self.figures})

    def figures_frame(self) -> pl.DataFrame:
        return figures_frame(self.figures)

    def areas_frame(self) -> pl.DataFrame:
        schema = {c: pl.String for c in AREA_COLUMNS}
        return pl.DataFrame([a.as_dict() for a in self.areas], schema=schema)


FIGURE_SCHEMA = {
    "area_code": pl.String, "area_name": pl.String, "area_type": pl.String, "cohort_basis": pl.String,
    "period_start": pl.Date, "period_end": pl.Date, **{c: pl.Int64 for c in ("cohort_size", "reoffenders", "reoffences")},
    "binary_rate": pl.Float64, "frequency_rate": pl.Float64,
    **{c: pl.Int64 for c in ("first_time_entrants", "custodial_sentences", "population_10_17")}, "source": pl.String,
}


def figures_frame(figures: Iterable[AreaFigure]) -> pl.DataFrame:
    return pl.DataFrame([f.as_dict() for f in figures], schema=FIGURE_SCHEMA)


def _months_spanned(start: dt.date, end: dt.date) -> int:
    following = end + dt.timedelta(days=1)
    return (following.year - start.year) * 12 + following.month - start.month


def _figure(sheet: str, record: dict, problems: list[Problem]) -> AreaFigure | None:
    number = record[ROW]
    before = len(problems)
    found: dict[str, object] = {}

    def problem(column: str, expected: str) -> None:
        problems.append(Problem(sheet, number, column, record.get(column), expected))

    for column in FIGURE_COLUMNS:
        text = (record.get(column) or "").strip()
        if not text:
            if column in FIGURE_REQUIRED:
                problem(column, "a value (this column is required)")
            found[column] = None
            continue
        if column in ("period_start", "period_end"):
            try:
                found[column] = dt.date.fromisoformat(text[:10])
            except ValueError:
                problem(column, "a date like 2023-04-01")
        elif column in COUNT_COLUMNS:
            try:
                number_value = float(text.replace(",", ""))
            except ValueError:
                number_value = -1.0
            if number_value < 0 or number_value != int(number_value):
                problem(column, "a whole number, 0 or more")
            else:
                found[column] = int(number_value)
        elif column in ("binary_rate", "frequency_rate"):
            try:
                value = float(text)
            except ValueError:
                value = -1.0
            if column == "binary_rate" and not 0.0 <= value <= 1.0:
                problem(column, "a fraction from 0 to 1 (0.404 for 40.4%)")
            elif column == "frequency_rate" and value < 0:
                problem(column, "reoffences per child, 0 or more (1.62)")
            found[column] = value
        elif column == "area_type" and text not in AREA_TYPES:
            problem(column, f"one of {', '.join(AREA_TYPES)}")
        elif column == "cohort_basis" and text not in BASES:
            problem(column, f"one of {', '.join(BASES)}")
        else:
            found[column] = text
    if len(problems) > before:
        return None
    start, end, basis = found["period_start"], found["period_end"], found["cohort_basis"]
    if end < start:
        problem("period_end", f"a date on or after period_start ({start.isoformat()})")
    elif start.day != 1 or _months_spanned(start, end) != BASES[basis]:
        problem("period_end", f"the last day of a {BASES[basis]}-month period starting on the 1st of a month, for cohort_basis {basis}")
    size, reoffenders, reoffences = found["cohort_size"], found["reoffenders"], found["reoffences"]
    binary, frequency = found["binary_rate"], found["frequency_rate"]
    if basis == "indicator_12m":
        given = [c for c in ("cohort_size", "reoffenders", "reoffences", "binary_rate", "frequency_rate") if found[c] is not None]
        if given:
            problem(given[0], "nothing: an indicator_12m row holds first-time entrants, custody and population only")
        if found["first_time_entrants"] is None and found["custodial_sentences"] is None:
            problem("first_time_entrants", "first_time_entrants or custodial_sentences on an indicator_12m row")
    elif binary is None and (size is None or reoffenders is None):
        problem("binary_rate", "a binary rate, or cohort_size and reoffenders to compute it from")
    if size is not None and reoffenders is not None:
        if reoffenders > size:
            problem("reoffenders", f"no more than cohort_size ({size})")
        elif binary is not None and size and abs(reoffenders / size - binary) > RATE_TOLERANCE:
            problem("binary_rate", f"reoffenders ÷ cohort_size = {reoffenders / size:.3f}, give or take rounding")
    if reoffenders is not None and reoffences is not None and reoffences < reoffenders:
        problem("reoffences", f"at least reoffenders ({reoffenders}): each reoffender committed one or more")
    if size and reoffences is not None and frequency is not None and abs(reoffences / size - frequency) > FREQUENCY_TOLERANCE:
        problem("frequency_rate", f"reoffences ÷ cohort_size = {reoffences / size:.2f}, give or take rounding")
    population = found["population_10_17"]
    if (found["first_time_entrants"] is not None or found["custodial_sentences"] is not None) and not population:
        problem("population_10_17", "the number of children aged 10-17 (above 0) beside first-time entrants or custody")
    if len(problems) > before:
        return None
    if binary is None and size:
        found["binary_rate"] = reoffenders / size
    if frequency is None and size and reoffences is not None:
        found["frequency_rate"] = reoffences / size
    return AreaFigure(**found)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(";") if part.strip())


def _area(sheet: str, record: dict, problems: list[Problem]) -> AreaInfo | None:
    number = record[ROW]
    before = len(problems)
    for column in AREA_REQUIRED:
        if not (record.get(column) or "").strip():
            problems.append(Problem(sheet, number, column, None, "a value (this column is required)"))
    kind = (record.get("area_type") or "").strip()
    if kind and kind not in AREA_TYPES:
        problems.append(Problem(sheet, number, "area_type", kind, f"one of {', '.join(AREA_TYPES)}"))
    if len(problems) > before:
        return None
    return AreaInfo(
        area_code=record["area_code"].strip(),
        area_name=record["area_name"].strip(),
        area_type=kind,
        region=(record.get("region") or "").strip() or None,
        pcc_area=(record.get("pcc_area") or "").strip() or None,
        family=_split(record.get("family")),
        lower_tier=_split(record.get("lower_tier")),
    )


def _missing_columns(sheet: str, raw: RawTable, required: Sequence[str], problems: list[Problem]) -> bool:
    missing = [c for c in required if c not in raw.frame.columns]
    if missing:
        found = ", ".join(raw.headings) or "none"
        problems.append(Problem(sheet, raw.header_row or 1, None, None, f"the columns {', '.join(required)} (missing {', '.join(missing)}; columns found: {found})"))
    return bool(missing)


def parse_tables(figures_raw: RawTable | None, areas_raw: RawTable | None, problems: list[Problem] | None = None, *, known_areas: Iterable[AreaInfo] = ()) -> AreaData:
    """The figures and areas of raw tables, or :class:`CaseFileError` listing every problem.

    ``known_areas`` are areas loaded before: a family or a figure may name them too."""
    problems = list(problems or [])
    figures: list[AreaFigure] = []
    areas: list[AreaInfo] = []
    if figures_raw is not None and not _missing_columns(FIGURES, figures_raw, FIGURE_REQUIRED, problems):
        seen: dict[tuple, int] = {}
        rows: dict[tuple, int] = {}
        for record in figures_raw.frame.iter_rows(named=True):
            figure = _figure(FIGURES, record, problems)
            if figure is None:
                continue
            if figure.key in seen:
                problems.append(Problem(FIGURES, record[ROW], "period_start", figure.period_start.isoformat(), f"one row per area, cohort basis and period (row {seen[figure.key]} has this one)"))
                continue
            seen[figure.key] = record[ROW]
            rows[figure.key] = record[ROW]
            figures.append(figure)
        _check_methods(figures, rows, problems)
    if areas_raw is not None and not _missing_columns(AREAS, areas_raw, AREA_REQUIRED, problems):
        codes: dict[str, int] = {}
        for record in areas_raw.frame.iter_rows(named=True):
            area = _area(AREAS, record, problems)
            if area is None:
                continue
            if area.area_code.casefold() in codes:
                problems.append(Problem(AREAS, record[ROW], "area_code", area.area_code, f"one row per area (row {codes[area.area_code.casefold()]} has this code)"))
                continue
            codes[area.area_code.casefold()] = record[ROW]
            areas.append(area)
        known = set(codes) | {a.area_code.casefold() for a in known_areas}
        rows_by_code = {a.area_code: codes[a.area_code.casefold()] for a in areas}
        for area in areas:
            for member in area.family:
                if member.casefold() not in known:
                    problems.append(Problem(AREAS, rows_by_code[area.area_code], "family", member, "the code of an area in the areas table"))
    all_known = {a.area_code.casefold() for a in (*areas, *known_areas)}
    if all_known and figures_raw is not None:
        for figure in figures:
            if figure.area_code.casefold() not in all_known:
                problems.append(Problem(FIGURES, rows[figure.key], "area_code", figure.area_code, "the code of an area in the areas table"))
    if figures_raw is None and areas_raw is None:
        problems.append(Problem(FIGURES, None, None, None, "a table of area figures or of areas"))
    elif not figures and not areas and not any(p.severity == "error" for p in problems):
        problems.append(Problem(FIGURES if figures_raw is not None else AREAS, None, None, None, "at least one row under the headings"))
    if any(p.severity == "error" for p in problems):
        raise CaseFileError(problems)
    return AreaData(tuple(figures), tuple(areas))


def _check_methods(figures: list[AreaFigure], rows: dict[tuple, int], problems: list[Problem]) -> None:
    """One method per period: old 12-month cohorts and 3-month cohorts never share a period."""
    by_period: dict[tuple, list[AreaFigure]] = {}
    for figure in figures:
        if figure.cohort_basis != "indicator_12m":
            by_period.setdefault((figure.period_start, figure.period_end), []).append(figure)
    for (start, end), group in by_period.items():
        old = [f for f in group if f.cohort_basis == OLD_METHOD]
        new = [f for f in group if f.cohort_basis in NEW_METHODS]
        if old and new:
            fewer = old if len(old) <= len(new) else new
            other = "the 3-month-cohort method" if fewer is old else "the old 12-month method"
            for figure in fewer:
                problems.append(
                    Problem(FIGURES, rows[figure.key], "cohort_basis", figure.cohort_basis,
                            f"one method per period: other rows of {start.isoformat()} to {end.isoformat()} use {other}; load the old-method series as a file of its own")
                )


def read_area_file(path: str | Path, *, known_areas: Iterable[AreaInfo] = ()) -> AreaData:
    """Area figures and/or areas from a .csv file (which table is told by its headings) or an .xlsx
    workbook with sheets ``area figures`` and ``areas``; :class:`CaseFileError` with every problem."""
    path = Path(path)
    problems: list[Problem] = []
    if not path.is_file():
        raise CaseFileError([Problem(path.name, None, None, str(path), "a CSV file or an .xlsx workbook of area figures (nothing is at this path)")])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        read = read_workbook(path, {FIGURES: {"period_start", "period_end"}, AREAS: set()}, problems)
        if read is None:
            raise CaseFileError(problems)
        tables, names = read
        if not tables:
            raise CaseFileError([*problems, Problem(path.name, None, None, ", ".join(names), "a sheet named 'area figures' or 'areas'")])
        return parse_tables(tables.get(FIGURES), tables.get(AREAS), problems, known_areas=known_areas)
    if suffix == ".csv":
        raw = read_csv_table(FIGURES, path, problems)
        if raw is None:
            raise CaseFileError(problems)
        columns = set(raw.frame.columns)
        if "cohort_basis" in columns or "period_start" in columns:
            return parse_tables(raw, None, problems, known_areas=known_areas)
        if {"family", "region", "pcc_area"} & columns:
            return parse_tables(None, replace(raw), [replace(p, sheet=AREAS) for p in problems], known_areas=known_areas)
        raise CaseFileError([*problems, Problem(path.name, raw.header_row or 1, None, ", ".join(raw.headings) or None,
                                                f"the headings of area figures ({', '.join(FIGURE_REQUIRED)}) or of areas ({', '.join(AREA_COLUMNS)})")])
    raise CaseFileError([Problem(path.name, None, None, None, "a .csv file or an .xlsx workbook")])


def combine(*loads: AreaData) -> AreaData:
    """Loads in the order they were made: a later figure for the same area, basis and period is
    shown, and each value it changes is kept as a :class:`Revision`; areas are merged by code."""
    figures: dict[tuple, AreaFigure] = {}
    areas: dict[str, AreaInfo] = {}
    revisions: list[Revision] = [r for load in loads for r in load.revisions]
    for load in loads:
        for figure in load.figures:
            earlier = figures.get(figure.key)
            if earlier is not None:
                for column in ("cohort_size", "reoffenders", "reoffences", "binary_rate", "frequency_rate", "first_time_entrants", "custodial_sentences", "population_10_17"):
                    before, after = getattr(earlier, column), getattr(figure, column)
                    if before != after:
                        revisions.append(Revision(figure.key, column, before, after, earlier.source, figure.source))
            figures[figure.key] = figure
        for area in load.areas:
            areas[area.area_code.casefold()] = area
    return AreaData(tuple(figures.values()), tuple(areas.values()), tuple(revisions))


def _shipped(name: str) -> RawTable:
    problems: list[Problem] = []
    with resources.as_file(resources.files("reoffkit.reference").joinpath(f"data/{name}")) as path:
        raw = read_csv_table(FIGURES, path, problems)
    if raw is None or problems:
        raise CaseFileError(problems)
    return raw


def shipped_area_data() -> AreaData:
    """The real published area figures shipped with reoffkit (3-month-cohort method), each row
    naming its source; the old-method figures are :func:`shipped_old_method_data`."""
    return parse_tables(_shipped("area_figures_published.csv"), _shipped("areas_published.csv"))


def shipped_old_method_data() -> AreaData:
    """The published figures of the 12-month cohort counted before 2017: a separate series."""
    published = shipped_area_data()
    return parse_tables(_shipped("area_figures_published_old_method.csv"), None, known_areas=published.areas)


STRATA = "stratum_rates"
STRATUM_REQUIRED: tuple[str, ...] = ("age_at_index", "sex", "tier", "binary_rate", "source")
TIERS: tuple[str, ...] = ("pre_court", "first_tier", "community", "custody")


def read_stratum_rates(path: str | Path) -> pl.DataFrame:
    """National rates by stratum (``age_at_index``, ``sex``, ``tier``, ``binary_rate``, optional
    ``frequency_rate``, ``source``) from a .csv file; :class:`CaseFileError` with every problem."""
    path = Path(path)
    problems: list[Problem] = []
    raw = read_csv_table(STRATA, path, problems) if path.is_file() else None
    if raw is None:
        raise CaseFileError(problems or [Problem(path.name, None, None, str(path), "a CSV file of national rates by stratum")])
    if _missing_columns(STRATA, raw, STRATUM_REQUIRED, problems):
        raise CaseFileError(problems)
    rows, seen = [], {}
    for record in raw.frame.iter_rows(named=True):
        number, before = record[ROW], len(problems)

        def problem(column: str, expected: str) -> None:
            problems.append(Problem(STRATA, number, column, record.get(column), expected))

        age = (record.get("age_at_index") or "").strip()
        if not age.isdigit() or not 10 <= int(age) <= 17:
            problem("age_at_index", "a whole age from 10 to 17")
        sex = (record.get("sex") or "").strip().lower()
        if sex not in ("male", "female"):
            problem("sex", "male or female")
        tier = (record.get("tier") or "").strip()
        if tier not in TIERS:
            problem("tier", f"one of {', '.join(TIERS)}")
        rates = {}
        for column in ("binary_rate", "frequency_rate"):
            text = (record.get(column) or "").strip()
            if not text and column == "frequency_rate":
                rates[column] = None
                continue
            try:
                rates[column] = float(text)
            except ValueError:
                rates[column] = -1.0
            if rates[column] < 0 or (column == "binary_rate" and rates[column] > 1):
                problem(column, "a fraction from 0 to 1" if column == "binary_rate" else "reoffences per child, 0 or more")
        if not (record.get("source") or "").strip():
            problem("source", "a value (this column is required)")
        if len(problems) > before:
            continue
        key = (int(age), sex, tier)
        if key in seen:
            problem("tier", f"one row per age, sex and tier (row {seen[key]} has this one)")
            continue
        seen[key] = number
        rows.append({"age_at_index": int(age), "sex": sex, "tier": tier, **rates, "source": record["source"].strip()})
    if problems:
        raise CaseFileError(problems)
    return pl.DataFrame(rows, schema={"age_at_index": pl.Int64, "sex": pl.String, "tier": pl.String, "binary_rate": pl.Float64, "frequency_rate": pl.Float64, "source": pl.String})
