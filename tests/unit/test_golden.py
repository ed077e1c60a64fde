"""Golden figures of DOMAIN.md §4 rebuilt from case-level files through the reader and the engine.

The files (built by tests/data/golden/build.py) carry distractors the rules must exclude; the
last tests show they are there: counting them changes the figures.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reoffkit.casefile import load_case_file
from reoffkit.engine import CountingRules, Period, entry_table, measures, measures_by

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
AS_AT = dt.date(2020, 1, 1)


def figures(folder: str, period: Period, rules: CountingRules = CountingRules()):
    case_file = load_case_file(GOLDEN / folder)
    entries = entry_table(case_file.people, case_file.outcomes, case_file.assessments, period=period, rules=rules, as_at=AS_AT)
    return entries, measures(entries, period=period, rules=rules, as_at=AS_AT)


@pytest.mark.parametrize(
    ("folder", "quarter", "expected", "rates"),
    [
        ("leicester-2016q4", "2016Q4", (65, 29, 105), (0.446, 1.62, 3.62)),
        ("leicester-2015q4", "2015Q4", (84, 34, 102), (0.405, 1.21, 3.00)),
    ],
)
def test_leicester_quarterly_cohorts(folder, quarter, expected, rates):
    _, result = figures(folder, Period.parse(quarter))
    assert (result.cohort_size, result.reoffenders, result.reoffences) == expected
    assert (round(result.binary_rate, 3), round(result.frequency_rate, 2), round(result.reoffences_per_reoffender, 2)) == rates
    assert result.provisional is False


WEST_MERCIA = {
    "Herefordshire": (157, 64, 222, 0.408, 3.47),
    "Shropshire": (179, 61, 183, 0.341, 3.00),
    "Telford and Wrekin": (142, 57, 182, 0.401, 3.19),
    "Worcestershire": (339, 102, 404, 0.301, 3.96),
}


@pytest.mark.parametrize("method", ["annual_12m_old_method", "aggregated_quarters"])
def test_west_mercia_areas_add_up_to_the_partnership(method):
    entries, result = figures("west-mercia-2014-15", Period.parse("2014Q2", 4, method))
    assert (result.cohort_size, result.reoffenders, result.reoffences) == (817, 284, 991)
    assert (round(result.binary_rate, 3), round(result.reoffences_per_reoffender, 2)) == (0.348, 3.49)
    by_area = {row["service"]: row for row in measures_by(entries, "service").iter_rows(named=True)}
    for area, (size, reoffenders, reoffences, binary, per_reoffender) in WEST_MERCIA.items():
        row = by_area[area]
        assert (row["cohort_size"], row["reoffenders"], row["reoffences"]) == (size, reoffenders, reoffences)
        assert (round(row["binary_rate"], 3), round(row["reoffences_per_reoffender"], 2)) == (binary, per_reoffender)


def test_the_distractors_are_there_and_the_rules_exclude_them():
    period = Period.parse("2016Q4")
    _, official = figures("leicester-2016q4", period)
    _, with_breaches = figures("leicester-2016q4", period, CountingRules(include_breaches=True))
    _, with_unproven = figures("leicester-2016q4", period, CountingRules(include_unproven=True))
    _, longer = figures("leicester-2016q4", period, CountingRules(follow_up_months=13, waiting_months=6))
    _, adults_too = figures("leicester-2016q4", period, CountingRules(max_age=18))
    assert with_breaches.reoffences > official.reoffences
    assert with_unproven.reoffences > official.reoffences
    assert longer.reoffences > official.reoffences
    assert adults_too.cohort_size == official.cohort_size + 1
