"""An .xlsx workbook's cells, read by python-calamine (Rust, the whole sheet at once) as the values
openpyxl's read-only reader gave: ``None`` for a blank cell, whole numbers as ``int``, dates,
times and durations as :mod:`datetime` values, an error cell as its text (``#N/A``). Every later
check and every problem message is therefore the same whichever reader read a sheet.

calamine gives up a few details openpyxl kept; a pass over the sheet's XML (streamed, counted
with ``bytes.count`` and a few regular expressions) finds them before the sheet is loaded:

- error cells (``t="e"``), which calamine reads as blank: their text is taken from the XML;
- numbers calamine would read otherwise than openpyxl — more digits than a float holds, and
  date-formatted serials outside Excel's dates (before its epoch, past 9999-12-31, a whole day's
  fraction): read from the XML and converted by openpyxl's own rules;
- how far the sheet reaches: calamine lays a sheet out as one block of rows × columns (32 bytes a
  cell), so one cell at XFD1048576 would ask for half a terabyte.

A sheet the pass cannot vouch for — XML not written the usual way (cells without a reference,
namespace prefixes, ISO date cells), a block over ``DENSE_CELLS`` cells, anything calamine fails
on — is read by openpyxl as before, streamed row by row. docs/adr/0018-reading-workbooks.md
says why and what is left.
"""

from __future__ import annotations

import datetime as dt
import itertools
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence
from xml.etree import ElementTree
from xml.sax.saxutils import unescape

WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
MAC_EPOCH = dt.datetime(1904, 1, 1)
# Rows × columns of one sheet calamine may lay out (32 bytes a cell, besides its text): about
# twice the national 1× outcomes sheet, a cautious bound on what one sheet may hold in memory at
# once; over this, openpyxl streams the sheet.
DENSE_CELLS = 6_000_000
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
CHUNK = 1 << 22  # bytes of sheet XML looked at at a time

_CELL_START = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"([^>]*)>')
_CELL_COLUMNS = re.compile(rb'<c r="([A-Z]+)')
_CELL_ROWS = re.compile(rb'<c r="[A-Z]+([0-9]+)"')
_PREFIXED = re.compile(rb":(?:c|row|v|f|is|sheetData)[\s/>]")
_ATTRIBUTE = re.compile(rb'\s([a-zA-Z:]+)="([^"]*)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
# Numbers calamine and openpyxl may read differently: negative, very large (a serial past
# 9999-12-31, or more digits than a float holds), written with an exponent, or a fraction
# within a millisecond of the next whole number (a date-formatted one is that next day).
_SUSPECT = re.compile(rb"<v>(?:-|[0-9]*\.[0-9]*9999999|[3-9][0-9]{6}|2[89][0-9]{5}|[1-9][0-9]{7}|[^<]*[eE]\+)")
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f(?=[\s/>])([^>]*)>")

PACKAGE_RELATIONS = "_rels/.rels"


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


@dataclass
class _Scan:
    """What the pass over one sheet's XML found: cells whose value calamine cannot give (row and
    column from 0 → the value openpyxl gives), and how far the cells reach."""

    overrides: dict[int, dict[int, object]] = field(default_factory=dict)
    rows: int = 0
    columns: int = 0


class Book:
    """An open workbook: its sheet names (in order, chart sheets too), its date system, and each
    worksheet's rows of values. When calamine cannot open the workbook (or a part fails its
    CRC check), openpyxl opens it, so a damaged file is reported in openpyxl's words as before."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._openpyxl = None
        self._calamine = None
        self._styles = None
        try:
            from python_calamine import CalamineWorkbook, SheetTypeEnum

            self._archive = zipfile.ZipFile(self.path)
            self._parts, self.epoch = _workbook_parts(self._archive)
            _check_parts(self._archive, set(self._parts.values()))
            self._calamine = CalamineWorkbook.from_path(str(self.path))
            self.names: list[str] = list(self._calamine.sheet_names)
            self._worksheets = {m.name for m in self._calamine.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet}
        except Exception:
            self.close()
            self._open_openpyxl()
            self.names = list(self._openpyxl.sheetnames)
            self.epoch = self._openpyxl.epoch

    def _open_openpyxl(self):
        if self._openpyxl is None:
            from openpyxl import load_workbook

            self._openpyxl = load_workbook(self.path, read_only=True, data_only=True)
        return self._openpyxl

    def is_worksheet(self, name: str) -> bool:
        if self._calamine is not None:
            return name in self._worksheets
        return hasattr(self._openpyxl[name], "iter_rows")

    def rows(self, name: str) -> Iterator[Sequence[object]]:
        """Each row of the sheet from row 1, as openpyxl's read-only reader gives it (a blank row
        as an empty list; a row up to its last value)."""
        scan = None
        if self._calamine is not None and name in self._parts:
            try:
                scan = _scan(self._archive, self._parts[name], self._date_styles, self.epoch)
                sheet = self._calamine.get_sheet_by_name(name) if scan is not None else None
            except MemoryError:
                raise
            except Exception:
                scan = None
        if scan is None:
            return self._openpyxl_rows(name)
        return self._calamine_rows(name, sheet, scan)

    def _openpyxl_rows(self, name: str) -> Iterator[Sequence[object]]:
        worksheet = self._open_openpyxl()[name]
        # The stored dimensions of a sheet written by other programs can be wrong; read every row there is.
        worksheet.reset_dimensions()
        return worksheet.iter_rows(values_only=True)

    def _calamine_rows(self, name: str, sheet, scan: _Scan) -> Iterator[Sequence[object]]:
        start = sheet.start  # calamine's rows begin at row 1 but at the first column used
        offset = [None] * start[1] if start else []
        rows = sheet.iter_rows() if start else iter(())
        # An error cell calamine reads as blank can lie below its last row.
        below = max(scan.overrides, default=-1) + 1 - ((start[0] + sheet.height) if start else 0)
        done = 0
        try:
            for number, row in enumerate(itertools.chain(rows, itertools.repeat([], max(0, below)))):
                values = [None if v == "" else int(v) if v.__class__ is float and v.is_integer() and -2**53 < v < 2**53 else v for v in row]
                while values and values[-1] is None:
                    values.pop()
                if offset and values:
                    values = offset + values
                changed = scan.overrides.get(number)
                if changed:
                    values = values + [None] * (max(changed) + 1 - len(values))
                    for column, value in changed.items():
                        values[column] = value
                    while values and values[-1] is None:
                        values.pop()
                done += 1
                yield values
        except (OverflowError, ValueError):  # a value calamine cannot convert (a duration of millions of days)
            yield from itertools.islice(self._openpyxl_rows(name), done, None)

    def _date_styles(self) -> tuple[set[int], set[int]]:
        """The cell styles (by index) that openpyxl reads as dates, and as durations."""
        if self._styles is None:
            from openpyxl.styles.stylesheet import Stylesheet
            from openpyxl.xml.functions import fromstring

            path = next((n for n in self._archive.namelist() if n.lower() == "xl/styles.xml"), None)
            if path is None:
                self._styles = (set(), set())
            else:
                sheet = Stylesheet.from_tree(fromstring(self._archive.read(path)))
                self._styles = (sheet.date_formats, sheet.timedelta_formats)
        return self._styles

    def close(self) -> None:
        if self._calamine is not None:
            self._calamine.close()
            self._calamine = None
        if getattr(self, "_archive", None) is not None:
            self._archive.close()
            self._archive = None
        if self._openpyxl is not None:
            self._openpyxl.close()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _workbook_parts(archive: zipfile.ZipFile) -> tuple[dict[str, str], dt.datetime]:
    """Sheet name → the part of the archive holding its XML, and the workbook's date system."""
    relation = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    root = ElementTree.fromstring(archive.read(PACKAGE_RELATIONS))
    workbook = next(r.get("Target") for r in root if r.get("Type", "").endswith("/officeDocument")).lstrip("/")
    folder, leaf = posixpath.split(workbook)
    targets = {r.get("Id"): r.get("Target") for r in ElementTree.fromstring(archive.read(posixpath.join(folder, "_rels", leaf + ".rels")))}
    book = ElementTree.fromstring(archive.read(workbook))
    parts = {}
    epoch = WINDOWS_EPOCH
    for element in book.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "workbookPr" and (element.get("date1904") or "").lower() in ("1", "true"):
            epoch = MAC_EPOCH
        elif tag == "sheet":
            target = targets.get(element.get(relation))
            if target:
                parts[element.get("name")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
    return parts, epoch


def _check_parts(archive: zipfile.ZipFile, sheets: set[str]) -> None:
    """Read every part but the worksheets (each is read whole when scanned) to its end, where
    zipfile checks it against its CRC: openpyxl reads them all, and said so of a damaged one."""
    for info in archive.infolist():
        if info.filename not in sheets and not info.is_dir():
            with archive.open(info) as stream:
                while stream.read(CHUNK):
                    pass


def _pieces(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The sheet's XML from ``<sheetData`` to ``</sheetData>``, in pieces that end after a row's tag
    (so no cell is cut in two); nothing when the sheet has no ``sheetData`` of its own."""
    started = False
    left = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(CHUNK)
            data = left + chunk
            cut = len(data) if not chunk else data.rfind(b"row>") + 4
            if cut < 4 and chunk:
                left = data
                continue
            piece, left = data[:cut], data[cut:]
            if not started:
                at = piece.find(b"<sheetData")
                if at >= 0:
                    started, piece = True, piece[at:]
            if started:
                end = piece.find(b"</sheetData>")
                if end >= 0:
                    yield piece[:end]
                    while stream.read(CHUNK):  # to the end, where zipfile checks the part is whole
                        pass
                    return
                yield piece
            if not chunk:
                return


def _scan(archive: zipfile.ZipFile, part: str, date_styles, epoch: dt.datetime) -> _Scan | None:
    """The pass over a sheet's XML; ``None`` when calamine must not read the sheet."""
    scan = _Scan()
    seen = False
    for piece in _pieces(archive, part):
        seen = True
        if (
            piece.count(b"<c") != piece.count(b'<c r="')
            or piece.count(b"<row") != piece.count(b'<row r="')
            or b't="d"' in piece
            or _PREFIXED.search(piece)
        ):
            return None
        found = _CELL_ROWS.findall(piece)
        if len(found) != piece.count(b'<c r="'):  # a reference not of capital letters and digits
            return None
        cell_rows = set(found)
        if cell_rows:
            scan.rows = max(scan.rows, max(map(int, cell_rows)))
        columns = set(_CELL_COLUMNS.findall(piece))
        if columns:
            scan.columns = max(scan.columns, max(column_number(c.decode()) for c in columns))
        if scan.rows > MAX_ROWS or scan.columns > MAX_COLUMNS or scan.rows * scan.columns > DENSE_CELLS:
            return None
        if b't="e"' in piece and not _errors(piece, scan):
            return None
        if not _numbers(piece, scan, date_styles, epoch):
            return None
    return scan if seen else None


def _cell_at(piece: bytes, position: int):
    """The start tag of the cell holding ``position``, and where the cell ends."""
    start = piece.rfind(b"<c ", 0, position)
    tag = _CELL_START.match(piece, start) if start >= 0 else None
    if tag is None:
        return None, None
    end = piece.find(b"</c>", tag.end()) if not tag.group(3).endswith(b"/") else tag.end()
    return tag, end


def _errors(piece: bytes, scan: _Scan) -> bool:
    position = piece.find(b't="e"')
    while position >= 0:
        tag, end = _cell_at(piece, position)
        if tag is None or end < 0 or position > tag.end():
            return False
        value = _VALUE.search(piece, tag.end(), end)
        if value is not None:
            _set(scan, tag, unescape(value.group(1).decode("utf-8")) or None)
        position = piece.find(b't="e"', max(end, position + 1))
    return True


def _numbers(piece: bytes, scan: _Scan, date_styles, epoch: dt.datetime) -> bool:
    """Numbers calamine may read otherwise, read as openpyxl reads them."""
    for found in _SUSPECT.finditer(piece):
        tag, end = _cell_at(piece, found.start())
        if tag is None or end < 0 or found.start() > end:
            return False
        attributes = dict(_ATTRIBUTE.findall(tag.group(3)))
        if attributes.get(b"t", b"n") != b"n":
            continue
        text = piece[found.start() + 3 : piece.find(b"</v>", found.start())].decode("ascii", "replace")
        try:
            value: object = float(text) if "." in text or "e" in text or "E" in text else int(text)
        except ValueError:
            return False
        style = int(attributes.get(b"s", b"0") or 0)
        dates, durations = date_styles()
        if style in dates:
            from openpyxl.utils.datetime import from_excel

            try:
                value = from_excel(value, epoch, timedelta=style in durations)
            except (OverflowError, ValueError):
                value = "#VALUE!"
        _set(scan, tag, value)
    return True


def _set(scan: _Scan, tag, value: object) -> None:
    scan.overrides.setdefault(int(tag.group(2)) - 1, {})[column_number(tag.group(1).decode()) - 1] = value


def formula_counts(path: Path, wanted: Callable[[str], bool]) -> dict[str, int]:
    """How many formulas each worksheet whose name is ``wanted`` holds, in workbook order (array
    and data-table formulas aside, as openpyxl counted them), from the sheets' XML."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(path) as archive:
        parts, _ = _workbook_parts(archive)
        for name in parts:
            if not wanted(name):
                continue
            count = 0
            with archive.open(parts[name]) as stream:
                left = b""
                while chunk := stream.read(CHUNK):
                    data = left + chunk
                    cut = data.rfind(b">") + 1
                    data, left = data[:cut], data[cut:]
                    count += sum(1 for attributes in _FORMULA.findall(data) if b'"array"' not in attributes and b'"dataTable"' not in attributes)
            counts[name] = count
    return counts
