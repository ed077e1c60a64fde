"""User text is never written out as a formula: the case file (CSV and .xlsx), CLI tables, chart
CSVs — checked with openpyxl, in the files' own XML, and with LibreOffice Calc as a second client;
and the round trip write → read gives back exactly the text written."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
from formulas import HOSTILE, formula_cells
from hypothesis import given, settings
from hypothesis import strategies as st
from office import soffice
from openpyxl import load_workbook

from reoffkit import cells
from reoffkit.casefile import read_case_file, write_case_file
from reoffkit.charts import Chart
from reoffkit.cli import main
from reoffkit.cli.common import write_outputs
from reoffkit.synthetic import generate

AS_AT = dt.date(2025, 6, 30)


def hostile_frames() -> dict[str, pl.DataFrame]:
    """A small synthetic case file whose first children carry the hostile names and local IDs, and
    whose first outcomes the hostile offence types."""
    frames = generate(["Westvale"], first_quarter="2023Q1", quarters=4, children_per_quarter=6, as_at=AS_AT, seed=3)
    people, outcomes = frames["people"], frames["outcomes"]
    ids = people["person_id"].to_list()
    renamed = {old: new for old, new in zip(ids, HOSTILE)}
    n = len(HOSTILE)
    people = people.with_columns(
        pl.col("person_id").replace(renamed),
        pl.Series("first_name", HOSTILE + people["first_name"].to_list()[n:]),
        pl.Series("last_name", list(reversed(HOSTILE)) + people["last_name"].to_list()[n:]),
    )
    outcomes = outcomes.with_columns(
        pl.col("person_id").replace(renamed), pl.Series("offence_type", HOSTILE + outcomes["offence_type"].to_list()[n:])
    )
    frames = {**frames, "people": people, "outcomes": outcomes}
    for name in ("assessments", "actions", "resettlement"):
        if name in frames and "person_id" in frames[name].columns:
            frames[name] = frames[name].with_columns(pl.col("person_id").replace(renamed))
    return frames


def same_people(read: pl.DataFrame, written: pl.DataFrame) -> bool:
    columns = ["person_id", "first_name", "last_name"]
    return read.select(columns).sort("person_id").equals(written.select(columns).sort("person_id"))


# The one function per format ------------------------------------------------------------------


@settings(deadline=None)  # timing is not what this tests (the machine may be busy)
@given(st.text(alphabet=st.sampled_from(list("'=+-@\t\rab1 ")), max_size=8))
def test_the_csv_escape_is_undone_exactly_and_never_leaves_a_formula_start(text):
    written = cells.csv_text(text)
    assert written[:1] not in tuple(cells.FORMULA_STARTS)
    assert cells.csv_unescape_text(written) == text
    column = pl.DataFrame({"a": [text]})
    assert cells.csv_safe(column)["a"][0] == written  # the frame version writes the same
    assert column.select(cells.csv_unescape(pl.lit(written))).item() == text


def test_numbers_and_dates_stay_numbers_and_dates_in_csv():
    frame = pl.DataFrame({"n": [-5, 3], "x": [-0.25, 1.5], "d": [dt.date(2024, 1, 2), None], "t": ["-5", "=A1"]})
    lines = cells.write_csv(frame).splitlines()
    assert lines == ["n,x,d,t", "-5,-0.25,2024-01-02,'-5", "3,1.5,,'=A1"]


# The case file ---------------------------------------------------------------------------------


def test_case_file_csv_round_trip_gives_back_the_same_text(tmp_path):
    frames = hostile_frames()
    folder = write_case_file(frames, tmp_path / "case")
    people_csv = (folder / "people.csv").read_text(encoding="utf-8")
    assert "\n=" not in people_csv and ",=" not in people_csv and ",+" not in people_csv and ",@" not in people_csv
    case = read_case_file(folder, today=AS_AT)
    assert case.ok, [str(p) for p in case.problems]
    assert same_people(case.people, frames["people"])
    assert sorted(case.outcomes["offence_type"].drop_nulls().to_list()) == sorted(frames["outcomes"]["offence_type"].drop_nulls().to_list())


def test_case_file_workbook_has_no_formula_and_round_trips(tmp_path):
    frames = hostile_frames()
    path = write_case_file(frames, tmp_path / "case.xlsx")
    content = path.read_bytes()
    assert formula_cells(content) == []
    sheet = load_workbook(io.BytesIO(content))["people"]
    header = [c.value for c in sheet[1]]
    first = {h: c for h, c in zip(header, sheet[2])}
    assert first["first_name"].value == HOSTILE[0] and first["first_name"].data_type == "s" and first["first_name"].quotePrefix
    case = read_case_file(path, today=AS_AT)
    assert case.ok, [str(p) for p in case.problems]
    assert same_people(case.people, frames["people"])
    assert sorted(case.outcomes["offence_type"].drop_nulls().to_list()) == sorted(frames["outcomes"]["offence_type"].drop_nulls().to_list())


def test_libreoffice_opens_the_case_file_csv_and_workbook_as_text_not_formulas(tmp_path):
    """LibreOffice Calc evaluates a CSV value beginning with "=" as a formula; the escaped values
    stay text. Re-saving the workbook in Calc leaves every hostile value a text cell."""
    frames = hostile_frames()
    folder = write_case_file(frames, tmp_path / "case")
    unsafe = tmp_path / "unsafe.csv"  # the same table written without the escape: the control
    frames["people"].select("person_id", "first_name").write_csv(unsafe)
    for source in (folder / "people.csv", unsafe):
        converted = load_workbook(io.BytesIO(soffice(tmp_path, source, "xlsx:Calc MS Excel 2007 XML"))).active
        formulas = [c.coordinate for row in converted.iter_rows() for c in row if c.data_type == "f"]
        if source == unsafe:
            assert formulas, "LibreOffice no longer evaluates formulas in CSV: this test can no longer fail"
        else:
            assert formulas == []
            values = {c.value for row in converted.iter_rows() for c in row}
            assert {"'" + HOSTILE[0], "'+1+1", "'-1+2", "'@SUM(1,2)", "''=1+1"} <= values  # shown as typed, with the apostrophe
    workbook = write_case_file(frames, tmp_path / "case.xlsx")
    resaved = tmp_path / "resaved.xlsx"
    resaved.write_bytes(soffice(tmp_path, workbook, "xlsx:Calc MS Excel 2007 XML"))
    assert formula_cells(resaved.read_bytes()) == []
    case = read_case_file(resaved, today=AS_AT)
    assert same_people(case.people, frames["people"])


# Tables of the command line and charts ----------------------------------------------------------


def test_chart_csv_and_command_line_tables_escape_text(tmp_path):
    table = pl.DataFrame({"Group": ["=1+1", "@x", "White"], "Children": [-3, 5, 7]})
    chart = Chart("groups", "Groups", {"mark": "point"}, table)
    assert chart.csv().splitlines() == ["Group,Children", "'=1+1,-3", "'@x,5", "White,7"]
    write_outputs(tmp_path / "out", {"groups": table}, [])
    assert (tmp_path / "out" / "tables" / "groups.csv").read_text().splitlines() == chart.csv().splitlines()


def test_reoffkit_entries_csv_escapes_local_ids(tmp_path, capsys):
    folder = write_case_file(hostile_frames(), tmp_path / "case")
    assert main(["entries", str(folder), "--period", "2023Q1", "--quarters", "4", "--as-at", str(AS_AT), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    ids = {line.split(",", 1)[0] for line in lines[1:]}
    assert ids and not any(i[:1] in tuple(cells.FORMULA_STARTS) for i in ids)
    assert {cells.csv_unescape_text(i) for i in ids} & set(HOSTILE)


def test_a_mapped_workbook_keeps_text_that_looks_like_the_escape(tmp_path):
    """A service's own layout goes through case-file CSVs on its way in: text cells such as
    "'=1+1" or "=1+1" come out of the reader exactly as the workbook holds them."""
    from openpyxl import Workbook

    from reoffkit.casefile.mapping import remap
    from reoffkit.casefile.reader import read_case_file as read

    book = Workbook()
    sheet = book.active
    sheet.title = "Children"
    sheet.append(["ID", "DOB", "Gender", "Ethnic group", "Forename"])
    for number, text in enumerate(HOSTILE, start=1):
        sheet.append(cells.xlsx_row(sheet, [f"T-{number}", dt.date(2009, 4, 2), "M", "White", text]))
    book.save(tmp_path / "theirs.xlsx")
    mapping = {"sheets": {"Children": "people"}, "columns": {"people": {"ID": "person_id", "DOB": "date_of_birth", "Gender": "sex", "Ethnic group": "ethnicity", "Forename": "first_name"}}}
    folder = tmp_path / "mapped"
    folder.mkdir()
    people = read(remap(tmp_path / "theirs.xlsx", mapping, folder)).people
    assert people.sort("person_id")["first_name"].to_list() == [HOSTILE[int(i.split("-")[1]) - 1] for i in sorted(people["person_id"])]


def test_every_csv_the_product_writes_goes_through_the_one_formula_safe_writer():
    """Polars' own ``DataFrame.write_csv`` writes text as it is; :func:`reoffkit.cells.write_csv`
    is the one way the product writes a frame as CSV, so no module but ``cells`` calls the other
    (a table with no user text today may carry some tomorrow)."""
    import ast
    from pathlib import Path

    import reoffkit

    found = []
    for path in Path(reoffkit.__file__).parent.rglob("*.py"):
        if path.name == "cells.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "write_csv":
                if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "cells"):
                    found.append(f"{path.relative_to(Path(reoffkit.__file__).parent)}:{node.lineno}")
    assert not found, found
