"""The compare page on the full SYNTHETIC national table (155 areas): the report part of the page is
made once per report and kept (a warm request rebuilds neither the report nor the charts' table
twins); a write to the service or a new load of figures makes it again; the page carries the named
areas' rows of each 155-row table twin and links to every row on a page of its own."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from reoffkit.reference.synthetic_national import synthetic_national
from reoffkit.web.compare import actions, views
from reoffkit.web.tracker import actions as tracker_actions
from reoffkit.web.tracker import fragments



def text(response) -> str:
    return html.unescape(response.content.decode())


def report_part(response) -> str:
    """The page from its findings to its sources (the rest carries a fresh CSRF token each time)."""
    page = response.content.decode()
    return page[page.index('id="findings"'):page.index('id="sources"')]


@pytest.fixture
def national(world):
    data = synthetic_national(as_at=dt.date(2026, 12, 1))
    actions.load_figures(by="test", data=data, title="SYNTHETIC national table", publisher="reoffkit")
    actions.set_service_comparison(by=world.users["mandy"], service=world.northmoor, area_code=data.areas[0].area_code, rag_against="country:England and Wales")
    world.national = data
    return world


def test_a_warm_page_rebuilds_neither_the_report_nor_its_tables_until_a_write(national, kept_cache, monkeypatch):
    import reoffkit.reports.comparison

    built, twins = [], []
    report, chart_context = reoffkit.reports.comparison.comparison_report, views.chart_context
    monkeypatch.setattr(reoffkit.reports.comparison, "comparison_report", lambda *a, **k: built.append(1) or report(*a, **k))
    monkeypatch.setattr(views, "chart_context", lambda *a, **k: twins.append(1) or chart_context(*a, **k))
    client = national.client("mandy")
    url = reverse("compare", args=[national.northmoor.pk]) + "?figures=synthetic"
    first = client.get(url)
    assert first.status_code == 200 and (len(built), len(twins)) == (1, 4)
    second = client.get(url)
    assert (len(built), len(twins)) == (1, 4) and report_part(second) == report_part(first)
    fragments.clear_local()  # another web process: the shared cache has the page part
    assert report_part(client.get(url)) == report_part(first) and (len(built), len(twins)) == (1, 4)
    # the board's version is its own
    assert "Aggregates only" in text(national.client("bea").get(url)) and len(built) == 2
    # a write to the service makes it again
    tracker_actions.update_service_settings(by=national.users["mandy"], service=national.northmoor, action_days=15)
    assert client.get(url).status_code == 200 and len(built) == 3


def test_the_page_carries_the_named_areas_of_each_155_row_table_and_links_to_every_row(national):
    client = national.client("mandy")
    url = reverse("compare", args=[national.northmoor.pk]) + "?figures=synthetic"
    response = client.get(url)
    page = text(response)
    assert len(response.content) < 300_000  # 581 KB before: every area's row three times, and every mark's ARIA label in the drawings
    drawings = page.split('id="charts"', 1)[1].split('id="expected"', 1)[0]
    assert drawings.count("aria-label=") < 20  # the figures' own names, not one per mark (over 600 before)
    focus = national.national.areas[0]
    family = {national.national.area(code).area_name for code in focus.family}
    funnel = page.split('id="chart-funnel_binary-title"', 1)[1].split("</figure>", 1)[0]
    rows = re.findall(r'<tr class="govuk-table__row"><td class="govuk-table__cell">([^<]+)</td>', funnel)
    assert set(rows) == {focus.area_name} | family
    assert f"the {len(rows)} areas named of 155" in funnel
    every = re.search(r'href="([^"]+funnel_binary\.html[^"]*)"', html.unescape(funnel)).group(1)
    full = text(client.get(every))
    areas = [a.area_name for a in national.national.areas if a.area_type == focus.area_type]
    assert "Every area of the chart (155)" in full and all(name in full for name in areas) and "SYNTHETIC" in full
    assert client.get(every.replace("funnel_binary.html", "nothing.html")).status_code == 404


def test_a_warm_page_is_a_few_reads_and_writes_nothing(national, kept_cache):
    """A warm request reads: the session, the user with their role and whether they must change
    their password, their services (once: the check of the service and the menu's switcher), the
    newest data-changing audit event (the key of the report and of the loads of figures, of stratum
    rates and the service's comparison setting, all kept) and a running import (the banner). It
    writes nothing: not the session (its last-seen time is written at most once a minute), not the
    cache (the report part of the page is kept)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = national.client("mandy")
    url = reverse("compare", args=[national.northmoor.pk]) + "?figures=synthetic"
    first = client.get(url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        warm = client.get(url)
    assert warm.status_code == 200 and report_part(warm) == report_part(first)
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) <= 5, "\n".join(statements)
    assert not [s for s in statements if not s.lstrip().upper().startswith("SELECT")], "\n".join(statements)
    # the service's setting and the loads of figures are kept under the data version
    assert sum("compare_servicecomparison" in s for s in statements) == 0
    assert sum("compare_figureload" in s for s in statements) == 0
    assert sum('FROM "tracker_service"' in s for s in statements) == 1


def test_the_cohorts_table_writes_counts_with_thousands_separated(national):
    """England and Wales's cohorts run to tens of thousands: written 29,401, as every count the
    tracker shows, not 29401."""
    page = text(national.client("mandy").get(reverse("compare", args=[national.northmoor.pk]) + "?figures=synthetic"))
    table = page.split('id="by-cohort"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'govuk-table__cell--numeric">([\d,]+)', table)
    assert any(int(cell.replace(",", "")) >= 1000 for cell in cells), cells
    assert all(cell == f"{int(cell.replace(',', '')):,}" for cell in cells), cells
