"""The disproportionality page in a real browser, on the demo's synthetic service: a performance
officer chooses the area's population, the page draws the population bars, the forest plot and the
trend; a board viewer sees the figures withheld; screenshots; an axe scan of every page."""

from __future__ import annotations

import datetime as dt

import pytest
from browser_helpers import axe_violations, screenshot, sign_in

from reoffkit.demo import DEMO_POPULATION_AREA, demo_frames, demo_name
from reoffkit.reference.population import shipped_population
from reoffkit.web.disproportionality.actions import load_population_table
from reoffkit.web.spreadsheets.loading import load_case_frames
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Role

PASSWORD = "a-long-browser-test-password"
TODAY = dt.date.today()


@pytest.fixture
def demo_service(transactional_db):
    service = actions.create_service(by="browser-test", name="Northmoor Youth Justice Service")
    users = {
        name: actions.create_staff_user(by="browser-test", username=name, password=PASSWORD, role=role, services=[service])
        for name, role in (("mandy", Role.MANAGER), ("bea", Role.BOARD), ("percy", Role.PERFORMANCE))
    }
    load_case_frames(by=users["percy"], service=service, frames=demo_frames(TODAY), name_for=demo_name, owner_for=lambda owner: users["mandy"])
    # Browser tests flush the database between tests: the shipped figures are loaded as a performance officer would load a table.
    load_population_table(by=users["percy"], table=shipped_population(), name="Census 2021 (shipped)", file_name="population_10_17_by_ethnicity.csv")
    return service


def test_a_performance_officer_chooses_the_population_and_reads_the_charts(browser, live_server, page, demo_service):
    sign_in(page, "percy", PASSWORD)
    page.get_by_role("link", name="Disproportionality").click()
    page.wait_for_load_state()
    assert "No 10–17 population has been chosen" in page.content()
    page.get_by_role("link", name="Choose the area's population").click()
    page.get_by_label(DEMO_POPULATION_AREA).check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Ethnic disproportionality at every stage").is_visible()
    content = page.content()
    assert "Telford and Wrekin (E06000020): children aged 10–17 in 2021" in content
    assert "Over-represented: the interval lies wholly above 1" in content  # at least one clear over-representation
    assert "too few children to say anything" in content  # and a stage with too few children
    charts = page.locator(".rk-chart__image svg")
    assert charts.count() == 3  # population against each stage, the forest plot, the trend
    for index in range(3):
        box = charts.nth(index).bounding_box()
        assert box and box["width"] > 400 and box["height"] > 300, index
    assert page.locator("#chart-forest-title").inner_text().startswith(("Black", "Mixed", "Asian", "Other"))
    screenshot(page, "20-disproportionality-performance")
    page.get_by_label("Also show pie charts").check()
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_load_state()
    assert page.locator(".rk-chart__image svg").count() == 4
    with page.expect_download() as download:
        page.get_by_role("link", name="Stages table (CSV)").click()
    assert download.value.suggested_filename.startswith("northmoor-youth-justice-service-disproportionality-")
    problems = {
        path: axe_violations(browser, live_server, page.context.cookies(), path)
        for path in (f"/services/{demo_service.pk}/disproportionality/", "/population/", f"/services/{demo_service.pk}/disproportionality/population/")
    }
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    sign_in(page, "bea", PASSWORD)
    page.goto(f"/services/{demo_service.pk}/disproportionality/")
    assert "Aggregates only, as they may be shared outside the service" in page.content()
    assert page.locator(".rk-chart__image svg").count() == 3
    screenshot(page, "21-disproportionality-board")  # the same template as scanned above, figures withheld
    serious = {path: [(v["id"], v["impact"], len(v["nodes"])) for v in found] for path, found in problems.items() if found}
    assert serious == {}
