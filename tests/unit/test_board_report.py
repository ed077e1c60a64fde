"""The board paper: each section's numbers are the figures of the reports the pages use, small
counts are withheld, no child is named, missing inputs are said, and the .docx opens in LibreOffice
Writer (converted to PDF)."""

from __future__ import annotations

import datetime as dt
import io
import re

import polars as pl
import pytest
from office import soffice

from reoffkit.casefile import read_case_file, write_case_file
from reoffkit.demo import DEMO_POPULATION_AREA, demo_frames
from reoffkit.engine import Period
from reoffkit.reference.population import shipped_population
from reoffkit.reports.analysis import analysis_report, for_board
from reoffkit.reports.board import PlanRow, board_report, plan_workbook, read_plan, to_html
from reoffkit.reports.board_docx import to_docx
from reoffkit.reports.disproportionality import disproportionality_report, shared_findings
from reoffkit.reports.performance import performance_report, suppressed_report

AS_AT = dt.date(2026, 12, 1)
AREA = "Northmoor Youth Justice Service"


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    folder = tmp_path_factory.mktemp("board")
    return read_case_file(write_case_file(demo_frames(AS_AT), folder / "case-file"), today=AS_AT)


@pytest.fixture(scope="module")
def population():
    return shipped_population().population([DEMO_POPULATION_AREA])


@pytest.fixture(scope="module")
def plan():
    return [
        PlanRow("Reoffending after youth rehabilitation orders is high", "Review YRO intervention plans", "Pat Manager", AS_AT - dt.timedelta(days=3),
                status="in_progress", raised_on=AS_AT - dt.timedelta(days=90), source="Retrospective analysis: line 5",
                notes=((AS_AT - dt.timedelta(days=60), "Pat", "Audit started"), (AS_AT - dt.timedelta(days=5), "Pat", "Half the plans reviewed"))),
        PlanRow("=HYPERLINK(\"http://x\")", "Check ethnicity recording", "Police: data team", AS_AT + dt.timedelta(days=60), raised_on=AS_AT - dt.timedelta(days=10)),
        PlanRow("Resettlement", "Plan accommodation before release", "Housing", AS_AT - dt.timedelta(days=20), status="dropped", dropped_reason="Merged into the resettlement plan"),
    ]


@pytest.fixture(scope="module")
def report(case, population, plan):
    return board_report(
        case.people, case.outcomes, case.assessments, areas=[AREA], as_at=AS_AT, resettlement=case.resettlement, population=population,
        plan=plan, last_paper_on=AS_AT - dt.timedelta(days=30), synthetic=True, sources=["Case file of the demo"],
    )


def text_of(report) -> str:
    return "\n".join([*(p for s in report.sections for p in [s.title, *s.paragraphs, *s.missing]),
                      *(str(c) for s in report.sections for t in s.tables for row in t.rows for c in row)])


def test_the_default_period_is_the_latest_four_completed_quarters(report):
    # follow-up of 12 months and 6 more for the courts: the latest quarter complete by 1 Dec 2026 is 2025Q1
    assert report.period == "2024Q2–2025Q1"


def test_the_analysis_section_quotes_the_analysis_page_for_the_board(case, report):
    expected = for_board(analysis_report(case.people, case.outcomes, case.assessments, areas=[AREA], period=Period.parse("2024Q2", 4), as_at=AS_AT,
                                         resettlement=case.resettlement), 5)
    assert report.numbers["cohort_size"] == expected.cohort["cohort_size"] and report.numbers["reoffenders"] == expected.cohort["reoffenders"]
    assert report.numbers["findings"] == [s.finding for s in expected.sections]
    findings = report.section("analysis").tables[0]
    assert [row[1] for row in findings.rows] == [s.finding.rstrip(".") + "." for s in expected.sections]
    headline = report.section("headline").paragraphs[0]
    assert headline.startswith(f"Of the {expected.cohort['cohort_size']} children in the 2024Q2–2025Q1 cohort, {expected.cohort['reoffenders']} reoffended")
    assert f"{100 * expected.cohort['binary_rate']:.1f}%" in headline
    summary = report.section("summary").tables[0]
    assert summary.rows[0][:2] == ["Reoffending: binary rate", f"{100 * expected.cohort['binary_rate']:.1f}%"]
    assert summary.rows[1][1] == f"{expected.cohort['reoffences'] / expected.cohort['cohort_size']:.2f}"


def test_the_checklist_covers_the_eight_lines_of_enquiry(report):
    checklist = report.section("analysis").tables[1]
    assert [row[0].split(".")[0] for row in checklist.rows] == [str(n) for n in range(1, 9)]
    assert all(row[1] in ("yes", "no") for row in checklist.rows)
    assert all(row[2] for row in checklist.rows if row[1] == "no")


def test_the_live_section_is_the_performance_page_suppressed(case, report):
    page = suppressed_report(performance_report(case.people, case.outcomes, case.assessments, areas=[AREA], as_at=AS_AT), 5)
    live = report.section("live")
    assert [row[0] for row in live.figures[0].table.rows] == page.live["cohort"].to_list()
    assert report.numbers["live"] == page.live.select("cohort", "cohort_size", "reoffenders", "binary_rate", "national_binary_now").to_dicts()
    assert page.findings["live"].rstrip(".") + "." in live.paragraphs


def test_disproportionality_findings_are_the_shared_ones(case, population, report):
    expected = shared_findings(disproportionality_report(case.people, case.outcomes, population, areas=[AREA], period=Period.parse("2024Q2", 4),
                                                         as_at=AS_AT, assessments=case.assessments))
    assert report.numbers["dispro_findings"] == expected
    over = [t for t in expected if "Over-represented" in t]
    assert over and all(t.rstrip(".") + "." in report.section("disproportionality").paragraphs for t in over)


def test_the_plan_rates_each_item_and_lists_only_progress_since_the_last_paper(report):
    plan = report.section("plan")
    rows = plan.tables[0].rows
    assert rows[0][5].startswith("RED: Overdue by 3 days") and rows[1][5].startswith("GREEN") and rows[2][5].startswith("–: Dropped")
    assert "Half the plans reviewed" in rows[0][6] and "Audit started" not in rows[0][6]
    assert rows[2][4] == "Dropped: Merged into the resettlement plan"
    assert report.numbers["plan_overdue"] == 1 and "1 red, 0 amber, 1 green, 1 dropped" in plan.paragraphs[0]


def test_small_counts_are_withheld_everywhere(case, population):
    """A service of a few children: no count from 1 to 4 reaches the paper."""
    few = case.people.head(40)
    small = board_report(few, case.outcomes.filter(pl.col("person_id").is_in(few["person_id"].to_list())), case.assessments, areas=[AREA], as_at=AS_AT,
                         population=population, plan=[])
    text = text_of(small)
    assert "withheld" in text or "fewer than 5" in text
    tables = [t for s in small.sections for t in [*s.tables, *(f.table for f in s.figures)]]
    checked = 0
    for table in tables:
        for position, heading in enumerate(table.columns):
            if heading in ("Children", "Reoffended", "Reoffenders", "Cohort size", "Reoffenders so far"):
                values = [row[position] for row in table.rows]
                checked += len(values)
                assert not any(v in {"1", "2", "3", "4"} for v in values), (table.title, heading, values)
    assert checked > 10
    for value in ("cohort_size", "reoffenders", "reoffences"):
        assert small.numbers.get(value) is None or small.numbers[value] >= 5 or small.numbers[value] == 0


def test_no_child_is_identifiable_in_the_paper(case, report):
    """No child's id or police national computer number anywhere in the .docx or the page (the
    web test checks names)."""
    docx_text = docx_words(to_docx(report))
    html_text = to_html(report, image_src=lambda f: "x.png")
    assert case.people["person_id"].str.contains(r"^P\d{7}$").all() and case.people["pnc_id"].drop_nulls().len() > 100
    for text in (docx_text, html_text):
        assert not re.search(r"P\d{7}", text)
        assert not re.search(r"\d{2}/\d{6}[A-Z]", text)


def test_missing_inputs_are_said_and_the_paper_still_builds(case):
    """No completed cohort, no national figures, no population, no plan: each section says what is missing."""
    early = AS_AT - dt.timedelta(days=3 * 365 + 60)
    bare = board_report(case.people, case.outcomes, case.assessments, areas=[AREA], as_at=early, figures=[], population=None,
                        population_missing="No 10–17 population table is chosen for Northmoor.")
    assert bare.period == "no completed cohort"
    missing = {s.key: " ".join(s.missing) for s in bare.sections}
    assert "No cohort has completed its follow-up" in missing["summary"] and "No national figures are loaded" in missing["summary"]
    assert "National comparison figures not loaded" in missing["summary"]
    assert "No quarterly cohort has completed its follow-up" in missing["analysis"]
    assert "No action plan supplied" in missing["plan"]
    assert bare.section("analysis").tables[0].rows[0][1:] == ["no", "no completed cohort"]
    with_cohort = board_report(case.people, case.outcomes, case.assessments, areas=[AREA], as_at=AS_AT, figures=[], population=None,
                               population_missing="No 10–17 population table is chosen for Northmoor.")
    assert "No 10–17 population table is chosen for Northmoor. A performance officer chooses" in " ".join(with_cohort.section("disproportionality").missing)
    assert with_cohort.section("summary").tables[0].rows[0][4] == "not loaded"
    assert to_docx(bare)[:2] == b"PK"


def docx_words(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in document.sections for p in section.header.paragraphs]
    return " " + "\n ".join(parts) + " "


def test_the_docx_has_every_section_alt_text_tables_behind_charts_and_the_synthetic_mark(report):
    from docx import Document

    content = to_docx(report)
    document = Document(io.BytesIO(content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"{n}. {s.title}" for n, s in enumerate(report.sections, start=1)]
    pictures = document.inline_shapes
    figures = [f for s in report.sections for f in s.figures]
    assert len(pictures) == len(figures) >= 3
    assert [p._inline.docPr.get("descr") for p in pictures] == [f.alt for f in figures]
    assert "Synthetic data" in document.sections[0].header.paragraphs[1].text
    words = docx_words(content)
    for figure in figures:
        assert f"Data for the chart: {figure.chart.title}" in words
    assert "Data as at: 1 December 2026" in words.replace("\n", " ")


def test_the_html_page_has_the_same_sections_and_prints_cleanly(report):
    page = to_html(report, image_src=lambda f: f"{f.chart.name}.png")
    for number, section in enumerate(report.sections, start=1):
        assert f"<h2>{number}. {section.title}</h2>" in page.replace("&amp;", "&")
    assert "@media print" in page and page.count("Synthetic data: every child") == 3 and "@bottom-center" in page
    for figure in (f for s in report.sections for f in s.figures):
        assert f"alt='{figure.alt}'" in page.replace("&#x27;", "'")
    assert page.count("<img ") == sum(len(s.figures) for s in report.sections)


def test_the_docx_converts_to_pdf_in_libreoffice_writer(tmp_path, report):
    source = tmp_path / "board-report.docx"
    source.write_bytes(to_docx(report))
    pdf = soffice(tmp_path, source, "pdf")
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 5 <= pages <= 20, pages


def test_the_plan_workbook_round_trips_and_never_writes_a_formula(tmp_path, plan):
    from openpyxl import load_workbook

    path = tmp_path / "plan.xlsx"
    plan_workbook(plan, as_at=AS_AT, title="Northmoor: improvement action plan").save(path)
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[3]][:5] == ["Issue", "From finding", "Actions", "By whom", "By when"]
    assert sheet["A5"].value == '=HYPERLINK("http://x")' and sheet["A5"].data_type == "s"
    assert sheet["H4"].value == "red" and sheet["I4"].value == "Overdue by 3 days"
    # the register holds the template's four columns among its own, so it can be imported again
    items, problems = read_plan(path)
    assert problems == []
    assert [(i["issue"], i["by_whom"], i["due_on"]) for i in items] == [(row.issue, row.by_whom, row.due_on) for row in plan]


def test_an_imported_plan_with_problems_gives_every_row_and_column_and_nothing(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Our action plan"])
    sheet.append(["Issue", "Actions", "By whom", "By when"])
    sheet.append(["Late reviews", "Weekly review list", "Team manager", dt.datetime(2027, 3, 31)])
    sheet.append(["", "Something", "Police", "next week"])
    sheet.append(["Custody", "Remand review", "", None])
    path = tmp_path / "plan.xlsx"
    book.save(path)
    items, problems = read_plan(path)
    assert items == []
    assert [str(p) for p in problems] == [
        "row 4, column 'Issue': is empty; every item needs an issue, its actions and who will do them",
        "row 4, column 'By when': 'next week' — expected a date such as 2027-03-31",
        "row 5, column 'By whom': is empty; every item needs an issue, its actions and who will do them",
        "row 5, column 'By when': expected a date such as 2027-03-31",
    ]
    sheet.delete_rows(4, 2)
    book.save(path)
    items, problems = read_plan(path)
    assert problems == [] and items == [{"issue": "Late reviews", "actions": "Weekly review list", "by_whom": "Team manager", "due_on": dt.date(2027, 3, 31), "row": 3}]


def test_a_plan_whose_cells_are_formulas_never_calculated_says_so(tmp_path):
    """A workbook written by a program, with formulas Excel never calculated, reads as blank cells:
    the problem says why, as the case-file reader does."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Issue", "Actions", "By whom", "By when"])
    sheet.append(['=CONCAT("Late ", "reviews")', "Weekly review list", "=B1", dt.datetime(2027, 3, 31)])
    path = tmp_path / "plan.xlsx"
    book.save(path)
    items, problems = read_plan(path)
    assert items == []
    assert [str(p) for p in problems][-1] == (
        "row 2: the first sheet holds 2 formulas without calculated results (a workbook written by a program and never saved "
        "by Excel), which read as empty cells: open the workbook in Excel or LibreOffice and save it (or copy the cells and "
        "paste them as values), then import it again"
    )
    book = Workbook()
    book.active.append(["Issue", "Actions", "By whom", "By when"])
    book.active.append(["", "Weekly review list", "Team manager", dt.datetime(2027, 3, 31)])
    book.save(path)
    assert [str(p) for p in read_plan(path)[1]] == ["row 2, column 'Issue': is empty; every item needs an issue, its actions and who will do them"]


def test_a_workbook_without_the_columns_or_not_a_workbook_is_refused(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Issue", "Owner"])
    path = tmp_path / "plan.xlsx"
    book.save(path)
    assert "no heading row with the columns Issue, Actions, By whom, By when" in str(read_plan(path)[1][0])
    text = tmp_path / "plan.xlsx"
    text.write_text("not a workbook")
    assert "not an Excel workbook" in str(read_plan(text)[1][0])


def test_the_national_comparison_is_a_section_of_its_own_when_loaded(case):
    from reoffkit.reports.comparison import ComparisonSummary

    national = ComparisonSummary(
        ("Area", "Cohort", "Children", "Rank (95% interval)"), (("Northmoor", "Apr 2024 to Mar 2025", "238", "101st of 155 (80th–120th)"),),
        ("Northmoor's rate is within the funnel's 95% limits.",), ("Area figures (Publisher, 1 January 2026)",),
    )
    with_national = board_report(case.people, case.outcomes, case.assessments, areas=[AREA], as_at=AS_AT, national=national)
    section = with_national.section("national")
    # the columns that fit an A4 page (the compare page has the rest)
    assert section.tables[0].columns == ["Area", "Cohort", "Rank (95% interval)"]
    assert section.tables[0].rows == [["Northmoor", "Apr 2024 to Mar 2025", "101st of 155 (80th–120th)"]]
    assert section.paragraphs == ["Northmoor's rate is within the funnel's 95% limits."]
    assert "National comparison: Area figures (Publisher, 1 January 2026)" in with_national.sources
    assert not any("National comparison figures not loaded" in m for m in with_national.section("summary").missing)
    without = board_report(case.people, case.outcomes, case.assessments, areas=[AREA], as_at=AS_AT)
    assert "national" not in [s.key for s in without.sections]
    assert any("National comparison figures not loaded" in m for m in without.section("summary").missing)


def test_each_national_figure_of_the_data_summary_names_its_own_period(report):
    """The newest national binary rate and the newest national frequency may come from different
    periods (and publications): each is labelled with its own where they differ, not both with the
    binary rate's."""
    from reoffkit import reference as ref

    figures = ref.default_reference()
    binary, frequency = ref.national(figures, "aggregated_quarters", "binary_rate"), ref.national(figures, "aggregated_quarters", "reoffences_per_reoffender")
    assert binary.period_label != frequency.period_label  # the shipped figures: the case this test is about
    rows = {row[0]: row for row in report.section("summary").tables[0].rows}
    assert frequency.period_label in rows["Reoffending: further offences per child"][4]
    assert binary.period_label not in rows["Reoffending: binary rate"][4]  # the footnote names it


def test_with_the_national_comparison_the_data_summary_never_says_not_loaded(case):
    """The national comparison section holds the region and family: the data summary points to it
    rather than saying "not loaded" for figures the same paper shows."""
    from reoffkit.reports.comparison import ComparisonSummary

    national = ComparisonSummary(("Area", "Cohort", "Children"), (("Northmoor", "Apr 2024 to Mar 2025", "238"),), (), ("Area figures (Publisher, 1 January 2026)",))
    paper = board_report(case.people, case.outcomes, case.assessments, areas=[AREA], as_at=AS_AT, national=national)
    cells = [cell for row in paper.section("summary").tables[0].rows for cell in row]
    assert "not loaded" not in cells
    rows = {row[0]: row for row in paper.section("summary").tables[0].rows}
    assert rows["Reoffending: binary rate"][2] == rows["Reoffending: binary rate"][3] == "see National comparison"
