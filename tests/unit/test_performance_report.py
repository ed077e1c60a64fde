"""The performance report: which cohorts are live, their projections against national figures,
the trend, official against local figures, children in follow-up, findings, suppression and
charts — on hand-built cases, the golden files and the demo's synthetic data."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import polars as pl
import pytest
from engine_universe import D, Universe

from reoffkit.casefile import read_case_file
from reoffkit.charts.performance import performance_charts
from reoffkit.demo import SERVICE_NAME, demo_frames
from reoffkit.disclosure import suppress_small
from reoffkit.engine import CountingRules, Period
from reoffkit.reference import default_reference, national, parse_reference_csv
from reoffkit.reports.performance import MODELLED, performance_report

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
AS_AT = D(2026, 12, 3)


@pytest.fixture(scope="module")
def demo_report():
    frames = demo_frames(AS_AT)
    return performance_report(frames["people"], frames["outcomes"], frames["assessments"], areas=[SERVICE_NAME], as_at=AS_AT)


def test_live_cohorts_are_every_quarter_not_yet_final_and_the_latest_four_complete_quarters(demo_report):
    rules = CountingRules()
    live = demo_report.live
    quarters = live.filter(pl.col("cohort_basis") == "quarter")["cohort"].to_list()
    # 3 Dec 2026: 2025Q2 becomes final on 31 Dec 2026 (30 Jun 2025 + 18 months); 2025Q1 already is.
    assert quarters == ["2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert all(Period.parse(q).follow_up_complete_on(rules) > AS_AT for q in quarters)
    assert Period.parse("2025Q1").follow_up_complete_on(rules) <= AS_AT
    aggregate = live.filter(pl.col("cohort_basis") == "aggregated_quarters").row(0, named=True)
    assert aggregate["cohort"] == "2025Q4–2026Q3"
    parts = live.filter(pl.col("cohort").is_in(["2025Q4", "2026Q1", "2026Q2", "2026Q3"]))
    assert aggregate["cohort_size"] == parts["cohort_size"].sum() and aggregate["reoffences"] == parts["reoffences"].sum()
    assert set(live["status"]) == {"provisional"}


def test_national_at_the_same_point_is_the_newest_national_figure_scaled_by_the_expected_share(demo_report):
    figures = default_reference()
    for row in demo_report.live.iter_rows(named=True):
        binary = national(figures, row["cohort_basis"], "binary_rate")
        frequency = national(figures, row["cohort_basis"], "reoffences_per_reoffender")
        assert row["national_binary_12m"] == binary.binary_rate
        assert row["national_binary_now"] == pytest.approx(binary.binary_rate * row["binary_share_expected"])
        assert binary.source in row["national_binary_basis"]
        assert row["national_frequency_now"] == pytest.approx(
            frequency.binary_rate * frequency.reoffences_per_reoffender * row["frequency_share_expected"]
        )
        if row["binary_share_expected"] > 0:
            assert row["projected_binary_12m"] == pytest.approx(min(1.0, row["binary_rate"] / row["binary_share_expected"]))
        assert 0 <= row["binary_share_expected"] <= 1
    # The quarter in its waiting period has had all its follow-up: its share is the whole curve.
    waiting = demo_report.live.filter(pl.col("cohort") == "2025Q2").row(0, named=True)
    assert waiting["months_elapsed"] == 12 and waiting["binary_share_expected"] == pytest.approx(1.0)


def test_the_curve_comes_from_the_completed_quarters_and_says_so(demo_report):
    curve = demo_report.curve
    assert curve.modelled_from_data
    # The last 8 completed quarters are 2023Q2–2025Q1, but the demo's first children entered in
    # 2023Q4: the curve names the cohorts with children it came from, never the empty ones.
    with_children = [q for q in ("2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1")
                     if demo_report.trend.filter(pl.col("cohort") == q).height]
    assert with_children == ["2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    assert f"6 completed quarterly cohorts of Northmoor Youth Justice Service with children ({', '.join(with_children)})" in curve.basis
    table = curve.table()
    assert table["binary_share"].is_sorted() and table["frequency_share"].is_sorted()
    assert table["binary_share"][-1] == pytest.approx(1.0) and table["binary_share"][0] == 0.0


def test_the_trend_marks_final_and_provisional_cohorts(demo_report):
    trend = demo_report.trend
    rules = CountingRules()
    for row in trend.iter_rows(named=True):
        final = Period.parse(row["cohort"]).follow_up_complete_on(rules) <= AS_AT
        assert row["status"] == ("final" if final else "provisional")
        assert row["binary_ci_low"] <= row["binary_rate"] <= row["binary_ci_high"]
    assert trend.filter(pl.col("status") == "final").height >= 4


def test_findings_state_significance_only_by_a_test(demo_report):
    found = demo_report.findings
    assert MODELLED in found["live"]
    assert ("not a significant change (p = " in found["trend_binary"]) or ("a significant change (p = " in found["trend_binary"])
    latest = demo_report.trend.filter(pl.col("status") == "final").row(-1, named=True)
    assert latest["cohort"] in found["trend_binary"] and f"{100 * latest['binary_rate']:.1f}%" in found["trend_binary"]


def test_children_in_follow_up_by_hand():
    """Three children: A cautioned 10 Jan 2026 (follow-up to 10 Jan 2027), B cautioned 20 Feb 2025
    (to 20 Feb 2026), C cautioned 15 Mar 2026 (to 15 Mar 2027). On 31 Jan 2026: A and B; on
    28 Feb 2026: A only (B ended on the 20th); on 31 Mar 2026: A and C."""
    universe = Universe()
    for name, day in (("A", D(2026, 1, 10)), ("B", D(2025, 2, 20)), ("C", D(2026, 3, 15))):
        universe.child(name, D(2010, 1, 1), service="Testshire")
        universe.outcome(name, "youth_caution", committed=day - dt.timedelta(days=5), dealt_with=day)
    people, outcomes, assessments = universe.frames()
    report = performance_report(people, outcomes, assessments, areas=["Testshire"], as_at=D(2026, 4, 15))
    counts = dict(zip(report.in_follow_up["month_end"].to_list(), report.in_follow_up["children_in_follow_up"].to_list()))
    assert counts[D(2026, 1, 31)] == 2 and counts[D(2026, 2, 28)] == 1 and counts[D(2026, 3, 31)] == 2
    assert counts[D(2026, 4, 15)] == 2 and report.in_follow_up["month_end"][-1] == D(2026, 4, 15)
    assert not report.curve.modelled_from_data and "straight line" in report.curve.basis


def test_official_figures_sit_beside_the_local_ones_for_each_area():
    """West Mercia's four areas tracked locally reproduce their published 2014/15 figures exactly."""
    case = read_case_file(GOLDEN / "west-mercia-2014-15")
    areas = ["Herefordshire", "Shropshire", "Telford and Wrekin", "Worcestershire"]
    report = performance_report(case.people, case.outcomes, case.assessments, areas=areas, as_at=D(2017, 1, 1))
    official = report.official
    assert sorted(official["area"].to_list()) == areas
    assert (official["local_cohort_size"] == official["official_cohort_size"]).all()
    assert (official["local_reoffences"] == official["official_reoffences"]).all()
    assert official["binary_difference"].abs().max() < 1e-12 and set(official["local_status"]) == {"final"}
    assert set(official["cohort_basis"]) == {"annual_12m_old_method"}


def test_a_loaded_official_figure_shows_the_difference():
    case = read_case_file(GOLDEN / "leicester-2016q4")
    people = case.people.with_columns(service=pl.lit("Leicester"))
    figures = parse_reference_csv(
        "area,area_type,cohort_basis,period_start,period_end,cohort_size,reoffenders,reoffences,binary_rate,reoffences_per_reoffender,source\n"
        "Leicester,local_authority,quarter,2016-10-01,2016-12-31,70,30,110,,,a test figure\n"
    )
    report = performance_report(people, case.outcomes, case.assessments, areas=["Leicester"], as_at=D(2019, 1, 1), figures=figures)
    row = report.official.row(0, named=True)
    assert (row["local_cohort_size"], row["local_reoffenders"], row["local_reoffences"]) == (65, 29, 105)
    assert row["cohort_size_difference"] == -5 and row["binary_difference"] == pytest.approx(29 / 65 - 30 / 70)
    assert report.reference_series.filter(pl.col("official"))["area"].to_list() in ([], ["Leicester"])


def test_old_method_figures_never_join_the_quarterly_trend(demo_report):
    assert set(demo_report.reference_series["cohort_basis"]) <= {"quarter"}


def test_suppression_blanks_small_counts_and_the_rates_made_from_them():
    table = pl.DataFrame(
        {
            "cohort_size": [40, 3, 40],
            "reoffenders": [12, 1, 0],
            "reoffences": [30, 2, 0],
            "binary_rate": [0.3, 0.33, 0.0],
            "binary_ci_low": [0.2, 0.1, 0.0],
            "frequency_rate": [0.75, 0.67, 0.0],
            "reoffences_per_reoffender": [2.5, 2.0, None],
            "national_binary_now": [0.2, 0.2, 0.2],
        }
    )
    shown = suppress_small(table, 5)
    assert shown.row(0) == table.row(0) + (False,)
    assert shown.row(1, named=True) | {} == {
        "cohort_size": None, "reoffenders": None, "reoffences": None, "binary_rate": None, "binary_ci_low": None,
        "frequency_rate": None, "reoffences_per_reoffender": None, "national_binary_now": 0.2, "suppressed": True,
    }
    assert shown.row(2, named=True)["reoffenders"] == 0 and not shown.row(2, named=True)["suppressed"]


def test_every_chart_carries_its_finding_as_title_and_its_data(demo_report):
    charts = performance_charts(demo_report)
    assert set(charts) == {"live", "trend-binary", "trend-per-reoffender", "in-follow-up", "curve"}
    for chart in charts.values():
        spec = chart.spec
        title = " ".join(spec["title"]["text"])
        assert title == " ".join(chart.title.split())
        assert chart.table.height > 0 and chart.csv().count("\n") == chart.table.height + 1
        svg = chart.svg()
        root = ElementTree.fromstring(svg)
        texts = " ".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
        assert chart.title.split()[0] in texts and chart.title.split()[-1] in texts
        assert chart.png()[:8] == b"\x89PNG\r\n\x1a\n"
    values = charts["live"].spec["data"]["values"]
    assert [v["cohort"] for v in values] == demo_report.live["cohort"].to_list()


def test_each_national_figure_names_its_period_and_publication(demo_report):
    """The newest national binary rate and the newest frequency come from different cohorts: each
    row carries its own period and publication, and the finding names the binary one."""
    row = demo_report.live.row(demo_report.live.height - 1, named=True)
    figures = default_reference()
    binary, frequency = national(figures, row["cohort_basis"], "binary_rate"), national(figures, row["cohort_basis"], "reoffences_per_reoffender")
    assert row["national_binary_period"] == binary.period_label and row["national_binary_source"] == binary.source
    assert row["national_frequency_period"] == frequency.period_label and row["national_frequency_source"] == frequency.source
    assert binary.period_label in demo_report.findings["live"] and binary.source in demo_report.findings["live"]
    assert row["cohort_basis"] == "aggregated_quarters" and row["months"] in demo_report.findings["live"]


def test_figures_counted_by_a_services_own_choices_are_never_set_against_national_ones():
    frames = demo_frames(AS_AT)
    for rules in (CountingRules(include_breaches=True), CountingRules(include_unproven=True), CountingRules(min_age=12)):
        report = performance_report(frames["people"], frames["outcomes"], frames["assessments"], areas=[SERVICE_NAME], as_at=AS_AT, rules=rules)
        assert not report.comparable and "not the official rules" in report.counting
        assert report.live["national_binary_now"].null_count() == report.live.height and report.official.is_empty()
        assert "not set against national figures" in report.findings["live"]
