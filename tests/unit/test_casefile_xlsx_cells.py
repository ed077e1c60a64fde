"""Workbook cells as the reader sees them: real .xlsx files written by openpyxl (and, where a
detail of the XML matters, by hand) read to the exact text, row numbers and problems users have
always been shown, whatever the kind of cell: whole numbers and decimals, dates, times and
durations in both of Excel's date systems, yes/no, error cells, formulas with and without a
calculated value, blank rows and columns, long text, accents and apostrophes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from casefile_files import OUTCOMES, PEOPLE, TODAY, workbook
from crafted import header, inline, write_xlsx
from openpyxl import Workbook

from reoffkit.casefile import read_case_file
from reoffkit.casefile.mapping import headings_and_values, workbook_rows
from reoffkit.casefile.sources import ROW, read_workbook

HEADINGS = ["Name", "Born", "Note"]
DATES = {"people": {"born"}}


def _read(path: Path, date_columns=DATES):
    problems: list = []
    read = read_workbook(path, date_columns, problems)
    assert read is not None, problems
    tables, names = read
    return tables, names, problems


def _column(table, name: str) -> list:
    return table.frame[name].to_list()


def _book(path: Path, rows: list[list], *, epoch_1904: bool = False, formats: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "people"
    if epoch_1904:
        book.epoch = dt.datetime(1904, 1, 1)
    for row in rows:
        sheet.append(row)
    for ref, number_format in (formats or {}).items():
        sheet[ref].number_format = number_format
    for ref, text in (errors or {}).items():
        sheet[ref] = text
        sheet[ref].data_type = "e"
    book.save(path)
    return path


def test_numbers_read_as_they_are_written_whole_numbers_without_a_point(tmp_path):
    path = _book(tmp_path / "n.xlsx", [HEADINGS, *([None, None, v] for v in [12, 12.0, 3.5, 3.14159, -7, 0, 1.5e-07, 1e20, 2**40])])
    assert _column(_read(path)[0]["people"], "note") == ["12", "12", "3.5", "3.14159", "-7", "0", "1.5e-07", "100000000000000000000", "1099511627776"]


def test_a_long_whole_number_keeps_every_digit(tmp_path):
    """A number of more digits than a float holds (another program's export, not Excel's) is read
    digit for digit, as openpyxl always read it."""
    rows = [
        b'<row r="1">' + inline("A1", "Name") + inline("B1", "Born") + inline("C1", "Note") + b"</row>",
        b'<row r="2"><c r="C2"><v>12345678901234567890</v></c></row>',
        b'<row r="3"><c r="C3"><v>-9007199254740993</v></c></row>',
    ]
    tables, _, _ = _read(write_xlsx(tmp_path / "long.xlsx", rows))
    assert _column(tables["people"], "note") == ["12345678901234567890", "-9007199254740993"]


@pytest.mark.parametrize("epoch_1904", [False, True])
def test_dates_times_and_durations_read_as_iso_text_in_either_date_system(tmp_path, epoch_1904):
    values = [
        dt.date(2008, 1, 2),
        dt.datetime(2008, 1, 2, 0, 0),
        dt.datetime(2008, 1, 2, 13, 4, 5),
        dt.datetime(2008, 1, 2, 13, 4, 5, 123456),  # Excel keeps milliseconds
        dt.time(12, 0),
        dt.time(0, 0, 1),
        dt.timedelta(days=1, hours=2),
        dt.date(1999, 12, 31),
        dt.date(9999, 12, 31),
    ]
    path = _book(tmp_path / "d.xlsx", [HEADINGS, *([None, None, v] for v in values)], epoch_1904=epoch_1904)
    tables, _, _ = _read(path)
    assert _column(tables["people"], "note") == [
        "2008-01-02",
        "2008-01-02",
        "2008-01-02 13:04:05",
        "2008-01-02 13:04:05.123000",
        "12:00:00",
        "00:00:01",
        "1 day, 2:00:00",
        "1999-12-31",
        "9999-12-31",
    ]


@pytest.mark.parametrize(("epoch_1904", "expected"), [(False, "2008-01-01"), (True, "2012-01-02")])
def test_a_number_in_a_date_column_is_a_date_serial_of_the_workbooks_own_date_system(tmp_path, epoch_1904, expected):
    path = _book(tmp_path / "s.xlsx", [HEADINGS, ["A", 39448, 39448], ["B", 39448.75, None], ["C", 0.5, None], ["D", 3_000_000, None]], epoch_1904=epoch_1904)
    table = _read(path)[0]["people"]
    assert _column(table, "born") == [expected, expected, "0.5", "3000000"]
    assert _column(table, "note") == ["39448", None, None, None]


@pytest.mark.parametrize("epoch_1904", [False, True])
def test_date_formatted_cells_outside_excels_dates_read_as_openpyxl_read_them(tmp_path, epoch_1904):
    """Excel shows ##### for these; the reader has always read a date before its epoch as that
    day and a serial past 9999-12-31 as #VALUE!, a whole day's fraction as the next day."""
    values = [-1, -0.5, 3_000_000, 2_958_466, 0.9999999999, 5.99999999999]
    formats = {f"C{n}": "yyyy-mm-dd" for n in range(2, 2 + len(values))}
    path = _book(tmp_path / "far.xlsx", [HEADINGS, *([None, None, v] for v in values)], epoch_1904=epoch_1904, formats=formats)
    expected = (
        ["1903-12-31", "1903-12-31 12:00:00", "#VALUE!", "#VALUE!", "1904-01-02", "1904-01-07"]
        if epoch_1904
        else ["1899-12-29", "1899-12-29 12:00:00", "#VALUE!", "#VALUE!", "1900-01-01", "1900-01-06"]  # 1900 counts its false 29 February
    )
    assert _column(_read(path)[0]["people"], "note") == expected


def test_yes_no_text_accents_apostrophes_and_padding(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "people"
    sheet.append(HEADINGS)
    for value in [True, False, "  padded  ", "Zoë Ñúñez 東京 👍", "'=x", "O'Brien", "", "   "]:
        sheet.append([None, None, value])
    sheet["C10"] = "=SUM(1,2)"
    sheet["C10"].data_type = "s"  # text that looks like a formula, kept as text
    sheet["C10"].quotePrefix = True
    book.save(tmp_path / "t.xlsx")
    table = _read(tmp_path / "t.xlsx")[0]["people"]
    assert _column(table, "note") == ["yes", "no", "padded", "Zoë Ñúñez 東京 👍", "'=x", "O'Brien", "=SUM(1,2)"]
    assert _column(table, ROW) == [2, 3, 4, 5, 6, 7, 10]


def test_error_cells_read_as_their_error_text_and_are_reported(tmp_path):
    path = workbook(
        tmp_path / "errors.xlsx",
        {
            "people": [PEOPLE, ["A1", None, "#N/A", "male", "White", "no", "North", "yes"]],
            "outcomes": [OUTCOMES, ["A1", "2016-10-01", "2016-10-15", "fine", "", "theft", "#DIV/0!", "no"]],
        },
    )
    _book_errors(path, {("people", "C2"): "#N/A", ("outcomes", "G2"): "#DIV/0!", ("people", "J2"): "#REF!"})
    tables, _, _ = _read(path, {"people": {"date_of_birth"}, "outcomes": {"offence_date", "outcome_date"}})
    assert _column(tables["people"], "date_of_birth") == ["#N/A"]
    assert _column(tables["outcomes"], "gravity") == ["#DIV/0!"]
    problems = read_case_file(path, today=TODAY).problems
    assert {(p.sheet, p.row, p.column, p.value) for p in problems if p.severity == "error"} == {
        ("people", 2, "date_of_birth", "#N/A"),
        ("outcomes", 2, "gravity", "#DIV/0!"),
    }
    assert any(p.sheet == "people" and p.row == 1 and "column J has none" in p.expected for p in problems)


def _book_errors(path: Path, cells: dict[tuple[str, str], str]) -> None:
    from openpyxl import load_workbook

    book = load_workbook(path)
    for (sheet, ref), text in cells.items():
        book[sheet][ref] = text
        book[sheet][ref].data_type = "e"
    book.save(path)


def test_formulas_read_as_their_calculated_values_and_are_counted_when_a_sheet_has_errors(tmp_path):
    rows = [
        b'<row r="1">' + inline("A1", "person_id") + inline("B1", "date_of_birth") + inline("C1", "sex") + b"</row>",
        b'<row r="2">' + inline("A2", "P1") + b'<c r="B2" t="str"><f>TEXT(39448,"yyyy-mm-dd")</f><v>2008-01-01</v></c>' + inline("C2", "male") + b"</row>",
        b'<row r="3">' + inline("A3", "P2") + b'<c r="B3"><f>1+1</f></c>' + inline("C3", "male") + b"</row>",
        b'<row r="4">' + inline("A4", "P3") + b'<c r="B4"><f>39448+1</f><v>39449</v></c>' + inline("C4", "female") + b"</row>",
    ]
    path = write_xlsx(tmp_path / "f.xlsx", rows)
    tables, _, _ = _read(path, {"people": {"date_of_birth"}})
    assert _column(tables["people"], "date_of_birth") == ["2008-01-01", None, "2008-01-02"]
    problems = read_case_file(path, today=TODAY).problems
    assert ("people", 3, "date_of_birth") in {(p.sheet, p.row, p.column) for p in problems}
    assert [p.value for p in problems if p.value and "formula" in p.value] == ["3 formulas"]


def test_blank_rows_and_columns_keep_the_numbers_and_letters_users_see(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "people"
    sheet["B3"], sheet["C3"], sheet["E3"] = "Name", "Born", "Note"
    sheet["B4"], sheet["E4"] = "Ann", "x"
    sheet["B7"], sheet["F7"] = "Bob", "stray"
    sheet["H9"] = 5
    book.save(tmp_path / "b.xlsx")
    tables, names, problems = _read(tmp_path / "b.xlsx")
    table = tables["people"]
    assert names == ["people"] and table.header_row == 3 and table.headings == ("Name", "Born", "Note")
    assert table.frame.to_dicts() == [{"name": "Ann", "born": None, "note": "x", ROW: 4}, {"name": "Bob", "born": None, "note": None, ROW: 7}]
    assert [(p.sheet, p.row, p.expected) for p in problems] == [
        ("people", 3, "a heading above every column that holds values (column F has none, so its values are not read)"),
        ("people", 3, "a heading above every column that holds values (column H has none, so its values are not read)"),
    ]


def test_long_text_up_to_excels_limit_is_read_whole(tmp_path):
    text = "é" * 32_767
    path = _book(tmp_path / "l.xlsx", [HEADINGS, ["A", None, text]])
    assert _column(_read(path)[0]["people"], "note") == [text]


def test_a_chart_sheet_is_named_not_read(tmp_path):
    book = Workbook()
    book.active.title = "outcomes"
    book.active.append(["x"])
    from openpyxl.chart import BarChart

    book.create_chartsheet("people").add_chart(BarChart())
    book.save(tmp_path / "c.xlsx")
    problems: list = []
    tables, names = read_workbook(tmp_path / "c.xlsx", {"people": set(), "outcomes": set()}, problems)
    assert names == ["outcomes", "people"] and list(tables) == ["outcomes"]
    assert [(p.sheet, p.value, p.expected) for p in problems] == [("people", "people", "a worksheet of rows and columns (this sheet is a chart)")]


def test_the_mapping_screen_reads_the_same_text(tmp_path):
    path = _book(
        tmp_path / "m.xlsx",
        [["ID", "DOB", "Flag"], ["P1", dt.date(2008, 1, 2), True], [None, None, None], [12.0, dt.datetime(2008, 1, 2, 13, 4), 3.5]],
        errors={"C3": "#N/A"},
    )
    assert workbook_rows(path) == {"people": [["ID", "DOB", "Flag"], ["P1", "2008-01-02", "yes"], [None, None, "#N/A"], ["12", "2008-01-02 13:04:00", "3.5"]]}
    assert headings_and_values(path)["people"] == {"headings": ["ID", "DOB", "Flag"], "values": {"ID": ["P1", "12"], "DOB": ["2008-01-02", "2008-01-02 13:04:00"], "Flag": ["yes", "#N/A", "3.5"]}}


READ_UNDER_LIMIT = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1024 ** 3, 1024 ** 3))
from reoffkit.casefile import read_case_file
case = read_case_file(sys.argv[1])
print(json.dumps([[p.sheet, p.row, p.column, p.value] for p in case.problems]))
"""


def test_a_cell_in_excels_last_row_and_column_is_read_in_little_memory(tmp_path):
    """Two cells, at A1 and at XFD1048576: a reader that lays the sheet out as one block of
    cells would need half a terabyte; this one reads it (under a 1 GB limit) and reports it."""
    rows = [header(), b'<row r="1048576">' + inline("XFD1048576", "x") + b"</row>"]
    path = write_xlsx(tmp_path / "far.xlsx", rows)
    done = subprocess.run([sys.executable, "-c", READ_UNDER_LIMIT, str(path)], capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    problems = json.loads(done.stdout)
    assert ["people", 1, None, None] in problems  # the value in column XFD has no heading


def test_a_heading_in_excels_last_column_does_not_widen_every_row_in_memory(tmp_path):
    """Headings at A1, B1 and XFD1, one row filled across all 16,384 columns and 20,000 rows of
    one cell: the sheet is turned into text a block of rows at a time, and a block widened to its
    longest row would hold 20,000 × 16,384 cells (2.6 GB of pointers). Read under a 1 GB limit."""
    from openpyxl.utils import get_column_letter

    far = b'<row r="1">' + inline("A1", "person_id") + inline("B1", "date_of_birth") + inline("XFD1", "notes") + b"</row>"
    full = b'<row r="2">' + b"".join(f'<c r="{get_column_letter(c)}2"><v>{c}</v></c>'.encode() for c in range(1, 16_385)) + b"</row>"
    short = b"".join(f'<row r="{r}">'.encode() + inline(f"A{r}", f"P{r}") + b"</row>" for r in range(3, 20_003))
    path = write_xlsx(tmp_path / "wide.xlsx", [far, full, short])
    done = subprocess.run([sys.executable, "-c", READ_UNDER_LIMIT, str(path)], capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    problems = json.loads(done.stdout)
    assert ["people", 1, None, None] in problems  # the values in columns C to XFC have no heading
    assert not any(p[3] and "too large" in p[3] for p in problems), problems


def test_an_ordinary_workbook_is_read_without_openpyxl(tmp_path, monkeypatch):
    """The fast reader takes every cell of a workbook as Excel or openpyxl writes it — error
    cells and dates outside Excel's range included — without handing a sheet to openpyxl."""
    from reoffkit.casefile import xlsx

    def refused(*args, **kwargs):
        raise AssertionError("read by openpyxl")

    monkeypatch.setattr(xlsx.Book, "_openpyxl_rows", refused)
    monkeypatch.setattr(xlsx.Book, "_open_openpyxl", refused)
    path = _book(
        tmp_path / "o.xlsx",
        [HEADINGS, ["Ann", 39448, 12.0], ["Bob", dt.date(2008, 1, 2), -1], [None, None, None], ["Cy", "2008-01-03", "x"]],
        formats={"C3": "yyyy-mm-dd"},
        errors={"B5": "#N/A"},
    )
    table = _read(path)[0]["people"]
    assert table.frame.rows() == [("Ann", "2008-01-01", "12", 2), ("Bob", "2008-01-02", "1899-12-29", 3), ("Cy", "#N/A", "x", 5)]


def test_columns_past_z_keep_their_letters(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "people"
    sheet["A1"], sheet["AB1"] = "Name", "Note"
    sheet["A2"], sheet["AB2"], sheet["AD2"] = "Ann", "x", "stray"
    book.save(tmp_path / "w.xlsx")
    tables, _, problems = _read(tmp_path / "w.xlsx")
    assert tables["people"].frame.rows() == [("Ann", "x", 2)]
    assert [p.expected for p in problems] == ["a heading above every column that holds values (column AD has none, so its values are not read)"]


def test_a_duration_too_long_for_python_reads_as_value_error_and_the_rows_after_it_still_read(tmp_path):
    path = _book(tmp_path / "td.xlsx", [HEADINGS, ["A", None, 1], ["B", None, 1e15], ["C", None, "z"]], formats={"C3": "[h]:mm:ss"})
    table = _read(path)[0]["people"]
    assert table.frame.rows() == [("A", None, "1", 2), ("B", None, "#VALUE!", 3), ("C", None, "z", 4)]


def test_an_error_cell_below_every_other_value_is_still_read(tmp_path):
    path = _book(tmp_path / "last.xlsx", [HEADINGS, ["A", None, "x"]], errors={"C4": "#REF!"})
    table = _read(path)[0]["people"]
    assert table.frame.rows() == [("A", None, "x", 2), (None, None, "#REF!", 4)]


def test_a_worksheet_read_a_column_at_a_time_gives_each_cells_own_text(monkeypatch):
    """The columns of plain text, whole numbers and days go to Polars whole; every other column
    is read cell by cell. Either way each value is the cell's own text (``_cell_text``, and a
    date column's serial numbers as dates), blank rows are skipped with the numbers kept, and a
    value past the headings is reported — across blocks of rows as within one."""
    import random

    from reoffkit.casefile import sources

    monkeypatch.setattr(sources, "BLOCK_ROWS", 7)
    epoch = dt.datetime(1899, 12, 30)
    kinds = {
        "text": lambda r: r.choice(["A1", "  padded\u00a0", "\u2003", "x\x1f", "", "Ünïcode ", "=1+1"]),
        "whole": lambda r: r.choice([0, -3, 12, 2**60, "7", " 8 "]),
        "day": lambda r: dt.date(r.randint(1900, 2030), r.randint(1, 12), r.randint(1, 28)),
        "mixed": lambda r: r.choice([1.5, 2.0, True, False, dt.time(9, 30), dt.datetime(2020, 1, 2, 3, 4), dt.datetime(2020, 1, 2), " y ", 45000]),
    }
    headings = ["text", "whole", None, "offence_date", "mixed", "served_date"]  # column C has no heading
    makers = [kinds["text"], kinds["whole"], lambda r: r.choice([None] * 12 + [" ", "stray"]), kinds["day"], kinds["mixed"], kinds["mixed"]]
    dates = {"offence_date", "served_date"}
    rng = random.Random(17)
    body = []
    for _ in range(40):
        if rng.random() < 0.15:
            body.append([] if rng.random() < 0.5 else [None, "  "])  # blank rows
            continue
        row = [None if rng.random() < 0.2 else make(rng) for make in makers]
        if rng.random() < 0.05:
            row += [None, "beyond"]
        while row and row[-1] is None:
            row.pop()
        body.append(row)
    problems: list = []
    table = sources._worksheet_table("outcomes", [headings, *body], dates, epoch, problems)

    def text(value, is_date):
        return (sources._serial_date(value, epoch) or sources._cell_text(value)) if is_date else sources._cell_text(value)

    named = [p for p, h in enumerate(headings) if h]
    expected = []
    for number, row in enumerate(body, start=2):
        texts = {headings[p]: text(row[p], headings[p] in dates) if p < len(row) else None for p in named}
        if any(t is not None for t in texts.values()):
            expected.append({**texts, ROW: number})
    assert table.frame.to_dicts() == expected
    assert len(expected) > 25 and any(r["offence_date"] is not None for r in expected)
    unheaded = sorted({p for row in body for p, v in enumerate(row) if (p == 2 or p >= len(headings)) and sources._cell_text(v) is not None})
    assert unheaded == [2, 7]  # the data has both: stray values under C, and past the headings in H
    assert [p.expected for p in problems] == [
        f"a heading above every column that holds values (column {letter} has none, so its values are not read)" for letter in ("C", "H")
    ]


def test_the_whitespace_stripped_by_polars_is_what_str_strip_takes_off():
    from reoffkit.casefile.sources import WHITESPACE

    assert WHITESPACE == "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
