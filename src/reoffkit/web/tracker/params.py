"""Query-string parameters every page shares — a quarter, a cohort period, a date — read one way.

A value that cannot be what its parameter names (``?quarter=0000Q1``, ``?period=9999Q4``,
``?since=01/01/0001``) is a :class:`BadParameter`: the page answers 400 and says which parameter,
what it held and what was expected (``views/errors.py``), instead of failing further down.
Quarters and dates are kept to years the counting can handle: a follow-up ends 18 months after
a period and a look-back reaches 18 months before a date, and neither may leave the calendar.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import BadRequest

from reoffkit.engine.rules import Period, quarter_key

FIRST_YEAR, LAST_YEAR = 1900, 2200
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)
QUARTER_WORDS = f"a calendar quarter like 2025Q3, from {FIRST_YEAR}Q1 to {LAST_YEAR}Q4"
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
DATE_WORDS = f"a date like 15/10/2025 (day/month/year), from 1 January {FIRST_YEAR} to 31 December {LAST_YEAR}"


class BadParameter(BadRequest):
    """A query-string (or form) parameter that cannot be used: shown on the 400 page."""

    def __init__(self, name: str, value: str, expected: str):
        self.name, self.value, self.expected = name, value, expected
        super().__init__(f"{name}: {value!r} is not {expected}")

    @property
    def shown_value(self) -> str:
        """The value as the page shows it: printable and short."""
        text = "".join(c if c.isprintable() else "?" for c in self.value)
        return text if len(text) <= 40 else text[:40] + "…"


def is_quarter(text: str) -> bool:
    """Whether ``text`` is a quarter label the application can count (``2025Q3``, in range)."""
    match = _QUARTER.match(text or "")
    return bool(match) and FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR


def parse_quarter(text: str, *, name: str = "quarter", quarters: int = 1) -> Period:
    """The period of ``quarters`` quarters starting at the quarter ``text``, or :class:`BadParameter`."""
    match = _QUARTER.match(text or "")
    if not match or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise BadParameter(name, text, QUARTER_WORDS)
    start = quarter_key(int(match.group(1)), int(match.group(2)))
    if start + quarters - 1 > quarter_key(LAST_YEAR, 4):
        raise BadParameter(name, text, QUARTER_WORDS)
    return Period(start, quarters)


def quarter_param(params, name: str = "quarter", *, quarters: int = 1, default: Period | None = None) -> Period | None:
    """The period named by ``params[name]`` (blank or missing: ``default``)."""
    text = params.get(name, "")
    if not text.strip():
        return default
    return parse_quarter(text, name=name, quarters=quarters)


def choice_param(params, name: str, choices, *, default: str) -> str:
    """``params[name]`` if it is one of ``choices`` (missing: ``default``), else :class:`BadParameter`."""
    value = params.get(name, default)
    if value not in choices:
        raise BadParameter(name, value, "one of " + ", ".join(map(str, choices)))
    return value


def parse_date(text: str, *, name: str) -> dt.date:
    """A day/month/year or ISO date within the years the counting can handle."""
    for fmt in DATE_FORMATS:
        try:
            day = dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
        if FIRST_YEAR <= day.year <= LAST_YEAR:
            return day
    raise BadParameter(name, text, DATE_WORDS)


def date_param(params, name: str, *, default: dt.date | None = None) -> dt.date | None:
    text = params.get(name, "")
    if not text.strip():
        return default
    return parse_date(text, name=name)


def in_range(day: dt.date | None, *, name: str, typed: str | None = None) -> dt.date | None:
    """``day`` if the counting can handle it (a date form field's value; ``typed``, what was
    typed), else :class:`BadParameter`."""
    if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadParameter(name, typed or day.isoformat(), DATE_WORDS)
    return day
