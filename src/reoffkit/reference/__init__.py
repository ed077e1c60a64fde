"""Published reoffending figures (national, regional, family, comparator, a service's own) from CSV.

The format is documented in ``docs/reference-figures.md``; the shipped defaults
(``reoffkit/reference/data/national_youth_reoffending.csv``) are the published figures collected with their
sources. A file is read whole and every problem is reported at once (row, column, value, what was
expected); a file with any error is refused.

Figures of different ``cohort_basis`` are different measures: a quarterly cohort, four quarterly
cohorts added together (the method since October 2017), and the pre-2017 12-month cohort
(``annual_12m_old_method``). They are never joined into one series.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import polars as pl

from reoffkit.casefile.problems import CaseFileError, Problem

SHEET = "reference figures"
COLUMNS: tuple[str, ...] = (
    "area",
    "area_type",
    "cohort_basis",
    "period_start",
    "period_end",
    "cohort_size",
    "reoffenders",
    "reoffences",
    "binary_rate",
    "reoffences_per_reoffender",
    "source",
)
REQUIRED: tuple[str, ...] = ("area", "area_type", "cohort_basis", "period_start", "period_end", "source")
AREA_TYPES: tuple[str, ...] = ("country", "region", "partnership", "local_authority", "family", "comparator")
BASES: dict[str, int] = {"quarter": 3, "aggregated_quarters": 12, "annual_12m_old_method": 12}
BASIS_LABELS: dict[str, str] = {
    "quarter": "quarterly cohort",
    "aggregated_quarters": "four quarterly cohorts added together",
    "annual_12m_old_method": "12-month cohort, pre-2017 method (not comparable)",
}
NATIONAL_AREAS: tuple[str, ...] = ("England and Wales", "England")
#: A rate and the counts it was published with may differ by rounding, not by more.
RATE_TOLERANCE = 0.0051
PER_REOFFENDER_TOLERANCE = 0.051


@dataclass(frozen=True)
class ReferenceFigure:
    area: str
    area_type: str
    cohort_basis: str
    period_start: dt.date
    period_end: dt.date
    cohort_size: int | None
    reoffenders: int | None
    reoffences: int | None
    binary_rate: float | None
    reoffences_per_reoffender: float | None
    source: str

    @property
    def key(self) -> tuple:
        return (self.area.casefold(), self.cohort_basis, self.period_start, self.period_end)

    @property
    def frequency_rate(self) -> float | None:
        """Reoffences per cohort member: counts if published, else binary × per reoffender."""
        if self.cohort_size and self.reoffences is not None:
            return self.reoffences / self.cohort_size
        if self.binary_rate is not None and self.reoffences_per_reoffender is not None:
            return self.binary_rate * self.reoffences_per_reoffender
        return None

    @property
    def period_label(self) -> str:
        return f"{self.period_start:%b %Y}–{self.period_end:%b %Y}"

    def as_dict(self) -> dict:
        return asdict(self)


def _months_spanned(start: dt.date, end: dt.date) -> int:
    following = end + dt.timedelta(days=1)
    return (following.year - start.year) * 12 + following.month - start.month


def _parse_row(number: int, row: dict[str, str], problems: list[Problem]) -> ReferenceFigure | None:
    found: dict[str, object] = {}
    before = len(problems)

    def problem(column: str, expected: str) -> None:
        value = row.get(column)
        problems.append(Problem(SHEET, number, column, value if value not in (None, "") else None, expected))

    for column in COLUMNS:
        text = (row.get(column) or "").strip()
        if not text:
            if column in REQUIRED:
                problem(column, "a value (this column is required)")
            found[column] = None
            continue
        if column in ("period_start", "period_end"):
            try:
                found[column] = dt.date.fromisoformat(text)
            except ValueError:
                problem(column, "a date like 2016-10-01")
        elif column in ("cohort_size", "reoffenders", "reoffences"):
            if text.isdigit():
                found[column] = int(text)
            else:
                problem(column, "a whole number of children or offences, 0 or more")
        elif column == "binary_rate":
            try:
                value = float(text)
            except ValueError:
                value = -1.0
            if not 0.0 <= value <= 1.0:
                problem(column, "a fraction from 0 to 1 (0.404 for 40.4%)")
            found[column] = value
        elif column == "reoffences_per_reoffender":
            try:
                value = float(text)
            except ValueError:
                value = -1.0
            if value < 1.0:
                problem(column, "a number of further offences per reoffender, 1 or more (3.62)")
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
    elif _months_spanned(start, end) != BASES[basis] or start.day != 1:
        problem("period_end", f"the end of a {BASES[basis]}-month period starting on the 1st of a month, for cohort_basis {basis}")
    size, reoffenders, rate = found["cohort_size"], found["reoffenders"], found["binary_rate"]
    if rate is None and (size is None or reoffenders is None):
        problem("binary_rate", "a binary rate, or cohort_size and reoffenders to compute it from")
    if size is not None and reoffenders is not None:
        if reoffenders > size:
            problem("reoffenders", f"no more than cohort_size ({size})")
        elif rate is not None and size and abs(reoffenders / size - rate) > RATE_TOLERANCE:
            problem("binary_rate", f"reoffenders ÷ cohort_size = {reoffenders / size:.3f}, give or take rounding")
    if reoffenders is not None and found["reoffences"] is not None:
        if reoffenders > found["reoffences"]:
            problem("reoffences", f"at least reoffenders ({reoffenders}): each reoffender committed one or more")
        elif reoffenders and found["reoffences_per_reoffender"] is not None:
            computed = found["reoffences"] / reoffenders
            if abs(computed - found["reoffences_per_reoffender"]) > PER_REOFFENDER_TOLERANCE:
                problem("reoffences_per_reoffender", f"reoffences ÷ reoffenders = {computed:.2f}, give or take rounding")
    if len(problems) > before:
        return None
    if rate is None:
        found["binary_rate"] = reoffenders / size if size else None
    if found["reoffences_per_reoffender"] is None and reoffenders and found["reoffences"] is not None:
        found["reoffences_per_reoffender"] = found["reoffences"] / reoffenders
    return ReferenceFigure(**found)


def parse_reference_csv(text: str) -> list[ReferenceFigure]:
    """Every figure of a reference CSV, or :class:`CaseFileError` listing every problem."""
    problems: list[Problem] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headings = [(name or "").strip() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in headings]
    if missing:
        raise CaseFileError([Problem(SHEET, 1, None, ", ".join(headings) or None, f"the headings {', '.join(COLUMNS)} (missing {', '.join(missing)})")])
    reader.fieldnames = headings
    figures: list[ReferenceFigure] = []
    seen: dict[tuple, int] = {}
    for number, row in enumerate(reader, start=2):
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        if row.get(None):
            problems.append(Problem(SHEET, number, None, ",".join(row[None]), f"at most {len(headings)} values, one per heading"))
            continue
        figure = _parse_row(number, row, problems)
        if figure is None:
            continue
        if figure.key in seen:
            problems.append(Problem(SHEET, number, "period_start", figure.period_start.isoformat(), f"one row per area, cohort_basis and period (row {seen[figure.key]} has this one)"))
            continue
        seen[figure.key] = number
        figures.append(figure)
    if not figures and not problems:
        problems.append(Problem(SHEET, None, None, None, "at least one row of figures under the headings"))
    if problems:
        raise CaseFileError(problems)
    return figures


def read_reference_csv(path: str | Path) -> list[ReferenceFigure]:
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return parse_reference_csv(text)


def default_reference() -> list[ReferenceFigure]:
    """The figures shipped with reoffkit (see ``docs/reference-figures.md`` for their sources)."""
    return parse_reference_csv(resources.files("reoffkit.reference").joinpath("data/national_youth_reoffending.csv").read_text("utf-8"))


def merge(*sets: list[ReferenceFigure]) -> list[ReferenceFigure]:
    """Later sets replace earlier figures for the same area, basis and period."""
    merged: dict[tuple, ReferenceFigure] = {}
    for figures in sets:
        for figure in figures:
            merged[figure.key] = figure
    return list(merged.values())


def national(figures: list[ReferenceFigure], basis: str, measure: str) -> ReferenceFigure | None:
    """The newest national figure of ``basis`` that publishes ``measure`` (England and Wales first)."""
    for area in NATIONAL_AREAS:
        candidates = [
            f for f in figures
            if f.area_type == "country" and f.area == area and f.cohort_basis == basis and getattr(f, measure) is not None
        ]
        if candidates:
            return max(candidates, key=lambda f: f.period_end)
    return None


def for_areas(figures: list[ReferenceFigure], names: list[str]) -> list[ReferenceFigure]:
    wanted = {name.casefold() for name in names}
    return [f for f in figures if f.area.casefold() in wanted]


def frame(figures: list[ReferenceFigure]) -> pl.DataFrame:
    schema = {
        "area": pl.String, "area_type": pl.String, "cohort_basis": pl.String, "period_start": pl.Date, "period_end": pl.Date,
        "cohort_size": pl.Int64, "reoffenders": pl.Int64, "reoffences": pl.Int64, "binary_rate": pl.Float64,
        "reoffences_per_reoffender": pl.Float64, "source": pl.String,
    }
    return pl.DataFrame([f.as_dict() for f in figures], schema=schema).sort("area", "cohort_basis", "period_start")
