"""The performance and analysis pages in a real browser, on a service with three years of synthetic cohorts:
charts drawn, live cohorts against projected national figures, screenshots, and an axe scan."""

from __future__ import annotations

import datetime as dt

import pytest
from browser_helpers import axe_violations, screenshot, sign_in

from reoffkit.demo import demo_name
from reoffkit.engine.rules import quarter_of
from reoffkit.reference import default_reference
from reoffkit.synthetic import generate
from reoffkit.web.spreadsheets.loading import load_case_frames
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Role

PASSWORD = "a-long-browser-test-password"
TODAY = dt.date.today()


@pytest.fixture
def tracked_service(transactional_db):
    service = actions.create_service(by="browser-test", name="Northmoor")
    users = {
        name: actions.create_staff_user(by="browser-test", username=name, password=PASSWORD, role=role, services=[service])
        for name, role in (("mandy", Role.MANAGER), ("bea", Role.BOARD), ("percy", Role.PERFORMANCE))
    }
    frames = generate(["Northmoor"], first_quarter=quarter_of(TODAY) - 12, quarters=13, children_per_quarter=14, as_at=TODAY, seed=5)
    # Browser tests flush the database between tests, so the shipped figures are loaded as a
    # performance officer would load them.
    actions.load_reference_figures(by=users["percy"], figures=default_reference(), file_name="national_youth_reoffending.csv")
    load_case_frames(by=users["mandy"], service=service, frames=frames, name_for=demo_name, owner_for=lambda owner: users["mandy"])
    return service


def test_a_manager_sees_live_cohorts_against_projected_national_averages(page, tracked_service):
    sign_in(page, "mandy", PASSWORD)
    page.get_by_role("link", name="Performance").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Performance against projected national averages").is_visible()
    assert "local, modelled — not official" in page.content()
    charts = page.locator(".rk-chart__image svg")
    assert charts.count() == 5
    for index in range(5):
        box = charts.nth(index).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 150  # drawn, not collapsed
    live = page.get_by_role("table").filter(has_text="Live cohorts: binary rate")
    assert live.get_by_role("row").count() >= 3
    assert "31.6%" in live.inner_text()  # the newest national quarterly figure (Apr–Jun 2023), 12-month
    screenshot(page, "05-performance-manager")
    with page.expect_download() as download:
        page.get_by_role("link", name="PNG of " + page.locator("#chart-live-title").inner_text()).click()
    assert download.value.suggested_filename.startswith("northmoor-live-")


def test_board_viewer_page_and_reference_page_pass_the_accessibility_scan(browser, live_server, page, tracked_service):
    sign_in(page, "bea", PASSWORD)
    page.goto(f"/services/{tracked_service.pk}/performance/")
    screenshot(page, "06-performance-board")
    assert "fewer than 5" in page.content() or "counts from 1 to 4" in page.content()
    page.goto(f"/services/{tracked_service.pk}/summary/")
    assert page.get_by_role("heading", name="Final quarters against the national figure").is_visible()
    assert page.get_by_role("heading", name="Provisional quarters, still in follow-up").is_visible()
    assert "England and Wales" in page.content()
    screenshot(page, "06b-summary-board")
    page.goto(f"/services/{tracked_service.pk}/analysis/")
    page.wait_for_load_state()
    assert "monthly steps of at least 5 children" in page.content()
    screenshot(page, "06c-analysis-board")
    problems = {
        path: axe_violations(browser, live_server, page.context.cookies(), path)
        for path in (f"/services/{tracked_service.pk}/performance/", f"/services/{tracked_service.pk}/analysis/", f"/services/{tracked_service.pk}/summary/")
    }
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    sign_in(page, "percy", PASSWORD)
    problems["/reference/"] = axe_violations(browser, live_server, page.context.cookies(), "/reference/")
    serious = {path: [(v["id"], v["impact"], len(v["nodes"])) for v in found] for path, found in problems.items() if found}
    assert serious == {}


def test_a_manager_reads_the_analysis_of_the_latest_completed_cohort(page, tracked_service):
    sign_in(page, "mandy", PASSWORD)
    page.get_by_role("link", name="Analysis").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="What drove reoffending in a completed cohort").is_visible()
    for number in range(1, 9):
        assert page.get_by_text(f"Line of enquiry {number}:", exact=False).count() >= 1
    page.get_by_label("Time-to-reoffending curves by").select_option("sex")
    page.get_by_role("button", name="Show analysis").click()
    page.wait_for_load_state()
    assert "by=sex" in page.url and "Time to first further offence by sex" in page.content()
    assert page.locator(".rk-chart__image svg").count() >= 10
    screenshot(page, "07-analysis-manager")


def test_a_performance_officer_imports_a_case_file_through_the_browser(page, transactional_db, tmp_path, settings):
    """Upload, read the preview, import (a job; the page follows it): the children are in the
    cohort and the import is audited."""
    from reoffkit.casefile import write_case_file
    from reoffkit.web.tracker.models import AuditEvent, YoungPerson

    service = actions.create_service(by="browser-test", name="Westvale")
    actions.create_staff_user(by="browser-test", username="percy", password=PASSWORD, role=Role.PERFORMANCE, services=[service])
    frames = generate(["Westvale"], first_quarter=quarter_of(TODAY) - 6, quarters=7, children_per_quarter=6, as_at=TODAY, seed=9)
    workbook = write_case_file(frames, tmp_path / "westvale.xlsx")
    sign_in(page, "percy", PASSWORD)
    page.get_by_role("link", name="Import").click()
    page.get_by_label("Case file").set_input_files(str(workbook))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Check the import").is_visible()
    assert f"{frames['people'].height} new children" in page.content()
    screenshot(page, "08-import-preview")
    page.get_by_role("button", name="Import these changes").click()
    page.wait_for_url("**/cohort/", timeout=60_000)
    assert "Imported westvale.xlsx" in page.content()
    assert YoungPerson.objects.filter(service=service).count() == frames["people"].height
    assert AuditEvent.objects.filter(verb="import", username="percy").exists()
