"""Hostile files for the upload tests, crafted with zipfile as an attacker would: real .xlsx
workbooks (Excel's parts, written by hand) that are small packed and enormous unpacked, and .zip
files of CSV with a bomb for a member. Shared by tests; never imported from a test file."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Iterable

CONTENT_TYPES = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
ROOT_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""
SHEET_START = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"""
SHEET_END = b"</sheetData></worksheet>"


def workbook_xml(sheet: str) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="' + sheet.encode() + b'" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def inline(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def write_xlsx(path: Path, rows: Iterable[bytes], *, sheet: str = "people") -> Path:
    """A one-sheet workbook whose sheet XML is ``rows`` (each a ``<row>`` element), streamed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook_xml(sheet))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(SHEET_START)
            for row in rows:
                part.write(row)
            part.write(SHEET_END)
    return path


def header() -> bytes:
    return b'<row r="1">' + inline("A1", "person_id") + inline("B1", "date_of_birth") + b"</row>"


def huge_inline_string(path: Path, characters: int) -> Path:
    """One cell holding ``characters`` characters of inline string (the 1.1 MB workbook that grew
    a process to 23 GB had one)."""

    def rows():
        yield header()
        yield b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
        chunk = b"A" * 1_000_000
        for _ in range(characters // len(chunk)):
            yield chunk
        yield b"A" * (characters % len(chunk))
        yield b"</t></is></c></row>"

    return write_xlsx(path, rows())


def tiny_rows(path: Path, count: int) -> Path:
    """``count`` rows of one short cell each after the headings (12 million of them pack into a
    megabyte or two: rows need no numbers, each follows the last)."""
    row = b"<row><c><v>1</v></c></row>"
    batch = row * 100_000

    def rows():
        yield header()
        for _ in range(count // 100_000):
            yield batch
        yield row * (count % 100_000)

    return write_xlsx(path, rows())


def zip_bomb(path: Path, unpacked: int) -> Path:
    """A .zip of CSV files whose outcomes.csv unpacks to ``unpacked`` bytes of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("people.csv", "person_id,date_of_birth,sex\nP1,2008-01-01,male\n")
        with archive.open("outcomes.csv", "w", force_zip64=True) as part:
            part.write(b"person_id,offence_date,outcome_type,outcome_date\n")
            chunk = b"0" * 10_000_000
            for _ in range(unpacked // len(chunk)):
                part.write(chunk)
    return path
