"""Population tables: the tidy layout and the 2021 Census download, as CSV and .xlsx; every problem
named by row, column and value; areas added up; the shipped figures and their totals."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from engine_universe import D
from reoffkit.casefile import CaseFileError
from reoffkit.engine import codes
from reoffkit.engine.disproportionality import Disproportionality
from reoffkit.reference.population import read_population, shipped_population

TIDY = ["area_code", "area", "ethnic_group", "sex", "population_10_17", "source"]
GROUPS = ("White", "Mixed", "Asian", "Black", "Other")


def write_csv(path: Path, rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)
    return path


def tidy(counts: dict[str, int], area: str = "Testshire", code: str = "E06000099", sex: str = "all") -> list[list]:
    return [[code, area, group, sex, str(count), "Test table"] for group, count in counts.items()]


def problems_of(path: Path) -> list[tuple]:
    with pytest.raises(CaseFileError) as error:
        read_population(path)
    return [(p.row, p.column, p.value, p.expected) for p in error.value.problems]


def test_a_tidy_csv_with_two_areas_added_up(tmp_path):
    rows = [TIDY, *tidy({"White": 6000, "Mixed": 400, "Asian": 500, "Black": 1000, "Other": 100})]
    rows += tidy({"White": 3000, "Mixed": 100, "Asian": 200, "Black": 300, "Other": 50}, area="Otherby", code="E06000098")
    table = read_population(write_csv(tmp_path / "population.csv", rows))
    assert [a.label for a in table.areas] == ["Testshire (E06000099)", "Otherby (E06000098)"]
    one = table.population(["E06000099"])
    assert one.counts == {"White": 6000, "Mixed": 400, "Asian": 500, "Black": 1000, "Other": 100} and one.total == 8000
    # Testshire and Otherby, by name in any case: 6000 + 3000, 400 + 100, 500 + 200, 1000 + 300, 100 + 50
    both = table.population(["testshire", "OTHERBY"])
    assert both.counts == {"White": 9000, "Mixed": 500, "Asian": 700, "Black": 1300, "Other": 150}
    assert both.label == "Testshire (E06000099), Otherby (E06000098): children aged 10–17 — Test table"
    with pytest.raises(CaseFileError, match="an area of the table"):
        table.population(["Nowhere"])


def test_by_sex_is_added_up_and_an_xlsx_reads_the_same(tmp_path):
    rows = [TIDY, *tidy(dict.fromkeys(GROUPS, 10), sex="male"), *tidy(dict.fromkeys(GROUPS, 15), sex="female")]
    book = Workbook()
    book.active.title = "notes"
    sheet = book.create_sheet("Population")
    for row in rows:
        sheet.append([int(v) if v.isdigit() else v for v in row])
    book.save(tmp_path / "population.xlsx")
    from_xlsx = read_population(tmp_path / "population.xlsx").population(["Testshire"])
    from_csv = read_population(write_csv(tmp_path / "population.csv", rows)).population(["Testshire"])
    assert from_xlsx.counts == from_csv.counts == dict.fromkeys(GROUPS, 25)  # 10 boys + 15 girls


def test_every_problem_of_a_tidy_table_with_its_row_and_column(tmp_path):
    rows = [
        TIDY,
        ["E1", "Testshire", "White", "all", "6000", ""],  # row 2
        ["E1", "Testshire", "Mixed", "all", "-40", ""],  # row 3: negative
        ["E1", "Testshire", "Asian", "all", "lots", ""],  # row 4: not a number
        ["E1", "Testshire", "Purple", "all", "10", ""],  # row 5: not a group
        ["E1", "Testshire", "Black", "both sexes?", "10", ""],  # row 6: not a sex
        ["E1", "Testshire", "Not known", "all", "10", ""],  # row 7: a population has no Not known group
    ]
    found = problems_of(write_csv(tmp_path / "bad.csv", rows))
    assert found == [
        (3, "population_10_17", "-40", "a whole number of children, 0 or more (a population cannot be negative)"),
        (4, "population_10_17", "lots", "a whole number of children, 0 or more"),
        (5, "ethnic_group", "Purple", "one of: White, Mixed, Asian, Black, Other (the groups of the self-defined scheme)"),
        (6, "sex", "both sexes?", "all, male or female (blank: all)"),
        (7, "ethnic_group", "Not known", "one of: White, Mixed, Asian, Black, Other (the groups of the self-defined scheme)"),
        # the rows with a mistake still count as there; no row at all is given for Other
        (2, "ethnic_group", None, "a row for every group of Testshire: Other missing"),
    ]


def test_missing_groups_duplicates_sexes_twice_and_an_unknown_scheme(tmp_path):
    missing = [TIDY, *tidy({"White": 6000, "Mixed": 400, "Asian": 500})]
    assert problems_of(write_csv(tmp_path / "missing.csv", missing)) == [
        (2, "ethnic_group", None, "a row for every group of Testshire: Black, Other missing")
    ]
    twice = [TIDY, *tidy(dict.fromkeys(GROUPS, 5)), ["E06000099", "Testshire", "Black", "all", "7", ""]]
    assert problems_of(write_csv(tmp_path / "twice.csv", twice)) == [
        (7, "ethnic_group", "Black", "one row per area, group and sex (row 5 has Testshire, Black, all)")
    ]
    mixed_sexes = [TIDY, *tidy(dict.fromkeys(GROUPS, 5)), *tidy(dict.fromkeys(GROUPS, 2), sex="male")]
    assert problems_of(write_csv(tmp_path / "sexes.csv", mixed_sexes)) == [
        (2, "sex", "all", "either all children or male and female for Testshire, not both (they would be counted twice)")
    ]
    scheme = [[*TIDY, "scheme"], ["E1", "Testshire", "White", "all", "5", "", "by guess"]]
    assert problems_of(write_csv(tmp_path / "scheme.csv", scheme))[0] == (
        2, "scheme", "by guess", "one of: self_defined, officer_observed (blank: self_defined)"
    )
    headings = [["area", "group", "children"], ["Testshire", "White", "5"]]
    (row, column, value, expected), = problems_of(write_csv(tmp_path / "headings.csv", headings))
    assert (row, column) == (1, None) and "missing ethnic_group, population_10_17" in expected


def test_an_officer_observed_table_has_four_groups(tmp_path):
    rows = [[*TIDY, "scheme"], *([*r, "officer_observed"] for r in tidy({"White": 600, "Black": 100, "Asian": 50, "Other": 20}))]
    table = read_population(write_csv(tmp_path / "police.csv", rows))
    assert table.scheme == "officer_observed"
    assert table.population(["Testshire"]).counts == {"White": 600, "Black": 100, "Asian": 50, "Other": 20}
    mixed = [[*TIDY, "scheme"], *([*r, "officer_observed"] for r in tidy({"White": 600, "Mixed": 5, "Black": 100, "Asian": 50, "Other": 20}))]
    assert problems_of(write_csv(tmp_path / "mixed.csv", mixed))[0][:3] == (3, "ethnic_group", "Mixed")


CENSUS = [
    "Lower tier local authorities Code", "Lower tier local authorities", "Ethnic group (20 categories) Code", "Ethnic group (20 categories)",
    "Age (91 categories) Code", "Age (91 categories)", "Sex (2 categories) Code", "Sex (2 categories)", "Observation",
]


def census_rows(ages=range(9, 19), *, count=lambda age: age) -> list[list]:
    """Testshire: every 2021 Census category, both sexes, each age; ``count(age)`` children each."""
    rows = [CENSUS]
    categories = [c for c in codes.ETHNIC_CATEGORIES if c.scheme == "self_defined" and c.group != "Not known"]
    for number, category in enumerate([None, *categories]):
        label = "Does not apply" if category is None else category.label
        for age in ages:
            for sex_code, sex in ((1, "Female"), (2, "Male")):
                observation = 0 if category is None else count(age)
                rows.append(["E06000099", "Testshire", -8 if category is None else number, label, age, f"Aged {age} years", sex_code, sex, observation])
    return rows


def test_the_2021_census_download_keeps_ages_10_to_17_and_adds_up_the_categories(tmp_path):
    table = read_population(write_csv(tmp_path / "RM032.csv", census_rows()))
    # each category, sex and age has `age` children: ages 10..17 give 10+11+...+17 = 108 a sex, 216 both.
    # White has 5 categories (216 × 5 = 1,080), Mixed 4 (864), Asian 5 (1,080), Black 3 (648), Other 2 (432);
    # ages 9 and 18 and "Does not apply" are left out
    assert table.population(["E06000099"]).counts == {"White": 1080, "Mixed": 864, "Asian": 1080, "Black": 648, "Other": 432}
    assert {r.sex for r in table.rows} == {"male", "female"} and table.rows[0].year == 2021
    assert "Census 2021" in table.population(["Testshire"]).label
    book = Workbook()
    sheet = book.active
    sheet.title = "Dataset"
    for row in census_rows():
        sheet.append(row)
    book.save(tmp_path / "RM032.xlsx")
    assert read_population(tmp_path / "RM032.xlsx").population(["Testshire"]).counts == table.population(["Testshire"]).counts


def test_census_bands_that_cross_17_and_missing_ages_are_refused(tmp_path):
    rows = census_rows(ages=range(10, 15))
    rows += [[*row[:4], 15, "Aged 15 to 19 years", *row[6:]] for row in census_rows(ages=[15])[1:]]
    found = problems_of(write_csv(tmp_path / "bands.csv", rows))
    bands = [p for p in found if p[2] == "Aged 15 to 19 years"]
    assert len(bands) == 1 and bands[0][1] == "Age (91 categories)" and "single years of age" in bands[0][3]
    assert (None, "Age (91 categories)", "E06000099", "every age from 10 to 17 (missing 15, 16, 17)") in found
    bad = census_rows(ages=range(10, 18))  # list item k is spreadsheet row k + 1 (rows 2-17: "Does not apply")
    bad[20][-1] = "n/a"
    bad[30][3] = "Martian"
    found = problems_of(write_csv(tmp_path / "bad.csv", bad))
    assert (21, "Observation", "n/a", "a whole number of children, 0 or more") in found
    assert any(p[:3] == (31, "Ethnic group (20 categories)", "Martian") for p in found)


def test_the_shipped_figures_and_their_source():
    table = shipped_population()
    england_and_wales = table.population(["K04000001"])
    # 2021 Census, children aged 10-17 in England and Wales: 4,162,229 + 330,447 + 663,858 + 333,600 + 145,425
    assert england_and_wales.counts == {"White": 4162229, "Mixed": 330447, "Asian": 663858, "Black": 333600, "Other": 145425}
    assert england_and_wales.total == 5_635_559
    # Telford and Wrekin by sex: White 7,533 + 7,932; Mixed 544 + 561; Asian 656 + 690; Black 417 + 434; Other 96 + 109
    assert table.population(["Telford and Wrekin"]).counts == {"White": 15465, "Mixed": 1105, "Asian": 1346, "Black": 851, "Other": 205}
    assert "Census 2021 dataset RM032: Ethnic group by age by sex" in england_and_wales.label and "(Office for National Statistics, " in england_and_wales.label
    assert {r.source for r in table.rows} == {
        "Census 2021 dataset RM032: Ethnic group by age by sex, Open Government Licence v3.0 (Office for National Statistics, figures as at Census day 21 March 2021)"
    }


def test_a_population_smaller_than_the_children_counted_is_named(tmp_path):
    table = read_population(write_csv(tmp_path / "population.csv", [TIDY, *tidy({"White": 6000, "Mixed": 400, "Asian": 2, "Black": 1000, "Other": 100})]))
    from reoffkit.engine import Period

    result = Disproportionality(
        period=Period.parse("2016Q4"), as_at=D(2020, 1, 1), scheme="self_defined", population=None, provisional=False,
        table=None, completeness=None, sensitivity=None, stages=(), population_shortfalls=(("Asian", "entered_cohort", 3, 2),),
    )
    (problem,) = table.shortfalls(["Testshire"], result)
    assert (problem.row, problem.column, problem.value) == (4, "population_10_17", "2")
    assert problem.expected == "a population of at least 3 Asian children: the service counted 3 (entered the cohort, 2016Q4) — check the figures and the areas chosen"
