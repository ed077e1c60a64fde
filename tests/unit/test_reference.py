"""Reference figures: the shipped defaults, and every mistake reported by row and column."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from reoffkit.casefile import CaseFileError
from reoffkit.reference import default_reference, merge, national, parse_reference_csv

SHARED = Path(__file__).resolve().parents[2] / "src" / "reoffkit" / "reference" / "data" / "national_youth_reoffending.csv"
HEADINGS = "area,area_type,cohort_basis,period_start,period_end,cohort_size,reoffenders,reoffences,binary_rate,reoffences_per_reoffender,source"


def test_the_shipped_defaults_are_every_published_row_with_its_source():
    figures = default_reference()
    with SHARED.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(figures) == len(rows) and all(f.source for f in figures)
    leicester = next(f for f in figures if f.area == "Leicester" and f.period_start == dt.date(2016, 10, 1))
    assert (leicester.cohort_size, leicester.reoffenders, leicester.reoffences) == (65, 29, 105)
    assert leicester.frequency_rate == pytest.approx(105 / 65)


def test_national_picks_the_newest_figure_of_the_basis_that_publishes_the_measure():
    figures = default_reference()
    assert national(figures, "quarter", "binary_rate").period_start == dt.date(2023, 4, 1)
    per_reoffender = national(figures, "quarter", "reoffences_per_reoffender")
    assert (per_reoffender.period_start, per_reoffender.reoffences_per_reoffender) == (dt.date(2018, 10, 1), 3.92)
    assert national(figures, "annual_12m_old_method", "binary_rate").binary_rate == 0.377
    assert national([], "quarter", "binary_rate") is None


def problems_of(text: str) -> list[str]:
    with pytest.raises(CaseFileError) as caught:
        parse_reference_csv(text)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    "row, expected",
    [
        ("Testshire,town,quarter,2016-10-01,2016-12-31,,,,0.4,,me", "row 3, column area_type: 'town' — expected one of country"),
        ("Testshire,local_authority,quarterly,2016-10-01,2016-12-31,,,,0.4,,me", "column cohort_basis: 'quarterly' — expected one of quarter"),
        ("Testshire,local_authority,quarter,01/10/2016,2016-12-31,,,,0.4,,me", "column period_start: '01/10/2016' — expected a date like 2016-10-01"),
        ("Testshire,local_authority,quarter,2016-10-01,2017-03-31,,,,0.4,,me", "column period_end: '2017-03-31' — expected the end of a 3-month period"),
        ("Testshire,local_authority,aggregated_quarters,2016-10-01,2016-12-31,,,,0.4,,me", "expected the end of a 12-month period"),
        ("Testshire,local_authority,quarter,2016-10-01,2016-12-31,,,,44.6,,me", "column binary_rate: '44.6' — expected a fraction from 0 to 1"),
        ("Testshire,local_authority,quarter,2016-10-01,2016-12-31,65,29,105,0.5,,me", "column binary_rate: '0.5' — expected reoffenders ÷ cohort_size = 0.446"),
        ("Testshire,local_authority,quarter,2016-10-01,2016-12-31,65,70,105,,,me", "column reoffenders: '70' — expected no more than cohort_size (65)"),
        ("Testshire,local_authority,quarter,2016-10-01,2016-12-31,65,29,105,,3.9,me", "column reoffences_per_reoffender: '3.9' — expected reoffences ÷ reoffenders = 3.62"),
        ("Testshire,local_authority,quarter,2016-10-01,2016-12-31,sixty,,,0.4,,me", "column cohort_size: 'sixty' — expected a whole number"),
        ("Testshire,local_authority,quarter,2016-10-01,2016-12-31,,,,,,me", "column binary_rate — expected a binary rate, or cohort_size and reoffenders"),
        ("Testshire,local_authority,quarter,2016-10-01,2016-12-31,,,,0.4,,", "column source — expected a value (this column is required)"),
    ],
)
def test_each_mistake_is_named_by_row_and_column(row, expected):
    good = "England and Wales,country,quarter,2016-10-01,2016-12-31,,,,0.404,3.98,Leicester City Youth Justice Plan 2019-2020"
    problems = problems_of(f"{HEADINGS}\n{good}\n{row}\n")
    assert len(problems) == 1 and expected in problems[0], problems


def test_every_problem_is_reported_at_once_and_nothing_is_returned():
    text = f"{HEADINGS}\nA,town,quarter,2016-10-01,2016-12-31,,,,0.4,,s\nB,country,yearly,2016-10-01,2016-12-31,,,,0.4,,s\n"
    problems = problems_of(text)
    assert [p.split(":")[0] for p in problems] == ["reference figures row 2, column area_type", "reference figures row 3, column cohort_basis"]


def test_missing_headings_duplicates_and_empty_files():
    assert "missing source" in problems_of("area,area_type,cohort_basis,period_start,period_end\n")[0]
    row = "A,country,quarter,2016-10-01,2016-12-31,,,,0.4,,s"
    assert "row 3, column period_start: '2016-10-01' — expected one row per area, cohort_basis and period (row 2 has this one)" in problems_of(
        f"{HEADINGS}\n{row}\n{row}\n"
    )[0]
    assert "at least one row of figures" in problems_of(f"{HEADINGS}\n,,,,,,,,,,\n")[0]


def test_counts_alone_give_the_rates_and_later_files_replace_earlier_figures():
    (figure,) = parse_reference_csv(f"{HEADINGS}\nLeicester,local_authority,quarter,2016-10-01,2016-12-31,65,29,105,,,local\n")
    assert figure.binary_rate == pytest.approx(29 / 65) and figure.reoffences_per_reoffender == pytest.approx(105 / 29)
    merged = merge(default_reference(), [figure])
    leicester = [f for f in merged if f.area == "Leicester" and f.period_start == dt.date(2016, 10, 1)]
    assert leicester == [figure] and len(merged) == len(default_reference())
