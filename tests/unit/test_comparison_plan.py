"""The data summary indicators in the youth justice plan's shape (the ``plan`` table): a row per
indicator, a column for the service and each of its region, PCC area, family and countries, the
change from a year earlier, the service's RAG and national rank — values worked by hand from a
four-area nation, and small counts withheld when shared."""

from __future__ import annotations

import datetime as dt

import pytest

from reoffkit.reference.areas import AreaData, AreaFigure
from reoffkit.reports.comparison import comparison_report, for_sharing
from test_comparison_report import SOURCE, small_nation

# (population aged 10-17, first-time entrants, custodial sentences) in the years from April 2021 and April 2022
INDICATORS = {
    "A": (10_000, (20, 25), (4, 3)),
    "B": (20_000, (50, 60), (8, 10)),
    "C": (5_000, (12, 10), (2, 1)),
    "D": (30_000, (100, 90), (15, 12)),
    "EW": (65_000, (182, 185), (29, 26)),
}


def nation_with_indicators() -> AreaData:
    base = small_nation()
    names = {a.area_code: a.area_name for a in base.areas}
    extra = [
        AreaFigure(code, names[code], "country" if code == "EW" else "youth_justice_service", "indicator_12m", dt.date(y, 4, 1), dt.date(y + 1, 3, 31),
                   first_time_entrants=fte[i], custodial_sentences=custody[i], population_10_17=population, source=SOURCE)
        for code, (population, fte, custody) in INDICATORS.items() for i, y in enumerate((2021, 2022))
    ]
    return AreaData(base.figures + tuple(extra), base.areas)


def plan(shared: bool = False):
    report = comparison_report(nation_with_indicators(), "Alpha", comparators=["family", "region", "country:England and Wales"])
    return (for_sharing(report) if shared else report).tables["plan"]


def test_the_plan_table_has_a_row_per_indicator_and_a_column_per_area_worked_by_hand():
    table = plan()
    assert table.columns == [
        "Indicator", "Period",
        "Alpha", "Alpha: change from a year earlier",
        "North region (2 services)", "North region (2 services): change from a year earlier",
        "North PCC (2 services)", "North PCC (2 services): change from a year earlier",
        "Family of Alpha (2 services)", "Family of Alpha (2 services): change from a year earlier",
        "England and Wales", "England and Wales: change from a year earlier",
        "RAG", "National rank",
    ]  # no England column: the figures have none (and no Wales column: Alpha is not in Wales)
    rows = {row["Indicator"]: row for row in table.iter_rows(named=True)}
    assert list(rows) == ["First-time entrants per 100,000 aged 10-17", "Custodial sentences per 1,000 aged 10-17", "Binary reoffending rate (%)", "Reoffences per child"]
    assert {row["Period"] for row in rows.values()} == {"Apr 2022–Mar 2023"}
    fte = rows["First-time entrants per 100,000 aged 10-17"]
    # Alpha 25 ÷ 10,000 × 100,000 = 250.0, a year earlier 200.0; North (Alpha and Beta) 85 ÷ 30,000 = 283.3, before 70 ÷ 30,000 = 233.3;
    # the family (Beta and Gamma) 70 ÷ 25,000 = 280.0, before 62 ÷ 25,000 = 248.0; England and Wales 185 ÷ 65,000 = 284.6.
    assert (fte["Alpha"], fte["Alpha: change from a year earlier"]) == (250.0, 50.0)
    assert (fte["North region (2 services)"], fte["North region (2 services): change from a year earlier"]) == (283.3, 50.0)
    assert (fte["Family of Alpha (2 services)"], fte["Family of Alpha (2 services): change from a year earlier"]) == (280.0, 32.0)
    assert fte["England and Wales"] == 284.6 and fte["England and Wales: change from a year earlier"] == pytest.approx(4.6)  # 284.615 − 280.0
    # 250 ÷ 284.6 − 1 = −12%: green (5% or more below); ranks 200 (Gamma), 250 (Alpha), 300, 300
    assert (fte["RAG"], fte["National rank"]) == ("Green", "2nd of 4")
    custody = rows["Custodial sentences per 1,000 aged 10-17"]
    # Alpha 3 ÷ 10,000 × 1,000 = 0.30, before 0.40; England and Wales 26 ÷ 65,000 = 0.40: 25% below, green; 0.2, 0.3, 0.4, 0.5
    assert (custody["Alpha"], custody["Alpha: change from a year earlier"], custody["England and Wales"]) == (0.3, -0.1, 0.4)
    assert (custody["RAG"], custody["National rank"]) == ("Green", "2nd of 4")
    binary = rows["Binary reoffending rate (%)"]
    # Alpha 35 of 100, before 30 of 100; North 101 of 300 = 33.7%, before 100 of 300; family 91 of 250 = 36.4%, before 73 of 250 = 29.2%;
    # England and Wales 226 of 650 = 34.8%, before 202 of 650 = 31.1%. Alpha's 95% interval (26% to 45%) holds 34.8%: amber.
    assert (binary["Alpha"], binary["Alpha: change from a year earlier"]) == (35.0, 5.0)
    assert (binary["North region (2 services)"], binary["North region (2 services): change from a year earlier"]) == (33.7, 0.3)
    assert (binary["Family of Alpha (2 services)"], binary["Family of Alpha (2 services): change from a year earlier"]) == (36.4, 7.2)
    assert (binary["England and Wales"], binary["England and Wales: change from a year earlier"]) == (34.8, 3.7)
    assert (binary["RAG"], binary["National rank"]) == ("Amber", "3rd of 4")  # 33.0% (Beta), 33.3% (Delta), 35.0%, 50.0%
    frequency = rows["Reoffences per child"]
    # Alpha 100 ÷ 100 = 1.00, before 0.90; England and Wales 660 ÷ 650 = 1.02; Beta 0.95, then Alpha and Delta tie at 1.00
    assert (frequency["Alpha"], frequency["Alpha: change from a year earlier"], frequency["England and Wales"]) == (1.0, 0.1, 1.02)
    assert (frequency["RAG"], frequency["National rank"]) == ("Amber", "2nd of 4")


def test_shared_the_plan_withholds_a_rate_made_from_fewer_than_five():
    table = plan(shared=True)
    custody = table.row(1, named=True)
    assert custody["Indicator"].startswith("Custodial") and custody["Alpha"] is None and custody["Alpha: change from a year earlier"] is None
    assert custody["RAG"] is None and custody["National rank"] is None
    assert custody["England and Wales"] == 0.4  # 26 custodial sentences: shown
    assert table.row(0, named=True)["Alpha"] == 250.0


def test_with_the_services_own_records_every_comparator_is_the_same_figure_in_both_tables():
    """With the service's own records for its latest cohort, the service's column is its own
    count in the plan table as in the cohorts table, and each comparator (its region, family,
    England and Wales) is the published figure in both: one figure for the region in one period."""
    import polars as pl

    from reoffkit.reports.comparison import own_cohorts

    year = (dt.date(2022, 4, 1), dt.date(2023, 3, 31))
    entries = pl.DataFrame({"further_offences": [1] * 60 + [0] * 60})  # 120 children, 60 reoffended (published: 100, 35)
    report = comparison_report(nation_with_indicators(), "Alpha", comparators=["family", "region", "country:England and Wales"], own=own_cohorts({year: entries}))
    cohorts = report.tables["cohorts"].filter(pl.col("period_start") == year[0])
    binary = {row["Indicator"]: row for row in report.tables["plan"].iter_rows(named=True)}["Binary reoffending rate (%)"]
    for key, column in (("focus", "Alpha"), ("region", "North region (2 services)"), ("family", "Family of Alpha (2 services)"), ("country:England and Wales", "England and Wales")):
        assert binary[column] == round(100 * cohorts.filter(pl.col("key") == key)["binary_rate"][0], 1), column
    assert binary["Alpha"] == 50.0 and binary["North region (2 services)"] == round(100 * (35 + 66) / 300, 1)  # Alpha and Beta as published
