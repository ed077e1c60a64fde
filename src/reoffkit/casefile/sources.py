"""Turn a workbook, a folder of CSV files or a .zip of them into raw tables of text, one per sheet.

Every value comes out as stripped text (blank is null), under a heading normalised like a code
(``Date of birth`` → ``date_of_birth``), with the row number the user sees in ``ROW``. Rows with
nothing in them are skipped (they keep their numbers, so later rows are still reported where the
user sees them). Nothing here judges the values; :mod:`reoffkit.casefile.reader` does.

Workbook cells that Excel holds as dates come out as ISO dates. A number in a date column of a
workbook is an Excel date serial number whose cell lost its date format (Excel stores every date
that way), so it is read as that date, with the workbook's own 1900 or 1904 date system. A number
in a date column of a CSV file is not: nothing says it is a date serial rather than a slip, so the
reader reports it.

A CSV file may be UTF-8 (with or without Excel's byte order mark), Windows-1252 (read with a
warning) or UTF-16 — what Excel writes as "Unicode Text" (.txt, tab-separated). Values are
separated by commas, or by tabs when the heading row has more tabs than commas. An apostrophe in
front of text beginning like a formula (``'=x``, as reoffkit writes text in CSV and as a person
marks text in a spreadsheet) is taken off: :func:`reoffkit.cells.csv_unescape`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import operator
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import polars as pl

from reoffkit.casefile.problems import Problem
from reoffkit.cells import QUOTE, csv_unescape
from reoffkit.engine import codes


def column_letter(number: int) -> str:
    """A worksheet's column letter (1 → A); openpyxl is imported only when a problem needs one,
    so that reading a CSV case file does not wait for it."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(number)

ROW = "__row"
TEXT_SUFFIXES: tuple[str, ...] = (".csv", ".txt")  # .txt: Excel's "Unicode Text"
# What a workbook or a .zip may hold, checked before anything is read (a file of a megabyte can
# unpack to gigabytes) and while it is read. The row, column and string limits are Excel's own, so
# no workbook Excel can save is refused by them (docs/case-file.md, "How large a file may be").
MAX_UNPACKED_BYTES = 1_000_000_000  # every part of an .xlsx, or the sheet files of a .zip, unpacked
MAX_RATIO = 100  # unpacked ÷ packed size of a part over RATIO_FLOOR (real sheets: under 20)
RATIO_FLOOR = 1_000_000
MAX_ROWS = 1_048_576  # rows of a sheet (Excel's limit)
MAX_COLUMNS = 16_384  # columns of a sheet (Excel's limit)
MAX_CELLS = 30_000_000  # cells of a workbook read, rows × columns (a full case file at Excel's row limit has ~20 million)
MAX_STRING = 32_767  # characters in one cell (Excel's limit)
TOO_LARGE = "too large when unpacked"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old .xls file, or an encrypted .xlsx
LAST_EXCEL_SERIAL = 2_958_465  # 9999-12-31


@dataclass(frozen=True)
class RawTable:
    """One sheet as text: ``frame`` has a String column per heading and ``ROW``."""

    frame: pl.DataFrame
    header_row: int  # the row the headings are on (1 unless blank rows come first in a workbook)
    headings: tuple[str, ...]  # as given, for "columns found"

    @property
    def has_headings(self) -> bool:
        return bool(self.headings)


def heading(name: object) -> str:
    """``Date of Birth`` → ``date_of_birth``; matched like codes, without regard to case or spacing."""
    return codes.normalise_word(str(name)).replace(" ", "_") if name is not None else ""


def no_headings() -> RawTable:
    return RawTable(pl.DataFrame(schema={ROW: pl.Int64}), 1, ())


def _unique_headings(sheet: str, header_row: int, given: list[object], problems: list[Problem]) -> dict[int, str]:
    """Position → normalised heading; a heading given twice is an error and its repeat is not read."""
    kept: dict[int, str] = {}
    for position, name in enumerate(given):
        normalised = heading(name)
        if not normalised:
            continue
        if normalised in kept.values():
            problems.append(Problem(sheet, header_row, normalised, str(name).strip(), "each column heading once (this column is not read)"))
            continue
        kept[position] = normalised
    return kept


# Workbooks -----------------------------------------------------------------------------------


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _serial_date(value: object, epoch: dt.datetime) -> str | None:
    """An Excel serial number as an ISO date, or ``None`` if it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= LAST_EXCEL_SERIAL:
        return None
    try:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value, epoch=epoch).date().isoformat()
    except (ValueError, OverflowError):
        return None


def workbook_problem(path: Path) -> str | None:
    """Why ``path`` cannot be an .xlsx workbook, judged from its first bytes; ``None`` if it may be."""
    with path.open("rb") as file:
        start = file.read(8)
    if start == OLE_SIGNATURE:
        return (
            "an .xlsx workbook without a password: this file is password-protected, or an old Excel 97–2003 "
            "(.xls) file — open it in Excel, remove the password and save it as an Excel Workbook (.xlsx)"
        )
    if not zipfile.is_zipfile(path):
        return "an .xlsx workbook: this file is not one (perhaps text renamed .xlsx) — save it from Excel or LibreOffice as .xlsx"
    return None


class TooLarge(Exception):
    """A file or sheet over the limits above; ``problem`` says which, and by how much."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.0f} MB" if size >= 1_000_000 else f"{size:,} bytes"


def archive_problem(path: Path, name: str, members: Iterable[str] | None = None) -> Problem | None:
    """Why the zip file ``path`` (an .xlsx is one) must not be unpacked, from the sizes its parts
    declare (``zipfile`` never reads past a declared size); ``None`` when it may be. ``members``:
    only the parts of these names count (the sheet files of a .zip of CSV files)."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [m for m in archive.infolist() if not m.is_dir() and (members is None or m.filename in members)]
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # not a zip: the reader says so in its own words
    expected = (
        f"a file of at most {_megabytes(MAX_UNPACKED_BYTES)} when unpacked, each part at most {MAX_RATIO} times its packed size "
        "(split the records over several files, or save the workbook again from Excel)"
    )
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            return Problem(name, None, None, f"{TOO_LARGE}: {info.filename} unpacks to {_megabytes(info.file_size)}, {ratio:,.0f} times its packed size", expected)
        if total > MAX_UNPACKED_BYTES:
            return Problem(name, None, None, f"{TOO_LARGE}: its parts unpack to more than {_megabytes(MAX_UNPACKED_BYTES)} ({info.filename} alone is {_megabytes(info.file_size)})", expected)
    return None


def cell_too_long(sheet: str, row: int, column: str | None, length: int) -> Problem:
    return Problem(
        sheet, row, column, f"{TOO_LARGE}: a cell of {length:,} characters",
        f"at most {MAX_STRING:,} characters in a cell (Excel's limit; the file was not read further)",
    )


class SheetLimits:
    """Counts what one workbook's sheets hold as they are read, raising :class:`TooLarge` at the
    first limit passed, naming the sheet."""

    def __init__(self) -> None:
        self.cells = 0

    def row(self, sheet: str, row_number: int, values) -> None:
        if row_number > MAX_ROWS:
            raise TooLarge(Problem(sheet, None, None, f"{TOO_LARGE}: more than {MAX_ROWS:,} rows", f"at most {MAX_ROWS:,} rows in a sheet (Excel's limit; the file was not read further)"))
        width = len(values)
        if width > MAX_COLUMNS:
            raise TooLarge(Problem(sheet, row_number, None, f"{TOO_LARGE}: {width:,} columns", f"at most {MAX_COLUMNS:,} columns in a sheet (Excel's limit; the file was not read further)"))
        self.cells += width
        if self.cells > MAX_CELLS:
            raise TooLarge(Problem(sheet, row_number, None, f"{TOO_LARGE}: more than {MAX_CELLS:,} cells", f"at most {MAX_CELLS:,} cells in the workbook's sheets (the file was not read further)"))
        for position, value in enumerate(values):
            if isinstance(value, str) and len(value) > MAX_STRING:
                raise TooLarge(cell_too_long(sheet, row_number, column_letter(position + 1), len(value)))


def out_of_memory(name: str) -> Problem:
    """Reading stopped on the memory it may use (a ``MemoryError``, or a panic of Polars, which
    derives from ``BaseException`` and so escapes ``except Exception``)."""
    return Problem(
        name, None, None, f"{TOO_LARGE}: reading it needed more memory than an upload may use",
        "a smaller file (split the records over several files, or remove what the case file does not need)",
    )


def is_out_of_memory(error: BaseException) -> bool:
    return isinstance(error, (MemoryError, pl.exceptions.PanicException))


def read_workbook(
    path: Path, date_columns: dict[str, set[str]], problems: list[Problem], name: str | None = None
) -> tuple[dict[str, RawTable], list[str]] | None:
    """Raw tables of the case-file sheets of a workbook, and the names of all its sheets.

    ``None`` (with a problem against ``name``, the file's name as the user knows it) when the file
    is not a readable workbook.
    """
    from reoffkit.casefile.xlsx import Book

    name = name or path.name
    why = workbook_problem(path)
    if why is not None:
        problems.append(Problem(name, None, None, None, why))
        return None
    too_large = archive_problem(path, name)
    if too_large is not None:
        problems.append(too_large)
        return None
    try:
        workbook = Book(path)
    except MemoryError:
        problems.append(out_of_memory(name))
        return None
    except Exception as error:  # openpyxl (read when calamine cannot) raises many kinds for a damaged or foreign zip file
        problems.append(
            Problem(name, None, None, None, f"a readable .xlsx workbook: this file is damaged or is not a workbook ({type(error).__name__})")
        )
        return None
    try:
        sheet_names = {}
        for sheet_name in workbook.names:
            sheet_names.setdefault(heading(sheet_name), sheet_name)
        tables: dict[str, RawTable] = {}
        limits = SheetLimits()
        for sheet in date_columns:
            if sheet not in sheet_names:
                continue
            if not workbook.is_worksheet(sheet_names[sheet]):
                problems.append(Problem(sheet, None, None, sheet_names[sheet], "a worksheet of rows and columns (this sheet is a chart)"))
                continue
            tables[sheet] = _worksheet_table(sheet, workbook.rows(sheet_names[sheet]), date_columns[sheet], workbook.epoch, problems, limits)
        return tables, list(workbook.names)
    except TooLarge as refused:
        problems.append(refused.problem)
        return None
    except BaseException as error:
        if is_out_of_memory(error):
            problems.append(out_of_memory(name))
            return None
        if not isinstance(error, Exception):  # KeyboardInterrupt, SystemExit
            raise
        # a sheet whose XML is damaged
        problems.append(Problem(name, None, None, None, f"a readable .xlsx workbook: part of it is damaged ({type(error).__name__}: {error})"))
        return None
    finally:
        workbook.close()


def _worksheet_table(
    sheet: str, rows: Iterable, date_columns: set[str], epoch: dt.datetime, problems: list[Problem], limits: SheetLimits | None = None
) -> RawTable:
    """A worksheet's rows (:meth:`reoffkit.casefile.xlsx.Book.rows`) as a raw table."""
    limits = limits or SheetLimits()
    rows = iter(rows)
    header_row = 0
    given: list[object] = []
    for header_row, values in enumerate(rows, start=1):
        limits.row(sheet, header_row, values)
        if any(_cell_text(v) is not None for v in values):
            given = list(values)
            break
    if not given:
        return no_headings()
    positions = _unique_headings(sheet, header_row, given, problems)
    names = list(positions.values())
    plan = [(position, positions[position] in date_columns) for position in positions]
    width = len(given)
    headless = [p for p in range(width) if _headless(given, p)]
    blocks: list[pl.DataFrame] = []
    unheaded: set[int] = set()
    block: list = []
    first = header_row + 1
    for row_number, values in enumerate(rows, start=first):
        limits.row(sheet, row_number, values)
        block.append(values)
        if len(block) == BLOCK_ROWS:
            blocks.append(_block_table(block, first, names, plan, headless, width, epoch, unheaded))
            first, block = row_number + 1, []
    if block or not blocks:
        blocks.append(_block_table(block, first, names, plan, headless, width, epoch, unheaded))
    frame = pl.concat(blocks) if len(blocks) > 1 else blocks[0]
    if names:
        frame = frame.filter(~pl.all_horizontal(pl.col(names).is_null()))  # rows with nothing under a heading
    _report_unheaded(sheet, header_row, sorted(unheaded), problems)
    return RawTable(frame, header_row, tuple(str(v).strip() for v in given if _cell_text(v) is not None))


BLOCK_ROWS = 65_536  # rows of a worksheet turned into columns at a time (bounds the Python objects held)
# What str.strip() takes off (every character for which str.isspace() holds; a test says so).
WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_PLAIN = {str, type(None)}  # a column of text: stripped by Polars, not cell by cell
_WHOLE = {str, int, type(None)}  # text and whole numbers (calamine's whole-number floats come as int)
_DAYS = {dt.date, type(None)}  # days (not datetime: a time may follow)


def _block_table(
    rows: list, first: int, names: list[str], plan: list[tuple[int, bool]], headless: list[int], width: int, epoch: dt.datetime, unheaded: set[int]
) -> pl.DataFrame:
    """Rows ``first``, ``first + 1``, … of a worksheet as text columns (``_cell_text`` of each cell,
    and a date column's serial numbers as dates), a column at a time: a column of plain text or
    whole numbers goes to Polars as it is and is stripped there, as ``str.strip`` would; any other
    column is read cell by cell. Positions without a heading that hold a value are added to
    ``unheaded``."""
    positions = [position for position, _ in plan]
    off = set(headless)  # positions under a blank heading; those past the headings are off too
    picked = []
    if positions:
        need = max(positions) + 1
        pad = (None,) * need
        get = operator.itemgetter(*positions)
    for values in rows:
        cells = ()
        if positions:
            # Only the headed cells are taken (a row is never widened past them), so a long row
            # costs its own length and nothing more.
            cells = get(values if len(values) >= need else (*values, *pad[len(values):]))
            cells = cells if len(positions) > 1 else (cells,)
            picked.append(cells)
        # A value off the headed cells (under a blank heading, or past the last) is looked for
        # cell by cell, only in a row that can hold one.
        if len(values) > width or (off and len(values) - values.count(None) > len(cells) - cells.count(None)):
            unheaded.update(
                p for p, v in enumerate(values) if (p >= width or p in off) and v is not None and _cell_text(v) is not None
            )
    if not names:
        return pl.DataFrame(schema={ROW: pl.Int64})
    columns = list(zip(*picked)) if picked else [()] * len(positions)
    texts = {}
    for name, (_, is_date), column in zip(names, plan, columns):
        kinds = set(map(type, column))
        if kinds <= _PLAIN:
            texts[name] = column
        elif kinds <= _WHOLE and not is_date:
            texts[name] = [str(v) if v.__class__ is int else v for v in column]
        elif kinds <= _DAYS and (days := pl.Series(column, dtype=pl.Date)).dt.year().min() >= 1000:
            texts[name] = days.dt.strftime("%Y-%m-%d")  # as date.isoformat() writes a day of years 1000-9999
        elif is_date:
            texts[name] = [_serial_date(v, epoch) or _cell_text(v) for v in column]
        else:
            texts[name] = [_cell_text(v) for v in column]
    frame = pl.DataFrame(texts, schema={name: pl.String for name in names})
    frame = frame.select(pl.col(name).str.strip_chars(WHITESPACE) for name in names)
    return frame.select(
        *(pl.when(pl.col(name).str.len_bytes() > 0).then(pl.col(name)).alias(name) for name in names),
        pl.int_range(first, first + len(rows), dtype=pl.Int64).alias(ROW),
    )


def _headless(given: list[object], position: int) -> bool:
    return position >= len(given) or not heading(given[position])


def _report_unheaded(sheet: str, header_row: int, positions: list[int], problems: list[Problem]) -> None:
    for position in positions:
        letter = column_letter(position + 1)
        problems.append(
            Problem(sheet, header_row, None, None, f"a heading above every column that holds values (column {letter} has none, so its values are not read)", "warning")
        )


# CSV folders and .zip files ------------------------------------------------------------------


def csv_files(folder: Path) -> dict[str, Path]:
    """Sheet name → file, for every ``*.csv`` (or Excel "Unicode Text" ``*.txt``) in ``folder``
    (``People.CSV`` is ``people``); a .csv file wins over a .txt file of the same name."""
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir(), key=lambda p: (p.suffix.lower() != ".csv", p.name)):
        if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES:
            found.setdefault(heading(path.stem), path)
    return found


def unzip_sheets(path: Path, folder: Path, sheets: Iterable[str], name: str, problems: list[Problem]) -> bool:
    """Unpack the sheet files of the .zip ``path`` into ``folder``, safely: only files named like a
    sheet (``people.csv``), each under its own name whatever folder the archive gives it (a path in
    an archive is never followed), and at most ``MAX_UNPACKED_BYTES`` in all. ``False``, with a
    problem against ``name``, when there is nothing to read."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        problems.append(Problem(name, None, None, None, "a readable .zip of CSV files (this file is damaged or is not a zip)"))
        return False
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not Path(m.filename).name.startswith(".")]
        wanted = set(sheets)
        texts = [m for m in members if Path(m.filename).suffix.lower() in TEXT_SUFFIXES and heading(Path(m.filename).stem) in wanted]
        if not texts:
            held = ", ".join(m.filename for m in members[:10]) or "nothing"
            problems.append(
                Problem(name, None, None, None, f"a .zip holding people.csv, outcomes.csv (and assessments.csv, actions.csv, resettlement.csv); it holds: {held}")
            )
            return False
        too_large = archive_problem(path, name, {m.filename for m in texts})
        if too_large is not None:
            problems.append(too_large)
            return False
        for member in texts:
            target = folder / Path(member.filename).name
            if target.exists():  # the same sheet twice in different folders of the archive: the first is read
                continue
            with archive.open(member) as source, target.open("wb") as written:
                written.write(source.read(MAX_UNPACKED_BYTES))
    return True


def _utf16(path: Path) -> str | None:
    """The UTF-16 codec of a file in UTF-16 (Excel's "Unicode Text" has a byte order mark; without
    one, NUL bytes in every other place give it away), else ``None``."""
    with path.open("rb") as file:
        start = file.read(4096)
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if len(start) >= 2 and start.count(0) * 4 >= len(start):
        return "utf-16-le" if start[1::2].count(0) >= start[0::2].count(0) else "utf-16-be"
    return None


def _separator(source: Path | io.BytesIO) -> str:
    """A tab when the heading row has more tabs than commas (Excel's "Unicode Text"), else a comma."""
    if isinstance(source, io.BytesIO):
        first = source.getvalue()[:65536].split(b"\n", 1)[0]
    else:
        with source.open("rb") as file:
            first = file.readline(65536)
    return "\t" if first.count(b"\t") > first.count(b",") else ","


def read_csv_table(sheet: str, path: Path, problems: list[Problem]) -> RawTable | None:
    """A CSV file (one heading row) as a raw table; ``None`` if it cannot be read."""
    options = dict(has_header=False, infer_schema=False, quote_char='"')
    source: Path | io.BytesIO = path
    try:
        codec = _utf16(path)
        if codec is not None:
            try:
                source = io.BytesIO(path.read_bytes().decode(codec).encode("utf-8"))
            except UnicodeDecodeError:
                problems.append(
                    Problem(
                        sheet, None, None, path.name,
                        "a file in one encoding: this one starts as UTF-16 (Excel's Unicode Text) but is not UTF-16 throughout — "
                        "save it again from Excel as CSV UTF-8",
                    )
                )
                return None
        options["separator"] = _separator(source)
        try:
            raw = pl.read_csv(source, **options)
        except pl.exceptions.ComputeError as error:
            if "utf-8" not in str(error).lower():
                raise
            source = io.BytesIO(_as_utf8(path).encode("utf-8"))
            problems.append(
                Problem(
                    sheet, None, None, path.name,
                    "a CSV file saved as UTF-8 (this one is not: it was read as Windows-1252 — check names with accents; "
                    "in Excel choose 'CSV UTF-8' when saving)",
                    "warning",
                )
            )
            raw = pl.read_csv(source, **options)
    except pl.exceptions.NoDataError:
        return no_headings()
    except pl.exceptions.ComputeError as error:
        if "more fields" not in str(error):
            problems.append(Problem(sheet, None, None, path.name, f"a comma-separated file with one heading row ({error})"))
            return None
        _report_long_rows(sheet, source, options["separator"], problems)
        if isinstance(source, io.BytesIO):
            source.seek(0)
        raw = pl.read_csv(source, **options, truncate_ragged_lines=True)
    except Exception as error:  # unreadable file: permissions, a folder named .csv, …
        if isinstance(error, MemoryError):
            problems.append(out_of_memory(path.name))
            return None
        problems.append(Problem(sheet, None, None, path.name, f"a readable comma-separated file ({type(error).__name__}: {error})"))
        return None
    except pl.exceptions.PanicException:
        problems.append(out_of_memory(path.name))
        return None
    if raw.height == 0:
        return no_headings()
    # Bytes first: a cell has at least as many bytes as characters, so only a column with a long
    # value in bytes needs its characters counted.
    widest = raw.select(pl.col(c).str.len_bytes().max().alias(c) for c in raw.columns).row(0)
    suspect = [c for c, size in zip(raw.columns, widest) if size is not None and size > MAX_STRING]
    longest = raw.select(pl.col(c).str.len_chars().max().alias(c) if c in suspect else pl.lit(None, pl.UInt32).alias(c) for c in raw.columns).row(0) if suspect else ()
    for position, length in enumerate(longest):
        if length is not None and length > MAX_STRING:
            row = raw.with_row_index("__at").filter(pl.col(raw.columns[position]).str.len_chars() > MAX_STRING)["__at"][0] + 1
            problems.append(cell_too_long(sheet, row, column_letter(position + 1), length))
            return None
    given = [raw[c][0] for c in raw.columns]
    positions = _unique_headings(sheet, 1, given, problems)
    body = raw.slice(1)
    frame = _stripped(body.select(pl.col(raw.columns[p]).alias(name) for p, name in positions.items()))
    # Only a column holding a value that begins with an apostrophe can need one taken off.
    quoted = [name for name, found in frame.select(pl.all().str.starts_with(QUOTE).any()).row(0, named=True).items() if found] if positions else []
    if quoted:
        frame = frame.with_columns(csv_unescape(pl.col(name)).alias(name) for name in quoted)
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    if positions:
        frame = frame.filter(~pl.all_horizontal(pl.exclude(ROW).is_null()))
    headless = [p for p in range(len(raw.columns)) if _headless(given, p)]
    filled = _stripped(body.select(raw.columns[p] for p in headless)).select(pl.all().is_not_null().any()).row(0) if headless else ()
    unheaded = [p for p, found in zip(headless, filled) if found]
    _report_unheaded(sheet, 1, unheaded, problems)
    return RawTable(frame.rechunk(), 1, tuple(str(v).strip() for v in given if v is not None and str(v).strip()))


def _stripped(frame: pl.DataFrame) -> pl.DataFrame:
    """Every value without the white space around it; blank is null. (In two steps: in one
    expression the stripping would be done twice.)"""
    frame = frame.select(pl.all().str.strip_chars())
    return frame.select(pl.when(pl.col(name).str.len_bytes() > 0).then(pl.col(name)).alias(name) for name in frame.columns)


def _as_utf8(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # never fails; Windows-1252 leaves five bytes undefined


def _report_long_rows(sheet: str, source: Path | io.BytesIO, separator: str, problems: list[Problem]) -> None:
    """Report each record with more values than headings (the slow path, only for such files)."""
    if isinstance(source, io.BytesIO):
        text: Iterable[str] = io.StringIO(source.getvalue().decode("utf-8"), newline="")
        _report_long_records(sheet, csv.reader(text, delimiter=separator), problems)
    else:
        with source.open(newline="", encoding="utf-8-sig") as file:
            _report_long_records(sheet, csv.reader(file, delimiter=separator), problems)


def _report_long_records(sheet: str, records, problems: list[Problem]) -> None:
    width = None
    for row, record in enumerate(records, start=1):
        if width is None:
            width = len(record)
            continue
        extra = [v for v in record[width:] if v.strip()]
        if extra:  # trailing empty fields lose nothing
            problems.append(
                Problem(
                    sheet, row, None, ",".join(extra),
                    f"at most {width} values, one under each heading (this row has {len(record)}; "
                    "a value holding a comma must be in double quotes) — the extra values are not read",
                )
            )
