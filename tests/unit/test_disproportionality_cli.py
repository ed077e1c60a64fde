"""``reoffkit disproportionality``: the same numbers as the report, written as tables, charts,
findings and a summary; every problem of bad input at once, and exit code 2."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import polars as pl
import pytest

from disproportionality_service import POPULATION, service
from reoffkit.casefile import write_case_file
from reoffkit.cli import main

POPULATION_HEADINGS = ["area_code", "area", "ethnic_group", "population_10_17", "year", "source"]


def population_file(path, counts=POPULATION.counts, area="Testshire"):
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(POPULATION_HEADINGS)
        for group, count in counts.items():
            writer.writerow(["E06000099", area, group, count, 2021, "a test table"])
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dispro")
    people, outcomes, assessments = service().frames()
    case_file = write_case_file({"people": people, "outcomes": outcomes, "assessments": assessments}, folder / "case-file")
    return case_file, population_file(folder / "population.csv")


def run(files, out, *extra: str) -> int:
    case_file, population = files
    return main(["disproportionality", str(case_file), "--period", "2016Q4", "--as-at", "2030-01-01", "--population", str(population), "--out", str(out), *extra])


def test_it_writes_the_reports_numbers(files, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(files, out, "--pies") == 0
    assert {p.stem for p in (out / "tables").glob("*.csv")} == {"stages", "completeness", "sensitivity", "trend", "population"}
    assert {p.name for p in (out / "charts").iterdir()} == {f"{n}.{f}" for n in ("population", "pies", "forest", "trend") for f in ("svg", "png")}
    stages = pl.read_csv(out / "tables" / "stages.csv")
    black = stages.filter((pl.col("stage") == "entered_cohort") & (pl.col("group") == "Black")).row(0, named=True)
    # 30 of 1,000 against 60 of 6,000 (worked in test_disproportionality_engine.py): 3.0 (1.945 to 4.626)
    assert (black["count"], black["base"], black["rate"], black["verdict"]) == (30, 1000, 30.0, "over")
    assert (round(black["rri"], 3), round(black["rri_low"], 3), round(black["rri_high"], 3)) == (3.0, 1.945, 4.626)
    asian = stages.filter((pl.col("stage") == "entered_cohort") & (pl.col("group") == "Asian")).row(0, named=True)
    assert asian["count"] == 3  # inside the service, small counts are written
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["scheme"] == "self_defined" and summary["period"] == "2016Q4" and summary["shared"] is False
    assert summary["population"]["Black"] == 1000 and "Testshire (E06000099)" in summary["population"]["label"]
    assert summary["findings"][0]["text"].startswith("Entered the cohort: Black children entered the cohort at 3.00 times")
    findings = (out / "findings.md").read_text(encoding="utf-8")
    assert "Ethnicity: Self-defined (2021 Census ethnic group, five groups)" in findings and "index of 3.00 (95% interval 1.95 to 4.63)" in findings
    assert "Wrote 5 tables, 4 charts" in capsys.readouterr().out


def test_for_sharing_small_counts_are_withheld(files, tmp_path):
    out = tmp_path / "shared"
    assert run(files, out, "--shared") == 0
    stages = pl.read_csv(out / "tables" / "stages.csv")
    assert stages.filter((pl.col("count") > 0) & (pl.col("count") < 5)).is_empty()
    assert stages.filter((pl.col("stage") == "entered_cohort") & (pl.col("group") == "Asian"))["count"][0] is None
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["shared"] is True and "entered_cohort/Asian" in summary["withheld_cells"]


def test_a_population_smaller_than_the_children_counted_stops_it(files, tmp_path, capsys):
    case_file, _ = files
    small = population_file(tmp_path / "small.csv", {**POPULATION.counts, "Asian": 2})
    assert run((case_file, small), tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "population row 4, column population_10_17: '2' — expected a population of at least 3 Asian children" in err
    assert not (tmp_path / "out").exists()


def test_bad_input_gets_every_problem_and_exit_code_2(tmp_path):
    """A case file with an error and a population table with two: all three listed, nothing written."""
    case_file = tmp_path / "case-file"
    case_file.mkdir()
    (case_file / "people.csv").write_text(
        "person_id,date_of_birth,sex,ethnicity,ethnicity_scheme,looked_after,district,yot_caseload\nA,2001-01-01,male,Mixed,officer_observed,no,N,yes\n",
        encoding="utf-8",
    )
    (case_file / "outcomes.csv").write_text("person_id,offence_date,outcome_date,outcome_type,release_date,offence_type,gravity,breach\n", encoding="utf-8")
    population = tmp_path / "population.csv"
    population.write_text("area,ethnic_group,population_10_17\nTestshire,White,6000\nTestshire,Black,-3\nTestshire,Mixed,many\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "reoffkit.cli", "disproportionality", str(case_file), "--period", "2016Q4", "--population", str(population), "--out", str(tmp_path / "out")],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "population row 3, column population_10_17: '-3' — expected a whole number of children, 0 or more (a population cannot be negative)" in result.stderr
    assert "population row 4, column population_10_17: 'many' — expected a whole number of children, 0 or more" in result.stderr
    assert "people row 2, column ethnicity: 'Mixed' — expected one of White, Black, Asian, Other or Not known" in result.stderr
    assert not (tmp_path / "out").exists()
    several = main(["disproportionality", str(case_file), "--period", "2016Q4", "--out", str(tmp_path / "out")])
    assert several == 2  # the shipped table has three areas: --area is needed
