"""The action plan and the board paper in a real browser, on the demo's synthetic service: a manager
adds an action from a finding of the analysis; a board member makes and downloads the board paper;
both are in the audit log."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from browser_helpers import screenshot, sign_in

from reoffkit.demo import demo_frames, demo_name
from reoffkit.web.board.models import BoardPaper, PlanItem
from reoffkit.web.spreadsheets.loading import load_case_frames
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import AuditEvent, Role

PASSWORD = "a-long-browser-test-password"
TODAY = dt.date.today()


@pytest.fixture
def demo_service(transactional_db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    service = actions.create_service(by="browser-test", name="Northmoor Youth Justice Service")
    users = {
        name: actions.create_staff_user(by="browser-test", username=name, password=PASSWORD, role=role, services=[service])
        for name, role in (("mandy", Role.MANAGER), ("bea", Role.BOARD), ("percy", Role.PERFORMANCE))
    }
    load_case_frames(by=users["percy"], service=service, frames=demo_frames(TODAY), name_for=demo_name, owner_for=lambda owner: users["mandy"])
    return service


def test_a_manager_adds_an_action_from_a_finding_and_a_board_member_downloads_the_paper(browser, live_server, page, demo_service):
    from docx import Document

    sign_in(page, "mandy", PASSWORD)
    page.get_by_role("link", name="Analysis").first.click()
    page.wait_for_load_state()
    finding = page.locator(".govuk-inset-text").filter(has=page.locator("a.rk-add-action")).first
    finding_text = finding.locator("p").first.inner_text().rstrip(".")
    finding.get_by_role("link", name="Add an action from this finding").click()
    page.wait_for_load_state()
    assert page.get_by_label("Issue affecting reoffending performance").input_value() == finding_text + "."
    assert page.get_by_label("From a finding").input_value() == "analysis"
    page.get_by_label("Actions to address it").fill("Audit the cases behind this finding\nReport back to the board")
    page.get_by_label("Or a partner agency").fill("Police")
    page.get_by_label("and a person there").fill("Youth diversion inspector")
    page.get_by_role("button", name="Add the item").click()  # due in 90 days, as offered
    page.wait_for_load_state()
    assert "Action plan item" in page.content() and "On track" in page.content()
    item = PlanItem.objects.get()
    assert item.source_kind == "analysis" and item.issue == finding_text + "."
    screenshot(page, "30-action-plan-item")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "bea", PASSWORD)
    page.goto(f"/services/{demo_service.pk}/action-plan/")
    assert finding_text[:60] in page.content() and "Add an item" not in page.content()
    page.get_by_role("link", name="Board papers").click()
    page.get_by_role("button", name="Make a board paper").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Board paper").is_visible()
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="Download the paper (.docx)").click()
    content = open(downloaded.value.path(), "rb").read()
    words = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "1. Headline summary" in words and "6. Improvement action plan" in words
    assert finding_text[:60] in "\n".join(c.text for t in Document(io.BytesIO(content)).tables for r in t.rows for c in r.cells)
    screenshot(page, "31-board-paper")
    paper = BoardPaper.objects.get()
    assert AuditEvent.objects.filter(username="mandy", verb="create", object_type="action_plan_item", object_ids=[str(item.pk)]).exists()
    assert AuditEvent.objects.filter(username="bea", verb="export", object_type="board_paper", object_ids=[str(paper.pk)]).exists()


def test_the_example_page_prints_with_the_synthetic_mark_on_every_page(browser, tmp_path):
    """Chromium prints docs/examples/board-report-example.html to PDF: every page says it is synthetic."""
    import shutil
    import subprocess
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "board-report-example.html"
    page = browser.new_page()
    page.goto(example.as_uri())
    pdf = tmp_path / "example.pdf"
    page.pdf(path=str(pdf), format="A4")
    page.close()
    assert shutil.which("pdftotext"), "poppler-utils is not installed: run `make office`"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 5
    assert all("Synthetic data: every child, offence and figure" in p for p in pages)
