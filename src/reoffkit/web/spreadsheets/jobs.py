"""The import of a case file from the import page, as a job on the job runner: its progress is in
the database (followed from any web process), a restart marks it failed instead of losing it, and
the upload it owns is deleted when it ends, however it ends."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from reoffkit.web.jobs.runner import JobFailed, handles
from reoffkit.web.jobs.views import JOB_TITLES
from reoffkit.web.spreadsheets.importing import ImportStopped, commit_import, describe, plan_import
from reoffkit.web.spreadsheets.uploads import read_upload

logger = logging.getLogger(__name__)

IMPORT_JOB = "import_case_file"


@handles(IMPORT_JOB)
def run_import(job, progress) -> dict:
    """The import as a job: re-read and re-plan the upload the job owns (deleted when the job ends,
    however it ends), refuse a plan that is not the one previewed, then commit with progress."""
    from django.urls import reverse

    from reoffkit.web.spreadsheets.views import _mapping

    params = job.params
    original = params["original"]
    service = job.service
    started = time.perf_counter()
    progress.stage("Reading the file again")
    plan = plan_import(service, read_upload(Path(job.upload), _mapping(service, params.get("use_mapping", False)), name=original))
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
