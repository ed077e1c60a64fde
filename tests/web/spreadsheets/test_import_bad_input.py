"""Bad input to the importer: each kind gets a clear message naming where and what was expected,
nothing is half-imported, and random damage to a valid workbook never raises."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from reoffkit.casefile import read_case_file
from reoffkit.web.spreadsheets.importing import plan_import
from reoffkit.web.spreadsheets.uploads import read_upload
from reoffkit.web.tracker.models import YoungPerson

PEOPLE = ["person_id", "date_of_birth", "sex", "ethnicity", "looked_after", "district", "yot_caseload"]
OUTCOMES = ["person_id", "offence_date", "outcome_date", "outcome_type", "release_date", "offence_type", "gravity", "breach"]


def workbook(path: Path, people=None, outcomes=None, edit=None) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "people"
    sheet.append(PEOPLE)
    for row in people if people is not None else [["P1", dt.date(2008, 3, 1), "male", "White", "no", "North", "yes"], ["P2", dt.date(2007, 5, 9), "female", "Mixed", "yes", "South", "no"]]:
        sheet.append(row)
    other = book.create_sheet("outcomes")
    other.append(OUTCOMES)
    for row in outcomes if outcomes is not None else [["P1", dt.date(2023, 1, 2), dt.date(2023, 2, 1), "referral_order", None, "theft", 3, "no"], ["P2", dt.date(2023, 3, 1), dt.date(2023, 3, 20), "youth_caution", None, "criminal damage", 2, "no"]]:
        other.append(row)
    if edit:
        edit(book)
    book.save(path)
    return path


def problems_of(path: Path) -> list[str]:
    return [str(p) for p in read_upload(path).problems]


def test_merged_header_cells_name_the_missing_column(tmp_path):
    def merge(book):
        book["people"].merge_cells("A1:B1")

    found = problems_of(workbook(tmp_path / "merged.xlsx", edit=merge))
    assert any(p.startswith("people") and "date_of_birth" in p for p in found), found


def test_formulas_without_values_are_explained(tmp_path):
    def formulas(book):
        book["people"]["B2"] = "=DATE(2008,3,1)"

    found = problems_of(workbook(tmp_path / "formulas.xlsx", edit=formulas))
    assert any("people" in p and "values, not formulas" in p for p in found), found


def test_dates_written_as_text_are_read_and_impossible_ones_named(tmp_path):
    people = [["P1", "01/03/2008", "male", "White", "no", "North", "yes"], ["P2", "31/02/2007", "female", "Mixed", "yes", "South", "no"]]
    found = problems_of(workbook(tmp_path / "text-dates.xlsx", people=people))
    assert "people row 3, column date_of_birth: '31/02/2007' — expected a date like 2016-10-15 or 15/10/2016" in found, found
    assert not any("row 2" in p for p in found)


def test_empty_sheets_and_duplicated_people(tmp_path):
    empty = problems_of(workbook(tmp_path / "empty.xlsx", people=[], outcomes=[], edit=lambda b: b["people"].delete_rows(1)))
    assert any("a heading row naming the columns of people" in p for p in empty), empty
    twice = [["P1", dt.date(2008, 3, 1), "male", "White", "no", "North", "yes"], ["P1", dt.date(2008, 3, 1), "male", "White", "no", "North", "yes"]]
    found = problems_of(workbook(tmp_path / "twice.xlsx", people=twice))
    assert any("people row 3, column person_id: 'P1'" in p for p in found), found


def test_a_million_formatted_blank_rows_are_read_quickly_as_nothing(tmp_path):
    """Rows formatted all the way down (as when a whole column is coloured) hold no records."""
    path = workbook(tmp_path / "formatted.xlsx")
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"  # the people sheet, the first
    xml = parts[sheet].decode()
    blank = "".join(f'<row r="{n}" customFormat="1" ht="15"/>' for n in range(4, 1_000_004))
    parts[sheet] = xml.replace("</sheetData>", blank + "</sheetData>").encode()
    parts[sheet] = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:G1000003"/>', parts[sheet])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    case = read_case_file(path)
    assert case.ok and case.people.height == 2


def test_nothing_is_half_imported_from_a_file_with_any_error(world, tmp_path):
    people = [["N9", dt.date(2008, 3, 1), "male", "White", "no", "North", "yes"], ["N10", "soon", "female", "Mixed", "yes", "South", "no"]]
    plan = plan_import(world.northmoor, read_upload(workbook(tmp_path / "half.xlsx", people=people, outcomes=[])))
    assert not plan.ok and plan.changes == []
    assert not YoungPerson.objects.filter(local_id="N9").exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), kind=st.sampled_from(["bytes", "cells", "truncate", "zip-entry"]))
def test_random_damage_never_raises_only_reports(world, tmp_path, seed, kind):
    rng = random.Random(seed)
    path = workbook(tmp_path / f"fuzz-{seed}-{kind}.xlsx")
    if kind == "cells":
        book = load_workbook(path)
        for _ in range(rng.randint(1, 8)):
            sheet = book[rng.choice(["people", "outcomes"])]
            value = rng.choice([None, "", "=1/0", "31/02/2020", "yes", "maybe", -5, 10**12, 3.5, dt.date(1850, 1, 1), dt.date(2090, 1, 1), "\t tab", "ünïcödé", "P1"])
            sheet.cell(row=rng.randint(1, 4), column=rng.randint(1, 10), value=value)
        book.save(path)
    elif kind == "bytes":
        data = bytearray(path.read_bytes())
        for _ in range(rng.randint(1, 30)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))
    elif kind == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: rng.randrange(len(data))])
    else:
        with zipfile.ZipFile(path) as source:
            parts = {name: source.read(name) for name in source.namelist()}
        victim = rng.choice(sorted(parts))
        parts[victim] = parts[victim][: rng.randrange(len(parts[victim]) + 1)]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as target:
            for name, data in parts.items():
                target.writestr(name, data)
        path.write_bytes(buffer.getvalue())
    case = read_upload(path)  # never raises
    plan = plan_import(world.northmoor, case)  # nor does planning
    assert plan.ok or plan.problems
    for problem in case.problems:
        assert str(problem)  # every problem reads as a sentence
