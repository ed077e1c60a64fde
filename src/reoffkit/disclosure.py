"""Disclosure control: what may be shown of counts of children to people who may not see their
records (board viewers, anything exported or shared outside the service).

Rules (docs/rules.md §11). Every table, chart, export and report that leaves the service passes
through this module:

- :func:`protect` — a table: counts from 1 to ``SUPPRESS_BELOW`` − 1 are withheld (primary
  suppression), every figure made from a withheld count (rate, share, interval, projection) is
  withheld with it, and where rows add up to a total that is shown elsewhere, a second cell is
  withheld beside each lone one so that it cannot be worked back by subtraction (secondary
  suppression, :func:`withheld_cells`);
- :func:`protect_periods` — the same across periods: quarters and the aggregates of four quarters
  made from them, wherever they are shown (the performance page, the summary for boards), so that
  a withheld quarter is never the aggregate minus the others;
- :func:`coarsen_curve` — a time-to-first-reoffence curve in monthly steps, each step at least
  ``SUPPRESS_BELOW`` children, so that no child's day can be read back;
- :func:`withheld` and :func:`suppress_small` — one cohort's measures, and a table without totals.

A zero is shown: it is not a small group of children who could be recognised.
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
#: Each rate, interval, share or projection and the counts it is computed from: it is withheld
#: whenever one of them is.
RATE_SOURCES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("binary_rate", "binary_ci_low", "binary_ci_high", "projected_binary_12m", "projected_binary_low", "projected_binary_high"), _BINARY
    ),
    **dict.fromkeys(
        ("frequency_rate", "frequency_ci_low", "frequency_ci_high", "projected_frequency_12m", "projected_frequency_low", "projected_frequency_high"),
        _FREQUENCY,
    ),
    **dict.fromkeys(("reoffences_per_reoffender", "per_reoffender_ci_low", "per_reoffender_ci_high"), _PER_REOFFENDER),
    "share_of_cohort": ("cohort_size",),
    "share_of_reoffences": ("reoffences",),
    "share_of_children": ("children",),
}


def is_small(count: int | None, threshold: int = SUPPRESS_BELOW) -> bool:
    return count is not None and 0 < count < threshold


def withheld(measures: CohortMeasures) -> set[str]:
    """The names of the counts (1 to 4) and of the rates made from them that suppression hides."""
    small = {name for name in COUNTS if is_small(getattr(measures, name))}
    return small | {rate for rate, sources in RATE_SOURCES.items() if small.intersection(sources)}


def suppress_small(table: pl.DataFrame, threshold: int = SUPPRESS_BELOW) -> pl.DataFrame:
    """Counts from 1 to ``threshold`` − 1, and every rate or interval computed from such a count,
    become empty; ``suppressed`` marks the rows. Zero is shown. (Primary suppression only: a table
    whose rows add up to a total shown anywhere goes through :func:`protect`.)"""
    return protect(table, threshold=threshold)


def withheld_cells(
    cells: Mapping[Hashable, int | None],
    relations: Iterable[Sequence[Hashable]],
    threshold: int = SUPPRESS_BELOW,
    *,
    also: Iterable[Hashable] = (),
    fixed: Iterable[Hashable] = (),
) -> set:
    """The cells of a table to withhold so that no count from 1 to ``threshold`` − 1 can be seen or
    worked back.

    ``cells`` maps each cell to its count; ``relations`` lists groups of cells one of which is the
    sum of the others (a total and its parts: a row, a column, a stage and its sub-stages, four
    quarters and their aggregate). Primary suppression withholds every small count, and ``also``
    (cells withheld elsewhere, which must stay withheld here). Secondary suppression then looks at
    each relation: if exactly one of its cells is withheld, the others and the sum would give it
    away, so the smallest other cell above zero (the first in the relation's order on a tie) is
    withheld too — and again, until no relation has exactly one withheld cell. A zero is never
    withheld: it is shown, as everywhere else; nor is a ``fixed`` cell (a total shown elsewhere).

    >>> sorted(withheld_cells({"a": 3, "b": 7, "c": 12, "total": 22}, [["a", "b", "c", "total"]]))
    ['a', 'b']
    """
    fixed = set(fixed)
    withheld = {cell for cell, count in cells.items() if is_small(count, threshold)} | (set(also) & set(cells))
    relations = [list(relation) for relation in relations]
    changed = True
    while changed:
        changed = False
        for relation in relations:
            if sum(cell in withheld for cell in relation) != 1:
                continue
            others = [
                (cells.get(cell) or 0, position, cell)
                for position, cell in enumerate(relation)
                if cell not in withheld and cell not in fixed and (cells.get(cell) or 0) > 0
            ]
            if others:
                withheld.add(min(others, key=lambda item: item[:2])[2])
                changed = True
    return withheld


def blank(table: pl.DataFrame, cells: Iterable[tuple[int, str]], *, derived: Mapping[str, Sequence[str]] | None = None) -> pl.DataFrame:
    """``table`` with each ``(row, column)`` of ``cells`` empty, and with it every column of the same
    row that ``derived`` (default :data:`RATE_SOURCES`) says is made from it; ``suppressed`` marks
    the rows where anything was withheld."""
    derived = RATE_SOURCES if derived is None else derived
    by_row: dict[int, set[str]] = {}
    for row, column in cells:
        if column in table.columns:
            by_row.setdefault(row, set()).add(column)
    for row, columns in by_row.items():
        columns.update(name for name, sources in derived.items() if name in table.columns and columns.intersection(sources))
    if not by_row:
        return table.with_columns(suppressed=pl.lit(False))
    index = pl.int_range(pl.len())
    changes = {}
    for column in table.columns:
        rows = [row for row, columns in by_row.items() if column in columns]
        if rows:
            changes[column] = pl.when(index.is_in(rows)).then(None).otherwise(pl.col(column))
    return table.with_columns(**changes, suppressed=index.is_in(list(by_row)))


def protect(
    table: pl.DataFrame,
    *,
    counts: Sequence[str] | None = None,
    derived: Mapping[str, Sequence[str]] | None = None,
    within: str | bool | None = None,
    totals: Mapping[Hashable, Mapping[str, int]] | None = None,
    key: str | None = None,
    also: Iterable[tuple[Hashable, str]] = (),
    threshold: int = SUPPRESS_BELOW,
) -> pl.DataFrame:
    """``table`` fit to leave the service.

    ``counts``: its columns of counts of children or offences (default those of :data:`COUNTS`);
    ``derived``: each figure and the counts it is made from (default :data:`RATE_SOURCES`).
    ``within``: the rows add up to a total shown elsewhere — ``True`` for the whole table, or the
    name of a column whose values each make one such group (a breakdown); the total of each group is
    the sum of its rows unless ``totals`` gives it (group → column → total). ``key`` and ``also``:
    cells withheld elsewhere, as ``(value of the key column, column)``, that must be withheld here
    too. Rows are withheld as :func:`withheld_cells` says; ``suppressed`` marks them."""
    counts = [c for c in (COUNTS if counts is None else counts) if c in table.columns]
    if not counts:
        return table.with_columns(suppressed=pl.lit(False))
    rows = table.to_dicts()
    keys = [row[key] for row in rows] if key else list(range(len(rows)))
    cells = {(i, c): row[c] for i, row in enumerate(rows) for c in counts}
    extra = {(keys.index(k), c) for k, c in also if k in keys and c in counts}
    relations, fixed = [], set()
    if within is not None and within is not False:
        groups: dict[Hashable, list[int]] = {}
        for i, row in enumerate(rows):
            groups.setdefault(True if within is True else row[within], []).append(i)
        for group, members in groups.items():
            for column in counts:
                total = ("total", group, column)
                given = (totals or {}).get(group, {}).get(column)
                cells[total] = given if given is not None else sum(rows[i][column] or 0 for i in members)
                fixed.add(total)
                relations.append([*((i, column) for i in members), total])
    chosen = withheld_cells(cells, relations, threshold, also=extra, fixed=fixed)
    return blank(table, [cell for cell in chosen if cell not in fixed], derived=derived)


def protect_periods(
    periods: Mapping[str, Mapping[str, int | None]],
    aggregates: Mapping[str, Sequence[str]],
    threshold: int = SUPPRESS_BELOW,
    counts: Sequence[str] = COUNTS,
) -> set[tuple[str, str]]:
    """The ``(period, count)`` cells to withhold from every table that shows these periods.

    ``periods`` maps each period's label (a quarter, or an aggregate of quarters) to its counts;
    ``aggregates`` maps each aggregate's label to the labels of the quarters it adds up. A quarter
    is withheld wherever it appears when its count is small, and so is a second quarter (or the
    aggregate) whenever the others and the aggregate would give it away — so every table of the
    same periods (live cohorts, trend, summary for boards, official against local) must take its
    withheld cells from here, not from its own rows."""
    cells = {(label, column): figures.get(column) for label, figures in periods.items() for column in counts}
    relations = [
        [*((quarter, column) for quarter in quarters), (aggregate, column)]
        for aggregate, quarters in aggregates.items()
        for column in counts
        if aggregate in periods and all(q in periods for q in quarters)
    ]
    return withheld_cells(cells, relations, threshold)


def protect_beside_official(table: pl.DataFrame, withheld: set[tuple[str, str]], *, label: str, prefix: str = "local_") -> pl.DataFrame:
    """An official-against-local table with the local counts of ``withheld`` periods (see
    :func:`protect_periods`, keyed by the ``label`` column), small local counts, and every local
    figure or difference made from them, empty."""
    counts = {f"{prefix}{c}": c for c in COUNTS}
    rows = table.to_dicts()
    cells = []
    for i, row in enumerate(rows):
        for column, name in counts.items():
            if column in row and ((row[label], name) in withheld or is_small(row[column])):
                cells.append((i, column))
    local = [c for c in table.columns if c.startswith(prefix) and c not in counts and c != f"{prefix}status"]
    derived = {c: tuple(counts) for c in local + ["binary_difference", "cohort_size_difference"] if c in table.columns}
    return blank(table, cells, derived=derived)


def coarsen_curve(curve: pl.DataFrame, *, threshold: int = SUPPRESS_BELOW, months: int = 12) -> pl.DataFrame:
    """A time-to-first-reoffence curve (``group``, ``day``, ``reoffended_share``, ``children``: the
    day-by-day Kaplan–Meier steps) coarsened for people who may not see children's records.

    The curve is read at the end of each month of follow-up (day ``round(30.44 m)``); months are
    joined so that each step up is at least ``threshold`` children (the last step is joined to the
    one before if it is smaller), so no step is a small group and no child's day can be read back.
    A group of fewer than ``threshold`` children, or whose reoffenders are fewer than
    ``threshold``, has no curve (only its start)."""
    rows = []
    for group, frame in curve.group_by("group", maintain_order=True):
        name = group[0]
        frame = frame.sort("day")
        children = int(frame["children"][0]) if frame.height else 0
        start = {"group": name, "month": 0, "day": 0, "reoffended_share": 0.0, "children": children if not is_small(children, threshold) else None}
        days, shares = frame["day"].to_list(), frame["reoffended_share"].to_list()

        def at(day: int) -> float:
            value = 0.0
            for d, s in zip(days, shares):
                if d <= day:
                    value = s
            return value

        grid = [(m, round(30.44 * m), at(round(30.44 * m))) for m in range(1, months + 1)]
        final = grid[-1][2]
        if is_small(children, threshold) or children == 0 or is_small(round(final * children), threshold):
            rows.append(start)
            continue
        steps, last = [], 0.0
        for month, day, share in grid:
            if round((share - last) * children) >= threshold:
                steps.append([month, day, share])
                last = share
        if round((final - last) * children) > 0:  # the tail, smaller than a step: joined to the last one
            if steps:
                steps[-1] = list(grid[-1])
            else:
                steps.append(list(grid[-1]))
        rows.append(start)
        rows.extend({"group": name, "month": m, "day": d, "reoffended_share": s, "children": children} for m, d, s in steps)
    return pl.DataFrame(rows, schema={"group": pl.String, "month": pl.Int64, "day": pl.Int64, "reoffended_share": pl.Float64, "children": pl.Int64})
