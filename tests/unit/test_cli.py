"""The command line, run as a user would: a real process on real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
KEYS = {
    "period_start", "period_end", "cohort_size", "reoffenders", "reoffences", "binary_rate", "binary_ci_low",
    "binary_ci_high", "frequency_rate", "reoffences_per_reoffender", "provisional", "follow_up_complete_on",
}


def reoffkit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reoffkit.cli", *args], capture_output=True, text=True)


def test_measures_json_reproduces_leicester_2016():
    result = reoffkit("measures", str(GOLDEN / "leicester-2016q4"), "--period", "2016Q4", "--as-at", "2018-06-30", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert KEYS <= set(document)
    assert (document["cohort_size"], document["reoffenders"], document["reoffences"]) == (65, 29, 105)
    assert abs(document["binary_rate"] - 29 / 65) < 1e-12  # unrounded
    assert document["binary_ci_low"] < document["binary_rate"] < document["binary_ci_high"]
    assert document["provisional"] is False and document["follow_up_complete_on"] == "2018-06-30"


def test_measures_by_field_gives_groups_with_the_same_keys():
    result = reoffkit("measures", str(GOLDEN / "leicester-2016q4"), "--period", "2016Q4", "--as-at", "2018-06-30", "--by", "age_group", "--format", "json")
    document = json.loads(result.stdout)
    assert all(KEYS | {"group"} <= set(group) for group in document["groups"])
    assert sum(g["cohort_size"] for g in document["groups"]) == 65
    assert {g["group"] for g in document["groups"]} <= {"10-14", "15-17"}


def test_provisional_before_the_figures_are_final():
    result = reoffkit("measures", str(GOLDEN / "leicester-2016q4"), "--period", "2016Q4", "--as-at", "2017-03-31", "--format", "json")
    document = json.loads(result.stdout)
    assert document["provisional"] is True and document["follow_up_months_elapsed"] == 3
    assert document["reoffences"] < 105


def test_table_and_csv_and_entries():
    table = reoffkit("measures", str(GOLDEN / "leicester-2016q4"), "--period", "2016Q4", "--as-at", "2018-06-30")
    assert "44.6%" in table.stdout and "3.62" in table.stdout and "1.62" in table.stdout
    csv = reoffkit("measures", str(GOLDEN / "leicester-2016q4"), "--period", "2016Q4", "--as-at", "2018-06-30", "--by", "sex", "--format", "csv")
    assert csv.stdout.splitlines()[0].startswith("group,")
    entries = reoffkit("entries", str(GOLDEN / "leicester-2016q4"), "--period", "2016Q4", "--as-at", "2018-06-30", "--format", "json")
    rows = json.loads(entries.stdout)
    assert len(rows) == 65 and sum(r["further_offences"] for r in rows) == 105


def test_a_file_with_mistakes_gets_every_problem_and_exit_code_2(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "people.csv").write_text("person_id,date_of_birth,sex,ethnicity,looked_after,district,yot_caseload\nA,32/01/2001,male,White,no,N,yes\nB,2001-01-01,x,White,no,N,yes\n")
    (folder / "outcomes.csv").write_text("person_id,offence_date,outcome_date,outcome_type,release_date,offence_type,gravity,breach\nA,2016-10-01,2016-10-15,warning,,theft,3,no\nC,2016-10-01,2016-10-15,fine,,theft,3,no\n")
    result = reoffkit("measures", str(folder), "--period", "2016Q4")
    assert result.returncode == 2
    assert result.stdout == ""
    for expected in ("people row 2, column date_of_birth", "people row 3, column sex", "outcomes row 2, column outcome_type", "outcomes row 3, column person_id"):
        assert expected in result.stderr
    assert "4 errors" in result.stderr and "nothing was computed" in result.stderr


def test_bad_arguments_are_explained():
    result = reoffkit("measures", str(GOLDEN / "leicester-2016q4"), "--period", "2016-Q5")
    assert result.returncode == 2 and "not a calendar quarter like 2016Q4" in result.stderr


def test_performance_writes_tables_charts_and_a_summary(tmp_path):
    """West Mercia's four areas as a partnership, with a reference file of one extra comparator."""
    extra = tmp_path / "comparator.csv"
    extra.write_text(
        "area,area_type,cohort_basis,period_start,period_end,cohort_size,reoffenders,reoffences,binary_rate,reoffences_per_reoffender,source\n"
        "Family average,family,quarter,2014-04-01,2014-06-30,,,,0.39,3.1,a test comparator\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = reoffkit(
        "performance", str(GOLDEN / "west-mercia-2014-15"), "--as-at", "2015-09-30", "--out", str(out), "--reference", str(extra),
        "--service", "Herefordshire", "--service", "Shropshire", "--service", "Telford and Wrekin", "--service", "Worcestershire",
    )
    assert result.returncode == 0, result.stderr
    tables = {p.stem for p in (out / "tables").glob("*.csv")}
    assert tables == {"live", "trend", "reference_series", "official", "in_follow_up", "curve"}
    charts = {p.name for p in (out / "charts").iterdir()}
    for name in ("live", "trend-binary", "trend-per-reoffender", "in-follow-up", "curve"):
        assert {f"{name}.svg", f"{name}.png"} <= charts
        assert (out / "charts" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["label"] == "local, modelled — not official" and len(summary["areas"]) == 4
    assert summary["live"] and all("national_binary_now" in row for row in summary["live"])
    assert "Family average" in (out / "tables" / "reference_series.csv").read_text(encoding="utf-8")
    assert "Wrote 6 tables, 5 charts" in result.stdout


def test_performance_refuses_a_reference_file_with_a_mistake(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "area,area_type,cohort_basis,period_start,period_end,cohort_size,reoffenders,reoffences,binary_rate,reoffences_per_reoffender,source\n"
        "Testshire,local_authority,quarter,2016-10-01,2016-12-31,65,29,105,44.6,,a typo\n",
        encoding="utf-8",
    )
    result = reoffkit("performance", str(GOLDEN / "leicester-2016q4"), "--out", str(tmp_path / "out"), "--reference", str(bad))
    assert result.returncode == 2
    assert "reference figures row 2, column binary_rate: '44.6' — expected a fraction from 0 to 1" in result.stderr
    assert not (tmp_path / "out").exists()
