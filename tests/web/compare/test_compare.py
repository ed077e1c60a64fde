"""The national comparison page: who may see it, the synthetic table labelled everywhere, funnel plot
with its table twin, ranks with intervals, the expected rate labelled modelled, audited downloads
made fit to share, the service's place among the areas, and loading figures (all or nothing, kept
with their source, revisions kept)."""

from __future__ import annotations

import datetime as dt
import html
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reoffkit.reference.synthetic_national import synthetic_national
from reoffkit.web.compare import actions
from reoffkit.web.compare.models import AreaFigureRecord, FigureLoad, ServiceComparison
from reoffkit.web.tracker.models import AuditEvent

OK, BAD, FORBIDDEN, NOT_FOUND = 200, 400, 403, 404
HEAD = "area_code,area_name,area_type,cohort_basis,period_start,period_end,cohort_size,reoffenders,reoffences,binary_rate,frequency_rate,first_time_entrants,custodial_sentences,population_10_17,source\n"


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def synthetic(world):
    actions.load_figures(by="test", data=synthetic_national(as_at=dt.date(2026, 12, 1), services=40), title="SYNTHETIC national table", publisher="reoffkit")
    actions.set_service_comparison(by=world.users["mandy"], service=world.northmoor, area_code="SYN001", rag_against="country:England and Wales")
    return world


def test_the_shipped_published_figures_are_loaded_with_their_sources(world):
    loads = list(FigureLoad.objects.filter(shipped=True))
    assert len(loads) == 2 and not any(load.synthetic for load in loads)
    leicester = AreaFigureRecord.objects.get(area_name="Leicester", period_start=dt.date(2016, 10, 1))
    assert (leicester.cohort_size, leicester.reoffenders) == (65, 29) and "Leicester City Youth Justice Plan" in leicester.source


def test_a_service_not_among_the_areas_is_told_how_to_place_itself(world):
    page = text(world.client("mandy").get(reverse("compare", args=[world.northmoor.pk])))
    assert "Northmoor is not one of the areas in the published figures loaded" in page
    assert 'name="area_code"' in page


def test_the_synthetic_comparison_is_labelled_and_has_funnel_ranks_and_expected_rate(synthetic):
    url = reverse("compare", args=[synthetic.northmoor.pk])
    page = text(synthetic.client("mandy").get(url))
    assert "SYNTHETIC figures" in page and page.count("SYNTHETIC") >= 5
    assert 'id="chart-funnel_binary-title"' in page and 'id="chart-funnel_frequency-title"' in page
    assert "The chart's data as a table" in page and "99.8% upper limit" in page
    assert "Rank, 95% interval" in page and "not a league position" in page
    assert "Modelled, not an official statistic" in page
    assert "First-time entrants per 100,000 aged 10-17" in page
    chosen = text(synthetic.client("mandy").get(url + "?shown=1&figures=synthetic&group=pcc&area=SYN002&cohorts=4"))
    cohorts = chosen.split('id="by-cohort"', 1)[1].split('id="charts"', 1)[0]  # (the plan table always has the family)
    assert "PCC area" in cohorts and "Eastvale Youth Justice Service" in cohorts and "Family of Northmoor Youth Justice Service (" not in cohorts


def test_board_viewers_see_the_page_made_fit_to_share(synthetic):
    page = text(synthetic.client("bea").get(reverse("compare", args=[synthetic.northmoor.pk])))
    assert "Aggregates only, as they may be shared outside the service" in page
    assert "This service among the areas" not in page


def test_downloads_are_shared_labelled_synthetic_and_audited(synthetic):
    client = synthetic.client("bea")
    before = AuditEvent.objects.filter(verb="export", object_type="comparison").count()
    csv = client.get(reverse("compare-download", args=[synthetic.northmoor.pk, "cohorts", "csv"]))
    assert csv.status_code == OK and "SYNTHETIC" in csv.content.decode().splitlines()[1]
    book = load_workbook(io.BytesIO(client.get(reverse("compare-download", args=[synthetic.northmoor.pk, "all", "xlsx"])).content), read_only=True)
    assert "cohorts" in book.sheetnames and any("SYNTHETIC" in (row[0] or "") for row in book["About"].iter_rows(values_only=True))
    png = client.get(reverse("compare-download", args=[synthetic.northmoor.pk, "funnel_binary", "png"]))
    assert png.status_code == OK and png.content[:4] == b"\x89PNG" and "funnel" in png["Content-Disposition"]
    assert client.get(reverse("compare-download", args=[synthetic.northmoor.pk, "nothing", "csv"])).status_code == NOT_FOUND
    assert AuditEvent.objects.filter(verb="export", object_type="comparison").count() == before + 3


def test_the_service_chooses_its_area_and_rag_comparator_audited(synthetic):
    url = reverse("compare", args=[synthetic.northmoor.pk]) + "?figures=synthetic"
    assert synthetic.client("mandy").post(url, {"area_code": "SYN002", "rag_against": "family"}).status_code == 302
    setting = ServiceComparison.objects.get(service=synthetic.northmoor)
    assert (setting.area_code, setting.rag_against) == ("SYN002", "family")
    assert AuditEvent.objects.filter(object_type="service comparison").count() == 2
    assert synthetic.client("mandy").post(url, {"area_code": "NOPE", "rag_against": "family"}).status_code == BAD
    assert synthetic.client("bea").post(url, {"area_code": "SYN003", "rag_against": "family"}).status_code == OK
    assert ServiceComparison.objects.get(service=synthetic.northmoor).area_code == "SYN002"


def upload(client, name: str, body: str, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"title": "Test publication", "publisher": "Test publisher", "published": "2025-04-24", "address": "https://example.org/t", **fields}
    return client.post(reverse("national-figures"), {**data, "figures": SimpleUploadedFile(name, body.encode(), content_type="text/csv")})


def test_loading_figures_is_all_or_nothing_and_revisions_are_kept(world):
    client = world.client("ada")
    loads = FigureLoad.objects.count()
    bad = upload(client, "bad.csv", HEAD + "E06000016,Leicester,youth_justice_service,quarter,2016-10-01,2016-12-31,65,70,105,,,,,,T\n"
                 "E06000016,Leicester,youth_justice_service,quarter,2017-01-01,2017-03-31,-5,2,2,,,,,,T\n")
    assert bad.status_code == BAD and FigureLoad.objects.count() == loads
    page = text(bad)
    assert "area_figures row 2, column reoffenders: '70' — expected no more than cohort_size (65)" in page
    assert "area_figures row 3, column cohort_size: '-5'" in page and "Nothing was saved" in page
    good = upload(client, "revised.csv", HEAD + "E06000016,Leicester,youth_justice_service,quarter,2016-10-01,2016-12-31,66,29,105,,,,,,Revised table (Test; 2025)\n")
    assert good.status_code == 302 and FigureLoad.objects.count() == loads + 1
    load = FigureLoad.objects.latest("id")
    assert (load.title, load.publisher, load.published, load.address) == ("Test publication", "Test publisher", dt.date(2025, 4, 24), "https://example.org/t")
    page = text(client.get(reverse("national-figures")))
    assert "Revisions" in page and "cohort_size" in page and "Revised table (Test; 2025)" in page
    assert AreaFigureRecord.objects.filter(area_code="E06000016", period_start=dt.date(2016, 10, 1)).count() == 2
    assert AuditEvent.objects.filter(object_type="area figures", verb="import").count() == 1
    assert upload(client, "no-title.csv", HEAD, title="").status_code == BAD


def test_reference_load_command_keeps_each_load_with_its_source_and_refuses_bad_files(world, tmp_path, capsys):
    from reoffkit.cli import main

    loads = FigureLoad.objects.count()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEAD + "E06000016,Leicester,youth_justice_service,quarter,2016-10-01,2016-12-31,65,29,105,0.9,,,,,T\n", encoding="utf-8")
    assert main(["reference", "load", str(bad), "--title", "Bad"]) == 2
    assert "column binary_rate: '0.9' — expected reoffenders ÷ cohort_size = 0.446" in capsys.readouterr().err
    assert FigureLoad.objects.count() == loads
    good = tmp_path / "good.csv"
    good.write_text(HEAD + "E06000016,Leicester,youth_justice_service,quarter,2016-10-01,2016-12-31,65,30,105,,,,,,Revised (Test; 2025)\n", encoding="utf-8")
    assert main(["reference", "load", str(good), "--title", "Revised", "--publisher", "Test", "--published", "2025-01-02", "--address", "https://example.org"]) == 0
    out = capsys.readouterr().out
    assert "Loaded good.csv" in out and "2 figure value(s) revise earlier loads" in out  # reoffenders and the rate made from them
    load = FigureLoad.objects.latest("id")
    assert (load.title, load.published) == ("Revised", dt.date(2025, 1, 2))
    assert AreaFigureRecord.objects.filter(area_code="E06000016", period_start=dt.date(2016, 10, 1)).count() == 2


def test_the_board_report_reads_a_shared_summary(synthetic):
    from reoffkit.web.compare.queries import comparison_summary

    summary = comparison_summary(synthetic.northmoor)
    assert summary.columns[:3] == ("Area", "Cohort", "Children") and len(summary.rows) == 12  # focus, family, region, England and Wales × 3 cohorts
    assert summary.rows[0][0] == "Northmoor Youth Justice Service"
    assert any("SYNTHETIC" in f for f in summary.findings) and all("SYNTHETIC" in s for s in summary.sources)
    assert comparison_summary(synthetic.eastfield) is None


def test_the_board_paper_carries_the_services_national_comparison(synthetic):
    from reoffkit.web.board.queries import build_paper
    from reoffkit.web.compare.queries import comparison_summary

    paper = build_paper([synthetic.northmoor], period=None, as_at=dt.date.today())
    summary = comparison_summary(synthetic.northmoor)
    table = paper.section("national").tables[0]
    keep = [summary.columns.index(c) for c in table.columns]
    assert table.rows == [[row[i] for i in keep] for row in summary.rows] and "Rank (95% interval)" in table.columns
    assert any("SYNTHETIC" in source for source in paper.sources)
    # a service that is not among the areas loaded gets the summary's "not loaded" note instead
    other = build_paper([synthetic.eastfield], period=None, as_at=dt.date.today())
    assert "national" not in [s.key for s in other.sections]


def test_the_data_summary_indicators_come_in_the_plans_shape_on_the_page_and_in_the_export(synthetic):
    import csv

    url = reverse("compare", args=[synthetic.northmoor.pk])
    page = text(synthetic.client("mandy").get(url))
    plan = page.split('id="plan"', 1)[1].split("</table>", 1)[0]
    for heading in ("Northmoor Youth Justice Service", "region (", "PCC area", "Family of Northmoor Youth Justice Service", "England and Wales", "National rank"):
        assert heading in plan, heading
    for indicator in ("First-time entrants per 100,000 aged 10-17", "Custodial sentences per 1,000 aged 10-17", "Binary reoffending rate (%)", "Reoffences per child"):
        assert indicator in plan, indicator
    # the service's first-time entrants in its latest indicator year, worked from the figures loaded
    latest, before = AreaFigureRecord.objects.filter(area_code="SYN001", cohort_basis="indicator_12m").order_by("-period_start")[:2]
    rate = latest.first_time_entrants / latest.population_10_17 * 100_000
    change = rate - before.first_time_entrants / before.population_10_17 * 100_000
    response = synthetic.client("bea").get(reverse("compare-download", args=[synthetic.northmoor.pk, "plan", "csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["Indicator"] for r in rows] == ["First-time entrants per 100,000 aged 10-17", "Custodial sentences per 1,000 aged 10-17", "Binary reoffending rate (%)", "Reoffences per child"]
    fte = rows[0]
    assert fte["figures"].startswith("SYNTHETIC") and fte["Period"] == f"{latest.period_start:%b %Y}–{latest.period_end:%b %Y}"
    assert float(fte["Northmoor Youth Justice Service"]) == round(rate, 1)
    assert float(fte["Northmoor Youth Justice Service: change from a year earlier"]) == round(change, 1)
    assert " of " in fte["National rank"] and fte["RAG"] in ("Green", "Amber", "Red")
    assert f"{round(rate, 1):,.1f}" in plan
    book = load_workbook(io.BytesIO(synthetic.client("bea").get(reverse("compare-download", args=[synthetic.northmoor.pk, "all", "xlsx"])).content), read_only=True)
    assert "plan" in book.sheetnames


STRATA_HEAD = "age_at_index,sex,tier,binary_rate,frequency_rate,source\n"


def upload_strata(client, body: str, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"kind": "strata", "title": "Rates by stratum", "publisher": "Test publisher", "published": "2025-04-24", **fields}
    return client.post(reverse("national-figures"), {**data, "strata": SimpleUploadedFile("strata.csv", body.encode(), content_type="text/csv")})


def test_an_administrator_loads_national_rates_by_stratum_checked_whole_audited_and_used(world, monkeypatch):
    from reoffkit.reports import comparison
    from reoffkit.web.compare.models import StratumRateLoad

    client = world.client("ada")
    bad = upload_strata(client, STRATA_HEAD + "15,male,community,0.45,1.2,T\n9,boy,prison,1.4,,\n")
    page = text(bad)
    assert bad.status_code == BAD and StratumRateLoad.objects.count() == 0 and "Nothing was saved" in page
    assert "stratum_rates row 3, column age_at_index: '9' — expected a whole age from 10 to 17" in page
    assert "stratum_rates row 3, column sex: 'boy' — expected male or female" in page
    assert "stratum_rates row 3, column tier: 'prison' — expected one of pre_court, first_tier, community, custody" in page
    assert "stratum_rates row 3, column binary_rate: '1.4' — expected a fraction from 0 to 1" in page
    assert "stratum_rates row 3, column source — expected a value (this column is required)" in page
    assert "Give the title" in text(upload_strata(client, STRATA_HEAD + "15,male,community,0.45,1.2,T\n", title=""))
    assert world.client("bea").post(reverse("national-figures"), {"kind": "strata"}).status_code == FORBIDDEN
    assert AuditEvent.objects.filter(object_type="stratum rates").count() == 0
    good = upload_strata(client, STRATA_HEAD + "15,male,community,0.45,1.2,Test table\n15,female,community,0.30,,Test table\n")
    assert good.status_code == 302 and StratumRateLoad.objects.count() == 1
    event = AuditEvent.objects.get(object_type="stratum rates")
    assert event.verb == "import" and "2 strata" in event.summary
    listed = text(client.get(reverse("national-figures")))
    assert "Rates by stratum (Test publisher, 2025-04-24)" in listed and "used" in listed
    # the comparison of published figures models the expected rate from the newest load
    seen = []
    original = comparison.service_inputs
    monkeypatch.setattr(comparison, "service_inputs", lambda *a, **k: seen.append(k["strata"]) or original(*a, **k))
    actions.set_service_comparison(by=world.users["mandy"], service=world.northmoor, area_code="E06000016", rag_against="country:England and Wales")
    assert world.client("mandy").get(reverse("compare", args=[world.northmoor.pk]) + "?figures=published").status_code == OK
    assert seen and seen[-1] is not None and seen[-1].sort("sex")["binary_rate"].to_list() == [0.30, 0.45]


def test_a_problem_with_the_whole_file_names_the_file_the_user_chose(world):
    """Uploads are stored under a name of the product's own while they are read; a problem with
    the whole file still names the file the user chose, never the stored copy."""
    refused = upload(world.client("ada"), "north figures 2025.csv", "code,name\nE06000016,Leicester\n")
    assert refused.status_code == BAD
    page = text(refused)
    assert "north figures 2025.csv row 1: 'code, name' — expected the headings of area figures" in page
    assert "upload.csv" not in page


def test_a_small_indicator_count_shown_inside_the_service_is_said_to_be_withheld_from_downloads(world):
    """An area whose custody count in some period is 1 to 4: the page shows it to the service (no
    cohort row of the service is small) and says it is withheld from board viewers and downloads."""
    data = synthetic_national(as_at=dt.date(2026, 12, 1), services=40)
    small = sorted({f.area_code for f in data.figures if f.cohort_basis == "indicator_12m" and f.area_type != "country" and f.custodial_sentences in (1, 2, 3, 4)})
    assert small, "the synthetic table has an area with a custody count under 5"
    actions.load_figures(by="test", data=data, title="SYNTHETIC national table", publisher="reoffkit")
    actions.set_service_comparison(by=world.users["mandy"], service=world.northmoor, area_code=small[0], rag_against="country:England and Wales")
    page = text(world.client("percy").get(reverse("compare", args=[world.northmoor.pk])))
    assert "They are withheld from board viewers and every download." in page
