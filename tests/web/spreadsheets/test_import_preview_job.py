"""The import's preview is a job (kind ``preview_case_file``, ADR 16): the upload starts it and the
import page follows it, only for the officer who uploaded the file; the commit reads nothing and
starts the import job; an interrupted preview fails with its reason and keeps nothing."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from web_helpers import TODAY

from reoffkit.casefile import write_case_file
from reoffkit.synthetic import generate
from reoffkit.web.jobs import runner
from reoffkit.web.jobs.models import Job
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import Role, YoungPerson


def text(response) -> str:
    return html.unescape(response.content.decode())


def uploads(settings) -> list[Path]:
    folder = Path(settings.DATA_DIR) / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def westvale(world):
    service = actions.create_service(by=world.users["ada"], name="Westvale")
    actions.update_staff_user(by=world.users["ada"], user=world.users["percy"], role=Role.PERFORMANCE, services=[world.northmoor, service])
    world.users["pam"] = actions.create_staff_user(by=world.users["ada"], username="pam", password="a long enough password 1", role=Role.PERFORMANCE, services=[service])
    return service


@pytest.fixture
def workbook(tmp_path):
    frames = generate(["Westvale"], first_quarter="2023Q1", quarters=2, children_per_quarter=5, as_at=TODAY, seed=4)
    return write_case_file(frames, tmp_path / "westvale.xlsx"), frames["people"].height


@pytest.fixture
def queued_only(monkeypatch):
    """Jobs wait in the database for a worker, as in a deployment (the tests' backend runs them at once)."""

    class Queue:
        @staticmethod
        def enqueue(job_id):
            return None

    monkeypatch.setattr(runner, "run_job", Queue)


def _upload(client, service, workbook):
    path, _ = workbook
    return client.post(reverse("import", args=[service.pk]), {"case_file": SimpleUploadedFile("westvale.xlsx", path.read_bytes())})


def test_a_queued_preview_shows_its_officer_the_waiting_page_and_then_the_preview(world, westvale, workbook, tmp_path, settings, queued_only):
    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    started = _upload(client, westvale, workbook)
    job = Job.objects.get(kind="preview_case_file")
    assert started.status_code == 302 and started["Location"] == f"{reverse('import', args=[westvale.pk])}?job={job.pk}"
    assert job.state == Job.State.QUEUED and job.created_by == world.users["percy"]
    waiting = client.get(started["Location"])
    assert waiting.status_code == 200 and '<meta http-equiv="refresh" content="2">' in text(waiting)
    assert "The file is waiting to be checked" in text(waiting) and 'name="token"' not in text(waiting)
    # another performance officer of the same service does not see it, here or on the job's page
    other = world.client("pam")
    elsewhere = other.get(started["Location"], follow=True)
    assert "That file is no longer being checked" in text(elsewhere) and "waiting to be checked" not in text(elsewhere)
    assert other.get(reverse("job", args=[job.pk])).status_code == 404
    assert YoungPerson.objects.filter(service=westvale).count() == 0
    runner.execute(str(job.pk))
    shown = client.get(started["Location"])
    _, people = workbook
    assert shown.status_code == 200 and f"{people} new children" in text(shown) and shown.context["token"]
    # the job's own page goes on to the same preview
    assert client.get(reverse("job", args=[job.pk]))["Location"] == started["Location"]
    assert "new children" not in text(other.get(started["Location"], follow=True))  # still not for another officer


def test_the_commit_reads_nothing_in_the_request_and_starts_the_import_job(world, westvale, workbook, tmp_path, settings, queued_only, monkeypatch):
    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    started = _upload(client, westvale, workbook)
    runner.execute(str(Job.objects.get(kind="preview_case_file").pk))
    preview = client.get(started["Location"])
    form = {"token": preview.context["token"], "original": "westvale.xlsx", "fingerprint": preview.context["fingerprint"]}

    def no_reading(*args, **kwargs):
        raise AssertionError("the commit read the upload in the request")

    monkeypatch.setattr("reoffkit.web.spreadsheets.views.read_upload", no_reading)
    monkeypatch.setattr("reoffkit.web.spreadsheets.jobs.plan_import", no_reading)
    committed = client.post(reverse("import-commit", args=[westvale.pk]), form)
    job = Job.objects.get(kind="import_case_file")
    assert committed["Location"] == reverse("job", args=[job.pk]) and job.state == Job.State.QUEUED
    assert job.params["fingerprint"] == form["fingerprint"] and job.upload.endswith(f"-{form['token']}.xlsx")
    assert [p.name for p in uploads(settings)] == [Path(job.upload).name]  # the preview's summary went when the import was started
    monkeypatch.undo()  # a worker reads it
    runner.execute(str(job.pk))
    _, people = workbook
    assert YoungPerson.objects.filter(service=westvale).count() == people and uploads(settings) == []


def test_an_interrupted_preview_is_shown_failed_with_its_reason_and_keeps_nothing(world, westvale, workbook, tmp_path, settings, queued_only):
    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    started = _upload(client, westvale, workbook)
    job = Job.objects.get(kind="preview_case_file")
    assert Path(job.upload).exists()
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, started_at=long_ago, heartbeat_at=long_ago)  # its worker died
    page = client.get(started["Location"])
    assert page.status_code == 400 and runner.INTERRUPTED in text(page) and 'name="token"' not in text(page)
    assert Job.objects.get(pk=job.pk).state == Job.State.FAILED
    assert uploads(settings) == []


def test_a_preview_with_errors_keeps_its_summary_only_until_it_is_shown(world, westvale, tmp_path, settings, queued_only):
    settings.DATA_DIR = tmp_path / "data"
    client = world.client("percy")
    started = client.post(reverse("import", args=[westvale.pk]), {"case_file": SimpleUploadedFile("broken.xlsx", b"PK\x03\x04 not really a workbook")})
    job = Job.objects.get(kind="preview_case_file")
    runner.execute(str(job.pk))
    assert [p.name.split("-")[0] for p in uploads(settings)] == ["preview"]  # the upload went with the job; its summary waits for the page
    shown = client.get(started["Location"])
    assert shown.status_code == 400 and "broken.xlsx" in text(shown) and "The file cannot be imported" in text(shown)
    assert uploads(settings) == []
    assert "no longer here" in text(client.get(started["Location"], follow=True))


def test_a_preview_counts_its_problems_with_thousands_separated(world, westvale, tmp_path, settings):
    from openpyxl import Workbook

    settings.DATA_DIR = tmp_path / "data"
    book = Workbook()
    people = book.active
    people.title = "people"
    people.append(["person_id", "date_of_birth", "sex", "ethnicity", "looked_after", "district", "yot_caseload"])
    for number in range(1, 1_002):
        people.append([f"W{number}", None, "male", "White", "no", "North", "yes"])  # no date of birth: 1,001 errors
    path = tmp_path / "many.xlsx"
    book.save(path)
    client = world.client("percy")
    started = _upload(client, westvale, (path, 0))
    shown = text(client.get(started["Location"]) if started.status_code == 302 else started)
    assert "The file cannot be imported: 1,002 errors" in shown  # and the missing outcomes sheet
