"""The performance page, its chart downloads, partnerships, suppression for board viewers, the
report cache, and loading reference figures."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ElementTree

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from web_helpers import TODAY, add_quarter, days_ago

from reoffkit.reports.performance import performance_report
from reoffkit.web.performance import queries as performance_queries
from reoffkit.web.tracker import actions, queries
from reoffkit.web.tracker.models import AuditEvent, ReferenceFigure, Role

HEADINGS = "area,area_type,cohort_basis,period_start,period_end,cohort_size,reoffenders,reoffences,binary_rate,reoffences_per_reoffender,source"


def page_of(world, persona: str, query: str = "") -> str:
    response = world.client(persona).get(reverse("performance", args=[world.northmoor.pk]) + query)
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def test_the_page_shows_the_engine_figures_labelled_as_modelled(world):
    from reoffkit.engine.rules import quarter_of

    add_quarter(world, quarter_of(TODAY) - 2, 12, 4, prefix="Q")
    frames = queries.service_frames([world.northmoor])
    report = performance_report(
        frames.people, frames.outcomes, frames.assessments, areas=["Northmoor"], as_at=TODAY, figures=performance_queries.reference_figures()
    )
    page = page_of(world, "mandy")
    assert "local, modelled — not official" in page
    assert report.curve.basis in page and "straight line" in report.curve.basis  # too few completed cohorts here
    for row in report.live.iter_rows(named=True):
        assert f"{100 * row['binary_rate']:.1f}%" in page
        assert f"{100 * row['national_binary_now']:.1f}%" in page
    assert report.findings["live"] in page
    for name in ("live", "trend-binary", "trend-per-reoffender", "in-follow-up", "curve"):
        assert reverse("performance-chart", args=[world.northmoor.pk, name, "png"]) in page
    assert page.count("<svg") >= 5 and " style=" not in page and "<script>" not in page
    assert "No official figures for Northmoor are loaded" in page


def test_a_board_viewer_sees_small_counts_suppressed_and_no_child(world):
    page = page_of(world, "bea")
    assert "fewer than 5" in page and "counts from 1 to 4" in page
    for child in ("Ned", "Nia", "Testchild", "N001"):
        assert child not in page
    assert "/people/" not in page
    assert "Not shown: it would rest on a count under 5" in page


def test_chart_downloads_carry_title_and_data(world):
    client = world.client("percy")
    base = reverse("performance-chart", args=[world.northmoor.pk, "in-follow-up", "csv"])
    csv = client.get(base)
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    table = pl.read_csv(csv.content)
    assert table.columns == ["Month end", "Children in follow-up"] and table["Children in follow-up"][-1] == 2
    assert 'filename="northmoor-in-follow-up-' in csv["Content-Disposition"]
    png = client.get(reverse("performance-chart", args=[world.northmoor.pk, "live", "png"]))
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    svg = client.get(reverse("performance-chart", args=[world.northmoor.pk, "curve", "svg"]))
    root = ElementTree.fromstring(svg.content)
    assert "By 3 months of follow-up" in " ".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert client.get(reverse("performance-chart", args=[world.northmoor.pk, "nothing", "png"])).status_code == 404
    assert client.get(reverse("performance-chart", args=[world.northmoor.pk, "live", "exe"])).status_code == 404


def test_a_partnership_adds_only_the_users_own_services(world):
    system = world.users["ada"]
    actions.update_staff_user(by=system, user=world.users["mandy"], role=Role.MANAGER, services=[world.northmoor, world.eastfield])
    page = page_of(world, "mandy", f"?with={world.eastfield.pk}")
    assert "Partnership of Northmoor, Eastfield" in page and "4 children" not in page
    assert f"with={world.eastfield.pk}" in page  # downloads keep the partnership
    # Eastfield's child is counted: 3 children in follow-up now (Ned, Nia, Eve).
    csv = world.client("mandy").get(reverse("performance-chart", args=[world.northmoor.pk, "in-follow-up", "csv"]) + f"?with={world.eastfield.pk}")
    assert pl.read_csv(csv.content)["Children in follow-up"][-1] == 3
    refused = world.client("pat").get(reverse("performance", args=[world.northmoor.pk]) + f"?with={world.eastfield.pk}")
    assert refused.status_code == 404
    assert world.client("pat").get(reverse("performance", args=[world.northmoor.pk]) + "?with=x").status_code == 404


def test_loaded_official_figures_appear_beside_local_ones(world):
    from reoffkit.engine.rules import quarter_end, quarter_of, quarter_start
    from reoffkit.reference import parse_reference_csv

    key = quarter_of(days_ago(60))  # Ned's quarter (Nia's too, unless 45 days ago is in the next one)
    tracked = 1 + (quarter_of(days_ago(45)) == key)
    figures = parse_reference_csv(f"{HEADINGS}\nNorthmoor,local_authority,quarter,{quarter_start(key)},{quarter_end(key)},9,3,5,,,a test publication\n")
    actions.load_reference_figures(by=world.users["percy"], figures=figures, file_name="official.csv")
    page = page_of(world, "percy")
    assert "a test publication" in page and "Usual causes of a difference" in page
    assert f"{tracked - 9:+d} children" in page


def test_reference_figures_load_with_an_audit_and_bad_files_save_nothing(world):
    client = world.client("percy")
    url = reverse("reference")
    page = html.unescape(client.get(url).content.decode())
    assert "Proven reoffending statistics: April to June 2023 (Ministry of Justice, 24 April 2025)" in page and "Four quarterly cohorts added together" in page
    shipped = ReferenceFigure.objects.count()
    good = f"{HEADINGS}\nFamily average,family,quarter,2024-01-01,2024-03-31,,,,0.35,3.4,family table 2025\n"
    response = client.post(url, {"figures": SimpleUploadedFile("family.csv", good.encode())})
    assert response.status_code == 302
    assert ReferenceFigure.objects.count() == shipped + 1
    event = AuditEvent.objects.filter(object_type="reference figures").latest("id")
    assert event.username == "percy" and "1 added, 0 replaced, 0 unchanged" in event.summary
    again = client.post(url, {"figures": SimpleUploadedFile("family.csv", good.encode())}, follow=True)
    assert "0 figures added, 0 replaced, 1 already loaded" in html.unescape(again.content.decode())

    bad = good + "Family average,family,quarter,2024-04-01,2024-09-30,,,,0.35,3.4,family table 2025\nX,town,quarter,2024-01-01,2024-03-31,,,,0.3,,s\n"
    refused = client.post(url, {"figures": SimpleUploadedFile("family.csv", bad.encode())})
    text = html.unescape(refused.content.decode())
    assert refused.status_code == 400 and "The file was not loaded: 2 problems" in text
    assert "reference figures row 3, column period_end: '2024-09-30' — expected the end of a 3-month period" in text
    assert "reference figures row 4, column area_type: 'town'" in text
    assert ReferenceFigure.objects.count() == shipped + 1
    not_csv = client.post(url, {"figures": SimpleUploadedFile("family.xlsx", b"PK\x03\x04")})
    assert not_csv.status_code == 400 and "is not a CSV file" in html.unescape(not_csv.content.decode())


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "performance-test"}})
def test_the_page_is_cached_until_a_write_to_its_services(world, monkeypatch):
    from django.core.cache import cache

    import reoffkit.reports.performance

    built = []
    original = reoffkit.reports.performance.performance_report
    monkeypatch.setattr(reoffkit.reports.performance, "performance_report", lambda *a, **k: built.append(1) or original(*a, **k))
    cache.clear()
    before, charts = performance_queries.performance_page([world.northmoor], as_at=TODAY, suppress_below=None)
    performance_queries.performance_page([world.northmoor], as_at=TODAY, suppress_below=None)
    assert len(built) == 1 and charts["live"]._svg is not None  # drawn once, with the report
    # a view of a child's record and another service's write change nothing here
    actions.record_view(by=world.users["pat"], person=world.ned)
    actions.add_outcome(by=world.users["olly"], person=world.eve, outcome_type="fine", offence_date=days_ago(20), outcome_date=days_ago(10), gravity=2)
    performance_queries.performance_page([world.northmoor], as_at=TODAY, suppress_below=None)
    assert len(built) == 1
    actions.add_outcome(by=world.users["pat"], person=world.nia, outcome_type="fine", offence_date=days_ago(20), outcome_date=days_ago(10), gravity=2)
    after, _ = performance_queries.performance_page([world.northmoor], as_at=TODAY, suppress_below=None)
    assert len(built) == 2
    assert after.trend["reoffences"].sum() == before.trend["reoffences"].sum() + 1
    performance_queries.performance_page([world.northmoor], as_at=TODAY, suppress_below=5)  # the board's version is its own
    assert len(built) == 3
    cache.clear()


@pytest.mark.parametrize("persona", ["pat", "mandy", "percy", "bea"])
def test_every_role_that_sees_aggregates_gets_the_page(world, persona):
    assert "Performance against projected national averages" in page_of(world, persona)


def test_a_database_made_before_gets_the_shipped_figures_full_sources(db):
    """Migration 0008: the shipped rows of an older database take the shipped file's source (title,
    publisher and date); a row a service loaded itself keeps its own."""
    import importlib

    from django.apps import apps

    from reoffkit.reference import default_reference

    migration = importlib.import_module("reoffkit.web.tracker.migrations.0008_shipped_reference_sources")
    figure = next(f for f in default_reference() if f.area == "Leicester")
    key = dict(area_key="leicester", cohort_basis=figure.cohort_basis, period_start=figure.period_start, period_end=figure.period_end)
    ReferenceFigure.objects.filter(**key).update(source="an older wording")
    own = ReferenceFigure.objects.exclude(**key).first()
    ReferenceFigure.objects.filter(pk=own.pk).update(loaded_by="percy", source="the service's own table")
    migration.forwards(apps, None)
    assert ReferenceFigure.objects.get(**key).source == figure.source
    assert "(Leicester City Council, approved 29 July 2019)" in figure.source
    assert ReferenceFigure.objects.get(pk=own.pk).source == "the service's own table"
