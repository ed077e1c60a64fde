"""Every page of the menu on a phone (390 px wide), for a manager, a performance officer and an
administrator of the demo's service: nothing makes
the page itself scroll sideways. Wide tables and charts scroll inside their own regions; filter
forms, headers and lists wrap."""

from __future__ import annotations

import datetime as dt

import pytest
from browser_helpers import screenshot, sign_in

from reoffkit.demo import DEMO_POPULATION_AREA, demo_frames, demo_name
from reoffkit.reference.population import shipped_population
from reoffkit.web.disproportionality.actions import load_population_table, set_service_population
from reoffkit.web.spreadsheets.loading import load_case_frames
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Role

PASSWORD = "a-long-browser-test-password"
TODAY = dt.date.today()

#: Elements wider than the screen that are not inside a region made to scroll sideways.
OVERFLOW = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('.rk-table-wrapper, .rk-chart__image'))
    .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 40))"""


@pytest.fixture
def demo_service(transactional_db):
    service = actions.create_service(by="browser-test", name="Northmoor Youth Justice Service")
    mandy = actions.create_staff_user(by="browser-test", username="mandy", password=PASSWORD, role=Role.MANAGER, services=[service])
    actions.create_staff_user(by="browser-test", username="percy", password=PASSWORD, role=Role.PERFORMANCE, services=[service])
    actions.create_staff_user(by="browser-test", username="ada", password=PASSWORD, role=Role.ADMINISTRATOR, services=[])
    load_case_frames(by=mandy, service=service, frames=demo_frames(TODAY), name_for=demo_name, owner_for=lambda owner: mandy)
    population = load_population_table(by=mandy, table=shipped_population(), name="Census 2021 (shipped)", file_name="population_10_17_by_ethnicity.csv")
    set_service_population(by=mandy, service=service, table=population, areas=[DEMO_POPULATION_AREA])
    return service


@pytest.mark.parametrize("user, pages", [("mandy", 12), ("percy", 8), ("ada", 3)])
def test_no_page_of_the_menu_scrolls_sideways_on_a_phone(page, demo_service, user, pages):
    page.set_default_timeout(120_000)
    page.set_default_navigation_timeout(120_000)
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page, user, PASSWORD)
    menu = page.locator("nav.moj-primary-navigation a")
    addresses = [menu.nth(index).get_attribute("href") for index in range(menu.count())]
    assert len(addresses) >= pages, addresses
    if user == "mandy":
        page.goto(f"/services/{demo_service.pk}/cohort/")
        addresses.append(page.locator("table a[href*='/people/']").first.get_attribute("href"))  # a child's record
    wide = {}
    for address in addresses:
        page.goto(address)
        page.wait_for_load_state()
        found = page.evaluate(OVERFLOW)
        if found:
            wide[address] = found
            screenshot(page, "narrow-" + address.strip("/").replace("/", "-"))
    assert wide == {}, "\n".join(f"{k}: {v}" for k, v in wide.items())
