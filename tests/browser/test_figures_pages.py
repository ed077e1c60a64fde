"""The pages that say what they count, in a real browser: a manager of two services switches
between them, reads the alerts (by child), the performance page counted by the official rules
with each national figure labelled, the reference figures, and the 400 page of a crafted address;
each is screenshot, and the favicon is served from the application itself."""

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
from reoffkit.web.tracker.models import Role, Service

PASSWORD = "a-long-browser-test-password"
TODAY = dt.date.today()


@pytest.fixture
def two_services(transactional_db):
    northmoor = actions.create_service(by="browser-test", name="Northmoor")
    eastfield = actions.create_service(by="browser-test", name="Eastfield")
    mandy = actions.create_staff_user(by="browser-test", username="mandy", password=PASSWORD, role=Role.MANAGER, services=[northmoor, eastfield])
    percy = actions.create_staff_user(by="browser-test", username="percy", password=PASSWORD, role=Role.PERFORMANCE, services=[northmoor])
    frames = generate(["Northmoor"], first_quarter=quarter_of(TODAY) - 12, quarters=13, children_per_quarter=14, as_at=TODAY, seed=5)
    actions.load_reference_figures(by=percy, figures=default_reference(), file_name="national_youth_reoffending.csv")
    load_case_frames(by=mandy, service=northmoor, frames=frames, name_for=demo_name, owner_for=lambda owner: mandy)
    settings = {name: getattr(northmoor, name) for name in actions.SETTINGS_FIELDS}
    actions.update_service_settings(by=mandy, service=northmoor, **{**settings, "include_breaches": True})
    return northmoor, eastfield


def test_a_manager_of_two_services_reads_figures_that_say_how_they_are_counted(page, browser, live_server, two_services):
    northmoor, eastfield = two_services
    sign_in(page, "mandy", PASSWORD)
    page.goto(f"/services/{northmoor.pk}/alerts/")
    assert page.locator("#service-switcher").is_visible()
    assert page.locator(".moj-primary-navigation__link", has_text="Alerts").count() == 1
    assert "Alerts are counted by child" in page.content() and "breaches counted" in page.content()
    icon = page.evaluate("() => fetch(document.querySelector('link[rel=icon]').href).then(r => [r.status, r.headers.get('content-type')])")
    assert icon[0] == 200 and icon[1].startswith("image/svg+xml")
    screenshot(page, "figures-01-alerts-two-services")
    page.locator("#service-switcher").get_by_role("link", name="Eastfield").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/services/{eastfield.pk}/alerts/") and "Service: Eastfield" in page.content()
    page.goto(f"/services/{northmoor.pk}/cohort/?alert=any")
    assert "child" in page.locator("#count").inner_text()
    screenshot(page, "figures-02-cohort-alert-filter")
    page.goto(f"/services/{northmoor.pk}/performance/")
    content = page.content()
    assert "Counted by the official rules" in content and "come from different cohorts" in content and "Provisional" in content
    # Every title, legend and label of every chart fits inside its drawing.
    overflow = page.evaluate("""() => [...document.querySelectorAll('.rk-chart__image svg')].flatMap(svg => {
        const box = svg.getBoundingClientRect();
        return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => [t.textContent, t.getBoundingClientRect()])
            .filter(([, r]) => r.right > box.right + 1 || r.left < box.left - 1).map(([text]) => text);
    })""")
    assert overflow == []
    screenshot(page, "figures-03-performance")
    page.goto("/reference/")
    assert page.get_by_text("Performance officers load newer figures.").is_visible()
    screenshot(page, "figures-04-reference-manager")
    page.goto(f"/services/{northmoor.pk}/cohort/?quarter=9999Q4")
    assert page.get_by_role("heading", name="The address could not be used").is_visible()
    screenshot(page, "figures-05-bad-parameter")
    cookies = page.context.cookies()
    for path in (f"/services/{northmoor.pk}/alerts/", f"/services/{northmoor.pk}/performance/"):
        assert axe_violations(browser, live_server, cookies, path) == [], path
