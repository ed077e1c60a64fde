"""How a case file records ethnicity: the scheme, the detailed category and the group it gives;
old case files (group only) read as before, as self-defined."""

from __future__ import annotations

from casefile_files import GOOD_OUTCOME, OUTCOMES, PEOPLE, TODAY, csv_folder, found, minimal, workbook
from reoffkit.casefile import read_case_file, write_case_file

HEADINGS = [*PEOPLE, "ethnicity_scheme", "ethnicity_detail"]


def person(pid: str, ethnicity: str, scheme: str, detail: str) -> list[str]:
    return [pid, "", "2001-06-01", "male", ethnicity, "no", "North", "yes", scheme, detail]


def read(tmp_path, rows: list[list[str]]):
    outcomes = [OUTCOMES] + [[row[0], *GOOD_OUTCOME[1:]] for row in rows]
    return read_case_file(csv_folder(tmp_path / "case-file", minimal(people=[HEADINGS, *rows], outcomes=outcomes)), today=TODAY)


def test_an_old_case_file_reads_as_before_with_no_scheme(tmp_path):
    case_file = read_case_file(csv_folder(tmp_path / "old", minimal()), today=TODAY)
    assert case_file.problems == ()
    assert case_file.people.select("ethnicity", "ethnicity_scheme", "ethnicity_detail").row(0) == ("White", None, None)


def test_a_detailed_category_gives_the_group_and_the_scheme(tmp_path):
    case_file = read(
        tmp_path,
        [
            person("A1", "", "", "Indian"),  # a census category by its name after the colon
            person("A2", "", "", "Black, Black British, Black Welsh, Caribbean or African: Caribbean"),  # as ONS labels it
            person("A3", "", "", "MWBC"),  # a school-census code
            person("A4", "", "officer observed", "ic5"),  # police code: Other in four groups
            person("A5", "Asian", "", "Chinese"),  # 2021 Census: Chinese is Asian
            person("A6", "", "", "Refused"),
            person("A7", "Black", "police", ""),  # a group and a scheme without detail
        ],
    )
    assert case_file.problems == ()
    assert case_file.people.select("person_id", "ethnicity", "ethnicity_scheme", "ethnicity_detail").rows() == [
        ("A1", "Asian", "self_defined", "asian_indian"),
        ("A2", "Black", "self_defined", "black_caribbean"),
        ("A3", "Mixed", "self_defined", "mixed_white_black_caribbean"),
        ("A4", "Other", "officer_observed", "IC5"),
        ("A5", "Asian", "self_defined", "asian_chinese"),
        ("A6", "Not known", "self_defined", "not_stated"),
        ("A7", "Black", "officer_observed", None),
    ]


def test_disagreements_are_errors_on_the_row_and_column(tmp_path):
    case_file = read(
        tmp_path,
        [
            person("A1", "Black", "", "Indian"),  # row 2: the detail's group is Asian
            person("A2", "", "self_defined", "IC3"),  # row 3: a police code on a self-defined row
            person("A3", "", "officer_observed", "Pakistani"),  # row 4: a census category on an officer-observed row
            person("A4", "Mixed", "officer_observed", ""),  # row 5: the police codes have no Mixed group
            person("A5", "", "census", "Purple"),  # row 6: not a category at all
            person("A6", "", "by guess", ""),  # row 7: not a scheme
        ],
    )
    assert found(case_file) == {
        ("people", 2, "ethnicity", "error"),
        ("people", 3, "ethnicity_detail", "error"),
        ("people", 4, "ethnicity_detail", "error"),
        ("people", 5, "ethnicity", "error"),
        ("people", 6, "ethnicity_detail", "error"),
        ("people", 7, "ethnicity_scheme", "error"),
    }
    said = {(p.row, p.column): (p.value, p.expected) for p in case_file.problems}
    assert said[(2, "ethnicity")] == ("Black", "Asian, the group of the ethnicity_detail given on this row (or leave ethnicity blank)")
    assert said[(3, "ethnicity_detail")][1].startswith("a 2021 Census ethnic group category, since ethnicity_scheme is self_defined")
    assert said[(4, "ethnicity_detail")][1].startswith("a police identity code (IC1, IC2, IC3, IC4, IC5, IC6, IC0, IC9)")
    assert "no Mixed group" in said[(5, "ethnicity")][1]
    assert said[(6, "ethnicity_detail")][0] == "Purple" and "white_british" in said[(6, "ethnicity_detail")][1]
    assert said[(7, "ethnicity_scheme")][1].startswith("one of: self_defined, officer_observed")


def test_the_scheme_and_detail_survive_a_round_trip_through_a_workbook(tmp_path):
    case_file = read(tmp_path, [person("A1", "", "", "Roma"), person("A2", "", "", "IC4")])
    written = write_case_file(case_file.frames(), tmp_path / "again.xlsx")
    again = read_case_file(written, today=TODAY)
    assert again.problems == ()
    assert again.people.equals(case_file.people)
    # and from a workbook a user typed, by the full ONS label
    typed = workbook(
        tmp_path / "typed.xlsx",
        {"people": [HEADINGS, person("A1", "", "", "White: Gypsy or Irish Traveller")], "outcomes": [OUTCOMES, GOOD_OUTCOME]},
    )
    assert read_case_file(typed, today=TODAY).people.select("ethnicity", "ethnicity_detail").row(0) == ("White", "white_gypsy_irish_traveller")
