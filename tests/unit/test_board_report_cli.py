"""``reoffkit board-report``: the .docx and .html from a case file, by default the latest four
completed quarters and the shipped national figures; bad input explained with exit code 2."""

from __future__ import annotations

import datetime as dt

import pytest

from reoffkit.casefile import write_case_file
from reoffkit.cli import main
from reoffkit.demo import DEMO_POPULATION_AREA, demo_frames

AS_AT = "2026-12-01"


@pytest.fixture(scope="module")
def case_file(tmp_path_factory):
    return write_case_file(demo_frames(dt.date.fromisoformat(AS_AT)), tmp_path_factory.mktemp("cli") / "case.xlsx")


def words(path) -> str:
    from docx import Document

    document = Document(path)
    return "\n".join([p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells])


def test_it_writes_the_paper_for_the_latest_four_completed_quarters(case_file, tmp_path, capsys):
    from openpyxl import Workbook

    plan = tmp_path / "plan.xlsx"
    book = Workbook()
    book.active.append(["Issue", "Actions", "By whom", "By when"])
    book.active.append(["Reoffending after youth rehabilitation orders", "Review YRO plans", "Head of service", dt.datetime(2026, 11, 1)])
    book.save(plan)
    out = tmp_path / "paper" / "report.docx"
    code = main(["board-report", str(case_file), "--as-at", AS_AT, "--out", str(out), "--area", DEMO_POPULATION_AREA, "--plan", str(plan), "--synthetic"])
    assert code == 0
    text = words(out)
    assert "Period: 2024Q2–2025Q1" in text and "That is significantly higher than the national 32.2%" in text
    assert "Reoffending after youth rehabilitation orders" in text and "RED: Overdue by 30 days" in text
    assert "Telford and Wrekin" in text and "Over-represented" in text
    page = out.with_suffix(".html").read_text(encoding="utf-8")
    assert "Headline summary" in page and "Synthetic data" in page
    assert f"Wrote {out} and {out.with_suffix('.html')}" in capsys.readouterr().out


def test_a_chosen_period_without_national_figures_or_population_still_builds_and_says_what_is_missing(case_file, tmp_path, capsys):
    out = tmp_path / "report.docx"
    code = main(["board-report", str(case_file), "--as-at", AS_AT, "--period", "2023Q4", "--out", str(out), "--no-shipped-figures"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "No national figures are loaded" in printed
    assert "No area of the population table was named for the services (give --area" in printed
    assert "Period: 2023Q4–2024Q3" in words(out)


def test_bad_input_is_explained_with_exit_code_2(case_file, tmp_path, capsys):
    assert main(["board-report", str(case_file), "--out", str(tmp_path / "report.pdf")]) == 2
    assert "expected a file name ending .docx" in capsys.readouterr().err
    bad_plan = tmp_path / "plan.xlsx"
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Issue", "Actions", "By whom", "By when"])
    book.active.append(["Issue", "", "Someone", "tomorrow"])
    book.save(bad_plan)
    assert main(["board-report", str(case_file), "--out", str(tmp_path / "r.docx"), "--plan", str(bad_plan)]) == 2
    err = capsys.readouterr().err
    assert "row 2, column 'Actions': is empty" in err and "row 2, column 'By when': 'tomorrow'" in err
    assert not (tmp_path / "r.docx").exists()
    with pytest.raises(SystemExit):
        main(["board-report", str(case_file), "--out", str(tmp_path / "r.docx"), "--period", "2024Q9"])
