"""Children aged 10–17 by ethnic group: the denominator of the disproportionality figures.

Two layouts are read, from a CSV file or an .xlsx workbook (``docs/disproportionality.md``):

- **tidy**: one row per area, ethnic group (and sex, where known) — ``area_code``, ``area``,
  ``area_type``, ``ethnic_group``, ``sex``, ``population_10_17``, ``scheme``, ``year``,
  ``source``; ``area``, ``ethnic_group`` and ``population_10_17`` are required. The shipped
  figures (``reference/data/population_10_17_by_ethnicity.csv``) are in this layout.
- **census**: the Office for National Statistics' 2021 Census download of ethnic group by age
  by sex for local authorities (dataset RM032, or a custom dataset with the same variables):
  one row per area, ethnic group (the 19 categories, or the 5 groups), age and sex, the count in
  ``Observation``. The detailed categories are added up into the five groups and the ages 10 to
  17 are kept (single years of age, or bands that lie within 10–17).

Every problem is reported at once with its sheet, row, column, value and what was expected, and a
table with any error is refused whole. An area made of several authorities adds them up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Sequence

import polars as pl

from reoffkit.casefile.problems import CaseFileError, Problem
from reoffkit.casefile.sources import ROW, RawTable, heading, read_csv_table, read_workbook
from reoffkit.engine import codes
from reoffkit.engine.disproportionality import STAGE_TABLE, Disproportionality, Population

SHEET = "population"
AREA_TYPES: tuple[str, ...] = ("country", "region", "partnership", "local_authority")
SEXES: dict[str, tuple[str, ...]] = {"all": ("persons", "total", "both", "all persons"), "male": ("m", "males"), "female": ("f", "females")}
TIDY_COLUMNS: tuple[str, ...] = ("area_code", "area", "area_type", "ethnic_group", "sex", "population_10_17", "scheme", "year", "source")
TIDY_REQUIRED: tuple[str, ...] = ("area", "ethnic_group", "population_10_17")
CENSUS_SOURCE = "Office for National Statistics, Census 2021: ethnic group by age by sex (as at Census day, 21 March 2021)"
FIRST_AGE, LAST_AGE = 10, 17
#: The 2021 Census's five-group labels ("Ethnic group (6 categories)"), besides the 19 categories.
CENSUS_GROUP_LABELS: dict[str, str] = {
    "asian, asian british or asian welsh": "Asian",
    "black, black british, black welsh, caribbean or african": "Black",
    "mixed or multiple ethnic groups": "Mixed",
    "white": "White",
    "other ethnic group": "Other",
}
NOT_APPLICABLE = "does not apply"


@dataclass(frozen=True)
class PopulationRow:
    """One figure: children aged 10–17 of ``group`` (and ``sex``) in one area, from ``row`` of the
    table as the user sees it (or the first of the census rows it adds up)."""

    area_code: str | None
    area: str
    area_type: str | None
    group: str
    sex: str
    count: int
    row: int | None
    scheme: str = codes.DEFAULT_ETHNICITY_SCHEME
    year: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class Area:
    code: str | None
    name: str
    area_type: str | None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name


@dataclass(frozen=True)
class PopulationTable:
    rows: tuple[PopulationRow, ...]
    sheet: str = SHEET

    @property
    def scheme(self) -> str:
        return self.rows[0].scheme if self.rows else codes.DEFAULT_ETHNICITY_SCHEME

    @property
    def areas(self) -> list[Area]:
        seen: dict[str, Area] = {}
        for row in self.rows:
            seen.setdefault((row.area_code or row.area).casefold(), Area(row.area_code, row.area, row.area_type))
        return list(seen.values())

    def rows_of(self, areas: Sequence[str]) -> tuple[PopulationRow, ...]:
        """The rows of the areas named (by code or name, in any case); :class:`CaseFileError` if
        one is not in the table."""
        wanted = {a.strip().casefold() for a in areas}
        known = {key for area in self.areas for key in ((area.code or "").casefold(), area.name.casefold())}
        missing = [a for a in areas if a.strip().casefold() not in known]
        if missing or not areas:
            listed = "; ".join(area.label for area in self.areas)
            raise CaseFileError([Problem(self.sheet, None, "area", ", ".join(missing) or None, f"an area of the table (it has: {listed})")])
        return tuple(r for r in self.rows if r.area.casefold() in wanted or (r.area_code or "").casefold() in wanted)

    def population(self, areas: Sequence[str]) -> Population:
        """The 10–17 population of the areas named, added up, with a label saying which areas,
        year and source."""
        rows = self.rows_of(areas)
        counts = {group: sum(r.count for r in rows if r.group == group) for group in codes.SCHEME_GROUPS[self.scheme]}
        chosen = [a for a in self.areas if a.name.casefold() in {r.area.casefold() for r in rows}]
        years = sorted({r.year for r in rows if r.year})
        sources = sorted({r.source for r in rows if r.source})
        label = f"{', '.join(a.label for a in chosen)}: children aged 10–17"
        if years:
            label += f" in {', '.join(map(str, years))}"
        if sources:
            label += f" — {'; '.join(sources)}"
        return Population(counts, scheme=self.scheme, label=label)

    def shortfalls(self, areas: Sequence[str], result: Disproportionality) -> list[Problem]:
        """A problem for each group whose population is smaller than the children the service
        counted at a population stage: the figures or the areas chosen must be wrong."""
        rows = self.rows_of(areas)
        problems = []
        for group, stage, count, population in result.population_shortfalls:
            first = next((r for r in rows if r.group == group), None)
            problems.append(
                Problem(
                    self.sheet, first.row if first else None, "population_10_17", f"{population:,}",
                    f"a population of at least {count:,} {group} children: the service counted {count:,} "
                    f"({STAGE_TABLE[stage].label.lower()}, {result.period.label}) — check the figures and the areas chosen",
                )
            )
        return problems

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            [
                {"area_code": r.area_code, "area": r.area, "area_type": r.area_type, "ethnic_group": r.group, "sex": r.sex,
                 "population_10_17": r.count, "scheme": r.scheme, "year": r.year, "source": r.source}
                for r in self.rows
            ],
            schema={"area_code": pl.String, "area": pl.String, "area_type": pl.String, "ethnic_group": pl.String, "sex": pl.String,
                    "population_10_17": pl.Int64, "scheme": pl.String, "year": pl.Int64, "source": pl.String},
        )


# ---- Reading -------------------------------------------------------------------------------------


def read_population(path: str | Path) -> PopulationTable:
    """The population table at ``path`` (.csv or .xlsx, tidy or census layout), or
    :class:`CaseFileError` carrying every problem."""
    path = Path(path)
    problems: list[Problem] = []
    if not path.is_file():
        raise CaseFileError([Problem(path.name, None, None, str(path), "a CSV file or an .xlsx workbook of population figures (nothing is at this path)")])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raw = _workbook_table(path, problems)
    elif path.suffix.lower() == ".csv":
        raw = read_csv_table(SHEET, path, problems)
    else:
        raise CaseFileError([Problem(path.name, None, None, None, "a .csv file or an .xlsx workbook")])
    if raw is None or any(p.severity == "error" for p in problems):
        raise CaseFileError(problems or [Problem(path.name, None, None, None, "a readable table of population figures")])
    return population_table(raw, problems, source_name=path.name)


def _workbook_table(path: Path, problems: list[Problem]) -> RawTable | None:
    """The sheet named ``population``, or else the workbook's first sheet."""
    read = read_workbook(path, {SHEET: set()}, problems)
    if read is None:
        return None
    tables, names = read
    if SHEET in tables:
        return tables[SHEET]
    first = heading(names[0])
    read = read_workbook(path, {first: set()}, problems)
    return None if read is None else read[0].get(first)


def population_table(raw: RawTable, problems: list[Problem] | None = None, *, source_name: str = "") -> PopulationTable:
    """The table of ``raw`` (see :func:`read_population`): census layout when it has an
    ``Observation`` column and an ethnic group one, tidy otherwise."""
    problems = list(problems or [])
    if not raw.has_headings:
        raise CaseFileError([*problems, Problem(SHEET, 1, None, None, "a heading row naming the columns (the table is empty)")])
    columns = raw.frame.columns
    census = "observation" in columns and any(c.startswith("ethnic_group") for c in columns)
    faulty: set[tuple] = set()  # (area, group, sex) of rows with a mistake elsewhere: not "missing"
    rows = _census_rows(raw, problems) if census else _tidy_rows(raw, problems, faulty)
    if not rows and not any(p.severity == "error" for p in problems):
        problems.append(Problem(SHEET, None, None, None, "at least one row of figures under the headings"))
    _check_whole(rows, problems, faulty)
    if any(p.severity == "error" for p in problems):
        raise CaseFileError(problems)
    return PopulationTable(tuple(rows))


def _whole_number(text: str | None) -> int | None:
    if text is None:
        return None
    cleaned = text.replace(",", "").strip()
    if re.fullmatch(r"\d+(\.0+)?", cleaned):
        return int(float(cleaned))
    return None


def _number_problem(value: str | None) -> str:
    if value is not None and re.fullmatch(r"\s*-\s*[\d,.]+\s*", value):
        return "a whole number of children, 0 or more (a population cannot be negative)"
    return "a whole number of children, 0 or more"


def _tidy_rows(raw: RawTable, problems: list[Problem], faulty: set[tuple]) -> list[PopulationRow]:
    columns = raw.frame.columns
    missing = [c for c in TIDY_REQUIRED if c not in columns]
    if missing:
        found = ", ".join(raw.headings) or "none"
        problems.append(
            Problem(SHEET, raw.header_row, None, None, f"the columns {', '.join(TIDY_REQUIRED)} (missing {', '.join(missing)}; columns found: {found}) — or the 2021 Census download layout with an Observation column")
        )
        return []
    groups = codes.lookup(codes.SYNONYMS["ethnicity"])
    schemes = codes.lookup(codes.SYNONYMS["ethnicity_scheme"])
    sexes = codes.lookup(SEXES)
    rows = []
    for record in raw.frame.iter_rows(named=True):
        number = record[ROW]
        before = len(problems)

        def problem(column: str, expected: str) -> None:
            problems.append(Problem(SHEET, number, column, record.get(column), expected))

        area = record.get("area")
        if not area:
            problem("area", "the area's name")
        scheme = schemes.get(codes.normalise_word(record.get("scheme") or codes.DEFAULT_ETHNICITY_SCHEME))
        if scheme is None:
            problem("scheme", f"one of: {', '.join(codes.ETHNICITY_SCHEMES)} (blank: self_defined)")
        group = groups.get(codes.normalise_word(record.get("ethnic_group") or ""))
        allowed = codes.SCHEME_GROUPS[scheme or codes.DEFAULT_ETHNICITY_SCHEME]
        if group not in allowed:
            problem("ethnic_group", f"one of: {', '.join(allowed)} (the groups of the {(scheme or codes.DEFAULT_ETHNICITY_SCHEME).replace('_', '-')} scheme)")
        sex = sexes.get(codes.normalise_word(record.get("sex") or "all"))
        if sex is None:
            problem("sex", "all, male or female (blank: all)")
        count = _whole_number(record.get("population_10_17"))
        if count is None:
            problem("population_10_17", _number_problem(record.get("population_10_17")))
        area_type = record.get("area_type")
        if area_type and area_type not in AREA_TYPES:
            problem("area_type", f"one of: {', '.join(AREA_TYPES)} (or blank)")
        year = record.get("year")
        if year and not re.fullmatch(r"(19|20)\d\d", year):
            problem("year", "the year the figures are for, like 2021 (or blank)")
        if len(problems) > before:
            faulty.add(((record.get("area_code") or area or "").casefold(), group, sex or "all"))
            continue
        rows.append(PopulationRow(record.get("area_code"), area, area_type, group, sex, count, number, scheme, int(year) if year else None, record.get("source")))
    return rows


def _age_range(label: str) -> tuple[int, int] | None:
    """``Aged 10 years`` → (10, 10); ``Aged 10 to 14 years`` → (10, 14); ``Aged 4 years and under``
    → (0, 4); ``Aged under 1 year`` → (0, 0); ``Aged 85 years and over`` → (85, 200)."""
    text = label.lower()
    if match := re.search(r"(\d+)\s*(?:years?)?\s*(?:to|-|–)\s*(\d+)", text):
        return int(match.group(1)), int(match.group(2))
    if match := re.search(r"under\s*(\d+)", text):
        return 0, int(match.group(1)) - 1
    if match := re.search(r"(\d+)\s*(?:years?)?\s*and\s*under", text):
        return 0, int(match.group(1))
    if match := re.search(r"(\d+)\s*(?:years?)?\s*(?:and\s*over|\+)", text):
        return int(match.group(1)), 200
    if match := re.fullmatch(r"\D*(\d+)\D*", text):
        return int(match.group(1)), int(match.group(1))
    return None


def _census_rows(raw: RawTable, problems: list[Problem]) -> list[PopulationRow]:
    columns = raw.frame.columns
    labels = [c for c in columns if not c.endswith("_code")]
    ethnic = next((c for c in labels if c.startswith("ethnic_group")), None)
    age = next((c for c in labels if c.startswith("age")), None)
    sex_column = next((c for c in labels if c.startswith("sex")), None)
    geography = next((c for c in labels if c not in (ethnic, age, sex_column, "observation", ROW)), None)
    if age is None or geography is None or ethnic is None:
        found = ", ".join(raw.headings)
        needed = [name for name, column in (("an area", geography), ("an age", age)) if column is None]
        problems.append(Problem(SHEET, raw.header_row, None, None, f"{' and '.join(needed)} column in the census download (columns found: {found}): download ethnic group by age by sex for local authorities"))
        return []
    code_column = f"{geography}_code" if f"{geography}_code" in columns else None
    area_type = "local_authority" if "local_authorit" in geography else "country" if "countr" in geography else "region" if "region" in geography else None
    categories = {codes.normalise_word(c.label): c.group for c in codes.ETHNIC_CATEGORIES if c.scheme == "self_defined" and c.group != "Not known"}
    categories.update({codes.normalise_word(k): v for k, v in CENSUS_GROUP_LABELS.items()})
    sexes = codes.lookup(SEXES)
    shown = {heading(h): h for h in raw.headings}  # problems name a column as the download heads it
    totals: dict[tuple, list] = {}
    covered: dict[str, set[int]] = {}
    reported: set[tuple[str, str]] = set()
    for record in raw.frame.iter_rows(named=True):
        number = record[ROW]

        def problem(column: str, expected: str, once: str | None = None) -> None:
            if once is not None:
                if (column, once) in reported:
                    return
                reported.add((column, once))
            problems.append(Problem(SHEET, number, shown.get(column, column), record.get(column), expected))

        label = codes.normalise_word(record.get(ethnic) or "")
        if label == NOT_APPLICABLE:
            continue
        group = categories.get(label)
        if group is None:
            problem(ethnic, "a 2021 Census ethnic group category (as ONS labels them, e.g. 'Asian, Asian British or Asian Welsh: Indian')", once=label)
            continue
        ages = _age_range(record.get(age) or "")
        if ages is None:
            problem(age, "an age like 'Aged 10 years' or 'Aged 10 to 14 years'", once=record.get(age) or "")
            continue
        low, high = ages
        if high < FIRST_AGE or low > LAST_AGE:
            continue
        if low < FIRST_AGE or high > LAST_AGE:
            problem(
                age,
                f"single years of age, or bands within {FIRST_AGE} to {LAST_AGE}: this band also counts children outside {FIRST_AGE}–{LAST_AGE} (download ages in single years)",
                once=record.get(age) or "",
            )
            continue
        sex = sexes.get(codes.normalise_word(record.get(sex_column) or "all")) if sex_column else "all"
        if sex is None:
            problem(sex_column, "Female or Male", once=record.get(sex_column) or "")
            continue
        count = _whole_number(record.get("observation"))
        if count is None:
            problem("observation", _number_problem(record.get("observation")))
            continue
        area = record.get(geography)
        if not area:
            problem(geography, "the area's name")
            continue
        code = record.get(code_column) if code_column else None
        covered.setdefault(code or area, set()).update(range(low, high + 1))
        key = (code, area, group, sex)
        if key not in totals:
            totals[key] = [0, number]
        totals[key][0] += count
    for area_key, ages in covered.items():
        missing = sorted(set(range(FIRST_AGE, LAST_AGE + 1)) - ages)
        if missing:
            problems.append(Problem(SHEET, None, shown.get(age, age), area_key, f"every age from {FIRST_AGE} to {LAST_AGE} (missing {', '.join(map(str, missing))})"))
    return [
        PopulationRow(code, area, area_type, group, sex, count, number, codes.DEFAULT_ETHNICITY_SCHEME, 2021, CENSUS_SOURCE)
        for (code, area, group, sex), (count, number) in totals.items()
    ]


def _check_whole(rows: list[PopulationRow], problems: list[Problem], faulty: set[tuple]) -> None:
    """Across rows: one scheme; each area once per group and sex, either all children or by sex;
    every group of the scheme in every area."""
    if not rows:
        return
    schemes = {r.scheme for r in rows}
    if len(schemes) > 1:
        first = next(r for r in rows if r.scheme != rows[0].scheme)
        problems.append(Problem(SHEET, first.row, "scheme", first.scheme, f"{rows[0].scheme} like row {rows[0].row}: one table holds one scheme (schemes are never mixed)"))
        return
    seen: dict[tuple, int | None] = {}
    by_area: dict[str, list[PopulationRow]] = {}
    for row in rows:
        key = ((row.area_code or row.area).casefold(), row.group, row.sex)
        if key in seen:
            problems.append(Problem(SHEET, row.row, "ethnic_group", row.group, f"one row per area, group and sex (row {seen[key]} has {row.area}, {row.group}, {row.sex})"))
        seen[key] = row.row
        by_area.setdefault((row.area_code or row.area).casefold(), []).append(row)
    for area_rows in by_area.values():
        first = area_rows[0]
        sexes = {r.sex for r in area_rows}
        if "all" in sexes and len(sexes) > 1:
            problems.append(Problem(SHEET, first.row, "sex", first.sex, f"either all children or male and female for {first.area}, not both (they would be counted twice)"))
            continue
        for sex in sorted(sexes):
            present = {r.group for r in area_rows if r.sex == sex} | {g for a, g, x in faulty if a == (first.area_code or first.area).casefold() and x == sex}
            missing = [g for g in codes.SCHEME_GROUPS[first.scheme] if g not in present]
            if missing:
                words = "" if sex == "all" else f" ({sex})"
                problems.append(
                    Problem(SHEET, first.row, "ethnic_group", None, f"a row for every group of {first.area}{words}: {', '.join(missing)} missing")
                )


def shipped_population() -> PopulationTable:
    """The figures shipped with reoffkit: England and Wales and two local authorities (see
    ``docs/disproportionality.md`` for their source)."""
    with resources.as_file(resources.files("reoffkit.reference").joinpath("data/population_10_17_by_ethnicity.csv")) as path:
        return read_population(path)
