"""Another layout: a service's own workbook mapped once (sheets, headings, words for codes), saved,
audited and reused by imports."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook
from web_helpers import PASSWORD

from reoffkit.casefile.mapping import remap
from reoffkit.web.spreadsheets.uploads import read_upload
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import AuditEvent, ColumnMapping, Outcome, Role, YoungPerson

THEIR_MAPPING = {
    "sheets": {"Cohort list": "people", "Disposals": "outcomes"},
    "columns": {
        "people": {"ID": "person_id", "DOB": "date_of_birth", "Gender": "sex", "Ethnic group": "ethnicity", "LAC": "looked_after", "Area": "district", "On caseload": "yot_caseload"},
        "outcomes": {"ID": "person_id", "Offence date": "offence_date", "Disposal date": "outcome_date", "Disposal": "outcome_type", "Gravity": "gravity"},
    },
    "values": {"outcome_type": {"Y/Caution": "youth_caution", "Supervision order (YRO)": "yro"}},
}


def their_workbook(path):
    book = Workbook()
    people = book.active
    people.title = "Cohort list"
    people.append(["ID", "DOB", "Gender", "Ethnic group", "LAC", "Area", "On caseload", "Worker"])
    people.append(["T-1", dt.date(2009, 4, 2), "M", "White", "N", "North", "Y", "Sam"])
    people.append(["T-2", dt.date(2008, 9, 12), "F", "Black", "Y", "South", "N", "Alex"])
    disposals = book.create_sheet("Disposals")
    disposals.append(["ID", "Offence date", "Disposal date", "Disposal", "Gravity", "Notes"])
    disposals.append(["T-1", dt.date(2023, 1, 5), dt.date(2023, 2, 1), "Y/Caution", 2, "first"])
    disposals.append(["T-2", dt.date(2023, 2, 5), dt.date(2023, 3, 1), "Referral Order", 3, ""])
    disposals.append(["T-1", dt.date(2023, 4, 5), dt.date(2023, 5, 1), "Supervision order (YRO)", 4, ""])
    book.save(path)
    return path


def test_a_mapped_workbook_reads_as_a_case_file(tmp_path):
    path = their_workbook(tmp_path / "theirs.xlsx")
    unmapped = read_upload(path)
    assert not unmapped.ok and any("a sheet named people" in str(p) for p in unmapped.problems)
    mapped = read_upload(path, THEIR_MAPPING)
    assert mapped.ok, [str(p) for p in mapped.problems]
    assert mapped.people["sex"].to_list() == ["male", "female"] and mapped.people["looked_after"].to_list() == [False, True]
    assert mapped.outcomes["outcome_type"].to_list() == ["youth_caution", "referral_order", "yro"]  # "Referral Order" is already a known word
    folder = tmp_path / "out"
    folder.mkdir()
    remap(path, {**THEIR_MAPPING, "values": {}}, folder)
    assert "Y/Caution" in (folder / "outcomes.csv").read_text(encoding="utf-8")


def test_the_mapping_screen_saves_a_mapping_that_imports_reuse(world, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    url = reverse("import-mapping", args=[world.northmoor.pk])
    sample = their_workbook(tmp_path / "theirs.xlsx")
    page = html.unescape(client.post(url, {"sample": SimpleUploadedFile("theirs.xlsx", sample.read_bytes())}).content.decode())
    assert "Sheet “Cohort list”" in page and "Sheet “Disposals”" in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    form = {"token": token, "sheet-0": "people", "sheet-1": "outcomes"}
    for j, column in enumerate(["person_id", "date_of_birth", "sex", "ethnicity", "looked_after", "district", "yot_caseload", ""]):
        form[f"column-0-{j}"] = column
    for j, column in enumerate(["person_id", "offence_date", "outcome_date", "outcome_type", "gravity", ""]):
        form[f"column-1-{j}"] = column
    step_two = html.unescape(client.post(url, form).content.decode())
    assert "Words the case file does not know" in step_two and "Y/Caution" in step_two
    assert "Referral Order" not in step_two.split("Words the case file does not know")[1]  # already understood
    words = dict(re.findall(r'name="word-outcome_type-(\d+)" value="([^"]+)"', step_two))
    form.update({f"word-outcome_type-{k}": v for k, v in words.items()})
    form.update({f"value-outcome_type-{k}": {"Y/Caution": "youth_caution", "Supervision order (YRO)": "yro"}[v] for k, v in words.items()})
    done = client.post(url, {**form, "done": "1"})
    assert done.status_code == 302
    saved = ColumnMapping.objects.get(service=world.northmoor).mapping
    assert saved["values"]["outcome_type"] == {"Y/Caution": "youth_caution", "Supervision order (YRO)": "yro"}
    assert saved["columns"]["people"]["Gender"] == "sex" and "Worker" not in saved["columns"]["people"]
    assert AuditEvent.objects.filter(object_type="column mapping").count() == 2
    preview = html.unescape(client.post(reverse("import", args=[world.northmoor.pk]), {"case_file": SimpleUploadedFile("theirs.xlsx", sample.read_bytes()), "use_mapping": "1"}).content.decode())
    assert "2 new children" in preview and "3 new outcomes" in preview, re.findall(r"<td class=\"govuk-table__cell\">([^<]*)</td>", preview)[:30]
    token = re.search(r'name="token" value="([^"]+)"', preview).group(1)
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', preview).group(1)
    client.post(reverse("import-commit", args=[world.northmoor.pk]), {"token": token, "use_mapping": "1", "fingerprint": fingerprint})
    assert YoungPerson.objects.filter(service=world.northmoor, local_id__startswith="T-").count() == 2
    assert Outcome.objects.filter(person__local_id="T-1", outcome_type="yro").exists()


def test_a_column_of_another_sheet_is_refused(world, tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    url = reverse("import-mapping", args=[world.northmoor.pk])
    sample = their_workbook(tmp_path / "theirs.xlsx")
    token = re.search(r'name="token" value="([^"]+)"', client.post(url, {"sample": SimpleUploadedFile("theirs.xlsx", sample.read_bytes())}).content.decode()).group(1)
    refused = client.post(url, {"token": token, "sheet-0": "people", "column-0-0": "offence_date"})
    assert refused.status_code == 400 and "offence_date is not a column of the people sheet" in html.unescape(refused.content.decode())
    assert not ColumnMapping.objects.filter(service=world.northmoor).exists()
    assert world.client("pat").get(url).status_code == 403


# The sample is read by a job ----------------------------------------------------------------------


def _queued_only(monkeypatch):
    """Jobs wait in the database for a worker, as in a deployment (the tests' backend runs them at once)."""
    from reoffkit.web.jobs import runner

    class Queue:
        @staticmethod
        def enqueue(job_id):
            return None

    monkeypatch.setattr(runner, "run_job", Queue)


def test_a_sample_is_read_by_a_job_that_the_page_follows_to_the_screen(world, tmp_path, settings, monkeypatch):
    from reoffkit.web.jobs import runner
    from reoffkit.web.jobs.models import Job

    settings.DATA_DIR = tmp_path / "data"
    _queued_only(monkeypatch)
    client = world.client("percy")
    url = reverse("import-mapping", args=[world.northmoor.pk])
    sample = their_workbook(tmp_path / "theirs.xlsx")
    posted = client.post(url, {"sample": SimpleUploadedFile("theirs.xlsx", sample.read_bytes())})
    job = Job.objects.get(kind="read_mapping_sample")
    assert posted.status_code == 302 and posted["Location"] == f"{url}?job={job.pk}"
    assert job.state == Job.State.QUEUED and job.service == world.northmoor and job.upload.endswith(".xlsx")
    waiting = client.get(posted["Location"])
    page = html.unescape(waiting.content.decode())
    assert waiting.status_code == 200 and 'http-equiv="refresh"' in page and "waiting to be read" in page
    assert "Sheet “Cohort list”" not in page
    # nobody else follows it, not even another performance officer of the service
    other = actions.create_staff_user(by="test", username="perry", password=PASSWORD, role=Role.PERFORMANCE, services=[world.northmoor])
    assert client.get(f"{url}?job=not-a-job").status_code == 302
    followed = Client()
    followed.force_login(other)
    assert "Sheet “Cohort list”" not in html.unescape(followed.get(posted["Location"], follow=True).content.decode())

    runner.execute(str(job.pk))  # a worker, in any process
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and not Path(job.upload).exists()  # the sample went with the job
    done = html.unescape(client.get(posted["Location"]).content.decode())
    assert "Sheet “Cohort list”" in done and "Sheet “Disposals”" in done and 'http-equiv="refresh"' not in done
    assert re.search(r'name="token" value="([^"]+)"', done).group(1) == job.result["token"]


def test_saving_the_mapping_reads_nothing_from_the_workbook_in_the_request(world, tmp_path, settings, monkeypatch):
    from reoffkit.web.spreadsheets import uploads

    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    url = reverse("import-mapping", args=[world.northmoor.pk])
    sample = their_workbook(tmp_path / "theirs.xlsx")
    token = re.search(r'name="token" value="([^"]+)"', client.post(url, {"sample": SimpleUploadedFile("theirs.xlsx", sample.read_bytes())}).content.decode()).group(1)

    def no_reading(*args, **kwargs):
        raise AssertionError("a workbook was read in the request")

    monkeypatch.setattr(uploads, "_run_isolated", no_reading)
    saved = client.post(url, {"token": token, "sheet-0": "people", "column-0-0": "person_id", "done": "1"})
    assert saved.status_code == 302
    assert ColumnMapping.objects.get(service=world.northmoor).mapping["columns"]["people"] == {"ID": "person_id"}
    assert list((Path(settings.DATA_DIR) / "uploads").iterdir()) == []  # mapping done: what was read of the sample is gone


def test_a_reading_whose_worker_stopped_is_shown_failed_with_the_reason(world, tmp_path, settings, monkeypatch):
    from django.utils import timezone

    from reoffkit.web.jobs import runner
    from reoffkit.web.jobs.models import Job

    settings.DATA_DIR = tmp_path / "data"
    _queued_only(monkeypatch)
    client = world.client("percy")
    url = reverse("import-mapping", args=[world.northmoor.pk])
    sample = their_workbook(tmp_path / "theirs.xlsx")
    location = client.post(url, {"sample": SimpleUploadedFile("theirs.xlsx", sample.read_bytes())})["Location"]
    job = Job.objects.get(kind="read_mapping_sample")
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, started_at=long_ago, heartbeat_at=long_ago)  # its worker died
    page = client.get(location)
    assert page.status_code == 400 and runner.INTERRUPTED in html.unescape(page.content.decode())
    assert not Path(job.upload).exists() and list((Path(settings.DATA_DIR) / "uploads").iterdir()) == []


def test_a_sample_that_is_not_a_workbook_is_refused_by_its_job_and_kept_nowhere(world, tmp_path, settings):
    from reoffkit.web.jobs.models import Job

    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    refused = client.post(reverse("import-mapping", args=[world.northmoor.pk]), {"sample": SimpleUploadedFile("ours.xlsx", b"PK\x03\x04 not really a workbook")})
    assert refused.status_code == 400
    assert "ours.xlsx could not be read as a workbook: save it from Excel or LibreOffice as .xlsx" in html.unescape(refused.content.decode())
    assert Job.objects.get(kind="read_mapping_sample").state == Job.State.FAILED
    assert list((Path(settings.DATA_DIR) / "uploads").iterdir()) == []
