"""Counting settings and cohort periods.

Vocabulary used throughout the engine:

- **quarter**: a calendar quarter, written ``2016Q4`` (1 October – 31 December 2016).
- **period**: the cohort period being measured — one quarter, or N consecutive quarters added
  together (``aggregated_quarters``, the official method since October 2017: a child can have one
  entry in each quarter), or the pre-2017 ``annual_12m_old_method`` (one entry per child for the
  whole period). Figures from the two methods are never joined into one series.
- **cohort entry**: one child's first qualifying event in a quarter (or old-method period).
- **index date**: the date of that event — the caution or conviction date, or for a custodial
  sentence the release date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from reoffkit.engine.codes import OUTCOME_TYPES, OutcomeType

METHODS: tuple[str, ...] = ("aggregated_quarters", "annual_12m_old_method")


@dataclass(frozen=True)
class CountingRules:
    """The counting rules, defaulting to the Ministry of Justice proven reoffending measure.

    ``include_unproven`` and ``include_breaches`` are live-tracking choices of a service; figures
    to compare with official ones keep both ``False``. ``early_months`` and
    ``prolific_threshold`` define the per-entry flags; ``assessment_grace_days`` is how long after
    the index date an assessment still counts as the assessment "at entry" when none precedes it.
    """

    min_age: int = 10
    max_age: int = 17
    follow_up_months: int = 12
    waiting_months: int = 6
    include_breaches: bool = False
    include_unproven: bool = False
    early_months: int = 3
    prolific_threshold: int = 5
    assessment_grace_days: int = 90
    outcome_types: tuple[OutcomeType, ...] = field(default=OUTCOME_TYPES, repr=False)

    def __post_init__(self) -> None:
        if not 0 <= self.min_age <= self.max_age:
            raise ValueError(f"age range {self.min_age}–{self.max_age} is not a range of ages")
        if self.follow_up_months < 1 or self.waiting_months < 0:
            raise ValueError("follow-up must be at least one month and the waiting period not negative")


_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


def quarter_key(year: int, quarter: int) -> int:
    """Consecutive integer for a calendar quarter: 2016Q4 → 2016 * 4 + 3."""
    return year * 4 + quarter - 1


def quarter_label(key: int) -> str:
    return f"{key // 4}Q{key % 4 + 1}"


def quarter_start(key: int) -> dt.date:
    return dt.date(key // 4, 3 * (key % 4) + 1, 1)


def quarter_end(key: int) -> dt.date:
    return quarter_start(key + 1) - dt.timedelta(days=1)


def quarter_of(day: dt.date) -> int:
    return quarter_key(day.year, (day.month - 1) // 3 + 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, the day clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))


@dataclass(frozen=True)
class Period:
    """A cohort period: ``quarters`` consecutive calendar quarters from ``first_quarter``."""

    first_quarter: int
    quarters: int = 1
    method: str = "aggregated_quarters"

    def __post_init__(self) -> None:
        if self.quarters < 1:
            raise ValueError("a period has at least one quarter")
        if self.method not in METHODS:
            raise ValueError(f"unknown cohort method {self.method!r}; expected one of {', '.join(METHODS)}")

    @classmethod
    def parse(cls, text: str, quarters: int = 1, method: str = "aggregated_quarters") -> "Period":
        """``Period.parse("2016Q4")``; ``Period.parse("2014Q2", quarters=4)`` is April 2014 – March 2015."""
        match = _QUARTER.match(text)
        if not match:
            raise ValueError(f"period {text!r} is not a calendar quarter like 2016Q4")
        return cls(quarter_key(int(match.group(1)), int(match.group(2))), quarters, method)

    @property
    def start(self) -> dt.date:
        return quarter_start(self.first_quarter)

    @property
    def end(self) -> dt.date:
        return quarter_end(self.last_quarter)

    @property
    def last_quarter(self) -> int:
        return self.first_quarter + self.quarters - 1

    @property
    def quarter_keys(self) -> range:
        return range(self.first_quarter, self.first_quarter + self.quarters)

    @property
    def label(self) -> str:
        if self.quarters == 1:
            return quarter_label(self.first_quarter)
        return f"{quarter_label(self.first_quarter)}–{quarter_label(self.last_quarter)}"

    @property
    def dates(self) -> str:
        """The period named by its months: "Jul–Sep 2025" for a quarter, "Jul 2025–Jun 2026" for more."""
        if self.quarters == 1:
            return f"{self.start:%b}–{self.end:%b %Y}"
        return f"{self.start:%b %Y}–{self.end:%b %Y}"

    def follow_up_complete_on(self, rules: CountingRules) -> dt.date:
        """The date the period's figures become final: its last day plus follow-up and waiting —
        a month end, as the period's last day is (30 September 2024 → 31 March 2026)."""
        next_month = add_months(self.end.replace(day=1), rules.follow_up_months + rules.waiting_months + 1)
        return next_month - dt.timedelta(days=1)

    def follow_up_months_elapsed(self, as_at: dt.date, rules: CountingRules) -> int:
        """Whole months of follow-up that every entry has had by ``as_at`` (0 to the follow-up length).

        Counted from the day after the period ends, so a 2016Q4 cohort has had 3 months on
        31 March 2017 and 2 months on 30 March 2017.
        """
        start = self.end + dt.timedelta(days=1)
        stop = as_at + dt.timedelta(days=1)
        months = (stop.year - start.year) * 12 + stop.month - start.month - (stop.day < start.day)
        return max(0, min(rules.follow_up_months, months))
