"""What the reader found wrong with a case file, as data a person can act on.

A :class:`Problem` names the sheet (or the file, for a problem with the whole file), the row as
the user sees it in Excel (the heading is row 1, the first record row 2; a CSV file is numbered the
same way, one row per record), the column, the value as given and what was expected.

``error`` problems stop the engine; ``warning`` problems are things a performance officer should
check, and do not.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

SEVERITIES: tuple[str, ...] = ("error", "warning")
SHEET_ORDER: tuple[str, ...] = ("people", "outcomes", "assessments", "actions", "resettlement")


@dataclass(frozen=True, slots=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    severity: str = "error"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")

    @property
    def where(self) -> str:
        """``outcomes row 14, column outcome_date`` — as much of it as is known."""
        where = self.sheet
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return where

    def __str__(self) -> str:
        """One readable line; warnings start with ``warning:`` so they cannot pass for errors.

        >>> str(Problem("outcomes", 14, "outcome_date", "31/02/2017", "a date like 2016-10-15 or 15/10/2016"))
        "outcomes row 14, column outcome_date: '31/02/2017' — expected a date like 2016-10-15 or 15/10/2016"
        """
        shown = "" if self.value is None else f": {self.value!r}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{self.where}{shown} — expected {self.expected}"


class CaseFileError(Exception):
    """A case file with errors; ``problems`` holds every problem found (warnings too)."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(format_problems(self.problems, limit=20))


def _order(problem: Problem) -> tuple:
    sheet = SHEET_ORDER.index(problem.sheet) if problem.sheet in SHEET_ORDER else -1  # whole-file problems first
    return (problem.severity != "error", sheet, problem.row or 0)


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}{'' if number == 1 else 's'}"


def format_problems(problems: Iterable[Problem], limit: int | None = None) -> str:
    """Every problem on its own line, errors first, then warnings, each in sheet and row order.

    With ``limit``, at most that many lines of problems are shown and the rest are counted by
    kind (severity, sheet and column), so nothing is hidden without saying what it was.
    """
    ordered = sorted(problems, key=_order)  # a stable sort keeps the column order within a row
    if not ordered:
        return "no problems"
    errors = sum(p.severity == "error" for p in ordered)
    lines = [f"{_count(errors, 'error')}, {_count(len(ordered) - errors, 'warning')}"]
    shown = ordered if limit is None else ordered[: max(limit, 0)]
    lines += [str(p) for p in shown]
    rest = ordered[len(shown) :]
    if rest:
        kinds = Counter((p.severity, p.sheet, p.column) for p in rest)
        described = "; ".join(
            f"{_count(n, severity)} in {sheet}{f', column {column}' if column else ''}" for (severity, sheet, column), n in kinds.items()
        )
        lines.append(f"… and {len(rest):,} more not shown: {described}")
    return "\n".join(lines)
