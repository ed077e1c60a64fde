"""No upload can take the service down, and no upload is kept longer than it is needed.

Files crafted as an attacker would (one huge inline string, 12 million tiny rows, a zip bomb
member) are refused with a clear "too large when unpacked" naming the file, by the web import,
the mapping screen and ``reoffkit import``, and the service goes on answering. Each upload is read
in a process of its own with memory and CPU limits: a reading they stop is a problem with the file,
never a crash of the caller. An upload is deleted on every error and at the end of every import;
abandoned ones are swept after the keeping time."""

from __future__ import annotations

import datetime as dt
import html
import os
import time
from pathlib import Path

import pytest
from crafted import header, huge_inline_string, inline, tiny_rows, write_xlsx, zip_bomb
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reoffkit.casefile import read_case_file, write_case_file
from reoffkit.cli import main
from reoffkit.synthetic import generate
from reoffkit.web.jobs.files import sweep_uploads
from reoffkit.web.spreadsheets.uploads import read_upload
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Role, YoungPerson
from web_helpers import TODAY


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile-web")
    return {
        "one-string.xlsx": huge_inline_string(folder / "one-string.xlsx", 200_000_000),
        "twelve-million-rows.xlsx": tiny_rows(folder / "twelve-million-rows.xlsx", 12_000_000),
        "bomb.zip": zip_bomb(folder / "bomb.zip", 500_000_000),
    }


@pytest.fixture
def westvale(world):
    service = actions.create_service(by=world.users["ada"], name="Westvale")
    actions.update_staff_user(by=world.users["ada"], user=world.users["percy"], role=Role.PERFORMANCE, services=[world.northmoor, service])
    return service


def uploads(settings) -> list[Path]:
    folder = Path(settings.DATA_DIR) / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("name", ["one-string.xlsx", "twelve-million-rows.xlsx", "bomb.zip"])
def test_the_web_import_refuses_a_crafted_file_keeps_nothing_and_goes_on_serving(world, hostile, tmp_path, settings, name):
    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    refused = client.post(reverse("import", args=[world.northmoor.pk]), {"case_file": SimpleUploadedFile(name, hostile[name].read_bytes())})
    page = text(refused)
    assert refused.status_code == 400
    assert f'<td class="govuk-table__cell">{name}</td>' in page and "Nothing has been saved" in page
    assert "too large when unpacked: " in page and "times its packed size" in page and "split the records over several files" in page
    assert uploads(settings) == []  # deleted at once: the page says nothing was saved
    assert client.get(reverse("cohort", args=[world.northmoor.pk])).status_code == 200  # the service goes on


def test_the_mapping_screen_refuses_a_crafted_sample_and_keeps_nothing(world, hostile, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    refused = client.post(
        reverse("import-mapping", args=[world.northmoor.pk]), {"sample": SimpleUploadedFile("ours.xlsx", hostile["one-string.xlsx"].read_bytes())}
    )
    assert refused.status_code == 400 and "ours.xlsx: 'too large when unpacked: " in text(refused)
    assert uploads(settings) == []


def test_reoffkit_import_refuses_a_crafted_file(world, hostile, capsys):
    assert main(["import", str(hostile["bomb.zip"]), "--service", "Northmoor", "--by", "percy"]) == 2
    err = capsys.readouterr().err
    assert "bomb.zip: 'too large when unpacked: outcomes.csv unpacks to 500 MB" in err and "nothing was imported" in err


def test_a_reading_stopped_by_the_process_limits_is_a_problem_with_the_file_and_the_caller_goes_on(tmp_path):
    rows = (b'<row r="%d">' % n + inline(f"A{n}", f"P{n:06d}") + inline(f"B{n}", "2008-01-01") + b"</row>" for n in range(2, 200_002))
    slow = write_xlsx(tmp_path / "slow.xlsx", [header(), *rows])
    case = read_upload(slow, name="ours.xlsx", cpu_seconds=1)
    assert [(p.sheet, p.severity) for p in case.problems] == [("ours.xlsx", "error")]
    assert case.problems[0].value == "too large when unpacked: reading it needed more than 2,048 MB of memory or 1 s of processor time"
    assert case.people.is_empty() and not case.ok
    assert read_upload(slow, name="ours.xlsx").people.height == 200_000  # the same file, with time to read it


# How long an upload is kept ---------------------------------------------------------------------


@pytest.fixture
def workbook(tmp_path):
    frames = generate(["Westvale"], first_quarter="2023Q1", quarters=2, children_per_quarter=5, as_at=TODAY, seed=4)
    return write_case_file(frames, tmp_path / "westvale.xlsx")


def test_an_upload_with_errors_or_nothing_to_change_is_deleted_at_once(world, westvale, workbook, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    url = reverse("import", args=[westvale.pk])
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    assert client.post(url, {"case_file": SimpleUploadedFile("broken.xlsx", broken.read_bytes())}).status_code == 400
    assert uploads(settings) == []
    preview = client.post(url, {"case_file": SimpleUploadedFile("westvale.xlsx", workbook.read_bytes())})
    token = preview.context["token"]
    # kept for the import it offers, with the preview's summary (it names children): both go below
    assert preview.status_code == 200 and [p.name for p in uploads(settings)] == [f"import-{westvale.pk}-{token}.xlsx", f"preview-{westvale.pk}-{token}.json"]
    client.post(reverse("import-commit", args=[westvale.pk]), {"token": token, "original": "westvale.xlsx", "fingerprint": preview.context["fingerprint"]})
    assert YoungPerson.objects.filter(service=westvale).exists() and uploads(settings) == []
    again = client.post(url, {"case_file": SimpleUploadedFile("westvale.xlsx", workbook.read_bytes())})
    assert "importing it would change nothing" in text(again) and uploads(settings) == []


def test_an_import_that_fails_deletes_its_upload(world, westvale, workbook, tmp_path, settings, monkeypatch):
    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    preview = client.post(reverse("import", args=[westvale.pk]), {"case_file": SimpleUploadedFile("westvale.xlsx", workbook.read_bytes())})
    token = preview.context["token"]

    def fails(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("reoffkit.web.spreadsheets.jobs.commit_import", fails)
    done = client.post(
        reverse("import-commit", args=[westvale.pk]), {"token": token, "original": "westvale.xlsx", "fingerprint": preview.context["fingerprint"]}, follow=True
    )
    assert "Nothing it was doing was kept" in text(done) and uploads(settings) == []
    assert not YoungPerson.objects.filter(service=westvale).exists()


def test_abandoned_previews_and_mapping_samples_are_swept_after_the_keeping_time(world, westvale, workbook, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    settings.REOFFKIT_UPLOAD_HOURS = 1
    client = world.client("percy")
    client.post(reverse("import", args=[westvale.pk]), {"case_file": SimpleUploadedFile("westvale.xlsx", workbook.read_bytes())})
    client.post(reverse("import-mapping", args=[westvale.pk]), {"sample": SimpleUploadedFile("ours.xlsx", workbook.read_bytes())})
    legacy = Path(settings.DATA_DIR) / "imports"  # where earlier versions kept uploads
    legacy.mkdir()
    (legacy / "1-old.xlsx").write_bytes(b"x")
    abandoned = [*uploads(settings), legacy / "1-old.xlsx"]
    # the abandoned upload, its preview's summary (it names children), what was read of the sample, the legacy file
    assert len(abandoned) == 4 and {p.name.split("-")[0] for p in abandoned} == {"import", "preview", "mapping", "1"}
    assert sweep_uploads() == []  # not yet expired
    two_hours_ago = time.time() - 2 * 3600
    for path in abandoned:
        os.utime(path, (two_hours_ago, two_hours_ago))
    # the next upload sweeps them (so does the worker, every minute)
    client.post(reverse("import", args=[westvale.pk]), {"case_file": SimpleUploadedFile("empty.zip", b"PK\x05\x06" + b"\0" * 18)})
    assert uploads(settings) == [] and not (legacy / "1-old.xlsx").exists()


def test_the_docs_say_how_long_an_upload_is_kept():
    guide = (Path(__file__).resolve().parents[3] / "docs" / "case-file.md").read_text()
    section = guide[guide.index("## How long an upload is kept") :]
    assert "REOFFKIT_UPLOAD_HOURS" in section and "24 hours" in section and "deleted" in section


def plan_header(n: int = 1) -> bytes:
    return b'<row r="%d">' % n + b"".join(inline(f"{c}{n}", h) for c, h in zip("ABCD", ("Issue", "Actions", "By whom", "By when"))) + b"</row>"


def test_the_action_plan_import_refuses_a_crafted_workbook_keeps_nothing_and_goes_on_serving(world, hostile, settings, tmp_path):
    """An action plan workbook is read like a case file: within the reader's limits, in a process
    of its own under the memory and CPU limits, never in the web process."""
    from reoffkit.web.board.models import PlanItem

    client = world.client("percy")
    url = reverse("plan-import", args=[world.northmoor.pk])
    refused = client.post(url, {"workbook": SimpleUploadedFile("plan.xlsx", hostile["one-string.xlsx"].read_bytes())})
    assert refused.status_code == 400 and "plan.xlsx: 'too large when unpacked: " in text(refused) and "times its packed size" in text(refused)
    rows = (b'<row r="%d">' % n + b"".join(inline(f"{c}{n}", v) for c, v in zip("ABCD", ("Issue", "Act", "pat", "2027-01-31"))) + b"</row>" for n in range(2, 200_002))
    slow = write_xlsx(tmp_path / "slow-plan.xlsx", [plan_header(), *rows], sheet="plan")
    settings.REOFFKIT_UPLOAD_CPU_SECONDS = 1
    stopped = client.post(url, {"workbook": SimpleUploadedFile("plan.xlsx", slow.read_bytes())})
    assert stopped.status_code == 400
    assert ("plan.xlsx: 'too large when unpacked: reading it needed more than 2,048 MB of memory or 1 s of processor time' — expected "
            "a smaller workbook (an action plan needs only the four columns of its first sheet)") in text(stopped)
    assert not PlanItem.objects.filter(service=world.northmoor).exists()
    assert client.get(reverse("plan", args=[world.northmoor.pk])).status_code == 200  # the service goes on


# National figures and population tables ---------------------------------------------------------


def slow_table(path: Path, headings: tuple[str, ...], values: tuple[str, ...], *, sheet: str) -> Path:
    """A one-sheet workbook of 200,000 rows: more than a second of processor time to read."""
    columns = "ABCDEFGHIJKLMNOP"
    first = b'<row r="1">' + b"".join(inline(f"{c}1", h) for c, h in zip(columns, headings)) + b"</row>"
    rows = (b'<row r="%d">' % n + b"".join(inline(f"{c}{n}", v) for c, v in zip(columns, values)) + b"</row>" for n in range(2, 200_002))
    return write_xlsx(path, [first, *rows], sheet=sheet)


STOPPED = "'too large when unpacked: reading it needed more than 2,048 MB of memory or 1 s of processor time' — expected a smaller file (only the table's own columns and rows)"


def test_the_national_figures_upload_is_read_under_the_process_limits_and_the_service_goes_on(world, settings, tmp_path):
    """National figures are read like a case file: in a process of its own under the memory and
    CPU limits, never in the web process; a reading the limits stop loads nothing."""
    from reoffkit.reference.areas import FIGURE_REQUIRED
    from reoffkit.web.compare.models import FigureLoad

    slow = slow_table(
        tmp_path / "slow-figures.xlsx", FIGURE_REQUIRED, ("E06000016", "Leicester", "youth_justice_service", "quarter", "2016-10-01", "2016-12-31", "T"),
        sheet="area figures",
    )
    settings.REOFFKIT_UPLOAD_CPU_SECONDS = 1
    client = world.client("ada")
    loads = FigureLoad.objects.count()
    source = {"title": "Test publication", "publisher": "Test publisher", "published": "2025-04-24", "address": "https://example.org/t"}
    stopped = client.post(reverse("national-figures"), {**source, "figures": SimpleUploadedFile("figures.xlsx", slow.read_bytes())})
    assert stopped.status_code == 400 and f"figures.xlsx: {STOPPED}" in text(stopped)
    assert FigureLoad.objects.count() == loads
    assert client.get(reverse("national-figures")).status_code == 200  # the service goes on


def test_the_population_table_upload_is_read_under_the_process_limits_and_the_service_goes_on(world, settings, tmp_path):
    from reoffkit.web.disproportionality.models import PopulationTable

    slow = slow_table(tmp_path / "slow-population.xlsx", ("area", "ethnic_group", "population_10_17"), ("Testshire", "White", "6000"), sheet="population")
    settings.REOFFKIT_UPLOAD_CPU_SECONDS = 1
    client = world.client("percy")
    before = PopulationTable.objects.count()
    stopped = client.post(reverse("population-tables"), {"table": SimpleUploadedFile("population.xlsx", slow.read_bytes()), "name": "slow"})
    assert stopped.status_code == 400 and f"population.xlsx: {STOPPED}" in text(stopped)
    assert PopulationTable.objects.count() == before
    assert client.get(reverse("population-tables")).status_code == 200  # the service goes on


def raised(read, *args, **kwargs):
    """What ``read`` returns, or the problems of the CaseFileError it raises."""
    from reoffkit.casefile import CaseFileError

    try:
        return read(*args, **kwargs)
    except CaseFileError as error:
        return ("problems", error.problems)


def test_national_figures_stratum_rates_and_population_tables_read_in_the_limited_process_are_what_the_readers_give(tmp_path):
    from importlib import resources

    from openpyxl import Workbook

    from reoffkit.reference.areas import AREA_COLUMNS, FIGURE_COLUMNS, read_area_file, read_stratum_rates, shipped_area_data
    from reoffkit.reference.population import read_population
    from reoffkit.web.spreadsheets.uploads import read_area_upload, read_population_upload, read_stratum_upload

    data = resources.files("reoffkit.reference").joinpath("data")
    figures, areas, old = (Path(str(data / name)) for name in ("area_figures_published.csv", "areas_published.csv", "area_figures_published_old_method.csv"))
    known = shipped_area_data().areas
    book = Workbook()  # a workbook's dates and both tables
    book.active.title = "Area figures"
    book.active.append(list(FIGURE_COLUMNS))
    book.active.append(["A1", "Alpha", "youth_justice_service", "quarter", dt.date(2022, 4, 1), dt.date(2022, 6, 30), 40, 12, 30, None, None, None, None, None, "S"])
    book.create_sheet("Areas").append(list(AREA_COLUMNS))
    book["Areas"].append(["A1", "Alpha", "youth_justice_service", "North", "North PCC", known[0].area_code, "Upper Alpha;Lower Alpha"])
    book.save(tmp_path / "figures.xlsx")
    both = tmp_path / "figures.xlsx"
    cases = ((figures, {}), (areas, {}), (old, {"known_areas": known}), (old, {"known_areas": known[:3]}), (both, {"known_areas": known}), (both, {}))
    for path, options in cases:
        here = raised(read_area_file, path, **options)
        assert raised(read_area_upload, path, name=path.name, **options) == here
    assert raised(read_area_upload, old, name=old.name, known_areas=known[:3])[0] == "problems"  # areas it does not know
    read = read_area_upload(both, name="figures.xlsx", known_areas=known)
    assert read.figures[0].period_end == dt.date(2022, 6, 30) and read.areas[0].lower_tier == ("Upper Alpha", "Lower Alpha")

    head = "age_at_index,sex,tier,binary_rate,frequency_rate,source\n"
    good, bad = tmp_path / "strata.csv", tmp_path / "bad-strata.csv"
    good.write_text(head + "15,male,community,0.5,1.7,S\n15,female,community,0.3,,S\n", encoding="utf-8")
    bad.write_text(head + "9,m,court,1.5,,S\n", encoding="utf-8")
    assert read_stratum_upload(good, name="strata.csv").equals(read_stratum_rates(good), null_equal=True)
    assert raised(read_stratum_upload, bad, name="bad-strata.csv") == raised(read_stratum_rates, bad)

    shipped = Path(str(data / "population_10_17_by_ethnicity.csv"))
    wrong = tmp_path / "population.csv"
    wrong.write_text("area,ethnic_group,population_10_17\nTestshire,White,6000\nTestshire,Black,-3\n", encoding="utf-8")
    for path in (shipped, wrong, tmp_path / "absent.xlsx"):
        assert raised(read_population_upload, path, name=path.name) == raised(read_population, path)
