"""The case-file reader on good files: exact frames from real workbooks and CSV folders."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from casefile_files import (
    ACTIONS,
    ASSESSMENTS,
    OUTCOMES,
    PEOPLE,
    TODAY,
    D,
    csv_folder,
    found,
    minimal,
    workbook,
)

from reoffkit.casefile import (
    CaseFile,
    CaseFileError,
    Problem,
    load_case_file,
    read_case_file,
    write_case_file,
)
from reoffkit.engine import codes
from reoffkit.engine.schema import SCHEMAS, conform

GOOD_OUTCOME_ROW = ["A1", "2016-10-01", "2016-10-15", "fine", "", "theft", "2", "no"]

EXPECTED_PEOPLE = conform(
    pl.DataFrame(
        {
            "person_id": ["A1", "A2", "A3"],
            "pnc_id": ["14/123456A", None, None],
            "date_of_birth": [D(2001, 6, 1), D(2002, 10, 15), D(2003, 3, 5)],
            "sex": ["male", "female", "not known"],
            "ethnicity": ["White", "Black", "Mixed"],
            "looked_after": [False, True, None],
            "district": ["North", "South", None],
            "yot_caseload": [True, False, True],
        }
    ),
    "people",
)

EXPECTED_OUTCOMES = conform(
    pl.DataFrame(
        {
            "outcome_id": [1, 2, 3, 4],
            "person_id": ["A1", "A2", "A2", "A3"],
            "offence_date": [D(2016, 10, 1), D(2016, 9, 1), D(2016, 12, 1), D(2016, 5, 4)],
            "outcome_date": [D(2016, 10, 15), D(2016, 11, 1), None, D(2016, 6, 20)],
            "outcome_type": ["youth_caution", "yro", "charged", "dto"],
            "release_date": [None, None, None, None],
            "offence_type": ["theft", "robbery", None, "burglary"],
            "gravity": [3, 5, None, 6],
            "breach": [False, False, None, False],
        }
    ),
    "outcomes",
)


def test_a_workbook_reads_to_exact_frames_whatever_the_date_form_and_wording(tmp_path):
    path = workbook(
        tmp_path / "good.xlsx",
        {
            # sheet and heading names as people write them; an extra column is ignored
            "People": [
                ["Person ID", "PNC ID", "Date of Birth", "Sex", "Ethnicity", "Looked after", "District", "YOT caseload", "Key worker"],
                ["A1", "14/123456A", dt.datetime(2001, 6, 1), "Male", "white", "No", "North", "yes", "Sam"],
                ["A2", None, "15/10/2002", "f", "Black or Black British", "Y", "South", False],
                [None] * 8,  # a blank row is skipped
                ["A3", None, "2003-03-05", "unknown", "dual heritage", None, None, 1],
            ],
            "outcomes": [
                OUTCOMES,
                ["A1", "2016-10-01", dt.datetime(2016, 10, 15), "Youth Caution", None, "theft", 3, "no"],
                ["A2", D(2016, 9, 1), "01/11/2016", "YRO", None, "robbery", 5.0, "No"],
                ["A2", dt.datetime(2016, 12, 1, 14, 30), None, "charged", None, None, None, None],
                # custody not yet released: no release date is right; 42494 is 4 May 2016 as an Excel serial number
                ["A3", 42494, "20-06-2016", "Detention and Training Order", None, "burglary", "6", "n"],
            ],
            "assessments": [],
            "actions": [ACTIONS],
        },
    )
    case_file = read_case_file(path, today=TODAY)
    assert case_file.problems == ()
    assert case_file.ok
    assert case_file.people.equals(EXPECTED_PEOPLE)
    assert case_file.outcomes.equals(EXPECTED_OUTCOMES)
    assert case_file.assessments.equals(pl.DataFrame(schema=SCHEMAS["assessments"]))
    assert case_file.actions.equals(pl.DataFrame(schema=SCHEMAS["actions"]))
    assert case_file.source == str(path)


def test_a_csv_folder_reads_to_the_same_frames_and_optional_files_may_be_missing(tmp_path):
    folder = csv_folder(
        tmp_path / "good",
        {
            "people": [
                PEOPLE,
                ["A1", "14/123456A", "01/06/2001", "MALE", "W", "false", "North", "1"],
                ["A2", "", "2002-10-15", "girl", "black", "true", "South", "n"],
                ["A3", "", "5/3/2003", "Not Known", "Mixed", "", "", "y"],
            ],
            "outcomes": [
                OUTCOMES,
                ["A1", "2016-10-01", "15/10/2016", "caution", "", "theft", "3", "no"],
                ["A2", "01/09/2016", "2016-11-01 00:00:00", "Youth Rehabilitation Order", "", "robbery", "5.0", "no"],
                ["A2", "2016-12-01", "", "Charge", "", "", "", ""],
                ["A3", "2016-05-04", "2016-06-20", "detention & training order", "", "burglary", "6", "no"],
            ],
        },
    )
    case_file = read_case_file(folder, today=TODAY)
    assert case_file.problems == ()
    assert case_file.people.equals(EXPECTED_PEOPLE)
    assert case_file.outcomes.equals(EXPECTED_OUTCOMES)
    assert case_file.assessments.is_empty() and case_file.assessments.schema == pl.Schema(SCHEMAS["assessments"])
    assert case_file.actions.is_empty() and case_file.actions.schema == pl.Schema(SCHEMAS["actions"])


def test_assessments_and_actions_read_with_their_codes_and_synonyms(tmp_path):
    folder = csv_folder(
        tmp_path / "more",
        minimal(
            assessments=[ASSESSMENTS, ["A1", "2016-10-10", "Asset Plus", "38", "Med", "Enhanced"], ["A1", "01/03/2017", "asset", "12.5", "L", "standard"]],
            actions=[
                ACTIONS,
                ["A1", "2016-11-01", "Further offence", "Re-assessment", "Action required – not completed", "J. Patel", "2016-11-15", "", "call school"],
                ["A1", "2016-11-01", "review due", "No action", "Green", "", "", "2016-11-02", ""],
            ],
        ),
    )
    case_file = read_case_file(folder, today=TODAY)
    assert case_file.problems == ()
    assert case_file.assessments.equals(
        conform(
            pl.DataFrame(
                {
                    "person_id": ["A1", "A1"],
                    "assessment_date": [D(2016, 10, 10), D(2017, 3, 1)],
                    "tool": ["assetplus", "asset"],
                    "score": [38.0, 12.5],
                    "likelihood_band": ["medium", "low"],
                    "intervention_level": ["enhanced", "standard"],
                }
            ),
            "assessments",
        )
    )
    assert case_file.actions.equals(
        conform(
            pl.DataFrame(
                {
                    "person_id": ["A1", "A1"],
                    "raised_on": [D(2016, 11, 1), D(2016, 11, 1)],
                    "trigger": ["further_offence", "periodic_review"],
                    "action": ["re_assessment", "no_action"],
                    "status": ["required", "completed"],
                    "owner": ["J. Patel", None],
                    "due_on": [D(2016, 11, 15), None],
                    "completed_on": [None, D(2016, 11, 2)],
                    "notes": ["call school", None],
                }
            ),
            "actions",
        )
    )


@pytest.mark.parametrize("synonym", [w for t in codes.OUTCOME_TYPES for w in (t.code, t.label, *t.synonyms)])
def test_every_outcome_type_word_in_the_code_list_is_read(tmp_path, synonym):
    code = codes.outcome_type_lookup()[codes.normalise_word(synonym)]
    tier = codes.outcome_type_table()[code].tier
    outcome_date = "" if tier == "unproven" else "2016-10-15"
    folder = csv_folder(tmp_path / "words", minimal(outcomes=[OUTCOMES, ["A1", "2016-10-01", outcome_date, synonym.upper(), "", "theft", "2", "no"]]))
    case_file = read_case_file(folder, today=TODAY)
    assert case_file.problems == ()
    assert case_file.outcomes["outcome_type"].to_list() == [code]


def test_without_an_outcome_id_column_each_offence_is_numbered_by_its_row(tmp_path):
    rows = [OUTCOMES, ["A1", "2016-10-01", "2016-10-15", "fine", "", "theft", "2", "no"], [""] * 8, ["A1", "2016-11-01", "2016-11-15", "fine", "", "theft", "2", "no"]]
    case_file = read_case_file(csv_folder(tmp_path / "rows", minimal(outcomes=rows)), today=TODAY)
    assert case_file.problems == ()
    assert case_file.outcomes["outcome_id"].to_list() == [1, 3]  # spreadsheet rows 2 and 4; the blank row 3 keeps its number


def test_a_workbook_with_headings_below_a_blank_row_numbers_rows_as_excel_shows_them(tmp_path):
    path = workbook(
        tmp_path / "lower.xlsx",
        {
            "people": [[None], [None], PEOPLE, ["A1", None, "2001-06-01", "male", "White", "no", "N", "yes"]],
            "outcomes": [[None], OUTCOMES, ["A1", "2016-10-01", "2016-10-15", "fine", None, "theft", 2, "no"], ["A1", "2016-11-01", "2016-11-45", "fine", None, "theft", 2, "no"]],
        },
    )
    case_file = read_case_file(path, today=TODAY)
    assert found(case_file) == {("outcomes", 4, "outcome_date", "error")}
    assert case_file.outcomes["outcome_id"].to_list() == [1, 2]  # the first row under the heading is 1


def test_an_outcome_id_column_left_blank_is_as_good_as_none_but_a_part_blank_one_is_an_error(tmp_path):
    header = ["outcome_id", *OUTCOMES]
    all_blank = [header, ["", *GOOD_OUTCOME_ROW], ["", *GOOD_OUTCOME_ROW]]
    case_file = read_case_file(csv_folder(tmp_path / "blank", minimal(outcomes=all_blank)), today=TODAY)
    assert case_file.problems == () and case_file.outcomes["outcome_id"].to_list() == [1, 2]
    given = [header, ["70", *GOOD_OUTCOME_ROW], ["71.0", *GOOD_OUTCOME_ROW]]
    case_file = read_case_file(csv_folder(tmp_path / "given", minimal(outcomes=given)), today=TODAY)
    assert case_file.problems == () and case_file.outcomes["outcome_id"].to_list() == [70, 71]
    part = [header, ["70", *GOOD_OUTCOME_ROW], ["", *GOOD_OUTCOME_ROW]]
    case_file = read_case_file(csv_folder(tmp_path / "part", minimal(outcomes=part)), today=TODAY)
    assert found(case_file) == {("outcomes", 3, "outcome_id", "error")}


def _universe() -> dict[str, pl.DataFrame]:
    """Frames with every column, nulls in the optional ones and two services."""
    people = pl.DataFrame(
        {
            "person_id": ["N1", "N2", "S1"],
            "pnc_id": ["16/1A", None, "15/22B"],
            "service": ["North YJS", "North YJS", "South YOT"],
            "date_of_birth": [D(2000, 2, 29), D(2001, 12, 31), D(2002, 1, 1)],
            "sex": ["male", "female", "other"],
            "ethnicity": ["Asian", "Not known", "Other"],
            "looked_after": [True, False, None],
            "district": ["Ashby", None, "Coalville"],
            "yot_caseload": [False, True, True],
        }
    )
    outcomes = pl.DataFrame(
        {
            "outcome_id": [10, 11, 12, 13, 20],
            "person_id": ["N1", "N1", "N1", "N2", "S1"],
            "offence_date": [D(2016, 9, 30), D(2016, 11, 5), D(2017, 1, 2), D(2016, 10, 10), D(2016, 12, 24)],
            "outcome_date": [D(2016, 10, 3), D(2017, 2, 1), None, D(2016, 12, 1), D(2017, 1, 31)],
            "outcome_type": ["s250", "bind_over", "admitted", "yro_iss", "no_further_action"],
            "release_date": [D(2016, 12, 15), None, None, None, None],
            "offence_type": ["wounding", "theft, from a shop", None, "robbery", "criminal damage"],
            "gravity": [7, 2, None, 6, 1],
            "breach": [False, True, None, False, False],
            "recorded_on": [None, D(2016, 11, 7), D(2017, 1, 3), None, None],
        }
    )
    assessments = pl.DataFrame(
        {
            "person_id": ["N1", "S1"],
            "assessment_date": [D(2016, 9, 1), D(2016, 12, 30)],
            "tool": ["asset", "other"],
            "score": [31.0, None],
            "likelihood_band": ["medium", None],
            "intervention_level": ["intensive", "standard"],
        }
    )
    actions = pl.DataFrame(
        {
            "person_id": ["N1", "N2"],
            "raised_on": [D(2016, 11, 8), D(2017, 1, 5)],
            "trigger": ["further_offence", "changed_circumstances"],
            "action": ["breach", "review"],
            "status": ["pending", "completed"],
            "owner": ["K. Ahmed", None],
            "due_on": [D(2016, 11, 22), None],
            "completed_on": [None, D(2017, 1, 6)],
            "notes": ['Said "not me"; mum present\nsecond line', None],
        }
    )
    return {name: conform(frame, name) for name, frame in {"people": people, "outcomes": outcomes, "assessments": assessments, "actions": actions}.items()}


@pytest.mark.parametrize("target", ["round-trip.xlsx", "round-trip-csv"])
def test_what_the_writer_writes_reads_back_to_equal_frames(tmp_path, target):
    frames = _universe()
    case_file = read_case_file(write_case_file(frames, tmp_path / target), today=TODAY)
    assert case_file.problems == ()
    for name, frame in frames.items():
        assert getattr(case_file, name).equals(frame), name


def test_frames_match_the_engine_schema_even_when_the_file_has_errors(tmp_path):
    folder = csv_folder(
        tmp_path / "bad",
        minimal(outcomes=[["person_id", "offence_date", "outcome_type"], ["A1", "yesterday", "fine"], ["A1", "2016-10-01", "telling off"]]),
    )
    case_file = read_case_file(folder, today=TODAY)
    assert not case_file.ok
    for name in ("people", "outcomes", "assessments", "actions"):
        assert getattr(case_file, name).schema == pl.Schema(SCHEMAS[name])
    # no row is dropped: the unreadable values are left empty
    assert case_file.outcomes["offence_date"].to_list() == [None, D(2016, 10, 1)]
    assert case_file.outcomes["outcome_type"].to_list() == ["fine", None]


def test_a_service_may_read_its_own_outcome_types(tmp_path):
    diversion = codes.OutcomeType("diversion", "Diversion", "informal", ("turnaround",))
    folder = csv_folder(tmp_path / "own", minimal(outcomes=[OUTCOMES, ["A1", "2016-10-01", "2016-10-15", "Turnaround", "", "theft", "2", "no"]]))
    assert not read_case_file(folder, today=TODAY).ok
    case_file = read_case_file(folder, today=TODAY, outcome_types=(*codes.OUTCOME_TYPES, diversion))
    assert case_file.problems == () and case_file.outcomes["outcome_type"].to_list() == ["diversion"]


def test_a_warning_does_not_stop_a_file_and_load_raises_only_for_errors(tmp_path):
    warned = csv_folder(tmp_path / "warned", minimal(outcomes=[OUTCOMES, ["A1", "2016-10-01", "2016-10-15", "charged", "", "theft", "2", "no"]]))
    case_file = load_case_file(warned, today=TODAY)
    assert isinstance(case_file, CaseFile) and case_file.ok
    assert case_file.errors == () and found(case_file) == {("outcomes", 2, "outcome_date", "warning")}
    assert case_file.warnings == case_file.problems

    broken = csv_folder(tmp_path / "broken", minimal(outcomes=[OUTCOMES, ["A1", "2016-10-01", "2016-10-15", "charged", "", "theft", "9", "no"]]))
    with pytest.raises(CaseFileError) as raised:
        load_case_file(broken, today=TODAY)
    assert {(p.column, p.severity) for p in raised.value.problems} == {("gravity", "error"), ("outcome_date", "warning")}
    assert "outcomes row 2, column gravity: '9' — expected a whole number from 1 to 8" in str(raised.value)


def test_the_real_date_is_today_when_none_is_given(tmp_path):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    folder = csv_folder(tmp_path / "clock", minimal(outcomes=[OUTCOMES, ["A1", tomorrow, "", "charged", "", "theft", "2", "no"]]))
    assert found(read_case_file(folder)) == {("outcomes", 2, "offence_date", "error")}


def test_problem_is_a_frozen_value_with_a_checked_severity():
    problem = Problem("people", 2, "sex", "x", "one of: male", "error")
    with pytest.raises(AttributeError):
        problem.row = 3  # type: ignore[misc]
    with pytest.raises(ValueError):
        Problem("people", 2, "sex", "x", "one of: male", "fatal")
