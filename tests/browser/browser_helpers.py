"""Steps the browser tests share: sign in, screenshot, accessibility scan."""

from __future__ import annotations

import os
from pathlib import Path

SCREENSHOTS = Path(os.environ.get("REOFFKIT_SCREENSHOTS", Path(__file__).resolve().parents[2] / "out" / "screenshots"))
AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def sign_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def fill_date(page, label: str, day) -> None:
    """Type a date into GOV.UK's date input (day, month and year boxes in a group named ``label``)."""
    group = page.get_by_role("group", name=label)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(browser, live_server, cookies, path: str) -> list[dict]:
    """Serious and critical axe-core violations of a page (axe is injected past the CSP)."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(path)
    page.add_script_tag(content=AXE.read_text())
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    context.close()
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
