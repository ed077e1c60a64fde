"""The import page's work, as jobs on the job runner: the preview of a case file, its import, and
the reading of a mapping sample. Their progress is in the database (followed from any web process), a restart
marks them failed instead of losing them, and the upload each owns is deleted when it ends,
however it ends."""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import replace
from pathlib import Path

from reoffkit.web.jobs.runner import JobFailed, handles
from reoffkit.web.jobs.views import JOB_AGAIN, JOB_TITLES
from reoffkit.web.spreadsheets.importing import ImportStopped, commit_import, describe, plan_import
from reoffkit.web.spreadsheets.uploads import sample_headings

logger = logging.getLogger(__name__)

IMPORT_JOB = "import_case_file"
PREVIEW_JOB = "preview_case_file"
MAPPING_JOB = "read_mapping_sample"


def own_job(request, service, job_id, kind: str):
    """The job of ``kind`` that this user started for ``service`` (``None`` for any other id or
    anyone else's job), up to date: one left running by a worker that died is marked failed."""
    import uuid

    from reoffkit.web.jobs.models import Job
    from reoffkit.web.jobs.runner import recover_interrupted

    try:
        key = uuid.UUID(str(job_id))
    except ValueError:
        return None
    job = Job.objects.filter(pk=key, kind=kind, service=service, created_by=request.user).first()
    if job is not None and job.state == Job.State.RUNNING:
        recover_interrupted()
        job.refresh_from_db()
    return job


@handles(IMPORT_JOB)
def run_import(job, progress) -> dict:
    """The import as a job: re-read and re-plan the upload the job owns (deleted when the job ends,
    however it ends), refuse a plan that is not the one previewed, then commit with progress."""
    from django.urls import reverse

    from reoffkit.web.spreadsheets.views import read_as_uploaded

    params = job.params
    original = params["original"]
    service = job.service
    preview_found(service, params["token"]).unlink(missing_ok=True)  # the preview's summary goes with its upload
    started = time.perf_counter()
    progress.stage("Reading the file again")
    # a full re-import removes what the file lacks through the same audited actions as ``reoffkit import --full``
    plan = plan_import(service, read_as_uploaded(service, Path(job.upload), original, params.get("use_mapping", False)), full=params.get("full", False))
    if not plan.ok:
        raise JobFailed("The file has errors now: upload it again to see them. Nothing was imported.")
    if plan.fingerprint() != params["fingerprint"]:
        raise JobFailed("The records changed after you checked the file, so it was not imported. Upload it again to see the changes it would make now.")
    plan.source = original
    progress.stage("Importing", len(plan.changes))
    try:
        counts = commit_import(plan, by=job.created_by, progress=lambda done, total: progress.advance(done, total))
    except ImportStopped as stopped:  # the batches made are kept; the same file again makes the rest
        logger.error("import job %s into service %s stopped after %s of %s: %s", job.pk, service.pk, stopped.done, stopped.total, type(stopped.cause).__name__)
        raise JobFailed(
            f"The import stopped after {stopped.done:,} of {stopped.total:,} changes, which are kept. Import the same file again "
            "to make the rest (nothing is made twice); if it stops again, tell your administrator."
        ) from None
    made = ", ".join(describe(counts)) or "no changes"
    return {
        "message": f"Imported {original} in {time.perf_counter() - started:.1f} s: {made}.",
        "next": reverse("cohort", args=[service.pk]),
    }


JOB_TITLES[IMPORT_JOB] = "Importing the case file"
JOB_AGAIN[IMPORT_JOB] = ("import", "Upload the file again to see a fresh preview of the changes it would make now")


def preview_found(service, token: str) -> Path:
    """Where the preview job keeps the page's summary (problems, changes, removals, the digest; it
    names children) next to the upload: owner-only in the uploads folder, deleted once shown when the
    file cannot be imported, when the import is started, or by the sweep of expired uploads."""
    from reoffkit.web.jobs.files import upload_folder

    return upload_folder() / f"preview-{service.pk}-{token}.json"


def kept_upload(service, token: str, suffix: str) -> Path:
    """Where an upload whose preview offers an import waits for the commit (``import-…``)."""
    from reoffkit.web.jobs.files import upload_folder

    return upload_folder() / f"import-{service.pk}-{token}{suffix}"


def _summary(plan, staged: Path, original: str, shown: int) -> dict:
    """What the preview page shows of a plan, as JSON: every problem, every removal, the first
    ``shown`` other changes, the counts and the digest the commit carries."""
    from dataclasses import asdict

    # a problem with the whole file names the file as the officer knows it, not as it is stored
    problems = [replace(p, sheet=original) if p.sheet in (staged.name, str(staged)) else p for p in plan.problems]
    removals = [c for c in plan.changes if c.kind.startswith("removed")]
    others = [c for c in plan.changes if not c.kind.startswith("removed")]

    def row(change):
        return {"kind": change.kind, "person_id": change.person_id, "detail": change.detail}

    return {
        "ok": plan.ok,
        "errors": [asdict(p) for p in problems if p.severity == "error"],
        "warnings": [str(p) for p in problems if p.severity == "warning"],
        "total": len(plan.changes),
        "changes": [row(c) for c in others[:shown]],
        "more": max(0, len(others) - shown),
        "removals": [row(c) for c in removals],  # every one is listed, as on the command line
        "counts": describe(plan.counts()),
        "not_in_file": plan.not_in_file,
        "fingerprint": plan.fingerprint(),
        "importable": bool(plan.ok and plan.changes),
    }


@handles(PREVIEW_JOB)
def preview_case_file(job, progress) -> dict:
    """Read and plan an upload (read in a process of its own under the upload limits) and keep the
    preview's summary, owner-only, for the page. The job owns the upload while it reads: an upload
    with errors or nothing to change goes when the job ends, however it ends (an interrupted one
    too, through the runner's recovery); one whose preview offers an import is moved out of the
    job's hands to wait for the commit, which hands it to the import job."""
    from django.urls import reverse

    from reoffkit.web.spreadsheets.views import SHOWN_CHANGES, read_as_uploaded

    params = job.params
    original, token, service = params["original"], params["token"], job.service
    staged = Path(job.upload)
    progress.stage("Reading and checking the file")
    plan = plan_import(service, read_as_uploaded(service, staged, original, params.get("use_mapping", False)), full=params.get("full", False))
    summary = _summary(plan, staged, original, SHOWN_CHANGES)
    descriptor = os.open(preview_found(service, token), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(summary, out)
    if summary["importable"]:
        os.replace(staged, kept_upload(service, token, staged.suffix))
    return {"token": token, "importable": summary["importable"], "next": f"{reverse('import', args=[service.pk])}?job={job.pk}"}


JOB_TITLES[PREVIEW_JOB] = "Checking the case file"


def sample_found(service, token: str) -> Path:
    """Where the job keeps what it read of a mapping sample (its sheets, headings and the words
    each column uses) while the officer maps it: owner-only in the uploads folder, deleted when
    mapping is done or by the sweep of expired uploads."""
    from reoffkit.web.jobs.files import upload_folder

    return upload_folder() / f"mapping-{service.pk}-{token}.json"


@handles(MAPPING_JOB)
def read_mapping_sample(job, progress) -> dict:
    """Read a mapping sample's sheets, headings and words (in a process of its own under the upload
    limits), keep them for the mapping screen, and let the sample itself go with the job."""
    from reoffkit.casefile.sources import TooLarge

    params = job.params
    original = params["original"]
    progress.stage("Reading the sample workbook")
    try:
        found = sample_headings(Path(job.upload), name=original)
    except TooLarge as refused:
        raise JobFailed(str(refused.problem)) from None
    except ValueError:
        raise JobFailed(f"{original} could not be read as a workbook: save it from Excel or LibreOffice as .xlsx") from None
    target = sample_found(job.service, params["token"])
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(found, out)
    from django.urls import reverse

    return {"token": params["token"], "sheets": len(found), "next": f"{reverse('import-mapping', args=[job.service.pk])}?job={job.pk}"}


JOB_TITLES[MAPPING_JOB] = "Reading the sample workbook"
