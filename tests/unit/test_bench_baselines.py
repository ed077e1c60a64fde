"""The benchmark's baselines (pandas 3 and DuckDB SQL) count exactly as the engine does, from the
same case file, so that timing them against it compares like with like. No timing here."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import duckdb_baseline  # noqa: E402
import pandas_baseline  # noqa: E402
import run  # noqa: E402

from reoffkit.casefile import read_case_file, write_case_file  # noqa: E402
from reoffkit.engine import codes  # noqa: E402
from reoffkit.synthetic import generate  # noqa: E402


def _long(frame) -> pl.DataFrame:
    frame = frame if isinstance(frame, pl.DataFrame) else pl.from_pandas(frame)
    return frame.select(*(pl.col(k).cast(pl.String) for k in run.KEYS), *(pl.col(c).cast(pl.Int64) for c in run.COUNTS)).sort(run.KEYS)


def _three_ways(source: Path) -> dict[str, pl.DataFrame]:
    case_file = read_case_file(source, today=run.AS_AT)
    assert case_file.ok, case_file.errors[:3]
    engine, _ = run.engine_count({"people": case_file.people, "outcomes": case_file.outcomes, "assessments": case_file.assessments})
    frames = pandas_baseline.read_and_check(source, run.AS_AT, codes.OUTCOME_TYPES, run._vocabularies())
    connection = duckdb_baseline.connect()
    duckdb_baseline.read_and_check(connection, source, run.AS_AT, codes.OUTCOME_TYPES, run._vocabularies())
    return {"engine": _long(engine), "pandas": _long(run.pandas_count(frames)), "duckdb": _long(run.duckdb_count(connection))}


def test_a_hand_worked_case_file_counts_the_same_three_ways(tmp_path):
    # Period 2023Q1–2025Q4, as at 30 June 2026.
    # A (born 1 May 2008): caution 10 Feb 2023 → entry 2023Q1 at 14. Offence 1 Jun 2023, referral
    #   order 1 Aug 2023: committed after 10 Feb 2023 and by 10 Feb 2024, proven by 10 Aug 2024 →
    #   1 further offence of the 2023Q1 entry; it is also A's entry in 2023Q3 (aged 15). Offence
    #   1 Mar 2024, fine 1 Apr 2024: after the 2023Q1 entry's follow-up (10 Feb 2024), but within the
    #   2023Q3 entry's (to 1 Aug 2024), proven by 1 Feb 2025 → 1 further offence of 2023Q3; and A's
    #   2024Q2 entry, with nothing after it.
    # B (born 1 Jan 2014): caution 1 Mar 2023 at 9 → no entry.
    # C (born 15 Mar 2007): detention, sentenced 5 Jan 2023, released 20 Apr 2023 → entry 2023Q2 at
    #   16. Offence 1 May 2023 proven 1 Dec 2024, after 20 Oct 2024 (18 months) → not counted; the
    #   YRO of 1 Dec 2024 is C's 2024Q4 entry (aged 17), with nothing after it.
    # A breach on 1 Sep 2023 (A, referral order, breach = yes) counts nowhere.
    # D (born 20 Mar 2013): caution 10 Mar 2023 at 9, referral order 25 Mar 2023 at 10. The first
    #   event of 2023Q1 is the index, and D is 9 on it: no entry (the later one does not stand in).
    # So male, by quarter: 2023Q1 1 / 1 / 1, 2023Q2 1 / 0 / 0, 2023Q3 1 / 1 / 1, 2024Q2 1 / 0 / 0,
    # 2024Q4 1 / 0 / 0 (cohort / reoffenders / reoffences); the whole period 5 / 2 / 2.
    people = pl.DataFrame(
        {"person_id": ["A", "B", "C", "D"], "service": ["S"] * 4, "date_of_birth": ["2008-05-01", "2014-01-01", "2007-03-15", "2013-03-20"],
         "sex": ["male", "female", "male", "male"], "ethnicity": ["White"] * 4, "looked_after": [False] * 4, "district": ["D"] * 4, "yot_caseload": [True] * 4}
    ).with_columns(pl.col("date_of_birth").str.to_date())
    outcomes = pl.DataFrame(
        {
            "outcome_id": [1, 2, 3, 4, 5, 6, 7, 8, 9],
            "person_id": ["A", "A", "A", "B", "C", "C", "A", "D", "D"],
            "offence_date": ["2023-01-20", "2023-06-01", "2024-03-01", "2023-01-02", "2022-11-01", "2023-05-01", "2023-09-01", "2023-03-01", "2023-03-05"],
            "outcome_date": ["2023-02-10", "2023-08-01", "2024-04-01", "2023-03-01", "2023-01-05", "2024-12-01", "2023-09-10", "2023-03-10", "2023-03-25"],
            "outcome_type": ["youth_caution", "referral_order", "fine", "youth_caution", "dto", "yro", "referral_order", "youth_caution", "referral_order"],
            "release_date": [None, None, None, None, "2023-04-20", None, None, None, None],
            "gravity": [2, 3, 3, 2, 5, 4, 2, 2, 3],
            "breach": [False, False, False, False, False, False, True, False, False],
        }
    ).with_columns(pl.col("offence_date", "outcome_date", "release_date").str.to_date())
    write_case_file({"people": people, "outcomes": outcomes}, tmp_path / "case-file")
    counted = _three_ways(tmp_path / "case-file")
    sex = counted["engine"].filter(pl.col("field") == "sex", pl.col("group") == "male").select("quarter", *run.COUNTS).rows()
    assert sex == [("2023Q1", 1, 1, 1), ("2023Q2", 1, 0, 0), ("2023Q3", 1, 1, 1), ("2024Q2", 1, 0, 0), ("2024Q4", 1, 0, 0), ("all", 5, 2, 2)]
    assert counted["pandas"].equals(counted["engine"])
    assert counted["duckdb"].equals(counted["engine"])


@pytest.mark.parametrize("form", ["case-file", "case-file.xlsx"])
def test_each_baseline_agrees_with_the_engine_on_a_generated_file(tmp_path, form):
    frames = generate(["North", "South"], first_quarter=run.FIRST_QUARTER - 4, quarters=run.QUARTERS + 4, children_per_quarter=5, as_at=run.AS_AT, seed=3)
    source = write_case_file(frames, tmp_path / form)
    counted = _three_ways(source)
    assert counted["engine"].height > 300  # every field's groups, by quarter and for the period
    assert counted["pandas"].equals(counted["engine"])
    assert counted["duckdb"].equals(counted["engine"])


def test_a_baseline_that_counts_differently_is_named_group_by_group(tmp_path):
    (tmp_path / "results").mkdir()
    engine = pl.DataFrame({"service": ["S", "S"], "quarter": ["2023Q1", "all"], "field": ["sex"] * 2, "group": ["male"] * 2,
                           "cohort_size": [3, 3], "reoffenders": [1, 1], "reoffences": [2, 2]})
    engine.write_parquet(tmp_path / "results" / "count-engine.parquet")
    engine.with_columns(pl.when(pl.col("quarter") == "all").then(3).otherwise(2).alias("reoffences")).write_parquet(tmp_path / "results" / "count-pandas.parquet")
    groups, differ = run.differences(tmp_path, "count-pandas")
    assert groups == 2
    assert differ.select("quarter", "reoffences", "reoffences_other").rows() == [("all", 2, 3)]


def test_the_baselines_refuse_a_case_file_they_cannot_count(tmp_path):
    people = pl.DataFrame({"person_id": ["A"], "date_of_birth": ["2008-05-01"], "sex": ["boy"]})
    outcomes = pl.DataFrame({"outcome_id": [1, 1], "person_id": ["A", "Z"], "offence_date": ["2023-01-20", "31/01/2023"], "outcome_type": ["youth_caution", "youth_caution"]})
    folder = tmp_path / "case-file"
    folder.mkdir()
    people.write_csv(folder / "people.csv")
    outcomes.write_csv(folder / "outcomes.csv")
    pl.DataFrame({"person_id": [], "assessment_date": [], "tool": []}, schema={c: pl.String for c in ("person_id", "assessment_date", "tool")}).write_csv(folder / "assessments.csv")
    expected = ["people.sex: not a code (1 rows)", "outcomes.offence_date: not a date (1 rows)", "outcomes.outcome_id: repeated (2 rows)", "outcomes.person_id: not in people (1 rows)"]
    with pytest.raises(pandas_baseline.CaseFileProblems) as pandas_error:
        pandas_baseline.read_and_check(folder, run.AS_AT, codes.OUTCOME_TYPES, run._vocabularies())
    with pytest.raises(pandas_baseline.CaseFileProblems) as duckdb_error:
        duckdb_baseline.read_and_check(duckdb_baseline.connect(), folder, run.AS_AT, codes.OUTCOME_TYPES, run._vocabularies())
    for error in (pandas_error, duckdb_error):
        assert all(problem in str(error.value) for problem in expected), str(error.value)
