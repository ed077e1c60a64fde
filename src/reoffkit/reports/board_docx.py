"""The board paper as a Word document (.docx, python-docx): the same sections as
:func:`reoffkit.reports.board.to_html` — cover with sources and the as-at date, contents, each
section's sentences, what is missing, tables, and each chart as a PNG with its alternative text
and the table behind it. "Synthetic data" is in every page's header when it is the demo.
"""

from __future__ import annotations

import io

from reoffkit.reports.board import SYNTHETIC, BoardReport, Table

FONT = "Arial"
HEADER_FILL = "F3F2F1"
MISSING_FILL = "FFF7F0"


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


#: The width of the text on an A4 page with 2 cm margins.
TEXT_WIDTH_CM = 17.0


#: About the width of one character at 8.5 pt, and a cell's padding (cm).
CHAR_CM = 0.19
PADDING_CM = 0.45


def _widths(table: Table, points: float = 8.5) -> list[float]:
    """Column widths (cm): short columns (dates, counts, ratings) get what they need on one line;
    the rest of the page is shared by the long ones in proportion to their typical text."""
    fixed: dict[int, float] = {}
    weights: dict[int, float] = {}
    for position, heading in enumerate(table.columns):
        cells = [str(row[position]) for row in table.rows[:40]] or [""]
        header_word = max([max(len(word) * 1.15, len(word) + 1.5) for word in heading.split()] + [0])
        longest = max(len(text) for text in cells)
        if longest <= 14:
            fixed[position] = max(header_word, longest + 1.5, 3) * CHAR_CM * points / 8.5 + PADDING_CM
        else:
            typical = sorted(len(text) for text in cells)[len(cells) // 2]
            cell_word = max(len(word) for text in cells for word in text.split())
            weights[position] = max(header_word, cell_word, min(40, typical), 6)
    room = TEXT_WIDTH_CM * (0.85 if weights else 1.0)
    if sum(fixed.values()) > room:  # too many short columns: narrow them all alike
        scale = room / sum(fixed.values())
        fixed = {p: w * scale for p, w in fixed.items()}
    left = TEXT_WIDTH_CM - sum(fixed.values())
    total = sum(weights.values()) or 1
    return [fixed[p] if p in fixed else left * weights[p] / total for p in range(len(table.columns))]


def _table(document, table: Table) -> None:
    from docx.shared import Cm, Pt

    points = 8.5 if len(table.columns) < 8 else 7.5  # wide tables in a smaller type, so short values stay on one line

    caption = document.add_paragraph(style="Caption")
    caption.add_run(table.title)
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    header = grid.rows[0]
    _repeat_header(header)
    for cell, text in zip(header.cells, table.columns):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(text))
        run.bold = True
        run.font.size = Pt(points)
        _shade(cell, HEADER_FILL)
    for values in table.rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = ""
            run = cell.paragraphs[0].add_run(str(value))
            run.font.size = Pt(points)
    grid.autofit = False
    for position, width in enumerate(_widths(table, points)):
        grid.columns[position].width = Cm(width)
        for cell in grid.columns[position].cells:
            cell.width = Cm(width)
    if table.note:
        note = document.add_paragraph()
        run = note.add_run(table.note)
        run.italic = True
        run.font.size = Pt(8)


def _picture(document, figure) -> None:
    from docx.shared import Cm

    document.add_picture(io.BytesIO(figure.png()), width=Cm(16))
    picture = document.inline_shapes[-1]
    properties = picture._inline.docPr
    properties.set("descr", figure.alt)
    properties.set("title", figure.chart.name)


def to_docx(report: BoardReport) -> bytes:
    """The paper as the bytes of a .docx file."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_BREAK
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    styles = document.styles
    styles["Normal"].font.name = FONT
    styles["Normal"].font.size = Pt(10.5)
    for name, size in (("Title", 24), ("Heading 1", 15), ("Heading 2", 12), ("Caption", 9)):
        styles[name].font.name = FONT
        styles[name].font.size = Pt(size)
    styles["Caption"].font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
    styles["Caption"].font.bold = True
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin = section.bottom_margin = Cm(2.0)
    document.core_properties.title = report.title
    document.core_properties.author = "reoffkit"
    document.core_properties.subject = f"{report.area_label}, {report.period}, data as at {report.as_at:%-d %B %Y}"

    header = section.header.paragraphs[0]
    header.text = f"{report.title} · data as at {report.as_at:%-d %B %Y}"
    header.runs[0].font.size = Pt(8)
    if report.synthetic:
        run = section.header.add_paragraph().add_run(SYNTHETIC)
        run.bold = True
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(0xB5, 0x3A, 0x00)
    footer = section.footer.paragraphs[0]
    footer.text = "Official – sensitive once it holds real figures. Counts under 5 are withheld; no child is named."
    footer.runs[0].font.size = Pt(8)

    document.add_paragraph(report.title, style="Title")
    cover = document.add_paragraph()
    for label, value in (("Area", report.area_label), ("Period", report.period), ("Data as at", f"{report.as_at:%-d %B %Y}"),
                         ("Made on", f"{report.made_on:%-d %B %Y}")):
        cover.add_run(f"{label}: ").bold = True
        cover.add_run(value)
        cover.add_run().add_break()
    document.add_paragraph().add_run("Sources").bold = True
    for source in report.sources:
        document.add_paragraph(source, style="List Bullet")
    document.add_paragraph(
        "Every figure is computed by reoffkit from the case records and the published figures named above; "
        "counts under 5 are withheld and no child is named."
    )
    document.add_paragraph().add_run("Contents").bold = True
    for number, item in enumerate(report.sections, start=1):
        document.add_paragraph(f"{number}. {item.title}")
    document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)

    for number, item in enumerate(report.sections, start=1):
        document.add_heading(f"{number}. {item.title}", level=1)
        for text in item.paragraphs:
            document.add_paragraph(text)
        for text in item.missing:
            paragraph = document.add_paragraph()
            paragraph.add_run("Missing: ").bold = True
            paragraph.add_run(text)
        for table in item.tables:
            _table(document, table)
        for figure in item.figures:
            _picture(document, figure)
            _table(document, figure.table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
