"""The disproportionality page: who may see it (another service is not found), the figures inside
the service and withheld for board viewers and the partnership view, audited downloads, loading
population tables (all or nothing) and choosing a service's areas, and both ethnicity schemes."""

from __future__ import annotations

import html

import polars as pl
from disproportionality_service import POPULATION, service as hand_worked_service
from django.urls import reverse

from reoffkit.engine.schema import conform
from reoffkit.reference.population import read_population
from reoffkit.web.disproportionality import actions as population_actions
from reoffkit.web.disproportionality.models import PopulationTable, ServicePopulation
from reoffkit.web.spreadsheets.loading import load_case_frames
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import AuditEvent, Role
from web_helpers import PASSWORD

Q4 = "?period=2016Q4&quarters=1"
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404


def population_csv(tmp_path, counts=POPULATION.counts, name="population.csv"):
    path = tmp_path / name
    path.write_text(
        "area_code,area,ethnic_group,population_10_17,year,source\n"
        + "".join(f"E06000099,Testshire,{group},{count},2021,a test table\n" for group, count in counts.items()),
        encoding="utf-8",
    )
    return path


def load(world, tmp_path, *, scheme: str | None = None):
    """service()'s 99 children (worked by hand in tests/unit) into Northmoor, and Testshire's population."""
    people, outcomes, assessments = hand_worked_service(scheme=scheme).frames()
    frames = {"people": people, "outcomes": outcomes, "assessments": assessments, "actions": conform(pl.DataFrame(), "actions")}
    load_case_frames(by=world.users["percy"], service=world.northmoor, frames=frames, name_for=lambda pid: ("Test", pid))
    table = population_actions.load_population_table(by=world.users["percy"], table=read_population(population_csv(tmp_path)), name="Testshire", file_name="population.csv")
    population_actions.set_service_population(by=world.users["percy"], service=world.northmoor, table=table, areas=["E06000099"])


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_who_may_open_what(world):
    mo = actions.create_staff_user(by="test", username="mo", password=PASSWORD, role=Role.MANAGER, services=[world.eastfield])
    world.users["mo"] = mo
    page = reverse("disproportionality", args=[world.northmoor.pk])
    download = reverse("disproportionality-download", args=[world.northmoor.pk, "stages", "csv"])
    tables = reverse("population-tables")
    choose = reverse("service-population", args=[world.northmoor.pk])
    expected = {
        #          page       download   tables     choose
        "pat": (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
        "mandy": (OK, OK, FORBIDDEN, FORBIDDEN),
        "percy": (OK, OK, OK, OK),
        "bea": (OK, OK, FORBIDDEN, FORBIDDEN),
        "ada": (FORBIDDEN, FORBIDDEN, OK, OK),
        "mo": (NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN),  # a manager of another service
    }
    for persona, statuses in expected.items():
        got = tuple(world.client(persona).get(url).status_code for url in (page, download, tables, choose))
        assert got == statuses, persona
    assert world.client("percy").get(reverse("service-population", args=[world.eastfield.pk])).status_code == NOT_FOUND
    assert world.client("mandy").get(page + "?quarters=3").status_code == 400
    assert world.client("mandy").get(page + "?scheme=guessed").status_code == 400


def test_inside_the_service_small_counts_show_with_a_warning_and_the_board_sees_them_withheld(world, tmp_path):
    load(world, tmp_path)
    url = reverse("disproportionality", args=[world.northmoor.pk]) + Q4
    mandy = text(world.client("mandy").get(url))
    # 30 of 1,000 Black children against 60 of 6,000 White: 3.00 (1.95 to 4.63), worked in the unit tests
    assert "Entered the cohort: Black children entered the cohort at 3.00 times the rate of White children, an index of 3.00 (95% interval 1.95 to 4.63)" in mandy
    assert "Testshire (E06000099): children aged 10–17 in 2021 — a test table" in mandy
    assert "Self-defined (2021 Census ethnic group, five groups)" in mandy
    assert "fewer than 5</strong>" in mandy and "Counts under 5 are shown here, inside the service" in mandy
    assert "(6 not known): amber" in mandy
    for title in ("Black children are 12.5% of the 10–17 population and 32.3% of the children who entered the cohort",
                  "Black children over-represented at 3 stages"):
        assert title in mandy
    assert mandy.count("<svg") >= 3 and 'id="chart-forest-title"' in mandy and 'id="chart-trend-title"' in mandy
    bea = text(world.client("bea").get(url))
    assert "Aggregates only, as they may be shared outside the service" in bea
    assert "fewer than 5</strong>" not in bea and "(6 not known)" not in bea
    assert "Ethnicity is not known for some of the children who entered the cohort (the number is withheld): amber." in bea
    assert "Entered the cohort: Black children entered the cohort at 3.00 times" in bea  # a clear finding from 30 and 60 children stays
    assert "Children: Test" not in bea and "W01" not in bea  # no child named or identified


def test_the_partnership_view_is_shared(world, tmp_path):
    load(world, tmp_path)
    pam = actions.create_staff_user(by="test", username="pam", password=PASSWORD, role=Role.MANAGER, services=[world.northmoor, world.eastfield])
    world.users["pam"] = pam
    url = reverse("disproportionality", args=[world.northmoor.pk]) + Q4 + f"&with={world.eastfield.pk}"
    page = text(world.client("pam").get(url))
    assert "Partnership of Northmoor, Eastfield" in page and "Aggregates only, as they may be shared outside the service" in page
    assert "No 10–17 population has been chosen for Eastfield" in page


def test_downloads_withhold_small_counts_and_are_audited(world, tmp_path):
    load(world, tmp_path)
    url = reverse("disproportionality-download", args=[world.northmoor.pk, "stages", "csv"]) + Q4
    response = world.client("mandy").get(url)
    assert response.status_code == OK and response["Content-Disposition"].endswith('stages.csv"')
    import io

    stages = pl.read_csv(io.BytesIO(response.content))
    asian = stages.filter((pl.col("stage") == "entered_cohort") & (pl.col("group") == "Asian")).row(0, named=True)
    assert asian["count"] is None and asian["verdict"] == "withheld"
    assert stages.filter((pl.col("count") > 0) & (pl.col("count") < 5)).is_empty()
    event = AuditEvent.objects.filter(verb="export", object_type="disproportionality").get()
    assert (event.username, event.service_id) == ("mandy", world.northmoor.pk) and "stages.csv" in event.summary
    png = world.client("bea").get(reverse("disproportionality-download", args=[world.northmoor.pk, "forest", "png"]) + Q4)
    assert png.status_code == OK and png.content[:4] == b"\x89PNG"
    assert world.client("mandy").get(reverse("disproportionality-download", args=[world.northmoor.pk, "stages", "png"]) + Q4).status_code == NOT_FOUND


def test_a_population_table_with_a_mistake_saves_nothing_and_a_good_one_is_audited(world, tmp_path):
    before = PopulationTable.objects.count()
    bad = tmp_path / "bad.csv"
    bad.write_text("area,ethnic_group,population_10_17\nTestshire,White,6000\nTestshire,Black,-3\n", encoding="utf-8")
    with bad.open("rb") as upload:
        response = world.client("percy").post(reverse("population-tables"), {"table": upload, "name": "bad"})
    page = text(response)
    assert response.status_code == 400
    assert "population row 3, column population_10_17: '-3' — expected a whole number of children, 0 or more (a population cannot be negative)" in page
    assert "a row for every group of Testshire: Mixed, Asian, Other missing" in page  # Black's row is there, with its mistake
    assert PopulationTable.objects.count() == before
    with population_csv(tmp_path).open("rb") as upload:
        response = world.client("ada").post(reverse("population-tables"), {"table": upload, "name": "Our area"})
    assert response.status_code == 302
    record = PopulationTable.objects.get(name="Our area")
    assert record.figures.count() == 5 and record.loaded_by == "ada"
    assert AuditEvent.objects.filter(verb="import", object_type="population table", object_ids=[str(record.pk)]).exists()
    listing = text(world.client("percy").get(reverse("population-tables")))
    assert "Our area" in listing and "Census 2021 (shipped with reoffkit)" in listing


def test_choosing_the_areas_of_a_service_adds_them_up_and_is_audited(world):
    shipped = PopulationTable.objects.get(shipped=True)
    url = reverse("service-population", args=[world.northmoor.pk])
    response = world.client("percy").post(url, {"table": shipped.pk, "areas": ["E06000019", "E06000020"], "save": "1"})
    assert response.status_code == 302
    choice = ServicePopulation.objects.get(service=world.northmoor)
    assert choice.areas == ["E06000019", "E06000020"]
    event = AuditEvent.objects.filter(object_type="service population").get()
    assert event.verb == "update" and event.changes["areas"] == [None, ["E06000019", "E06000020"]]
    page = text(world.client("mandy").get(reverse("disproportionality", args=[world.northmoor.pk])))
    assert "Herefordshire, County of (E06000019), Telford and Wrekin (E06000020): children aged 10–17 in 2021" in page
    refused = world.client("percy").post(url, {"table": shipped.pk, "areas": ["Atlantis"], "save": "1"})
    assert refused.status_code == 400 and ServicePopulation.objects.get(service=world.northmoor).areas == ["E06000019", "E06000020"]


def test_officer_observed_records_keep_their_scheme_and_are_not_set_against_the_census(world, tmp_path):
    load(world, tmp_path, scheme="officer_observed")
    assert set(world.northmoor.young_people.exclude(local_id__in=["N001", "N002"]).values_list("ethnicity_scheme", flat=True)) == {"officer_observed"}
    url = reverse("disproportionality", args=[world.northmoor.pk]) + Q4 + "&scheme=officer_observed"
    page = text(world.client("mandy").get(url))
    assert "Officer-observed (police identity codes, four groups)" in page
    assert "The population figures are self-defined (2021 census ethnic group, five groups) and these records officer-observed" in page
    assert "Pre-court disposal: Of the children who entered the cohort, Black children entered the cohort at a pre-court disposal at 0.50 times" in page


def test_a_population_smaller_than_the_children_counted_is_flagged_on_the_page(world, tmp_path):
    load(world, tmp_path)
    small = population_actions.load_population_table(
        by=world.users["percy"], table=read_population(population_csv(tmp_path, {**POPULATION.counts, "Asian": 2}, name="small.csv")), name="small", file_name="small.csv"
    )
    population_actions.set_service_population(by=world.users["percy"], service=world.northmoor, table=small, areas=["Testshire"])
    page = text(world.client("mandy").get(reverse("disproportionality", args=[world.northmoor.pk]) + Q4))
    # 3 Asian children entered the cohort (and were first-time entrants) from a population of 2
    assert "The population chosen is smaller than the children the service counted" in page
    assert "Asian: 3 children counted (entered the cohort) but a population of 2" in page
