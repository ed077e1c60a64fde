"""Accounts in a real browser: an administrator adds a user and is shown a one-time link; the new
user sets their own password with it and signs in; a forced change comes before any other page."""

from __future__ import annotations

import re

import pytest
from browser_helpers import axe_violations, screenshot, sign_in

from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Role

PASSWORD = "a-long-browser-test-password"
CHOSEN = "nora's own long passphrase"


@pytest.fixture
def northmoor(transactional_db):
    service = actions.create_service(by="browser-test", name="Northmoor", districts=["Riverside"])
    actions.create_staff_user(by="browser-test", username="ada", password=PASSWORD, role=Role.ADMINISTRATOR)
    return service


def test_a_new_user_sets_their_own_password_from_the_link(page, northmoor, browser, live_server):
    sign_in(page, "ada", PASSWORD)
    page.get_by_role("link", name="Add a user").click()
    page.get_by_label("User name").fill("nora")
    page.get_by_label("First name").fill("Nora")
    page.get_by_label("Last name").fill("Newstarter")
    page.get_by_label("Role").select_option("practitioner")
    page.get_by_label("Northmoor").check()
    page.get_by_role("button", name="Add the user").click()
    page.wait_for_load_state()
    link = page.locator("#set-password-link").inner_text()
    assert re.fullmatch(re.escape(live_server.url) + r"/set-password/[^/]+/[^/]+/", link), link
    screenshot(page, "accounts-01-link-shown-once")
    assert axe_violations(browser, live_server, page.context.cookies(), "/manage/users/") == []

    newcomer = browser.new_context(base_url=live_server.url).new_page()
    newcomer.goto(link)
    newcomer.get_by_label("New password", exact=True).fill(CHOSEN)
    newcomer.get_by_label("New password confirmation").fill(CHOSEN)
    newcomer.get_by_role("button", name="Save the password").click()
    newcomer.wait_for_load_state()
    assert "Your password is set" in newcomer.content()
    sign_in(newcomer, "nora", CHOSEN)
    assert "/services/" in newcomer.url and "my-work" in newcomer.url  # a practitioner lands on their own cases
    newcomer.goto(link)
    assert "This link does not work" in newcomer.content()
    newcomer.context.close()


def test_a_forced_change_comes_first(page, northmoor, browser, live_server):
    actions.create_staff_user(by="browser-test", username="temp", password=PASSWORD, must_change_password=True, role=Role.MANAGER, services=[northmoor])
    sign_in(page, "temp", PASSWORD)
    assert page.url.endswith("/password/") and "Your password was set by someone else" in page.content()
    assert axe_violations(browser, live_server, page.context.cookies(), "/password/") == []
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(CHOSEN)
    page.get_by_label("New password confirmation").fill(CHOSEN)
    page.get_by_role("button", name="Save the password").click()
    page.wait_for_load_state()
    assert "/cohort/" in page.url and "Your password has been changed" in page.content()
