"""No file can take down whoever reads it: files crafted as an attacker would (one huge inline
string, 12 million tiny rows, a zip bomb member) are refused as "too large when unpacked",
naming the file, before they are read; each reading runs here under a memory limit
(``setrlimit`` in a child process) and that process lives to report it. The limits that apply
while reading (rows, columns, cells, a cell's length) name the sheet; a panic of Polars (a
``BaseException``) comes back as a problem, not a crash."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest
from crafted import huge_inline_string, inline, tiny_rows, write_xlsx, zip_bomb, header

from reoffkit.casefile import read_case_file, sources
from reoffkit.casefile.mapping import headings_and_values

MEMORY_LIMIT_MB = 1024

READ_UNDER_LIMIT = """
import json, resource, sys
limit = int(sys.argv[2]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from reoffkit.casefile import read_case_file
case = read_case_file(sys.argv[1])
print(json.dumps([[p.sheet, p.value, p.expected, p.severity] for p in case.problems]))
"""


def read_under_memory_limit(path: Path) -> list[list]:
    """The case-file reader run in a child process limited to ``MEMORY_LIMIT_MB`` of address
    space: it must finish (exit 0) and say what it found."""
    done = subprocess.run(
        [sys.executable, "-c", READ_UNDER_LIMIT, str(path), str(MEMORY_LIMIT_MB)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {
        "string": huge_inline_string(folder / "one-string.xlsx", 200_000_000),
        "rows": tiny_rows(folder / "twelve-million-rows.xlsx", 12_000_000),
        "bomb": zip_bomb(folder / "bomb.zip", 500_000_000),
    }


@pytest.mark.parametrize("kind", ["string", "rows", "bomb"])
def test_a_crafted_file_is_refused_as_too_large_when_unpacked_under_a_memory_limit(hostile, kind):
    path = hostile[kind]
    assert path.stat().st_size < 2_000_000  # small packed …
    assert sum(i.file_size for i in zipfile.ZipFile(path).infolist()) > 190_000_000  # … enormous unpacked
    problems = read_under_memory_limit(path)
    assert len(problems) == 1
    sheet, value, expected, severity = problems[0]
    assert sheet == path.name and severity == "error"
    assert value.startswith("too large when unpacked: ") and "times its packed size" in value
    assert "split the records over several files" in expected


def test_the_mapping_screen_refuses_them_too(hostile):
    with pytest.raises(sources.TooLarge) as refused:
        headings_and_values(hostile["string"], name="their-export.xlsx")
    assert refused.value.problem.sheet == "their-export.xlsx" and "too large when unpacked" in refused.value.problem.value


def test_parts_over_a_gigabyte_in_all_are_refused_whatever_their_ratio(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_UNPACKED_BYTES", 5_000)
    path = write_xlsx(tmp_path / "wide.xlsx", [header(), *(b'<row r="%d">' % n + inline(f"A{n}", f"P{n:05d}") + b"</row>" for n in range(2, 400))])
    problem = read_case_file(path).problems[0]
    assert problem.sheet == "wide.xlsx" and problem.value.startswith("too large when unpacked: its parts unpack to more than 5,000 bytes")


def test_a_cell_longer_than_excel_allows_is_refused_naming_its_sheet_row_and_column(tmp_path):
    import random

    text = "".join(random.Random(1).choice("abcdefghijklmnopqrstuvwxyz") for _ in range(40_000))  # packs too badly to be a bomb
    path = write_xlsx(tmp_path / "long.xlsx", [header(), b'<row r="2">' + inline("A2", "P1") + inline("B2", text) + b"</row>"])
    problems = read_case_file(path).problems
    assert [(p.sheet, p.row, p.column, p.value) for p in problems] == [("people", 2, "B", "too large when unpacked: a cell of 40,000 characters")]
    assert "at most 32,767 characters" in problems[0].expected


def test_a_long_cell_in_a_csv_file_is_refused_too(tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "people.csv").write_text("person_id,date_of_birth\nP1,2008-01-01\nP2," + "x" * 33_000 + "\n")
    (folder / "outcomes.csv").write_text("person_id,offence_date,outcome_type,outcome_date\n")
    problem = next(p for p in read_case_file(folder).problems if p.sheet == "people")
    assert (problem.row, problem.column, problem.value) == (3, "B", "too large when unpacked: a cell of 33,000 characters")


@pytest.mark.parametrize(
    ("limit", "value", "rows"),
    [
        ("MAX_ROWS", 50, [b"<row><c><v>1</v></c></row>"] * 60),
        ("MAX_COLUMNS", 10, [b"<row>" + b"<c><v>1</v></c>" * 11 + b"</row>"]),
        ("MAX_CELLS", 30, [b"<row><c><v>1</v></c><c><v>2</v></c></row>"] * 20),
    ],
)
def test_rows_columns_and_cells_are_capped_while_reading_naming_the_sheet(tmp_path, monkeypatch, limit, value, rows):
    monkeypatch.setattr(sources, limit, value)
    path = write_xlsx(tmp_path / "big.xlsx", [header(), *rows], sheet="Outcomes")
    problem = next(p for p in read_case_file(path).problems if p.value and "too large" in p.value)
    assert problem.sheet == "outcomes" and problem.value.startswith("too large when unpacked: ")
    assert f"{value:,}" in problem.value + problem.expected


def test_a_panic_of_polars_is_a_problem_not_a_crash(tmp_path, monkeypatch):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "people.csv").write_text("person_id,date_of_birth\nP1,2008-01-01\n")
    (folder / "outcomes.csv").write_text("person_id,offence_date,outcome_type,outcome_date\n")

    def panics(*args, **kwargs):
        raise pl.exceptions.PanicException("memory allocation of 23622320128 bytes failed")

    assert not issubclass(pl.exceptions.PanicException, Exception)  # why ``except Exception`` let it through
    monkeypatch.setattr(sources.pl, "read_csv", panics)
    problems = read_case_file(folder).problems
    assert problems and all("too large when unpacked" in (p.value or "") for p in problems)
    monkeypatch.setattr("reoffkit.casefile.reader._validate_sheet", panics)
    monkeypatch.undo()
    monkeypatch.setattr("reoffkit.casefile.reader._cross_check", panics)
    case = read_case_file(folder)
    assert [p.value for p in case.problems] == ["too large when unpacked: reading it needed more memory than an upload may use"]
    assert case.people.is_empty() and not case.ok
