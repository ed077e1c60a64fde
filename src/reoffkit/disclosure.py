"""Disclosure control: what may be shown of counts of children to people who may not see their
records (board viewers, anything exported or shared outside the service).

Rules (docs/rules.md §11): a count from 1 to ``SUPPRESS_BELOW`` − 1 is not shown; every
rate, share or interval computed from a suppressed count is not shown either. A zero is shown: it
is not a small group of children who could be recognised. Where a table also shows totals, a
second cell is withheld beside each lone suppressed one so that it cannot be worked back from
them (:func:`withheld_cells`). Every table, chart, export and report
that leaves the service passes through this module.
"""

from __future__ import annotations

from typing import Hashable, Iterable, Mapping, Sequence

import polars as pl

from reoffkit.engine import CohortMeasures

#: Counts from 1 to SUPPRESS_BELOW - 1 are not shown to viewers without access to records.
SUPPRESS_BELOW = 5
FEWER = f"fewer than {SUPPRESS_BELOW}"
SUPPRESSED = "suppressed"

#: The counts of a cohort's measures.
COUNTS = ("cohort_size", "reoffenders", "reoffences")
_BINARY = ("reoffenders", "cohort_size")
_FREQUENCY = ("reoffences", "cohort_size")
_PER_REOFFENDER = ("reoffences", "reoffenders")
#: Each rate, interval or projection and the counts it is computed from: it is withheld whenever
#: one of them is.
RATE_SOURCES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("binary_rate", "binary_ci_low", "binary_ci_high", "projected_binary_12m", "projected_binary_low", "projected_binary_high"), _BINARY
    ),
    **dict.fromkeys(
        ("frequency_rate", "frequency_ci_low", "frequency_ci_high", "projected_frequency_12m", "projected_frequency_low", "projected_frequency_high"),
        _FREQUENCY,
    ),
    **dict.fromkeys(("reoffences_per_reoffender", "per_reoffender_ci_low", "per_reoffender_ci_high"), _PER_REOFFENDER),
}


def is_small(count: int | None, threshold: int = SUPPRESS_BELOW) -> bool:
    return count is not None and 0 < count < threshold


def withheld(measures: CohortMeasures) -> set[str]:
    """The names of the counts (1 to 4) and of the rates made from them that suppression hides."""
    small = {name for name in COUNTS if is_small(getattr(measures, name))}
    return small | {rate for rate, sources in RATE_SOURCES.items() if small.intersection(sources)}


def suppress_small(table: pl.DataFrame, threshold: int = SUPPRESS_BELOW) -> pl.DataFrame:
    """Counts from 1 to ``threshold`` − 1, and every rate or interval computed from such a count,
    become empty; ``suppressed`` marks the rows. Zero is shown."""
    counts = [c for c in COUNTS if c in table.columns]
    if not counts:
        return table

    def small(column: str) -> pl.Expr:
        return (pl.col(column) > 0) & (pl.col(column) < threshold)

    blank = {c: pl.when(small(c)).then(None).otherwise(pl.col(c)) for c in counts}
    for column, sources in RATE_SOURCES.items():
        if column in table.columns:
            blank[column] = pl.when(pl.any_horizontal([small(c) for c in sources if c in table.columns])).then(None).otherwise(pl.col(column))
    return table.with_columns(suppressed=pl.any_horizontal([small(c) for c in counts]), **blank)


def withheld_cells(cells: Mapping[Hashable, int | None], relations: Iterable[Sequence[Hashable]], threshold: int = SUPPRESS_BELOW) -> set:
    """The cells of a table to withhold so that no count from 1 to ``threshold`` − 1 can be seen or
    worked back.

    ``cells`` maps each cell to its count; ``relations`` lists groups of cells one of which is the
    sum of the others (a total and its parts: a row, a column, a stage and its sub-stages).
    Primary suppression withholds every small count. Secondary suppression then looks at each
    relation: if exactly one of its cells is withheld, the others and the sum would give it away,
    so the smallest other cell above zero (the first in the relation's order on a tie) is withheld
    too — and again, until no relation has exactly one withheld cell. A zero is never withheld:
    it is shown, as everywhere else.

    >>> sorted(withheld_cells({"a": 3, "b": 7, "c": 12, "total": 22}, [["a", "b", "c", "total"]]))
    ['a', 'b']
    """
    withheld = {cell for cell, count in cells.items() if is_small(count, threshold)}
    relations = [list(relation) for relation in relations]
    changed = True
    while changed:
        changed = False
        for relation in relations:
            if sum(cell in withheld for cell in relation) != 1:
                continue
            others = [(cells.get(cell) or 0, position, cell) for position, cell in enumerate(relation) if cell not in withheld and (cells.get(cell) or 0) > 0]
            if others:
                withheld.add(min(others, key=lambda item: item[:2])[2])
                changed = True
    return withheld
