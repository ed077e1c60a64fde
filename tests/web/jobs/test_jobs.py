"""The job runner: a job runs once, ends succeeded or failed with words a person can act on (never
what a file held), is never left running by a worker that died, and owns its upload."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from reoffkit.web.jobs import files, runner
from reoffkit.web.jobs.models import Job

CALLS: list[str] = []


@runner.handles("test-adds")
def adds(job, progress):
    progress.stage("Adding", total=2)
    progress.advance(2)
    CALLS.append(job.kind)
    return {"sum": job.params["a"] + job.params["b"], "next": reverse("home")}


@runner.handles("test-refuses")
def refuses(job, progress):
    raise runner.JobFailed("The file has no people sheet: add one and upload it again.")


@runner.handles("test-breaks")
def breaks(job, progress):
    raise ValueError("Ned Testchild born 2010-01-02 in row 7")  # what a file held: never shown or logged


def test_a_job_runs_once_and_keeps_its_result(world):
    CALLS.clear()
    job = runner.start(kind="test-adds", by=world.users["percy"], service=world.northmoor, params={"a": 2, "b": 3})
    assert job.state == Job.State.SUCCEEDED and job.result["sum"] == 5 and job.finished_at is not None
    assert (job.done, job.total, job.stage) == (2, 2, "Adding")
    assert runner.execute(str(job.pk)) is None  # a finished job is never run again
    assert CALLS == ["test-adds"]


def test_its_page_sends_the_starter_on_and_nobody_else_sees_it(world):
    job = runner.start(kind="test-adds", by=world.users["percy"], params={"a": 1, "b": 1})
    page = world.client("percy").get(reverse("job", args=[job.pk]))
    assert page.status_code == 302 and page["Location"] == reverse("home")
    assert world.client("mandy").get(reverse("job", args=[job.pk])).status_code == 404
    assert world.client("percy").get(reverse("job", args=["not-a-uuid"])).status_code == 404


def test_a_refused_job_says_why_on_its_page(world):
    job = runner.start(kind="test-refuses", by=world.users["percy"])
    assert job.state == Job.State.FAILED and "no people sheet" in job.message
    page = world.client("percy").get(reverse("job", args=[job.pk])).content.decode()
    assert "This did not finish" in page and "no people sheet" in page and 'http-equiv="refresh"' not in page


def test_an_unexpected_error_names_its_kind_never_what_the_file_held(world, caplog):
    with caplog.at_level(logging.INFO):
        job = runner.start(kind="test-breaks", by=world.users["percy"])
    assert job.state == Job.State.FAILED
    assert "ValueError" in job.message and "Nothing it was doing was kept" in job.message
    for text in (job.message, caplog.text):
        assert "Ned" not in text and "2010" not in text and "row 7" not in text


def test_a_running_job_whose_worker_stopped_is_marked_failed_and_its_upload_deleted(world, tmp_path):
    upload = tmp_path / "upload.xlsx"
    upload.write_bytes(b"x")
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    stale = Job.objects.create(kind="test-adds", state=Job.State.RUNNING, heartbeat_at=long_ago, upload=str(upload))
    alive = Job.objects.create(kind="test-adds", state=Job.State.RUNNING, heartbeat_at=timezone.now())
    assert runner.recover_interrupted() == 1
    stale.refresh_from_db()
    alive.refresh_from_db()
    assert stale.state == Job.State.FAILED and stale.message == runner.INTERRUPTED and not upload.exists()
    assert alive.state == Job.State.RUNNING


def test_a_job_deletes_the_upload_it_owns_however_it_ends(world, tmp_path):
    for kind in ("test-adds", "test-breaks"):
        upload = tmp_path / f"{kind}.xlsx"
        upload.write_bytes(b"x")
        runner.start(kind=kind, by=world.users["percy"], params={"a": 0, "b": 0}, upload=upload)
        assert not upload.exists(), kind


def test_abandoned_uploads_are_swept_after_the_keeping_time(world, tmp_path):
    with override_settings(DATA_DIR=tmp_path, REOFFKIT_UPLOAD_HOURS=1):
        folder = files.upload_folder()
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
        old, fresh, owned = folder / "old.xlsx", folder / "fresh.xlsx", folder / "owned.xlsx"
        for path in (old, fresh, owned):
            path.write_bytes(b"x")
        two_hours_ago = time.time() - 2 * 3600
        os.utime(old, (two_hours_ago, two_hours_ago))
        os.utime(owned, (two_hours_ago, two_hours_ago))
        Job.objects.create(kind="test-adds", state=Job.State.QUEUED, upload=str(owned))
        assert files.sweep_uploads() == [old]
        assert fresh.exists() and owned.exists()


def test_an_upload_over_the_limit_leaves_nothing_behind(tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with override_settings(DATA_DIR=tmp_path):
        with pytest.raises(files.UploadTooLarge):
            files.store_upload(SimpleUploadedFile("big.xlsx", b"x" * 2_000_001), suffix=".xlsx", max_bytes=2_000_000)
        assert list(files.upload_folder().iterdir()) == []
        kept = files.store_upload(SimpleUploadedFile("ok.xlsx", b"x" * 10), suffix=".xlsx", max_bytes=2_000_000)
        assert oct(kept.stat().st_mode & 0o777) == "0o600" and kept.read_bytes() == b"x" * 10


def test_an_unknown_kind_is_refused_before_anything_is_queued(world):
    with pytest.raises(ValueError):
        runner.start(kind="no-such-kind", by=world.users["percy"])
    assert not Job.objects.exists()
