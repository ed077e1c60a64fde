"""The retrospective analysis as a whole: findings that match a cohort worked by hand, what board
viewers see, and ``reoffkit analyse`` writing every file."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest
from engine_universe import FINAL, D, Universe

from reoffkit.engine import Period
from reoffkit.reports.analysis import ENQUIRIES, analysis_report, for_board


def twelve_children() -> Universe:
    """Twelve children enter on 15 Oct 2016 with a referral order (gravity 3); C1–C8 are on the
    YOT caseload, C9–C12 are not. Further offences (all proven within the window):
    C1: 6, the first on 1 Nov 2016 (within 1 month), gravity 5 — prolific, on standard intervention;
    C2: 2, the first on 1 Jan 2017 (within 3 months: the 3 months end on 15 Jan), gravity 2;
    C9: 1 on 1 Jun 2017, gravity 3; C10: 1 on 1 Feb 2017 (after 3 months), gravity 3.
    C3 is on intensive intervention and does not reoffend.
    So: 12 children, 4 reoffenders, 10 further offences; the prolific child committed 60%; those
    who first reoffended within 3 months (C1, C2) 80%; children off the caseload (4, 33%) 20%."""
    universe = Universe()
    for number in range(1, 13):
        name = f"C{number}"
        universe.child(name, D(2001, 6, 1), service="Testshire", sex="male", ethnicity="White", yot_caseload=number <= 8, district="North")
        universe.outcome(name, "referral_order", committed=D(2016, 10, 1), dealt_with=D(2016, 10, 15), gravity=3)
    for day in range(6):
        universe.outcome("C1", "fine", committed=D(2016, 11, 1 + day), dealt_with=D(2016, 12, 1 + day), gravity=5)
    for day in (D(2017, 1, 1), D(2017, 1, 20)):
        universe.outcome("C2", "fine", committed=day, dealt_with=D(2017, 3, 1), gravity=2)
    universe.outcome("C9", "fine", committed=D(2017, 6, 1), dealt_with=D(2017, 7, 1), gravity=3)
    universe.outcome("C10", "fine", committed=D(2017, 2, 1), dealt_with=D(2017, 3, 1), gravity=3)
    universe.assessment("C1", D(2016, 10, 10), "low", "standard", score=20)
    universe.assessment("C3", D(2016, 10, 10), "high", "intensive", score=60)
    return universe


@pytest.fixture(scope="module")
def report():
    people, outcomes, assessments = twelve_children().frames()
    return analysis_report(people, outcomes, assessments, areas=["Testshire"], period=Period.parse("2016Q4"), as_at=FINAL)


def test_every_line_of_enquiry_has_a_section_with_a_finding(report):
    assert report.complete and report.cohort | {"national": None} == {"cohort_size": 12, "reoffenders": 4, "reoffences": 10, "binary_rate": 4 / 12, "national": None}
    # a quarterly cohort is set against the newest national quarterly figure
    assert report.cohort["national"]["rate"] == 0.316 and "England and Wales" in report.cohort["national"]["label"]
    assert {section.enquiry for section in report.sections} == set(ENQUIRIES)
    assert all(section.finding and section.next_step for section in report.sections)
    assert len(report.findings()) == len(report.sections) + 1  # and data quality


def test_findings_match_the_cohort_worked_by_hand(report):
    found = {section.key: section.finding for section in report.sections}
    assert found["spread"] == "1 child (8% of the cohort) committed 60% of all further offences, with 5 or more each"
    assert found["caseload"] == "Children not on the YOT caseload were 33% of the cohort (4 children) and committed 20% of all further offences"
    assert found["time"].startswith("Children who first reoffended within 3 months committed 80% of all further offences")
    assert "2 critical-few cases to audit" in found["assessment"]
    within = report.section("time").tables["within_months"]
    # C1 within 1 month; C2 (1 Jan) after 2 months (15 Dec) but within 3 (15 Jan)
    assert within["reoffenders"].to_list() == [1, 1, 2] and within["share_of_reoffenders"].to_list() == [0.25, 0.25, 0.5]
    few = report.section("assessment").tables["critical_few"]
    assert few["person_id"].to_list() == ["C1", "C3"]
    seriousness = dict(report.section("seriousness").tables["seriousness"].select("comparison", "reoffenders").iter_rows())
    assert seriousness == {"more serious": 1, "as serious": 2, "less serious": 1, "not known": 0}
    assert found["seriousness"].startswith("25% of reoffenders")
    assert found["resettlement"] == "No child in this cohort entered it on release from custody"


def test_data_quality_rates_the_police_check(report):
    """Born 1 Jun 2001, every child turns 18 on 1 Jun 2019 — after follow-up (15 Oct 2017): none
    turned 18 in follow-up."""
    quality = report.data_quality
    assert quality["children"][0] == 0 and "No child turned 18 during follow-up" in report.data_quality_finding
    assert quality.filter(pl.col("check") == "No assessment at entry")["children"].item() == 10


def test_police_check_rag_thresholds():
    universe = twelve_children()
    people, outcomes, assessments = universe.frames()
    # Born 1 Jan 1999: 18 on 1 Jan 2017, during follow-up. Nine of twelve checked: 75% → red.
    people = people.with_columns(date_of_birth=pl.lit(D(1999, 1, 1)), adult_offending_checked=pl.col("person_id").is_in([f"C{n}" for n in range(1, 10)]))
    result = analysis_report(people, outcomes, assessments, areas=["Testshire"], period=Period.parse("2016Q4"), as_at=FINAL)
    row = result.data_quality.row(0, named=True)
    assert (row["children"], row["done"], row["rating"]) == (12, 9, "red")
    people = people.with_columns(adult_offending_checked=pl.col("person_id") != "C12")  # 11 of 12: 92% → amber
    assert analysis_report(people, outcomes, assessments, areas=["T"], period=Period.parse("2016Q4"), as_at=FINAL).data_quality["rating"][0] == "amber"


def test_board_viewers_get_aggregates_only(report):
    board = for_board(report, 5)
    found = {section.key: section for section in board.sections}
    assert "critical_few" not in found["assessment"].tables and "pareto" not in found["spread"].tables
    assert found["spread"].finding == "Not shown: it would rest on a count under 5"  # one prolific child
    assert found["caseload"].finding == "Not shown: it would rest on a count under 5"  # four children
    assert all(chart.name not in ("pareto", "time-by-group") for section in board.sections for chart in section.charts)
    profile = found["profile"].tables["profile"]
    assert profile.filter(pl.col("reoffenders").is_null())["binary_rate"].null_count() == profile.filter(pl.col("reoffenders").is_null()).height


def test_analyse_cli_writes_every_file(tmp_path):
    from pathlib import Path

    golden = Path(__file__).resolve().parents[1] / "data" / "golden" / "leicester-2016q4"
    out = tmp_path / "analysis"
    result = subprocess.run(
        [sys.executable, "-m", "reoffkit.cli", "analyse", str(golden), "--period", "2016Q4", "--as-at", "2018-06-30", "--out", str(out)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {k: summary["cohort"][k] for k in ("cohort_size", "reoffenders", "reoffences")} == {"cohort_size": 65, "reoffenders": 29, "reoffences": 105}
    for table in summary["tables"]:
        assert (out / "tables" / f"{table}.csv").stat().st_size > 0, table
    for name in summary["charts"]:
        assert (out / "charts" / f"{name}.svg").exists() and (out / "charts" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    findings = (out / "findings.md").read_text(encoding="utf-8")
    assert findings.count("## ") == len(summary["findings"]) and "Line of enquiry 8" in findings
    assert "follow-up complete" in findings
