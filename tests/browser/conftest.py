"""Playwright driving Debian's Chromium against the application on a live test server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from audit_triggers import ensure_append_only, lift_append_only

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# between browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def flushable_audit(transactional_db):
    """Live-server tests end by emptying every table; the audit log's triggers refuse that (on
    SQLite the flush is a DELETE), so they are checked at the start and lifted for the flush."""
    ensure_append_only()
    yield
    lift_append_only()


@pytest.fixture
def page(browser, live_server, flushable_audit):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
