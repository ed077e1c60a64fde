"""The columns of each sheet, and how a column of text is read into its engine type.

Each reader returns the parsed column and, for the rows whose value could not be read, what a
valid value looks like. Everything is a Polars expression over the whole column; only the few
distinct values of a code column go through Python (:func:`reoffkit.engine.codes.normalise_word`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from reoffkit.engine import codes
from reoffkit.engine.schema import RESETTLEMENT_FACTORS

DATE_EXPECTED = "a date like 2016-10-15 or 15/10/2016"
EARLIEST_DATE = dt.date(1900, 1, 1)
FAR_FUTURE_YEARS = 10  # a date that may be in the future (a due date, a release) — but not this far

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
ISO_DATE = rf"^\d{{4}}-\d{{1,2}}-\d{{1,2}}{_TIME}$"
UK_DATE = rf"^\d{{1,2}}/\d{{1,2}}/\d{{4}}{_TIME}$|^\d{{1,2}}-\d{{1,2}}-\d{{4}}{_TIME}$"
SHORT_YEAR_DATE = rf"^\d{{1,2}}[/-]\d{{1,2}}[/-]\d{{2}}{_TIME}$"
MONTH_FIRST_DATE = rf"^(?:0?[1-9]|1[0-2])/(?:1[3-9]|2\d|3[01])/\d{{4}}{_TIME}$"
DAY_OR_MONTH_FIRST = rf"^(?:0?[1-9]|1[0-2])/(?:0?[1-9]|1[0-2])/\d{{4}}{_TIME}$"  # 03/04/2016: 3 April, or 4 March?
PLAIN_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"  # the usual form, which every reading of ISO_DATE reads the same way
SERIAL_NUMBER = r"^\d{4,6}(?:\.\d+)?$"


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``required_column``: the heading must be there. ``required_value``: no blank values (for an
    optional column, only when the column is given). ``not_future``: a date that has happened.
    """

    name: str
    kind: str  # text | date | code | yes_no | integer | number
    required_column: bool = True
    required_value: bool = False
    vocabulary: str | None = None  # a key of codes.SYNONYMS, or "outcome_type"
    low: float | None = None
    high: float | None = None
    not_future: bool = False


SPECS: dict[str, tuple[Column, ...]] = {
    "people": (
        Column("person_id", "text", required_value=True),
        Column("pnc_id", "text", required_column=False),
        Column("service", "text", required_column=False),
        Column("date_of_birth", "date", required_value=True, not_future=True),
        Column("sex", "code", vocabulary="sex"),
        Column("ethnicity", "code", vocabulary="ethnicity"),
        Column("ethnicity_scheme", "code", required_column=False, vocabulary="ethnicity_scheme"),
        Column("ethnicity_detail", "code", required_column=False, vocabulary="ethnicity_detail"),
        Column("looked_after", "yes_no"),
        Column("district", "text"),
        Column("yot_caseload", "yes_no"),
        Column("adult_offending_checked", "yes_no", required_column=False),
        Column("first_name", "text", required_column=False),
        Column("last_name", "text", required_column=False),
    ),
    "outcomes": (
        Column("outcome_id", "integer", required_column=False, required_value=True),
        Column("person_id", "text", required_value=True),
        Column("offence_date", "date", required_value=True, not_future=True),
        Column("outcome_date", "date", not_future=True),
        Column("outcome_type", "code", required_value=True, vocabulary="outcome_type"),
        Column("release_date", "date"),
        Column("offence_type", "text"),
        Column("gravity", "integer", low=1, high=8),
        Column("breach", "yes_no"),
        Column("recorded_on", "date", required_column=False, not_future=True),
    ),
    "assessments": (
        Column("person_id", "text", required_value=True),
        Column("assessment_date", "date", required_value=True, not_future=True),
        Column("tool", "code", required_value=True, vocabulary="tool"),
        Column("score", "number", low=0, high=100),
        Column("likelihood_band", "code", vocabulary="likelihood_band"),
        Column("intervention_level", "code", vocabulary="intervention_level"),
    ),
    "actions": (
        Column("person_id", "text", required_value=True),
        Column("raised_on", "date", required_value=True, not_future=True),
        Column("trigger", "code", required_value=True, vocabulary="trigger"),
        Column("action", "code", required_value=True, vocabulary="action"),
        Column("status", "code", required_value=True, vocabulary="status"),
        Column("owner", "text"),
        Column("due_on", "date"),
        Column("completed_on", "date", not_future=True),
        Column("notes", "text"),
    ),
    "resettlement": (
        Column("person_id", "text", required_value=True),
        Column("release_date", "date", required_value=True, not_future=True),
        *(Column(factor, "code", vocabulary="yes_no_not_known") for factor in RESETTLEMENT_FACTORS),
    ),
}

DATE_COLUMNS: dict[str, set[str]] = {sheet: {c.name for c in specs if c.kind == "date"} for sheet, specs in SPECS.items()}


@dataclass(frozen=True)
class Check:
    """Rows where ``failing`` is true get a problem in ``column`` saying ``expected``.

    ``only_where``: a cheap condition that ``failing`` implies (a value that could not be read), so
    that ``failing`` (a regular expression, say) is worked out only for the few rows where it holds.
    """

    failing: pl.Expr
    column: str
    expected: str
    severity: str = "error"
    only_where: pl.Expr | None = None


def vocabulary(name: str, outcome_types: tuple[codes.OutcomeType, ...]) -> tuple[dict[str, str], str]:
    """Accepted word → canonical code, and the codes to list when a value is not accepted."""
    if name == "outcome_type":
        return codes.outcome_type_lookup(outcome_types), ", ".join(t.code for t in outcome_types)
    return codes.lookup(codes.SYNONYMS[name]), ", ".join(codes.SYNONYMS[name])


def given(name: str) -> str:
    """The name under which a column's text, as given, is kept beside its parsed value."""
    return f"__given_{name}"


@dataclass(frozen=True)
class Reading:
    """How to read one column: ``parsed`` turns the text column ``name`` into the engine's type.

    ``checks`` run afterwards on a frame holding the parsed value as ``name`` and the text as
    ``given(name)``. ``fallback`` (over ``given(name)``), when there is one, reads the values that
    ``parsed`` (a fast path for the usual form) left empty; it is worked out for those rows only.
    """

    parsed: pl.Expr
    checks: list[Check]
    fallback: pl.Expr | None = None


def read_column(spec: Column, table: pl.DataFrame, *, today: dt.date, outcome_types: tuple[codes.OutcomeType, ...]) -> Reading:
    text, value = pl.col(spec.name), pl.col(spec.name)
    unreadable = pl.col(given(spec.name)).is_not_null() & value.is_null()
    if spec.kind == "date":
        return _date(spec, today)
    if spec.kind in ("code", "yes_no"):
        words, accepted = vocabulary(spec.vocabulary or "yes_no", outcome_types)
        distinct = table[spec.name].drop_nulls().unique().to_list()
        found = {word: words.get(codes.normalise_word(word)) for word in distinct}
        if spec.kind == "yes_no":
            mapping = {word: None if code is None else code == "yes" for word, code in found.items()}
            return Reading(text.replace_strict(mapping, default=None, return_dtype=pl.Boolean), [Check(unreadable, spec.name, "yes or no (also y, n, true, false, 1, 0)")])
        expected = f"one of: {accepted} (or a synonym listed in docs/case-file.md)"
        return Reading(text.replace_strict(found, default=None, return_dtype=pl.String), [Check(unreadable, spec.name, expected)])
    if spec.kind == "integer":
        bounds = f" from {spec.low:g} to {spec.high:g}" if spec.low is not None and spec.high is not None else ""
        # Fast path: written as a whole number (12); the fallback also reads 12.0 and 1e3.
        return Reading(_whole(spec, text, None), [Check(unreadable, spec.name, f"a whole number{bounds}")], fallback=_whole(spec, pl.col(given(spec.name)), "any"))
    if spec.kind == "number":
        number = text.cast(pl.Float64, strict=False)
        ok = number.is_finite() & (number >= spec.low) & (number <= spec.high)
        return Reading(pl.when(ok).then(number), [Check(unreadable, spec.name, f"a number from {spec.low:g} to {spec.high:g}")])
    return Reading(text, [])


def _whole(spec: Column, text: pl.Expr, written: str | None) -> pl.Expr:
    """A whole number within the column's bounds, else null. ``written``: ``None`` reads only
    digits (``12``, ``-3``); ``"any"`` also a number with a decimal point or an exponent whose value
    is whole (``12.0``, ``1e3``)."""
    whole = text.cast(pl.Int64, strict=False)
    if written == "any":
        number = text.cast(pl.Float64, strict=False)
        whole = pl.coalesce(whole, pl.when(number.is_finite() & (number == number.floor()) & (number.abs() < 2**53)).then(number).cast(pl.Int64))
    ok = whole.is_not_null()
    if spec.low is not None:
        ok &= whole >= spec.low
    if spec.high is not None:
        ok &= whole <= spec.high
    return pl.when(ok).then(whole)


def _parse_iso_date(text: pl.Expr) -> pl.Expr:
    """The usual form, 2016-10-15 exactly: read as :func:`_parse_date` reads it; anything else is
    left empty for :func:`_parse_date` to read (row by row it would be several times slower)."""
    return pl.when(text.str.contains(PLAIN_ISO_DATE)).then(text.str.strptime(pl.Date, "%Y-%m-%d", strict=False))


def _parse_date(text: pl.Expr) -> pl.Expr:
    """The regular expressions decide which form a value has; chrono parses (and refuses 31/02)."""
    day = text.str.replace("T", " ", literal=True).str.split_exact(" ", 1).struct.field("field_0")
    return pl.coalesce(
        pl.when(text.str.contains(ISO_DATE)).then(day.str.strptime(pl.Date, "%Y-%m-%d", strict=False)),
        pl.when(text.str.contains(UK_DATE)).then(day.str.replace_all("-", "/", literal=True).str.strptime(pl.Date, "%d/%m/%Y", strict=False)),
    )


def _date(spec: Column, today: dt.date) -> Reading:
    """Dates as ISO (2016-10-15) or UK day-first (15/10/2016, 15-10-2016); a time after it is allowed.

    Nothing else is guessed: a two-digit year could be 19xx or 20xx, 10/15/2016 is month-first,
    and 31/02/2017 does not exist — each is reported, with a hint where one helps.
    """
    text = pl.col(spec.name)
    as_given, value = pl.col(given(spec.name)), pl.col(spec.name)
    unreadable = as_given.is_not_null() & value.is_null()
    short_year = as_given.str.contains(SHORT_YEAR_DATE)
    month_first = as_given.str.contains(MONTH_FIRST_DATE)
    serial = as_given.str.contains(SERIAL_NUMBER)
    checks = [
        Check(unreadable & short_year, spec.name, f"{DATE_EXPECTED}, with a four-digit year (a two-digit year could be 19xx or 20xx)", only_where=unreadable),
        Check(unreadable & month_first, spec.name, f"{DATE_EXPECTED} — dates are read day first, and this one is month first", only_where=unreadable),
        Check(
            unreadable & serial,
            spec.name,
            f"{DATE_EXPECTED} — this number looks like an Excel date that lost its format; format the column as dates before saving as CSV",
            only_where=unreadable,
        ),
        Check(unreadable & ~short_year & ~month_first & ~serial, spec.name, DATE_EXPECTED, only_where=unreadable),
        Check(value < EARLIEST_DATE, spec.name, f"a date from {EARLIEST_DATE:%d/%m/%Y} onwards"),
    ]
    if spec.not_future:
        checks.append(Check(value > today, spec.name, f"a date no later than today ({today.isoformat()}): this cannot be in the future"))
    else:
        latest = _years_after(today, FAR_FUTURE_YEARS)
        checks.append(Check(value > latest, spec.name, f"a date before {latest.isoformat()} (more than {FAR_FUTURE_YEARS} years ahead)"))
    return Reading(_parse_iso_date(text), checks, fallback=_parse_date(as_given))


def month_first_suspicion(table: pl.DataFrame, name: str) -> tuple[int, int]:
    """How many dates of a text column are month first (10/15/2016), and how many could be either.

    When some are plainly month first, those read day first (03/04/2016 as 3 April) may be wrong.
    """
    if not table.select(pl.col(name).str.contains("/", literal=True).any()).item():  # the usual case: no date with a slash
        return 0, 0
    month_first = table.select(pl.col(name).str.contains(MONTH_FIRST_DATE).sum()).item()
    if not month_first:
        return 0, 0
    return month_first, table.select(pl.col(name).str.contains(DAY_OR_MONTH_FIRST).sum()).item()


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
