"""docs/examples/board-report-example.docx and .html are what the script makes from the demo today
(run `.venv/bin/python docs/examples/make_board_report_example.py` after changing the report)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def script():
    spec = importlib.util.spec_from_file_location("make_board_report_example", EXAMPLES / "make_board_report_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def content(path: Path) -> list[str]:
    """Everything a reader sees in a .docx: paragraphs, header, tables and each picture's alt text."""
    from docx import Document

    document = Document(path)
    return (
        [p.text for p in document.paragraphs]
        + [p.text for p in document.sections[0].header.paragraphs]
        + [" | ".join(c.text for c in row.cells) for table in document.tables for row in table.rows]
        + [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    )


def without_images(page: str) -> str:
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:image/png;base64,…", page)


def test_the_examples_are_current(tmp_path):
    docx, page = script().write(tmp_path)
    assert content(EXAMPLES / "board-report-example.docx") == content(docx), "run docs/examples/make_board_report_example.py"
    assert without_images((EXAMPLES / "board-report-example.html").read_text(encoding="utf-8")) == without_images(page.read_text(encoding="utf-8"))


def test_the_example_reads_as_a_board_member_expects():
    text = "\n".join(content(EXAMPLES / "board-report-example.docx"))
    for heading in ("1. Headline summary", "2. Data summary", "3. Live cohorts against projected national averages",
                    "4. Retrospective analysis: findings by line of enquiry", "5. Ethnic disproportionality", "6. Improvement action plan", "7. Data quality"):
        assert heading in text
    assert "Synthetic data: every child, offence and figure in this paper is made up for the demonstration." in text
    assert "Data as at: 1 December 2026" in text and "Progress since the last paper (1 September 2026)" in text
    assert "RED: Overdue by 3 days" in text and "22 of 25 plans reviewed" in text and "Audit tool agreed" not in text
