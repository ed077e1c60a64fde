"""An attacker with everything a board member can download tries to recover each withheld cell.

On the demo's synthetic service, the board's performance figures (the page's tables and every
chart's CSV), its summary of quarterly cohorts, its retrospective analysis and its
disproportionality figures are read as an attacker would, and every published equality is written
as a constraint on whole numbers: counts shown, rates and shares times their denominators (to the
full precision of the CSV), totals and their parts (a breakdown and the cohort, disposals and their
tier, four quarters and their aggregate, a stage and its sub-stages). Integer linear programming
(scipy's ``milp``) then finds the smallest and the largest value each withheld cell can take. The
test passes only if no withheld cell is pinned to one value, and no published figure gives away a
small group (a step of a curve, a share of a known total).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from reoffkit.demo import SERVICE_NAME, demo_frames
from reoffkit.disclosure import SUPPRESS_BELOW
from reoffkit.engine import Period
from reoffkit.engine.codes import outcome_type_table

#: A day on which the demo's newest complete quarter has 4 reoffenders among 63 children, inside
#: the aggregate of the latest four quarters that the performance page also shows.
AS_AT = dt.date(2027, 1, 20)
PERIOD = Period.parse("2024Q3", 4)
BIG = 100_000
TOLERANCE = 1e-6


@dataclass
class Attack:
    """Whole-number unknowns, the equalities and bounds published about them, and the targets."""

    names: dict[str, int] = field(default_factory=dict)
    rows: list[tuple[dict[int, float], float, float]] = field(default_factory=list)
    targets: set[str] = field(default_factory=set)
    revealed: list[str] = field(default_factory=list)

    def var(self, name: str) -> int:
        return self.names.setdefault(name, len(self.names))

    def linear(self, terms: dict[str, float], low: float, high: float) -> None:
        row: dict[int, float] = {}
        for name, weight in terms.items():
            row[self.var(name)] = row.get(self.var(name), 0.0) + weight
        self.rows.append((row, low, high))

    def count(self, name: str, value) -> None:
        """A cell as published: a number, or withheld (``None``: a target)."""
        self.var(name)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            self.targets.add(name)
        else:
            self.linear({name: 1}, value, value)

    def ratio(self, numerator: str, denominator: str, value, scale: float = 1.0) -> None:
        """``value`` = numerator / denominator × scale, to the CSV's precision."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        self.linear({numerator: scale, denominator: -value}, -TOLERANCE * BIG, TOLERANCE * BIG)

    def total(self, parts: list[str], whole: str) -> None:
        self.linear({**{p: 1 for p in parts}, whole: -1}, 0, 0) if whole not in parts else None

    def at_most(self, smaller: str, larger: str) -> None:
        self.linear({smaller: 1, larger: -1}, -BIG, 0)

    def small_shown(self, what: str, value: float) -> None:
        """A figure that states a number of children or offences outright."""
        if 0 < round(value) < SUPPRESS_BELOW and abs(value - round(value)) < 1e-6:
            self.revealed.append(f"{what} = {round(value)}")

    def ranges(self) -> dict[str, tuple[int, int]]:
        n = len(self.names)
        matrix = np.zeros((len(self.rows), n))
        low, high = np.zeros(len(self.rows)), np.zeros(len(self.rows))
        for i, (row, lo, hi) in enumerate(self.rows):
            for j, weight in row.items():
                matrix[i, j] = weight
            low[i], high[i] = lo, hi
        constraints = LinearConstraint(matrix, low, high)
        found = {}
        for name in sorted(self.targets):
            j = self.names[name]
            ends = []
            for sign in (1, -1):
                c = np.zeros(n)
                c[j] = sign
                result = milp(c, constraints=constraints, integrality=np.ones(n), bounds=Bounds(0, BIG))
                assert result.status == 0, f"the published figures are inconsistent ({name}): {result.message}"
                ends.append(round(result.x[j]))
            found[name] = (ends[0], ends[1])
        return found


def _na(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


# ---- Performance and the summary for boards -----------------------------------------------------


QUARTER = re.compile(r"^(\d{4})Q([1-4])(?:–(\d{4})Q([1-4]))?$")


def _quarters(label: str) -> list[str]:
    match = QUARTER.match(label)
    if not match or match.group(3) is None:
        return [label]
    first = int(match.group(1)) * 4 + int(match.group(2)) - 1
    last = int(match.group(3)) * 4 + int(match.group(4)) - 1
    return [f"{k // 4}Q{k % 4 + 1}" for k in range(first, last + 1)]


def _period_rows(attack: Attack, rows, where: str) -> None:
    for row in rows:
        label = row["cohort"]
        c, r, o = f"C[{label}]", f"R[{label}]", f"O[{label}]"
        for name, column in ((c, "cohort_size"), (r, "reoffenders"), (o, "reoffences")):
            if column in row:
                attack.count(name, _na(row[column]))
        attack.ratio(r, c, _na(row.get("binary_rate")))
        attack.ratio(o, c, _na(row.get("frequency_rate")))
        attack.ratio(o, r, _na(row.get("reoffences_per_reoffender")))
        attack.at_most(r, c)
        attack.at_most(r, o)
        quarters = _quarters(label)
        if len(quarters) > 1:
            for letter in "CRO":
                attack.total([f"{letter}[{q}]" for q in quarters], f"{letter}[{label}]")


def performance_attack(attack: Attack, frames) -> None:
    from reoffkit.charts.performance import performance_charts
    from reoffkit.reports.performance import board_summary, performance_report, suppressed_report

    report = suppressed_report(
        performance_report(frames["people"], frames["outcomes"], frames["assessments"], areas=[SERVICE_NAME], as_at=AS_AT), SUPPRESS_BELOW
    )
    _period_rows(attack, report.live.to_dicts(), "live")
    _period_rows(attack, report.trend.to_dicts(), "trend")
    # the pages say which withheld counts are "fewer than 5" (the others are "withheld")
    for label, column in report.small:
        attack.linear({f"{dict(cohort_size='C', reoffenders='R', reoffences='O')[column]}[{label}]": 1}, 1, SUPPRESS_BELOW - 1)
    summary = board_summary(report)
    _period_rows(attack, [{**row, "cohort": row["quarter"]} for row in summary.final + summary.provisional], "summary")
    charts = performance_charts(report)
    for row in charts["trend-binary"].table.filter(pl.col("Series") == "This service").to_dicts():
        attack.ratio(f"R[{row['Cohort']}]", f"C[{row['Cohort']}]", _na(row["Binary rate"]))
    for row in charts["trend-per-reoffender"].table.filter(pl.col("Series") == "This service").to_dicts():
        attack.ratio(f"O[{row['Cohort']}]", f"R[{row['Cohort']}]", _na(row["Further offences per reoffender"]))
    for row in charts["live"].table.to_dicts():
        attack.count(f"C[{row['Cohort']}]", _na(row["Cohort size"]))
        attack.count(f"R[{row['Cohort']}]", _na(row["Reoffenders so far"]))
    # The follow-up curve's shares times the completed quarters' reoffenders and further offences (the
    # trend's final quarters, added up) give the children first reoffending, and the offences, in each step.
    completed = report.trend.filter(pl.col("status") == "final").tail(8)
    totals = {"Share of 12-month reoffenders": completed["reoffenders"].sum(), "Share of 12-month further offences": completed["reoffences"].sum()}
    assert (totals["Share of 12-month reoffenders"], totals["Share of 12-month further offences"]) == (report.curve.reoffenders, report.curve.reoffences)
    curve = charts["curve"].table
    for column, total in totals.items():
        shares = curve[column].to_list()
        for month, before, after in zip(curve["Months of follow-up"].to_list()[1:], shares, shares[1:]):
            attack.small_shown(f"the follow-up curve by month {month} ({column})", (after - before) * total)
    for row in charts["in-follow-up"].table.to_dicts():
        value = _na(row["Children in follow-up"])
        if value is not None:
            attack.small_shown(f"children in follow-up on {row['Month end']}", value)


# ---- The retrospective analysis ---------------------------------------------------------------------


TIER_OF = {f"Disposal: {t.label}": f"Tier: {{}}".format(t.tier) for t in outcome_type_table().values()}


def _profile(attack: Attack, table: pl.DataFrame, prefix: str, totals: tuple[str, str, str]) -> dict[str, list[str]]:
    """A breakdown table: each group's counts, rates and shares; each breakdown adds up to ``totals``."""
    by_breakdown: dict[str, list[str]] = {}
    for row in table.to_dicts():
        label = row.get("label") or row["group"]
        key = f"{prefix}|{label}"
        c, r, o = f"c[{key}]", f"r[{key}]", f"o[{key}]"
        attack.count(c, _na(row["cohort_size"]))
        attack.count(r, _na(row["reoffenders"]))
        attack.count(o, _na(row["reoffences"]))
        attack.ratio(r, c, _na(row.get("binary_rate")))
        attack.ratio(o, c, _na(row.get("frequency_rate")))
        attack.ratio(o, r, _na(row.get("reoffences_per_reoffender")))
        attack.ratio(c, totals[0], _na(row.get("share_of_cohort")))
        attack.ratio(o, totals[2], _na(row.get("share_of_reoffences")))
        attack.at_most(r, c)
        attack.at_most(r, o)
        by_breakdown.setdefault(row.get("breakdown") or prefix, []).append(key)
    for keys in by_breakdown.values():
        for letter, whole in zip("cro", totals):
            attack.total([f"{letter}[{k}]" for k in keys], whole)
    return by_breakdown


def _tiers(attack: Attack, prefix: str, keys: list[str]) -> None:
    """Disposals add up to their tier (the code list is public)."""
    tiers: dict[str, list[str]] = {}
    for key in keys:
        label = key.split("|", 1)[1]
        if label in TIER_OF:
            tier = "Tier: " + {"pre_court": "Pre-court", "first_tier": "First-tier", "community": "Community", "custody": "Custody"}[TIER_OF[label][6:]]
            tiers.setdefault(f"{prefix}|{tier}", []).append(key)
    for tier, parts in tiers.items():
        for letter in "cro":
            attack.total([f"{letter}[{p}]" for p in parts], f"{letter}[{tier}]")


def analysis_attack(attack: Attack, frames) -> None:
    from reoffkit.reports.analysis import analysis_report, for_board

    report = for_board(
        analysis_report(frames["people"], frames["outcomes"], frames["assessments"], areas=[SERVICE_NAME], period=PERIOD, as_at=AS_AT,
                        resettlement=frames["resettlement"]),
        SUPPRESS_BELOW,
    )
    totals = ("C", "R", "O")
    for letter, column in zip(totals, ("cohort_size", "reoffenders", "reoffences")):
        attack.count(letter, report.cohort[column])
    for section in report.sections:
        tables = section.tables
        for name in ("profile", "districts", "disposals", "caseload", "by_band", "by_score"):
            if name in tables:
                found = _profile(attack, tables[name], "cohort", totals)
                if name == "disposals":
                    _tiers(attack, "cohort", [k for keys in found.values() for k in keys])
        if "distribution" in tables:
            bands = []
            for row in tables["distribution"].to_dicts():
                band = str(row["further_offences"])
                n, o = f"n[{band}]", f"no[{band}]"
                attack.count(n, _na(row["children"]))
                attack.ratio(n, "C", _na(row.get("share_of_children")))
                numbers = [int(x) for x in re.findall(r"\d+", band)]
                low = numbers[0]
                high = numbers[-1] if not band.endswith("more") and "+" not in band else BIG
                attack.linear({o: 1, n: -low}, 0, BIG)
                attack.linear({o: 1, n: -high}, -BIG * BIG, 0) if high < BIG else None
                bands.append(band)
            attack.total([f"n[{b}]" for b in bands], "C")
            attack.total([f"no[{b}]" for b in bands], "O")
        if "seriousness" in tables:
            keys = []
            for row in tables["seriousness"].to_dicts():
                key = f"s[{row['comparison']}]"
                attack.count(key, _na(row["reoffenders"]))
                attack.ratio(key, "R", _na(row.get("share")))
                keys.append(key)
            attack.total(keys, "R")
        if "gravity" in tables:
            rows = tables["gravity"].to_dicts()
            for row in rows:
                attack.count(f"gi[{row['gravity']}]", _na(row["index_offences"]))
                attack.count(f"gf[{row['gravity']}]", _na(row["further_offences"]))
            attack.linear({**{f"gi[{row['gravity']}]": 1 for row in rows}, "C": -1}, -BIG, 0)
            attack.linear({**{f"gf[{row['gravity']}]": 1 for row in rows}, "O": -1}, -BIG, 0)
        if "custody" in tables:
            _profile(attack, tables["custody"].with_columns(label=pl.lit("Disposal: ") + pl.col("group").replace(
                {code: t.label for code, t in outcome_type_table().items()})), "cohort", ("c[cohort|Tier: Custody]", "r[cohort|Tier: Custody]", "o[cohort|Tier: Custody]"))
        if "by_arrangement" in tables:
            _profile(attack, tables["by_arrangement"], "custody", ("c[cohort|Tier: Custody]", "r[cohort|Tier: Custody]", "o[cohort|Tier: Custody]"))
        if "within_months" in tables:
            for row in tables["within_months"].to_dicts():
                key = f"w[{row['within_months']}]"
                attack.count(key, _na(row["reoffenders"]))
                attack.ratio(key, "R", _na(row.get("share_of_reoffenders")))
        for chart in section.charts:
            table = chart.table
            if "Share who had reoffended" in table.columns:
                # A step of the curve times the children in the group is a number of children.
                for group, rows in table.group_by("Group", maintain_order=True):
                    shares = rows["Share who had reoffended"].to_list()
                    children = rows["Children in group"].to_list()
                    for before, after, n in zip(shares, shares[1:], children[1:]):
                        if n is not None and after is not None and before is not None:
                            attack.small_shown(f"a step of the {chart.name} curve ({group[0]})", (after - before) * n)
            if "Children" in table.columns and "Binary rate" in table.columns:
                for row in table.to_dicts():
                    if row["Children"] is not None and row["Binary rate"] is not None:
                        attack.small_shown(f"{chart.name}: reoffenders of {row['Group']}", row["Binary rate"] * row["Children"])
    for row in report.data_quality.to_dicts():
        if row["children"] is not None and row["share"] is not None:
            attack.small_shown(f"data quality: {row['check']}", row["share"] * row["children"])


# ---- Disproportionality -----------------------------------------------------------------------------


def disproportionality_attack(attack: Attack, frames) -> None:
    from reoffkit.engine.disproportionality import STAGE_TABLE
    from reoffkit.reports.disproportionality import SUB_STAGES, disproportionality_report, for_sharing
    from reoffkit.demo import DEMO_POPULATION_AREA
    from reoffkit.reference.population import shipped_population

    population = shipped_population().population([DEMO_POPULATION_AREA])
    report = for_sharing(
        disproportionality_report(frames["people"], frames["outcomes"], population, areas=[SERVICE_NAME], period=PERIOD, as_at=AS_AT,
                                  assessments=frames["assessments"])
    )
    stages: dict[str, list[str]] = {}
    for row in report.tables["stages"].to_dicts():
        stage, group = row["stage"], row["group"]
        key, whole = f"d[{stage}|{group}]", f"d[{stage}|All]"
        attack.count(key, _na(row["count"]))
        attack.count(whole, _na(row["stage_total"]))
        attack.ratio(key, whole, _na(row["share_of_stage"]))
        previous = STAGE_TABLE[stage].previous
        if previous and STAGE_TABLE[stage].unit != "offences":
            attack.count(f"d[{previous}|{group}]", _na(row["base"]))
        stages.setdefault(stage, []).append(key)
    for stage, keys in stages.items():
        attack.total(keys, f"d[{stage}|All]")
    for whole, parts in SUB_STAGES:
        if whole in stages and all(p in stages for p in parts):
            for key in stages[whole] + [f"d[{whole}|All]"]:
                group = key.split("|", 1)[1]
                # a child may have entries at more than one sub-stage: each at most the whole, together at least it
                attack.linear({**{f"d[{p}|{group}": 1 for p in parts}, key: -1}, 0, BIG)
                for p in parts:
                    attack.at_most(f"d[{p}|{group}", key)
    for row in report.tables["completeness"].to_dicts():
        attack.count(f"d[{row['stage']}|All]", _na(row["total"]))
        attack.count(f"d[{row['stage']}|Not known]", _na(row["not_known"]))


@pytest.fixture(scope="module")
def attack() -> tuple[Attack, dict[str, tuple[int, int]]]:
    frames = demo_frames(AS_AT)
    attack = Attack()
    performance_attack(attack, frames)
    analysis_attack(attack, frames)
    disproportionality_attack(attack, frames)
    return attack, attack.ranges()


def test_no_withheld_cell_can_be_worked_back_from_what_a_board_member_downloads(attack):
    attack, ranges = attack
    assert attack.targets, "the demo has small counts: something must be withheld"
    pinned = {name: low for name, (low, high) in ranges.items() if low == high}
    narrowest = min(high - low for low, high in ranges.values())
    print(f"{len(ranges)} withheld cells; narrowest feasible range spans {narrowest + 1} values")
    assert not pinned, f"worked back exactly: {pinned}"


def test_no_published_figure_states_a_small_count(attack):
    attack, _ = attack
    assert not attack.revealed, attack.revealed
