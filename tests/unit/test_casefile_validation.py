"""Every kind of problem, reported on the right sheet, row and column — and all of them at once."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from casefile_files import (
    ACTIONS,
    ASSESSMENTS,
    GOOD_OUTCOME,
    GOOD_PERSON,
    OUTCOMES,
    PEOPLE,
    TODAY,
    csv_folder,
    found,
    minimal,
    workbook,
)

from reoffkit.casefile import Problem, format_problems, read_case_file

DATE = "a date like 2016-10-15 or 15/10/2016"


def person(**changes: str) -> list[str]:
    row = dict(zip(PEOPLE, GOOD_PERSON))
    row.update(changes)
    return [row[c] for c in PEOPLE]


def offence(**changes: str) -> list[str]:
    row = dict(zip(OUTCOMES, GOOD_OUTCOME))
    row.update(changes)
    return [row[c] for c in OUTCOMES]


def read(tmp_path, **files):
    return read_case_file(csv_folder(tmp_path / "case-file", minimal(**files)), today=TODAY)


def only(case_file) -> Problem:
    assert len(case_file.problems) == 1, case_file.problems
    return case_file.problems[0]


# One problem at a time: (sheet, column, severity, the value shown, words the expectation must hold)
ONE_PROBLEM = {
    "impossible date": ({"outcomes": [OUTCOMES, offence(outcome_date="31/02/2017")]}, "outcomes", "outcome_date", "error", "31/02/2017", DATE),
    "two-digit year": ({"outcomes": [OUTCOMES, offence(outcome_date="15/10/16")]}, "outcomes", "outcome_date", "error", "15/10/16", "four-digit year"),
    "month first": ({"outcomes": [OUTCOMES, offence(outcome_date="10/15/2016")]}, "outcomes", "outcome_date", "error", "10/15/2016", "day first"),
    "Excel number in CSV": ({"outcomes": [OUTCOMES, offence(outcome_date="42658")]}, "outcomes", "outcome_date", "error", "42658", "lost its format"),
    "words for a date": ({"people": [PEOPLE, person(date_of_birth="June 2001")]}, "people", "date_of_birth", "error", "June 2001", DATE),
    "before 1900": ({"people": [PEOPLE, person(date_of_birth="1899-12-31")]}, "people", "date_of_birth", "error", "1899-12-31", "from 01/01/1900"),
    "born in the future": ({"people": [PEOPLE, person(date_of_birth="2026-11-25")]}, "people", "date_of_birth", "error", "2026-11-25", "no later than today (2026-11-24)"),
    "offence in the future": ({"outcomes": [OUTCOMES, offence(offence_date="2027-01-01", outcome_date="", outcome_type="charged")]}, "outcomes", "offence_date", "error", "2027-01-01", "no later than today"),
    "due date far ahead": (
        {"actions": [ACTIONS, ["A1", "2016-11-01", "further offence", "review", "pending", "", "2106-11-15", "", ""]]},
        "actions", "due_on", "error", "2106-11-15", "before 2036-11-24",
    ),
    "unknown sex": ({"people": [PEOPLE, person(sex="x")]}, "people", "sex", "error", "x", "one of: male, female, other, not known"),
    "unknown ethnicity": ({"people": [PEOPLE, person(ethnicity="Purple")]}, "people", "ethnicity", "error", "Purple", "one of: White, Mixed, Asian, Black, Other, Not known"),
    "not yes or no": ({"people": [PEOPLE, person(looked_after="maybe")]}, "people", "looked_after", "error", "maybe", "yes or no"),
    "unknown outcome type": ({"outcomes": [OUTCOMES, offence(outcome_type="telling off")]}, "outcomes", "outcome_type", "error", "telling off", "youth_caution, youth_conditional_caution"),
    "gravity 9": ({"outcomes": [OUTCOMES, offence(gravity="9")]}, "outcomes", "gravity", "error", "9", "a whole number from 1 to 8"),
    "gravity 0": ({"outcomes": [OUTCOMES, offence(gravity="0")]}, "outcomes", "gravity", "error", "0", "a whole number from 1 to 8"),
    "gravity 2.5": ({"outcomes": [OUTCOMES, offence(gravity="2.5")]}, "outcomes", "gravity", "error", "2.5", "a whole number from 1 to 8"),
    "gravity in words": ({"outcomes": [OUTCOMES, offence(gravity="high")]}, "outcomes", "gravity", "error", "high", "a whole number from 1 to 8"),
    "person not in people": ({"outcomes": [OUTCOMES, offence(person_id="ZZ")]}, "outcomes", "person_id", "error", "ZZ", "listed in the people sheet"),
    "release from a caution": ({"outcomes": [OUTCOMES, offence(release_date="2016-12-01")]}, "outcomes", "release_date", "error", "2016-12-01", "only a custodial sentence"),
    "proven with no outcome date": ({"outcomes": [OUTCOMES, offence(outcome_type="referral order", outcome_date="")]}, "outcomes", "outcome_date", "error", None, "only charged or admitted"),
    "informal with no outcome date": ({"outcomes": [OUTCOMES, offence(outcome_type="NFA", outcome_date="")]}, "outcomes", "outcome_date", "error", None, "only charged or admitted"),
    "charged with an outcome date": ({"outcomes": [OUTCOMES, offence(outcome_type="charged")]}, "outcomes", "outcome_date", "warning", "2016-10-15", "not yet proven"),
    "blank person_id": ({"people": [PEOPLE, person(person_id="", pnc_id=""), person()]}, "people", "person_id", "error", None, "person_id must not be blank"),
    "blank date_of_birth": ({"people": [PEOPLE, person(date_of_birth=" ")]}, "people", "date_of_birth", "error", None, "must not be blank"),
    "blank offence_date": ({"outcomes": [OUTCOMES, offence(offence_date="")]}, "outcomes", "offence_date", "error", None, "must not be blank"),
    "blank outcome_type": ({"outcomes": [OUTCOMES, offence(outcome_type="")]}, "outcomes", "outcome_type", "error", None, "must not be blank"),
    "offence before the 10th birthday": ({"outcomes": [OUTCOMES, offence(offence_date="2011-05-31", outcome_date="2011-07-01")]}, "outcomes", "offence_date", "warning", "2011-05-31", "10th birthday"),
    "outcome before offence": ({"outcomes": [OUTCOMES, offence(outcome_date="2016-09-30")]}, "outcomes", "outcome_date", "error", "2016-09-30", "on or after the offence_date"),
    "release before sentence": (
        {"outcomes": [OUTCOMES, offence(outcome_type="DTO", outcome_date="2016-11-01", release_date="2016-10-31")]},
        "outcomes", "release_date", "error", "2016-10-31", "on or after the sentence date (outcome_date",
    ),
    "release still to come": (
        {"outcomes": [OUTCOMES, offence(outcome_type="s250", outcome_date="2025-11-01", offence_date="2025-06-01", release_date="2027-03-01")]},
        "outcomes", "release_date", "warning", "2027-03-01", "a release that has happened",
    ),
    "unknown assessment tool": ({"assessments": [ASSESSMENTS, ["A1", "2016-10-10", "ASSET-X", "20", "low", "standard"]]}, "assessments", "tool", "error", "ASSET-X", "one of: asset, assetplus, other"),
    "Asset score too high": ({"assessments": [ASSESSMENTS, ["A1", "2016-10-10", "asset", "65", "high", "intensive"]]}, "assessments", "score", "error", "65", "Asset score from 0 to 48"),
    "score not a number": ({"assessments": [ASSESSMENTS, ["A1", "2016-10-10", "assetplus", "n/a", "high", "intensive"]]}, "assessments", "score", "error", "n/a", "a number from 0 to 100"),
    "unknown band": ({"assessments": [ASSESSMENTS, ["A1", "2016-10-10", "assetplus", "40", "very high", "intensive"]]}, "assessments", "likelihood_band", "error", "very high", "one of: low, medium, high"),
    "unknown status": ({"actions": [ACTIONS, ["A1", "2016-11-01", "further offence", "review", "purple", "", "", "", ""]]}, "actions", "status", "error", "purple", "one of: required, pending, completed"),
    "completed with no date": ({"actions": [ACTIONS, ["A1", "2016-11-01", "further offence", "review", "done", "", "", "", ""]]}, "actions", "completed_on", "warning", None, "the date a completed action was completed"),
    "completed before raised": (
        {"actions": [ACTIONS, ["A1", "2016-11-01", "further offence", "review", "done", "", "", "2016-10-30", ""]]},
        "actions", "completed_on", "warning", "2016-10-30", "on or after raised_on",
    ),
    "action for a stranger": ({"actions": [ACTIONS, ["B9", "2016-11-01", "further offence", "review", "pending", "", "", "", ""]]}, "actions", "person_id", "error", "B9", "listed in the people sheet"),
}


@pytest.mark.parametrize("case", ONE_PROBLEM.values(), ids=ONE_PROBLEM.keys())
def test_each_kind_of_problem_names_its_sheet_row_column_value_and_what_was_expected(tmp_path, case):
    files, sheet, column, severity, value, expected = case
    problem = only(read(tmp_path, **files))
    assert (problem.sheet, problem.row, problem.column, problem.severity, problem.value) == (sheet, 2, column, severity, value)
    assert expected in problem.expected, problem.expected


def test_a_custodial_sentence_may_have_no_release_date_while_the_child_is_in_custody(tmp_path):
    case_file = read(tmp_path, outcomes=[OUTCOMES, offence(outcome_type="Detention and training order", release_date="")])
    assert case_file.problems == ()


def test_a_charged_offence_may_have_no_outcome_date(tmp_path):
    assert read(tmp_path, outcomes=[OUTCOMES, offence(outcome_type="admitted", outcome_date="")]).problems == ()


def test_a_duplicated_person_id_is_reported_on_each_row_naming_the_others(tmp_path):
    case_file = read(tmp_path, people=[PEOPLE, person(), person(pnc_id="15/999999Z"), person(person_id="A2", pnc_id="")])
    assert found(case_file) == {("people", 2, "person_id", "error"), ("people", 3, "person_id", "error")}
    assert [p.expected for p in case_file.problems] == ["a person_id used by one row only (also on row 3)", "a person_id used by one row only (also on row 2)"]


def test_a_child_listed_twice_is_held_to_the_first_rows_birth_date(tmp_path):
    # Born 2000 on the first row and 2010 on the second: an offence of 2015 is after the 10th
    # birthday by the first row, before it by the second. Each outcome is checked once.
    people = [PEOPLE, person(date_of_birth="2000-01-01"), person(date_of_birth="2010-01-01", pnc_id="")]
    outcomes = [OUTCOMES, offence(offence_date="2015-06-01", outcome_date="2015-07-01"), offence(offence_date="2015-06-02", outcome_date="2015-07-01")]
    case_file = read(tmp_path, people=people, outcomes=outcomes)
    assert found(case_file) == {("people", 2, "person_id", "error"), ("people", 3, "person_id", "error")}
    people[1], people[2] = people[2], people[1]
    (tmp_path / "swapped").mkdir()
    case_file = read(tmp_path / "swapped", people=people, outcomes=outcomes)
    assert {p for p in found(case_file) if p[0] == "outcomes"} == {("outcomes", 2, "offence_date", "warning"), ("outcomes", 3, "offence_date", "warning")}


def test_a_duplicated_outcome_id_is_an_error_and_long_lists_of_rows_are_cut_short(tmp_path):
    rows = [["outcome_id", *OUTCOMES]] + [["7", *offence()] for _ in range(8)] + [["8", *offence()]]
    case_file = read(tmp_path, outcomes=rows)
    assert found(case_file) == {("outcomes", row, "outcome_id", "error") for row in range(2, 10)}
    assert case_file.problems[0].expected == "an outcome_id used by one row only (also on row 3, 4, 5, 6, 7 and 2 more)"


def test_one_pnc_id_on_two_children_is_a_warning(tmp_path):
    case_file = read(tmp_path, people=[PEOPLE, person(), person(person_id="A2")])
    assert found(case_file) == {("people", 2, "pnc_id", "warning"), ("people", 3, "pnc_id", "warning")}
    assert "person_id A2 has it too" in case_file.problems[0].expected


def test_recorded_before_the_offence_is_a_warning(tmp_path):
    rows = [[*OUTCOMES, "recorded_on"], [*offence(), "2016-09-01"], [*offence(), "2016-10-02"]]
    assert found(read(tmp_path, outcomes=rows)) == {("outcomes", 2, "recorded_on", "warning")}


def test_every_problem_in_a_file_is_reported_at_once(tmp_path):
    path = workbook(
        tmp_path / "many.xlsx",
        {
            "people": [
                PEOPLE,
                ["A1", None, "31/02/2001", "male", "White", "no", "N", "yes"],  # row 2: no 31 February
                ["A1", None, "2001-06-01", "boy", "Purple", "maybe", "N", "yes"],  # row 3: repeated id, bad ethnicity, bad yes/no
                ["A2", None, "2001-06-01", "girl", "Black", "no", "S", "yes"],  # row 4: fine ("girl" is female)
            ],
            "outcomes": [
                OUTCOMES,
                ["A1", "2016-10-01", "2016-10-15", "referral order", None, "theft", 9, "no"],  # row 2: gravity 9
                ["ZZ", "2016-10-01", None, "fine", None, "theft", 3, "no"],  # row 3: unknown child, no outcome date
                ["A2", "2016-10-01", "2016-11-01", "caution", "2017-01-01", "theft", 3, "no"],  # row 4: release on a caution
                ["A2", "2016-10-01", "2016-09-01", "telling off", None, "theft", "3", "no"],  # row 5: unknown type; before offence
                ["A2", None, None, None, None, "theft", 3, "no"],  # row 6: two blank required values
            ],
            "actions": [ACTIONS, ["A2", "2016-12-01", "further offence", "review", "done", "", "", "", ""]],  # row 2: no completed_on
        },
    )
    case_file = read_case_file(path, today=TODAY)
    assert found(case_file) == {
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
        ("outcomes", 5, "outcome_date", "error"),
        ("outcomes", 6, "offence_date", "error"),
        ("outcomes", 6, "outcome_type", "error"),
        ("actions", 2, "completed_on", "warning"),
    }
    assert len(case_file.problems) == 14  # each once
    assert len(case_file.errors) == 13 and len(case_file.warnings) == 1 and not case_file.ok
    # nothing dropped: every row of every sheet is in the frames
    assert (case_file.people.height, case_file.outcomes.height, case_file.actions.height) == (3, 5, 1)


def test_problems_in_many_rows_are_all_kept_as_data(tmp_path):
    rows = [OUTCOMES] + [offence(gravity="10") for _ in range(3000)]
    case_file = read(tmp_path, outcomes=rows)
    assert found(case_file) == {("outcomes", row, "gravity", "error") for row in range(2, 3002)}


# Sheets, files and columns ------------------------------------------------------------------


def test_a_missing_column_is_reported_with_the_columns_found_and_the_rest_is_still_checked(tmp_path):
    people = [["person_id", "DOB", "sex", "ethnicity", "looked_after", "district", "yot_caseload"], ["A1", "2001-01-01", "x", "White", "no", "N", "yes"]]
    case_file = read(tmp_path, people=people)
    assert found(case_file) == {("people", 1, "date_of_birth", "error"), ("people", 2, "sex", "error")}
    missing = next(p for p in case_file.problems if p.column == "date_of_birth")
    assert missing.expected == "a column headed date_of_birth (columns found: person_id, DOB, sex, ethnicity, looked_after, district, yot_caseload)"
    # the people that are there are still known: no outcome is reported for an unknown child
    assert case_file.people["person_id"].to_list() == ["A1"]


def test_a_heading_given_twice_is_an_error(tmp_path):
    case_file = read(tmp_path, people=[[*PEOPLE, "Sex"], [*GOOD_PERSON, "female"]])
    assert found(case_file) == {("people", 1, "sex", "error")}
    assert case_file.people["sex"].to_list() == ["male"]


def test_values_under_no_heading_are_a_warning_not_lost_in_silence(tmp_path):
    case_file = read(tmp_path, people=[[*PEOPLE, ""], [*GOOD_PERSON, "note to self"]])
    problem = only(case_file)
    assert (problem.sheet, problem.row, problem.severity) == ("people", 1, "warning") and "column I" in problem.expected


def test_a_missing_sheet_lists_the_sheets_the_workbook_has(tmp_path):
    path = workbook(tmp_path / "no-outcomes.xlsx", {"People": [PEOPLE, GOOD_PERSON], "Notes": [["hello"]]})
    problem = only(read_case_file(path, today=TODAY))
    assert (problem.sheet, problem.row, problem.column, problem.severity) == ("outcomes", None, None, "error")
    assert problem.expected == "a sheet named outcomes (the workbook has: People, Notes)"


def test_a_missing_csv_file_lists_what_the_folder_holds(tmp_path):
    folder = csv_folder(tmp_path / "half", {"people": [PEOPLE, GOOD_PERSON], "offences": [OUTCOMES]})
    problem = only(read_case_file(folder, today=TODAY))
    assert problem.sheet == "outcomes" and problem.expected == "a file named outcomes.csv in the folder half (it holds: offences.csv, people.csv)"


def test_an_empty_required_sheet_is_an_error_and_one_with_headings_only_a_warning(tmp_path):
    path = workbook(tmp_path / "empty.xlsx", {"people": [], "outcomes": [OUTCOMES]})
    case_file = read_case_file(path, today=TODAY)
    assert found(case_file) == {("people", 1, None, "error"), ("outcomes", None, None, "warning")}


def test_an_empty_optional_csv_file_is_an_empty_frame(tmp_path):
    folder = csv_folder(tmp_path / "optional", minimal(assessments=[], actions=[ACTIONS]))
    case_file = read_case_file(folder, today=TODAY)
    assert case_file.problems == () and case_file.assessments.is_empty() and case_file.actions.is_empty()


# CSV files as spreadsheets save them -----------------------------------------------------------


def test_a_windows_csv_is_read_with_a_warning(tmp_path):
    folder = csv_folder(tmp_path / "windows", minimal(people=[PEOPLE, person(district="Bishop’s Café")]), encoding="cp1252")
    case_file = read_case_file(folder, today=TODAY)
    assert found(case_file) == {("people", None, None, "warning")}
    assert "UTF-8" in case_file.problems[0].expected
    assert case_file.people["district"].to_list() == ["Bishop’s Café"]


def test_an_excel_utf8_csv_with_a_byte_order_mark_reads(tmp_path):
    folder = csv_folder(tmp_path / "bom", minimal(people=[PEOPLE, person(district="Zoë’s")]), encoding="utf-8-sig")
    case_file = read_case_file(folder, today=TODAY)
    assert case_file.problems == () and case_file.people["district"].to_list() == ["Zoë’s"]


@pytest.mark.parametrize(
    ("delimiter", "suffix"), [("\t", ".txt"), ("\t", ".csv"), (",", ".csv")], ids=["unicode-text", "unicode-text-renamed-csv", "utf16-comma"]
)
def test_a_utf16_file_as_excel_saves_unicode_text_reads(tmp_path, delimiter, suffix):
    """Excel's "Unicode Text": UTF-16 with a byte order mark, tab-separated, saved as .txt."""
    files = minimal(people=[PEOPLE, person(district="Zoë’s"), person(person_id="A2", pnc_id="", district="Bishop’s, Café")])
    folder = csv_folder(tmp_path / "unicode", files, encoding="utf-16", delimiter=delimiter, suffix=suffix)
    assert (folder / f"people{suffix}").read_bytes()[:2] == b"\xff\xfe"
    case_file = read_case_file(folder, today=TODAY)
    assert case_file.problems == ()
    assert case_file.people["district"].to_list() == ["Zoë’s", "Bishop’s, Café"]
    assert case_file.outcomes["outcome_type"].to_list() == ["youth_caution"]


def test_a_long_row_of_a_tab_separated_file_is_found_on_its_row(tmp_path):
    folder = csv_folder(tmp_path / "unicode", minimal(), encoding="utf-16", delimiter="\t", suffix=".txt")
    with (folder / "outcomes.txt").open("a", encoding="utf-16-le", newline="") as file:
        file.write("A1\t2016-10-01\t2016-10-15\tfine\t\ttheft\t2\tno\textra\r\n")
    case_file = read_case_file(folder, today=TODAY)
    assert found(case_file) == {("outcomes", 3, None, "error")}
    assert case_file.problems[0].value == "extra" and "at most 8 values" in case_file.problems[0].expected


def zipped(path, folder, names=None):
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(folder.iterdir()):
            if names is None or file.name in names:
                archive.write(file, file.name)
    return path


def test_a_zip_of_the_csv_files_reads_like_the_folder(tmp_path):
    folder = csv_folder(tmp_path / "case-file", minimal(people=[PEOPLE, person(district="Zoë’s")]))
    from_zip, from_folder = read_case_file(zipped(tmp_path / "cohort.zip", folder), today=TODAY), read_case_file(folder, today=TODAY)
    assert from_zip.problems == () and from_zip.source == str(tmp_path / "cohort.zip")
    assert all(from_zip.frames()[sheet].equals(from_folder.frames()[sheet]) for sheet in from_folder.frames())


def test_a_zip_missing_a_sheet_is_reported_against_the_name_the_user_knows(tmp_path):
    folder = csv_folder(tmp_path / "case-file", minimal())
    archive = zipped(tmp_path / "stored-4f2a.zip", folder, names={"people.csv"})
    (problem,) = read_case_file(archive, today=TODAY).problems
    assert (problem.sheet, problem.row, problem.column, problem.severity) == ("outcomes", None, None, "error")
    assert problem.expected == "a file named outcomes.csv in stored-4f2a.zip (it holds: people.csv)"
    # an upload is stored under a name of the server's: the reader is told the name it was uploaded as
    (problem,) = read_case_file(archive, today=TODAY, name="Westvale cohort.zip").problems
    assert problem.expected == "a file named outcomes.csv in Westvale cohort.zip (it holds: people.csv)"


def test_a_whole_file_problem_names_the_file_as_the_user_knows_it(tmp_path):
    fake = tmp_path / "stored-4f2a.xlsx"
    fake.write_bytes(b"this is not a workbook")
    (problem,) = read_case_file(fake, today=TODAY, name="cohort.xlsx").problems
    assert problem.sheet == "cohort.xlsx" and "not one" in problem.expected


def test_a_row_with_more_values_than_headings_is_an_error_on_that_row(tmp_path):
    folder = csv_folder(tmp_path / "ragged", minimal())
    with (folder / "outcomes.csv").open("a") as file:
        file.write('A1,2016-10-01,2016-10-15,fine,,theft, from a shop,2,no\n')  # row 3: an unquoted comma
        file.write('A1,2016-10-01,2016-10-15,fine,,"theft, from a shop",2,no,,\n')  # row 4: quoted, trailing empties lose nothing
    case_file = read_case_file(folder, today=TODAY)
    assert found(case_file) == {("outcomes", 3, None, "error"), ("outcomes", 3, "gravity", "error"), ("outcomes", 3, "breach", "error")}
    ragged = next(p for p in case_file.problems if p.column is None)
    assert ragged.value == "no" and "at most 8 values" in ragged.expected
    assert case_file.outcomes["offence_type"].to_list() == ["theft", "theft", "theft, from a shop"]


def test_blank_lines_keep_the_row_numbers_the_user_sees(tmp_path):
    folder = csv_folder(tmp_path / "gaps", minimal())
    with (folder / "outcomes.csv").open("a") as file:
        file.write("\n,,,,,,,\n" + ",".join(offence(gravity="12")) + "\n")
    assert found(read_case_file(folder, today=TODAY)) == {("outcomes", 5, "gravity", "error")}


# Things that are not case files ----------------------------------------------------------------


def _docx(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return path


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("letter.docx", _docx, "this is a .docx file"),
        ("renamed.xlsx", _docx, "damaged or is not a workbook"),
        ("old.xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504), "old Excel 97–2003 (.xls) file"),
        ("locked.xlsx", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504), "password-protected"),
        ("text.xlsx", lambda p: p.write_text("person_id,date_of_birth\n"), "perhaps text renamed .xlsx"),
        ("people.csv", lambda p: p.write_text("person_id\n"), "a folder of CSV files, not one CSV file"),
        ("sheet.ods", lambda p: p.write_bytes(b"PK\x03\x04"), "OpenDocument"),
        ("missing.xlsx", lambda p: None, "nothing is at this path"),
    ],
)
def test_what_is_not_a_case_file_gets_one_clear_error_not_a_traceback(tmp_path, name, make, expected):
    path = tmp_path / name
    make(path)
    problem = only(read_case_file(path, today=TODAY))
    assert problem.severity == "error" and problem.sheet == name and problem.row is None
    assert expected in problem.expected, problem.expected


def test_a_damaged_workbook_is_a_problem(tmp_path):
    good = workbook(tmp_path / "good.xlsx", minimal())
    data = bytearray(good.read_bytes())
    data[len(data) // 3 : len(data) // 3 + 200] = b"\0" * 200
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(bytes(data))
    case_file = read_case_file(damaged, today=TODAY)
    assert not case_file.ok and any("damaged" in p.expected for p in case_file.errors)


def test_an_empty_folder_lacks_both_required_files(tmp_path):
    (tmp_path / "empty").mkdir()
    assert found(read_case_file(tmp_path / "empty", today=TODAY)) == {("people", None, None, "error"), ("outcomes", None, None, "error")}


# How problems read -----------------------------------------------------------------------------


def test_a_problem_reads_as_one_line():
    problem = Problem("outcomes", 14, "outcome_date", "31/02/2017", DATE, "error")
    assert str(problem) == "outcomes row 14, column outcome_date: '31/02/2017' — expected a date like 2016-10-15 or 15/10/2016"
    warning = Problem("outcomes", 3, "offence_date", "2011-05-31", "an offence on or after the child's 10th birthday", "warning")
    assert str(warning) == "warning: outcomes row 3, column offence_date: '2011-05-31' — expected an offence on or after the child's 10th birthday"
    assert str(Problem("outcomes", None, None, None, "a sheet named outcomes")) == "outcomes — expected a sheet named outcomes"


def test_format_problems_puts_errors_first_and_counts_what_it_does_not_show():
    problems = [
        Problem("outcomes", 3, "outcome_date", "2016-09-01", "an outcome on or after the offence date", "warning"),
        Problem("outcomes", 9, "gravity", "9", "a whole number from 1 to 8"),
        Problem("people", 4, "sex", "x", "one of: male"),
        Problem("outcomes", 2, "gravity", "0", "a whole number from 1 to 8"),
        Problem("book.xlsx", None, None, None, "something about the file"),
    ]
    assert format_problems(problems).splitlines() == [
        "4 errors, 1 warning",
        "book.xlsx — expected something about the file",
        "people row 4, column sex: 'x' — expected one of: male",
        "outcomes row 2, column gravity: '0' — expected a whole number from 1 to 8",
        "outcomes row 9, column gravity: '9' — expected a whole number from 1 to 8",
        "warning: outcomes row 3, column outcome_date: '2016-09-01' — expected an outcome on or after the offence date",
    ]
    assert format_problems(problems, limit=2).splitlines()[3:] == [
        "… and 3 more not shown: 2 errors in outcomes, column gravity; 1 warning in outcomes, column outcome_date",
    ]
    assert format_problems([]) == "no problems"


def test_the_reader_never_raises_for_odd_content(tmp_path):
    path = workbook(
        tmp_path / "odd.xlsx",
        {
            "people": [PEOPLE, [1001, None, True, 3.5, dt.time(12, 0), "#REF!", None, "yes"]],
            "outcomes": [OUTCOMES, [1001, -5, 10**9, "", "", "", "lots", 2]],
        },
    )
    case_file = read_case_file(path, today=TODAY)
    assert not case_file.ok
    assert {p.column for p in case_file.errors} >= {"date_of_birth", "sex", "ethnicity", "offence_date", "outcome_type", "gravity", "breach"}
