"""Ethnic disproportionality: the engine's figures for a period and the trend of each index over
the periods before it, as tables and findings — and the same made fit to leave the service.

Used by the disproportionality page, ``reoffkit disproportionality`` and, for its findings, the
board report (:func:`shared_findings`). Pure (no Django): frames and a population in.

Tables (the same names and columns on the page, in the CLI's CSV files and in exports):

- ``stages``: one row per stage and ethnic group (:class:`reoffkit.engine.disproportionality.
  Disproportionality`'s table, with ``verdict_label``);
- ``completeness``: per stage, the children whose ethnicity is recorded, and a red/amber/green rating;
- ``sensitivity``: each index if every child of unknown ethnicity were in the group, or White;
- ``trend``: each group's index at each stage in each period;
- ``population``: the 10–17 population of each group and its share.

For sharing (:func:`for_sharing`: board viewers, the partnership view, exports): counts from 1 to 4
are withheld, and beside each lone one another cell of the same stage, or of the same group's
sub-stages (pre-court and court add up to the cohort; first-tier, community and custody to
court), so that none can be worked back from the totals (:func:`reoffkit.disclosure.withheld_cells`);
every share, rate and index made from a withheld count is withheld with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import polars as pl

from reoffkit.disclosure import SUPPRESS_BELOW, withheld_cells
from reoffkit.engine import CountingRules, Period, entry_table
from reoffkit.engine.codes import SCHEME_GROUPS
from reoffkit.engine.disproportionality import (
    NOT_KNOWN,
    REFERENCE_GROUP,
    STAGE_TABLE,
    VERDICTS,
    Disproportionality,
    Finding,
    Population,
    disproportionality,
    findings,
    trend,
)

ALL = "All"
#: Stages that add up to another for each group: the cohort is entered at a pre-court disposal or
#: a court sentence, and a court sentence is first-tier, community or custody.
SUB_STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("entered_cohort", ("pre_court", "court")),
    ("court", ("first_tier", "community", "custody")),
)
WITHHELD = "withheld"
#: The figures of a stage row computed from its own count, from its stage's total, from the
#: children of unknown ethnicity, from White children, and from the stage before.
_FROM_COUNT = ("count", "share_of_stage", "share_of_known", "rate", "representation_ratio", "rri", "rri_low", "rri_high")
_INDEX = ("rri", "rri_low", "rri_high")


@dataclass
class DisproportionalityReport:
    areas: tuple[str, ...]
    result: Disproportionality
    history: tuple[Disproportionality, ...]  # this period and the ones before it, oldest first
    rules: CountingRules
    shared: bool = False
    withheld: frozenset = frozenset()
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)

    @property
    def period(self) -> Period:
        return self.result.period

    @property
    def as_at(self) -> dt.date:
        return self.result.as_at

    @property
    def population(self) -> Population | None:
        return self.result.population

    def findings(self) -> list[Finding]:
        return findings(self.result, shared=self.shared, withheld=self.withheld)

    def summary(self) -> dict:
        """What ``summary.json`` holds: the period, scheme, population, notes and findings."""
        return {
            "areas": list(self.areas),
            "period": self.period.label,
            "as_at": self.as_at.isoformat(),
            "scheme": self.result.scheme,
            "scheme_label": self.result.scheme_label,
            "population": None if self.population is None else {"label": self.population.label, "scheme": self.population.scheme, **self.population.counts},
            "provisional": self.result.provisional,
            "shared": self.shared,
            "withheld_cells": sorted(f"{stage}/{group}" for stage, group in self.withheld),
            "notes": list(self.result.notes),
            "findings": [{"kind": f.kind, "stage": f.stage, "group": f.group, "text": f.text} for f in self.findings()],
            "trend_periods": [r.period.label for r in self.history],
        }


def _history(people, outcomes, assessments, population, *, period: Period, rules: CountingRules, as_at: dt.date, scheme, periods: int):
    """This period and up to ``periods`` − 1 of the same length before it that have cohort entries."""
    results = []
    for back in range(periods - 1, -1, -1):
        earlier = Period(period.first_quarter - back * period.quarters, period.quarters, period.method)
        entries = entry_table(people, outcomes, assessments, period=earlier, rules=rules, as_at=as_at)
        if back and entries.is_empty():
            continue
        results.append(disproportionality(entries, people, outcomes, population, period=earlier, rules=rules, as_at=as_at, scheme=scheme))
    return results


def disproportionality_report(
    people: pl.DataFrame,
    outcomes: pl.DataFrame,
    population: Population | None,
    *,
    areas: list[str] | tuple[str, ...],
    period: Period,
    as_at: dt.date,
    rules: CountingRules = CountingRules(),
    assessments: pl.DataFrame | None = None,
    scheme: str | None = None,
    trend_periods: int = 4,
) -> DisproportionalityReport:
    """The figures of ``period`` for the services of ``people`` (``areas`` names them), against
    ``population``, with the trend over up to ``trend_periods`` periods of the same length."""
    entries = entry_table(people, outcomes, assessments, period=period, rules=rules, as_at=as_at)
    result = disproportionality(entries, people, outcomes, population, period=period, rules=rules, as_at=as_at, scheme=scheme)
    history = _history(people, outcomes, assessments, population, period=period, rules=rules, as_at=as_at, scheme=result.scheme, periods=trend_periods)
    report = DisproportionalityReport(tuple(areas), result, tuple(history[:-1]) + (result,), rules)
    report.tables = _tables(report.result, report.history, {r.period.label: frozenset() for r in report.history})
    return report


def _population_table(result: Disproportionality) -> pl.DataFrame:
    population = result.population
    groups = SCHEME_GROUPS[population.scheme] if population is not None else ()
    return pl.DataFrame(
        [{"group": g, "population": population.counts.get(g), "population_share": population.counts.get(g, 0) / population.total if population.total else None} for g in groups]
        if population is not None else [],
        schema={"group": pl.String, "population": pl.Int64, "population_share": pl.Float64},
    )


def _tables(result: Disproportionality, history, withheld_by_period: dict[str, frozenset]) -> dict[str, pl.DataFrame]:
    withheld = withheld_by_period[result.period.label]
    stages = _suppress_stages(result.table, withheld).with_columns(
        verdict_label=pl.col("verdict").replace_strict({**VERDICTS, WITHHELD: "Withheld"}, return_dtype=pl.String)
    )
    trend_frames = []
    for earlier in history:
        shown = _suppress_stages(earlier.table, withheld_by_period[earlier.period.label])
        trend_frames.append(trend([replace(earlier, table=shown)]))
    return {
        "stages": stages,
        "completeness": _suppress_completeness(result.completeness, withheld),
        "sensitivity": _suppress_sensitivity(result.sensitivity, withheld),
        "trend": pl.concat(trend_frames) if trend_frames else trend([]),
        "population": _population_table(result),
    }


# ---- Sharing --------------------------------------------------------------------------------------


def withheld(result: Disproportionality, threshold: int = SUPPRESS_BELOW) -> frozenset:
    """The ``(stage, group)`` cells (``group`` ``All`` for a stage's total) to withhold from
    figures leaving the service: small counts, and the cells that would give them away."""
    groups = (*result.groups, ALL)
    cells = {(r["stage"], r["group"]): r["count"] for r in result.table.iter_rows(named=True)}
    cells.update({(r["stage"], ALL): r["stage_total"] for r in result.table.unique("stage", keep="first").iter_rows(named=True)})
    relations = [[(stage, g) for g in groups] for stage in result.stages]
    for whole, parts in SUB_STAGES:
        if whole in result.stages and all(p in result.stages for p in parts):
            relations += [[(whole, g), *((p, g) for p in parts)] for g in groups]
    return frozenset(withheld_cells(cells, relations, threshold))


def _blanked(table: pl.DataFrame, withheld: frozenset, changes) -> pl.DataFrame:
    """``table`` with each row changed as ``changes(row)`` says (column → new value, ``None`` to
    withhold it); the table itself when nothing is withheld."""
    if not withheld:
        return table
    return pl.DataFrame([{**row, **changes(row)} for row in table.iter_rows(named=True)], schema=table.schema)


def _suppress_stages(table: pl.DataFrame, withheld: frozenset) -> pl.DataFrame:
    def changes(row: dict) -> dict:
        stage, group = row["stage"], row["group"]
        previous = STAGE_TABLE[stage].previous
        blank: set[str] = set()
        changed = {}
        if (stage, group) in withheld:
            blank.update(_FROM_COUNT)
            changed = {
                "verdict": WITHHELD,
                "reason": f"Withheld: fewer than {SUPPRESS_BELOW}, or withheld so that a small count cannot be worked out from the totals.",
            }
        if (stage, ALL) in withheld:
            blank.update(("stage_total", "share_of_stage", "share_of_known", "representation_ratio"))
        if (stage, NOT_KNOWN) in withheld:
            blank.update(("share_of_known", "representation_ratio"))
        if (stage, REFERENCE_GROUP) in withheld or (previous and (previous, REFERENCE_GROUP) in withheld):
            blank.update(_INDEX)
        if previous and (previous, group) in withheld:
            blank.update(("base", "rate", *_INDEX))
        if group == REFERENCE_GROUP:
            blank.discard("rri")  # the reference's index is 1 by definition
        return {**changed, **dict.fromkeys(blank)}

    return _blanked(table, withheld, changes)


def _suppress_completeness(table: pl.DataFrame, withheld: frozenset) -> pl.DataFrame:
    def changes(row: dict) -> dict:
        unknown, total = (row["stage"], NOT_KNOWN) in withheld, (row["stage"], ALL) in withheld
        return dict.fromkeys(["total"] * total + ["not_known"] * unknown + ["known", "share_known"] * (total or unknown))

    return _blanked(table, withheld, changes)


def _suppress_sensitivity(table: pl.DataFrame, withheld: frozenset) -> pl.DataFrame:
    def changes(row: dict) -> dict:
        stage, group = row["stage"], row["group"]
        previous = STAGE_TABLE[stage].previous
        cells = [(s, g) for s in (stage, previous) if s for g in (group, REFERENCE_GROUP, NOT_KNOWN, ALL)]
        blank = [k for k in row if k.startswith(("rri", "low_", "high_"))] if any(cell in withheld for cell in cells) else []
        return dict.fromkeys(blank + ["not_known"] * ((stage, NOT_KNOWN) in withheld))

    return _blanked(table, withheld, changes)


def for_sharing(report: DisproportionalityReport, threshold: int = SUPPRESS_BELOW) -> DisproportionalityReport:
    """The report as it may leave the service: every table with small counts and what would give
    them away withheld (each period of the trend on its own), findings without them."""
    if report.shared:
        return report
    by_period = {r.period.label: withheld(r, threshold) for r in report.history}
    shared = replace(report, shared=True, withheld=by_period[report.period.label])
    shared.tables = _tables(report.result, report.history, by_period)
    return shared


def shared_findings(report: DisproportionalityReport) -> list[str]:
    """The findings as a board report may print them (for sharing: no small count, nothing that
    gives one away)."""
    return [f.text for f in for_sharing(report).findings()]
