"""Golden figures of docs/rules.md §6 rebuilt from case-level files through the reader and the engine.

The files (built by tests/data/golden/build.py) carry named cases that test each rule —
``distractors.csv`` says what the rules must do with every one, and the last tests check them all
and show that counting them would change the figures.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import polars as pl
import pytest

from reoffkit.casefile import read_case_file
from reoffkit.engine import (
    CountingRules,
    Period,
    entry_table,
    further_offences,
    measures,
    measures_by,
)

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
AS_AT = dt.date(2020, 1, 1)
PERIODS = {
    "leicester-2016q4": [Period.parse("2016Q4")],
    "leicester-2015q4": [Period.parse("2015Q4")],
    "west-mercia-2014-15": [
        Period.parse("2014Q2", quarters=4, method="annual_12m_old_method"),
        Period.parse("2014Q2", quarters=4, method="aggregated_quarters"),
    ],
}


@cache
def case_file(folder: str):
    read = read_case_file(GOLDEN / folder, today=AS_AT)
    assert read.ok and read.problems == (), read.problems
    return read


def figures(folder: str, period: Period, rules: CountingRules = CountingRules()):
    read = case_file(folder)
    entries = entry_table(read.people, read.outcomes, read.assessments, period=period, rules=rules, as_at=AS_AT)
    return entries, measures(entries, period=period, rules=rules, as_at=AS_AT)


@pytest.mark.parametrize(
    ("folder", "expected", "rates"),
    [
        ("leicester-2016q4", (65, 29, 105), (0.446, 1.62, 3.62)),
        ("leicester-2015q4", (84, 34, 102), (0.405, 1.21, 3.00)),
    ],
)
def test_leicester_quarterly_cohorts(folder, expected, rates):
    (period,) = PERIODS[folder]
    _, result = figures(folder, period)
    assert (result.cohort_size, result.reoffenders, result.reoffences) == expected
    assert (round(result.binary_rate, 3), round(result.frequency_rate, 2), round(result.reoffences_per_reoffender, 2)) == rates
    assert result.provisional is False


WEST_MERCIA = {
    "Herefordshire": (157, 64, 222, 0.408, 3.47),
    "Shropshire": (179, 61, 183, 0.341, 3.00),
    "Telford and Wrekin": (142, 57, 182, 0.401, 3.19),
    "Worcestershire": (339, 102, 404, 0.301, 3.96),
}


@pytest.mark.parametrize("period", PERIODS["west-mercia-2014-15"], ids=lambda p: p.method)
def test_west_mercia_areas_add_up_to_the_partnership(period):
    entries, result = figures("west-mercia-2014-15", period)
    assert (result.cohort_size, result.reoffenders, result.reoffences) == (817, 284, 991)
    assert (round(result.binary_rate, 3), round(result.frequency_rate, 2), round(result.reoffences_per_reoffender, 2)) == (0.348, 1.21, 3.49)
    by_area = {row["service"]: row for row in measures_by(entries, "service").iter_rows(named=True)}
    assert set(by_area) == set(WEST_MERCIA)
    for area, (size, reoffenders, reoffences, binary, per_reoffender) in WEST_MERCIA.items():
        row = by_area[area]
        assert (row["cohort_size"], row["reoffenders"], row["reoffences"]) == (size, reoffenders, reoffences), area
        assert (round(row["binary_rate"], 3), round(row["reoffences_per_reoffender"], 2)) == (binary, per_reoffender), area


def test_west_mercia_counts_each_child_once_either_way():
    old, _ = figures("west-mercia-2014-15", PERIODS["west-mercia-2014-15"][0])
    new, _ = figures("west-mercia-2014-15", PERIODS["west-mercia-2014-15"][1])
    assert old["person_id"].is_unique().all() and new["person_id"].is_unique().all()
    assert old.select("person_id", "index_date", "further_offences").sort("person_id").equals(
        new.select("person_id", "index_date", "further_offences").sort("person_id")
    )


def distractors(folder: str) -> pl.DataFrame:
    return pl.read_csv(GOLDEN / "distractors.csv", schema_overrides={"outcome_id": pl.Int64}).filter(pl.col("folder") == folder)


@pytest.mark.parametrize(("folder", "period"), [(f, p) for f, periods in PERIODS.items() for p in periods], ids=lambda x: getattr(x, "method", x))
def test_every_named_case_is_treated_as_the_rules_say(folder, period):
    read = case_file(folder)
    rules = CountingRules()
    entries, _ = figures(folder, period)
    counted = further_offences(entries, read.outcomes, rules=rules, as_at=AS_AT).select("person_id", "outcome_id")
    counted_ids = set(counted.iter_rows())
    entered = set(entries["person_id"])
    index_of = {row["person_id"]: row for row in entries.iter_rows(named=True)}
    outcome = {row["outcome_id"]: row for row in read.outcomes.iter_rows(named=True)}
    cases = distractors(folder)
    assert cases.height > 20
    for case, person_id, outcome_id, expect in cases.select("case", "person_id", "outcome_id", "expect").iter_rows():
        where = f"{folder} {person_id} {outcome_id}: {case}"
        if expect == "no entry":
            assert person_id not in entered, where
            continue
        assert person_id in entered, where
        if expect == "index":
            row, entry = outcome[outcome_id], index_of[person_id]
            index_date = row["release_date"] if row["outcome_type"] == "dto" else row["outcome_date"]
            assert (entry["index_disposal"], entry["index_date"]) == (row["outcome_type"], index_date), where
        elif expect == "counted":
            assert (person_id, outcome_id) in counted_ids, where
        else:
            assert expect == "not counted", where
            assert (person_id, outcome_id) not in counted_ids, where


def test_every_kind_of_distractor_is_in_every_file():
    kinds = {
        "committed before the index date, proven after",
        "committed on the index date",
        "committed the day after 12 months",
        "proven the day after 18 months",
        "breach",
        "charged and admitted, never proven",
        "community resolution and no further action in follow-up",
        "custody sentenced before the period, released in it",
        "custody sentenced in the period, released after it",
        "only a community resolution and no further action",
        "aged 18 on the index date",
        "three offences dealt with at one hearing",
    }
    leicester_only = {"same-day tie: youth rehabilitation order and youth caution", "two disposals in the quarter (second, offence after the index date)"}
    for folder in PERIODS:
        present = set(distractors(folder)["case"])
        assert kinds <= present, (folder, kinds - present)
        if folder.startswith("leicester"):
            assert leicester_only <= present, folder


@pytest.mark.parametrize("folder", ["leicester-2016q4", "leicester-2015q4", "west-mercia-2014-15"])
def test_counting_the_distractors_would_change_the_figures(folder):
    period = PERIODS[folder][0]
    _, official = figures(folder, period)
    _, with_breaches = figures(folder, period, CountingRules(include_breaches=True))
    _, with_unproven = figures(folder, period, CountingRules(include_unproven=True))
    _, longer = figures(folder, period, CountingRules(follow_up_months=13, waiting_months=6))
    _, longer_wait = figures(folder, period, CountingRules(waiting_months=7))
    _, adults_too = figures(folder, period, CountingRules(max_age=18))
    assert with_breaches.reoffenders > official.reoffenders
    assert with_unproven.reoffenders > official.reoffenders
    assert longer.reoffenders > official.reoffenders
    assert longer_wait.reoffenders > official.reoffenders
    assert adults_too.cohort_size > official.cohort_size


def test_reoffending_is_spread_as_in_real_cohorts():
    for folder, periods in PERIODS.items():
        entries, result = figures(folder, periods[0])
        reoffenders = entries.filter(pl.col("further_offences") > 0)
        prolific = reoffenders.filter(pl.col("further_offences") >= 5)
        assert 0.1 <= prolific.height / reoffenders.height <= 0.35, folder  # a few prolific children …
        assert prolific["further_offences"].sum() / result.reoffences >= 0.35, folder  # … with much of the reoffending
        assert (reoffenders["further_offences"] == 1).mean() >= 0.2, folder
