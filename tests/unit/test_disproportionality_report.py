"""The disproportionality report: secondary suppression worked by hand, what sharing withholds, and
the charts' computed titles and table twins."""

from __future__ import annotations

import polars as pl
import pytest

from disproportionality_service import POPULATION, Q4, service
from engine_universe import FINAL
from reoffkit.charts.disproportionality import charts, forest_chart, population_chart, trend_chart
from reoffkit.disclosure import withheld_cells
from reoffkit.engine.disproportionality import Population
from reoffkit.reports.disproportionality import disproportionality_report, for_sharing, shared_findings


def test_one_small_cell_takes_the_next_smallest_with_it():
    # 3 + 7 + 12 = 22: withholding 3 alone would leave 22 − 7 − 12 = 3, so 7 (the next smallest) goes too
    assert withheld_cells({"a": 3, "b": 7, "c": 12, "total": 22}, [["a", "b", "c", "total"]]) == {"a", "b"}
    # a zero is shown, never withheld: the second cell is the 20 (3 + 0 + 20 = 23)
    assert withheld_cells({"a": 3, "b": 0, "c": 20, "total": 23}, [["a", "b", "c", "total"]]) == {"a", "c"}
    # two small cells protect each other: 2 + 4 + 30 = 36, nothing more to withhold
    assert withheld_cells({"a": 2, "b": 4, "c": 30, "total": 36}, [["a", "b", "c", "total"]]) == {"a", "b"}


def test_secondary_suppression_follows_rows_and_columns():
    # x11 x12 | 13        3 10 | 13
    # x21 x22 | 17   =    8  9 | 17
    # 11  19  | 30
    cells = {"x11": 3, "x12": 10, "x21": 8, "x22": 9, "r1": 13, "r2": 17, "c1": 11, "c2": 19, "t": 30}
    relations = [["x11", "x12", "r1"], ["x21", "x22", "r2"], ["x11", "x21", "c1"], ["x12", "x22", "c2"], ["r1", "r2", "t"], ["c1", "c2", "t"]]
    # 3 is small; row 1 then gives 10 (smaller than 13), column 1 gives 8, column 2 (10 now withheld
    # alone) gives 9: every row and column with a withheld cell has two, so 13 = x11 + x12,
    # 17 = x21 + x22, 11 = x11 + x21, 19 = x12 + x22 leave x11 anywhere from 0 to 11
    assert withheld_cells(cells, relations) == {"x11", "x12", "x21", "x22"}


@pytest.fixture(scope="module")
def report():
    people, outcomes, assessments = service().frames()
    return disproportionality_report(people, outcomes, POPULATION, areas=["Testshire"], period=Q4, as_at=FINAL, assessments=assessments)


def test_sharing_withholds_small_counts_and_what_would_give_them_away(report):
    shared = for_sharing(report)
    # by hand (service()'s table): Entered the cohort — Asian 3 is small, so Not known 6 (the next
    # smallest of 60, 3, 30, 6 and the 99) goes with it; Not known then stands alone in "entered =
    # pre-court + court" (6 = 6 + 0), so pre-court Not known 6 goes too. First-time entrants: Asian 3,
    # then Not known 6. Custody: White 2 and Black 4. Court = first-tier + community + custody for
    # White (20 = 12 + 6 + 2) then takes community White 6, and the community stage (6 + 6 = 12)
    # community Black 6. Reoffended: Not known 2, then Black 12 (< White 15 < 29). Further offences:
    # Not known 2, then Black 20. Prolific: White 3 and Black 2.
    assert shared.withheld == {
        ("entered_cohort", "Asian"), ("entered_cohort", "Not known"), ("pre_court", "Asian"), ("pre_court", "Not known"),
        ("first_time_entrants", "Asian"), ("first_time_entrants", "Not known"), ("custody", "White"), ("custody", "Black"),
        ("community", "White"), ("community", "Black"), ("reoffended", "Not known"), ("reoffended", "Black"),
        ("further_offences", "Not known"), ("further_offences", "Black"), ("prolific", "White"), ("prolific", "Black"),
    }
    stages = shared.tables["stages"]
    # no count from 1 to 4 is shown anywhere
    assert stages.filter((pl.col("count") > 0) & (pl.col("count") < 5)).is_empty()
    # in every stage, a withheld cell is never alone (its total would give it away)
    for stage, frame in stages.group_by("stage"):
        assert frame["count"].null_count() != 1, stage

    def row(stage, group):
        return stages.filter((pl.col("stage") == stage) & (pl.col("group") == group)).row(0, named=True)

    asian = row("entered_cohort", "Asian")
    assert (asian["count"], asian["rate"], asian["rri"], asian["share_of_stage"], asian["verdict"]) == (None, None, None, None, "withheld")
    # the court stage's Asian base is the Asian children who entered the cohort: withheld with it
    assert (row("court", "Asian")["count"], row("court", "Asian")["base"]) == (0, None)
    # early reoffending per 100 who reoffended: the Black base (12) is withheld, so its rate and index are
    early = row("early_reoffending", "Black")
    assert (early["count"], early["base"], early["rate"], early["rri"]) == (6, None, None, None)
    # the share of the known children needs the Not known count: withheld for every group of the stage
    assert row("entered_cohort", "Black")["share_of_known"] is None and row("entered_cohort", "Black")["rri"] == pytest.approx(3.0)
    entered = shared.tables["completeness"].filter(pl.col("stage") == "entered_cohort").row(0, named=True)
    assert (entered["total"], entered["known"], entered["not_known"], entered["share_known"], entered["rag"]) == (99, None, None, None, "amber")
    # the same report inside the service shows everything
    assert report.tables["stages"]["count"].null_count() == 0


def test_shared_findings_keep_what_they_found_without_the_figures_that_would_reveal_a_cell(report):
    texts = shared_findings(report)
    pre = next(t for t in texts if t.startswith("Pre-court disposal: Of the children"))
    # pre-court Black 10 of 30 against White 40 of 60: none withheld, so quoted; the 6 children of
    # unknown ethnicity are withheld, so neither their number nor the indices they would change are
    assert "10 of 30 (33.3 per 100) against 40 of 60 (66.7 per 100)" in pre
    assert pre.endswith("It could change with the children of unknown ethnicity.")
    assert texts[-1] == "Ethnicity is not known for some of the children who entered the cohort (the number is withheld): amber."
    inside = [f.text for f in report.findings()]
    assert inside[-1] == "Ethnicity is recorded for 94% of the children who entered the cohort (6 not known): amber."
    assert not any(" 2 of " in t or " 3 of " in t or " 4 of " in t for t in texts)


def test_the_charts_titles_are_computed_and_each_has_its_table(report):
    # entered the cohort: Black 30 of the 93 of known ethnicity = 32.3%; 1,000 of the 8,000 population = 12.5%
    assert population_chart(report).title == "Black children are 12.5% of the 10–17 population and 32.3% of the children who entered the cohort"
    assert forest_chart(report).title == (
        "Black children over-represented at 3 stages (entered the cohort, first-time entrants, sentenced in court); "
        "Black children under-represented at 1 stage (pre-court disposal)"
    )
    # only 2016Q4 has enough children for an index of entering the cohort (2016Q1's 10 are all White)
    assert trend_chart(report).title == "Relative rate index of entering the cohort: only one period with figures so far"
    forest = forest_chart(report).table
    black = forest.filter((pl.col("Stage") == "Entered the cohort") & (pl.col("Ethnic group") == "Black")).row(0, named=True)
    assert (black["Children (or offences)"], black["Relative rate index"], black["Finding"]) == (30, pytest.approx(3.0), "Over-represented")
    assert forest.height == 4 * len(report.result.stages)  # Mixed, Asian, Black, Other at every stage
    assert [c.name for c in charts(report)] == ["population", "forest", "trend"]
    assert [c.name for c in charts(report, pies=True)] == ["population", "pies", "forest", "trend"]
    for chart in charts(for_sharing(report), pies=True):
        assert chart.svg().startswith("<svg")
        assert chart.table.height > 0


def test_officer_observed_records_are_not_set_against_a_census_population():
    people, outcomes, assessments = service(scheme="officer_observed").frames()
    report = disproportionality_report(people, outcomes, POPULATION, areas=["Testshire"], period=Q4, as_at=FINAL)
    assert report.result.scheme == "officer_observed"
    assert population_chart(report).title.startswith("Children at each stage by ethnic group (no population of the same scheme")
    assert set(report.tables["stages"]["group"]) == {"White", "Black", "Asian", "Other", "Not known"}
    police = Population({"White": 6000, "Black": 1000, "Asian": 500, "Other": 100}, scheme="officer_observed")
    matched = disproportionality_report(people, outcomes, police, areas=["Testshire"], period=Q4, as_at=FINAL)
    assert matched.tables["stages"].filter((pl.col("stage") == "entered_cohort") & (pl.col("group") == "Black"))["rri"][0] == pytest.approx(3.0)
