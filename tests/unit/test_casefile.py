"""The case-file reader: real workbooks and CSV folders, every problem reported, nothing guessed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook

from reoffkit.casefile import read_case_file, write_case_file
from reoffkit.engine import codes
from reoffkit.engine.schema import conform

D = dt.date
TODAY = D(2026, 11, 24)
DOCS = Path(__file__).resolve().parents[2] / "docs"

PEOPLE_HEADER = ["person_id", "pnc_id", "date_of_birth", "sex", "ethnicity", "looked_after", "district", "yot_caseload"]
OUTCOMES_HEADER = ["person_id", "offence_date", "outcome_date", "outcome_type", "release_date", "offence_type", "gravity", "breach"]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def csv_folder(path: Path, files: dict[str, str]) -> Path:
    path.mkdir()
    for name, text in files.items():
        (path / f"{name}.csv").write_text(text)
    return path


def problems_of(case_file) -> set[tuple]:
    return {(p.sheet, p.row, p.column, p.severity) for p in case_file.problems}


def test_a_good_workbook_reads_to_exact_frames_with_dates_in_three_forms(tmp_path):
    path = workbook(
        tmp_path / "good.xlsx",
        {
            "People": [PEOPLE_HEADER, ["A1", "14/123456A", dt.datetime(2001, 6, 1), "Male", "white", "No", "North", "yes"],
                       ["A2", None, "15/10/2002", "f", "Black", "Y", "South", "no"]],
            "outcomes": [OUTCOMES_HEADER, ["A1", "2016-10-01", dt.datetime(2016, 10, 15), "Youth Caution", None, "theft", 3, "no"],
                         ["A2", D(2016, 9, 1), "01/11/2016", "YRO", None, "robbery", 5.0, "No"],
                         ["A2", D(2016, 12, 1), None, "charged", None, None, None, None]],
        },
    )
    case_file = read_case_file(path, today=TODAY)
    assert case_file.ok and case_file.problems == ()
    expected_people = conform(
        pl.DataFrame(
            {
                "person_id": ["A1", "A2"], "pnc_id": ["14/123456A", None], "date_of_birth": [D(2001, 6, 1), D(2002, 10, 15)],
                "sex": ["male", "female"], "ethnicity": ["White", "Black"], "looked_after": [False, True],
                "district": ["North", "South"], "yot_caseload": [True, False],
            }
        ),
        "people",
    )
    assert case_file.people.equals(expected_people)
    outcomes = case_file.outcomes
    assert outcomes["outcome_id"].to_list() == [1, 2, 3]
    assert outcomes["outcome_type"].to_list() == ["youth_caution", "yro", "charged"]
    assert outcomes["outcome_date"].to_list() == [D(2016, 10, 15), D(2016, 11, 1), None]
    assert outcomes["gravity"].to_list() == [3, 5, None]
    assert case_file.assessments.is_empty() and case_file.actions.is_empty()


def test_every_problem_is_reported_at_once_with_row_column_and_value(tmp_path):
    folder = csv_folder(
        tmp_path / "bad",
        {
            "people": "person_id,date_of_birth,sex,ethnicity,looked_after,district,yot_caseload\n"
            "A1,31/02/2001,male,White,no,N,yes\n"  # row 2: no 31 February
            "A1,2001-06-01,boy,Purple,maybe,N,yes\n",  # row 3: duplicate id, bad ethnicity and yes/no
            "outcomes": "person_id,offence_date,outcome_date,outcome_type,release_date,offence_type,gravity,breach\n"
            "A1,2016-10-01,2016-10-15,referral order,,theft,9,no\n"  # row 2: gravity 9
            "ZZ,2016-10-01,,fine,,theft,3,no\n"  # row 3: unknown person, proven type without date
            "A1,2016-10-01,2016-11-01,caution,2017-01-01,theft,3,no\n"  # row 4: release on non-custody
            "A1,2016-10-01,2016-11-01,telling off,,theft,3,no\n",  # row 5: unknown outcome type
        },
    )
    case_file = read_case_file(folder, today=TODAY)
    assert not case_file.ok
    assert problems_of(case_file) >= {
        ("people", 2, "date_of_birth", "error"),
        ("people", 2, "person_id", "error"),
        ("people", 3, "person_id", "error"),
        ("people", 3, "ethnicity", "error"),
        ("people", 3, "looked_after", "error"),
        ("outcomes", 2, "gravity", "error"),
        ("outcomes", 3, "person_id", "error"),
        ("outcomes", 3, "outcome_date", "error"),
        ("outcomes", 4, "release_date", "error"),
        ("outcomes", 5, "outcome_type", "error"),
    }
    unknown = next(p for p in case_file.problems if p.column == "outcome_type")
    assert unknown.value == "telling off" and "referral_order" in unknown.expected
    assert str(unknown).startswith("error: outcomes row 5, column outcome_type: 'telling off' — expected one of:")
    # "boy" is a synonym of male, so it is not a problem
    assert ("people", 3, "sex", "error") not in problems_of(case_file)


def test_warnings_are_listed_and_do_not_stop(tmp_path):
    folder = csv_folder(
        tmp_path / "warn",
        {
            "people": "person_id,date_of_birth,sex,ethnicity,looked_after,district,yot_caseload\nA1,2008-01-01,male,White,no,N,yes\n",
            "outcomes": "person_id,offence_date,outcome_date,outcome_type,release_date,offence_type,gravity,breach\n"
            "A1,2017-06-01,2018-02-01,youth caution,,theft,2,no\n"  # before the 10th birthday
            "A1,2019-06-01,2019-05-01,fine,,theft,2,no\n",  # outcome before offence
        },
    )
    case_file = read_case_file(folder, today=TODAY)
    assert case_file.ok
    assert problems_of(case_file) == {("outcomes", 2, "offence_date", "warning"), ("outcomes", 3, "outcome_date", "warning")}


def test_missing_sheets_and_columns_say_what_was_found(tmp_path):
    path = workbook(tmp_path / "missing.xlsx", {"people": [["person_id", "dob"], ["A1", "2001-01-01"]]})
    case_file = read_case_file(path, today=TODAY)
    messages = [str(p) for p in case_file.problems]
    assert any("column date_of_birth" in m and "columns found: person_id, dob" in m for m in messages)
    assert any(p.sheet == "outcomes" and "a sheet named outcomes" in p.expected for p in case_file.problems)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("notes.docx", b"PK\x03\x04 not really", "an .xlsx workbook or a folder of CSV files"),
        ("fake.xlsx", b"just some text", "this file is not one"),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "password-protected"),
    ],
)
def test_wrong_file_types_get_a_clear_message_not_a_traceback(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    case_file = read_case_file(path, today=TODAY)
    assert not case_file.ok and any(expected in p.expected for p in case_file.errors)


def test_a_path_that_does_not_exist(tmp_path):
    case_file = read_case_file(tmp_path / "nowhere.xlsx")
    assert not case_file.ok and "exists" in case_file.errors[0].expected


def test_future_dates_are_refused_where_they_cannot_be(tmp_path):
    folder = csv_folder(
        tmp_path / "future",
        {
            "people": "person_id,date_of_birth,sex,ethnicity,looked_after,district,yot_caseload\nA1,2001-01-01,male,White,no,N,yes\n",
            "outcomes": "person_id,offence_date,outcome_date,outcome_type,release_date,offence_type,gravity,breach\nA1,2026-12-01,,charged,,theft,2,no\n",
        },
    )
    case_file = read_case_file(folder, today=TODAY)
    assert ("outcomes", 2, "offence_date", "error") in problems_of(case_file)


@pytest.mark.parametrize("target", ["round.xlsx", "round-csv"])
def test_round_trip_through_the_writer_gives_the_same_frames(tmp_path, target):
    from reoffkit.synthetic import generate, services_named

    frames = generate(services_named(["Testshire"]), first_quarter=2016 * 4, quarters=3, children_per_quarter=15, as_at=D(2017, 6, 30), seed=5)
    path = write_case_file(frames, tmp_path / target)
    case_file = read_case_file(path, today=TODAY)
    assert case_file.errors == ()
    for name, frame in frames.items():
        assert getattr(case_file, name).equals(frame), name


def test_the_documentation_lists_every_code(tmp_path):
    text = (DOCS / "case-file.md").read_text()
    for outcome_type in codes.OUTCOME_TYPES:
        assert f"`{outcome_type.code}`" in text, outcome_type.code
    for vocabulary in ("sex", "ethnicity", "tool", "likelihood_band", "intervention_level", "trigger", "action", "status"):
        for code in codes.SYNONYMS[vocabulary]:
            assert re.search(rf"`{re.escape(code)}`", text), code


def test_the_example_file_reads_without_errors():
    case_file = read_case_file(DOCS / "examples" / "case-file-example.xlsx", today=TODAY)
    assert case_file.ok, case_file.problems
    assert case_file.people.height >= 5 and case_file.outcomes.height >= 10
