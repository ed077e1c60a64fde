"""Area-level figures and areas: the shipped real figures, the synthetic national table, and every
mistake of a loaded file reported with its sheet, row, column, value and what was expected."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from reoffkit.casefile import CaseFileError
from reoffkit.reference.areas import (
    AREA_COLUMNS,
    FIGURE_COLUMNS,
    combine,
    read_area_file,
    read_stratum_rates,
    shipped_area_data,
    shipped_old_method_data,
)
from reoffkit.reference.synthetic_national import DEMO_SERVICES, REGIONS, synthetic_national, synthetic_stratum_rates

DATA = Path(__file__).resolve().parents[2] / "src" / "reoffkit" / "reference" / "data"
HEAD = ",".join(FIGURE_COLUMNS)
SOURCE = "Example table (Example Council; 1 May 2024)"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, **options) -> list[str]:
    with pytest.raises(CaseFileError) as caught:
        read_area_file(path, **options)
    return [str(p) for p in caught.value.problems]


def test_shipped_real_figures_each_name_their_source_and_keep_the_methods_apart():
    data = shipped_area_data()
    for name in ("area_figures_published.csv", "area_figures_published_old_method.csv"):
        with (DATA / name).open(encoding="utf-8") as handle:
            assert all(row["source"] and "(" in row["source"] for row in csv.DictReader(handle))
    assert {f.cohort_basis for f in data.figures} <= {"quarter", "aggregated_quarters"}
    leicester = next(f for f in data.figures if f.area_name == "Leicester" and f.period_start == dt.date(2016, 10, 1))
    assert (leicester.cohort_size, leicester.reoffenders, leicester.reoffences) == (65, 29, 105)
    assert leicester.frequency_rate == pytest.approx(105 / 65)
    old = shipped_old_method_data()
    assert {f.cohort_basis for f in old.figures} == {"annual_12m_old_method"}
    assert {f.area_name for f in old.figures} >= {"West Mercia", "Herefordshire", "Shropshire", "Telford and Wrekin", "Worcestershire"}
    assert data.area("West Mercia").lower_tier == ("Herefordshire", "Shropshire", "Telford and Wrekin", "Worcestershire")
    assert not data.synthetic


def test_synthetic_national_table_is_labelled_and_national_in_shape():
    data = synthetic_national()
    services = [a for a in data.areas if a.area_type == "youth_justice_service"]
    assert 150 <= len(services) <= 160
    assert {a.region for a in services} == set(REGIONS)
    assert {a.area_name for a in services} >= set(DEMO_SERVICES)
    assert all(len(a.family) == 10 and a.area_code not in a.family for a in services)
    assert data.synthetic and all("SYNTHETIC" in f.source for f in data.figures)
    frame = data.figures_frame()
    years = frame.filter(cohort_basis="aggregated_quarters", area_type="youth_justice_service")
    assert years["period_start"].n_unique() >= 3
    assert 10 <= years["cohort_size"].min() and years["cohort_size"].max() <= 700
    england_wales = frame.filter(cohort_basis="aggregated_quarters", area_name="England and Wales")
    assert 0.25 < (england_wales["reoffenders"].sum() / england_wales["cohort_size"].sum()) < 0.42
    assert synthetic_national() == data  # seeded
    rates = synthetic_stratum_rates()
    assert rates.height == 8 * 2 * 4 and rates["binary_rate"].is_between(0, 1).all()


def test_a_good_csv_and_a_workbook_with_both_sheets_read(tmp_path):
    path = write(tmp_path, "figures.csv", f"{HEAD}\nA1,Alpha,youth_justice_service,aggregated_quarters,2022-04-01,2023-03-31,100,35,120,0.35,1.2,,,,{SOURCE}\n")
    data = read_area_file(path)
    assert data.figures[0].binary_rate == 0.35 and data.figures[0].frequency_rate == 1.2
    book = Workbook()
    sheet = book.active
    sheet.title = "Area figures"
    sheet.append(list(FIGURE_COLUMNS))
    sheet.append(["A1", "Alpha", "youth_justice_service", "quarter", dt.date(2022, 4, 1), dt.date(2022, 6, 30), 40, 12, 30, None, None, None, None, None, SOURCE])
    sheet.append(["A1", "Alpha", "youth_justice_service", "indicator_12m", dt.date(2022, 4, 1), dt.date(2023, 3, 31), None, None, None, None, None, 30, 2, 15000, SOURCE])
    areas = book.create_sheet("Areas")
    areas.append(list(AREA_COLUMNS))
    areas.append(["A1", "Alpha", "youth_justice_service", "North", "North PCC", "B2", "Upper Alpha;Lower Alpha"])
    areas.append(["B2", "Beta", "youth_justice_service", "North", "North PCC", "A1", ""])
    book.save(tmp_path / "figures.xlsx")
    data = read_area_file(tmp_path / "figures.xlsx")
    assert data.figures[0].binary_rate == pytest.approx(0.3) and data.figures[0].period_end == dt.date(2022, 6, 30)
    assert data.figures[1].first_time_entrants == 30
    assert data.area("alpha").lower_tier == ("Upper Alpha", "Lower Alpha") and data.area("B2").family == ("A1",)


def test_every_problem_of_a_figures_file_is_listed_with_row_column_value_and_expected(tmp_path):
    rows = [
        "A1,Alpha,youth_justice_service,quarter,2022-04-01,2022-06-30,-3,1,1,,,,,,S",  # negative count
        "A2,Beta,youth_justice_service,quarter,2022-04-01,2022-06-30,10,12,12,,,,,,S",  # reoffenders above cohort
        "A3,Gamma,youth_justice_service,quarter,2022-04-01,2022-06-30,10,4,8,44.6,,,,,S",  # rate not a fraction
        "A4,Delta,youth_justice_service,quarter,2022-04-01,2022-06-30,100,40,120,0.35,,,,,S",  # rate disagrees
        "A5,Eps,borough,quarter,2022-04-01,2022-06-30,10,4,8,,,,,,S",  # unknown type
        "A6,Zeta,youth_justice_service,quarter,2022-04-01,2022-06-30,10,4,8,,,,,,S",
        "A6,Zeta,youth_justice_service,quarter,2022-04-01,2022-06-30,10,4,8,,,,,,S",  # duplicate
        "A7,Eta,youth_justice_service,annual_12m_old_method,2022-04-01,2023-03-31,10,4,8,,,,,,S",
        "A8,Theta,youth_justice_service,aggregated_quarters,2022-04-01,2023-03-31,10,4,8,,,,,,S",
        "A9,Iota,youth_justice_service,aggregated_quarters,2022-04-01,2023-03-31,10,4,8,,,,,,S",  # A7 mixes methods
        "A10,Kappa,youth_justice_service,quarter,2022-04-01,2022-09-30,10,4,8,,,,,,S",  # period too long
        "A11,Lambda,youth_justice_service,quarter,1 April,2022-06-30,ten,4,8,,,,,,",  # bad date, type, no source
    ]
    found = problems(write(tmp_path, "bad.csv", HEAD + "\n" + "\n".join(rows) + "\n"))
    expected = [
        "area_figures row 2, column cohort_size: '-3' — expected a whole number, 0 or more",
        "area_figures row 3, column reoffenders: '12' — expected no more than cohort_size (10)",
        "area_figures row 4, column binary_rate: '44.6' — expected a fraction from 0 to 1 (0.404 for 40.4%)",
        "area_figures row 5, column binary_rate: '0.35' — expected reoffenders ÷ cohort_size = 0.400, give or take rounding",
        "area_figures row 6, column area_type: 'borough'",
        "area_figures row 8, column period_start: '2022-04-01' — expected one row per area, cohort basis and period (row 7 has this one)",
        "area_figures row 9, column cohort_basis: 'annual_12m_old_method' — expected one method per period",
        "area_figures row 12, column period_end: '2022-09-30' — expected the last day of a 3-month period",
        "area_figures row 13, column period_start: '1 April' — expected a date like 2023-04-01",
        "area_figures row 13, column cohort_size: 'ten'",
        "area_figures row 13, column source: None" if False else "area_figures row 13, column source — expected a value",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in found), (text, found)
    assert len(found) == len(expected)


def test_unknown_areas_in_a_family_or_in_the_figures_are_listed(tmp_path):
    areas = write(tmp_path, "areas.csv", ",".join(AREA_COLUMNS) + "\nA1,Alpha,youth_justice_service,North,North PCC,B2;Z9,\nB2,Beta,youth_justice_service,North,North PCC,A1,\n")
    assert problems(areas) == ["areas row 2, column family: 'Z9' — expected the code of an area in the areas table"]
    book = Workbook()
    book.active.title = "area figures"
    book.active.append(list(FIGURE_COLUMNS))
    book.active.append(["Q1", "Nowhere", "youth_justice_service", "quarter", "2022-04-01", "2022-06-30", 10, 4, 8, None, None, None, None, None, SOURCE])
    sheet = book.create_sheet("areas")
    sheet.append(list(AREA_COLUMNS))
    sheet.append(["A1", "Alpha", "youth_justice_service"])
    book.save(tmp_path / "unknown.xlsx")
    assert problems(tmp_path / "unknown.xlsx") == ["area_figures row 2, column area_code: 'Q1' — expected the code of an area in the areas table"]


def test_not_the_format(tmp_path):
    found = problems(write(tmp_path, "other.csv", "name,count\nx,1\n"))
    assert len(found) == 1 and "expected the headings of area figures" in found[0]
    found = problems(write(tmp_path, "partial.csv", "area_code,area_name,cohort_basis\nA1,Alpha,quarter\n"))
    assert "missing area_type, period_start, period_end, source" in found[0]
    assert "nothing is at this path" in problems(tmp_path / "absent.csv")[0]


def test_a_revised_figure_is_kept_as_a_revision_not_silently_replaced(tmp_path):
    first = read_area_file(write(tmp_path, "v1.csv", f"{HEAD}\nA1,Alpha,youth_justice_service,quarter,2022-04-01,2022-06-30,40,12,30,,,,,,First edition (X; 2023)\n"))
    second = read_area_file(write(tmp_path, "v2.csv", f"{HEAD}\nA1,Alpha,youth_justice_service,quarter,2022-04-01,2022-06-30,41,12,30,,,,,,Revised edition (X; 2024)\n"))
    both = combine(first, second)
    assert [f.cohort_size for f in both.figures] == [41]
    sizes = [r for r in both.revisions if r.column == "cohort_size"]
    assert len(sizes) == 1 and (sizes[0].before, sizes[0].after) == (40, 41)
    assert sizes[0].before_source.startswith("First") and sizes[0].after_source.startswith("Revised")


def test_stratum_rates_are_read_and_checked(tmp_path):
    good = write(tmp_path, "strata.csv", "age_at_index,sex,tier,binary_rate,frequency_rate,source\n15,male,community,0.5,1.7,S\n")
    assert read_stratum_rates(good).row(0, named=True)["binary_rate"] == 0.5
    bad = write(tmp_path, "bad.csv", "age_at_index,sex,tier,binary_rate,frequency_rate,source\n9,m,court,1.5,,S\n")
    with pytest.raises(CaseFileError) as caught:
        read_stratum_rates(bad)
    assert [p.column for p in caught.value.problems] == ["age_at_index", "sex", "tier", "binary_rate"]
