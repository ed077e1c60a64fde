"""Write docs/examples/board-report-example.docx and .html: the board paper of the demo service
(synthetic data), as at 1 December 2026, with a small action plan written out below.

Every figure comes from reoffkit's report builders over the demo's synthetic case file
(:func:`reoffkit.demo.demo_frames`), against the shipped national figures and the shipped 2021
Census population of the demo's area. ``tests/unit/test_board_report_example.py`` checks the
files are current.

Run with: .venv/bin/python docs/examples/make_board_report_example.py [output-folder]
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

AS_AT = dt.date(2026, 12, 1)
LAST_PAPER = dt.date(2026, 9, 1)
STEM = "board-report-example"


def plan():
    from reoffkit.reports.board import PlanRow

    d = dt.date
    return [
        PlanRow(
            "Children on youth rehabilitation orders reoffend most (64%, significantly above the cohort)",
            "Review the intervention plans of every child starting a YRO\nJoint case audit with the courts team",
            "Head of court services", d(2026, 11, 28), status="in_progress", raised_on=d(2026, 6, 1),
            source="Retrospective analysis: line of enquiry 5",
            notes=((d(2026, 7, 15), "Performance officer", "Audit tool agreed"), (d(2026, 10, 20), "Head of court services", "22 of 25 plans reviewed")),
        ),
        PlanRow(
            "Black and Mixed children enter the cohort at twice the rate of White children",
            "Share the findings with the police and the out-of-court panel\nReview diversion decisions by ethnicity each quarter",
            "Police: Inspector, youth diversion", d(2026, 12, 10), status="in_progress", raised_on=d(2026, 9, 10),
            source="Disproportionality: entered the cohort",
            notes=((d(2026, 11, 2), "Service manager", "First quarterly review held with the panel"),),
        ),
        PlanRow(
            "Adult offending not checked for one in eight children who turn 18 in follow-up",
            "Monthly list of children turning 18 sent to the police", "Performance officer", d(2027, 3, 31),
            raised_on=d(2026, 11, 20), source="Data quality",
        ),
        PlanRow(
            "Late recording of outcomes from the youth court", "Court officer records results within a week",
            "Court officer", d(2026, 10, 31), status="done", raised_on=d(2026, 5, 1),
            notes=((d(2026, 10, 30), "Court officer", "Weekly recording in place since October"),),
        ),
    ]


def build():
    from reoffkit.casefile import read_case_file, write_case_file
    from reoffkit.demo import DEMO_POPULATION_AREA, SERVICE_NAME, demo_frames
    from reoffkit.reference.population import shipped_population
    from reoffkit.reports.board import board_report

    with tempfile.TemporaryDirectory() as folder:
        case = read_case_file(write_case_file(demo_frames(AS_AT), Path(folder) / "case-file"), today=AS_AT)
    return board_report(
        case.people, case.outcomes, case.assessments, areas=[SERVICE_NAME], as_at=AS_AT, resettlement=case.resettlement,
        population=shipped_population().population([DEMO_POPULATION_AREA]), plan=plan(), last_paper_on=LAST_PAPER, synthetic=True,
        sources=["Case file of the reoffkit demo (synthetic: every child and event is made up)"], made_on=AS_AT,
    )


def write(folder: Path) -> tuple[Path, Path]:
    from reoffkit.reports.board import to_html
    from reoffkit.reports.board_docx import to_docx

    report = build()
    docx, page = folder / f"{STEM}.docx", folder / f"{STEM}.html"
    docx.write_bytes(to_docx(report))
    page.write_text(to_html(report), encoding="utf-8")
    return docx, page


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    for path in write(target):
        print(f"Wrote {path}")
