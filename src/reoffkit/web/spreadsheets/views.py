"""Importing a case file into a service (performance officers): upload → preview of every problem
and every change → import all of it in one transaction, or nothing.

The preview is a background job (kind ``preview_case_file``): it reads and plans the upload and
keeps the page's summary (it names children) owner-only next to the upload; the page follows the
job. The uploaded file is kept between the preview and the import in the data folder's uploads
(owner-only permissions) under a random name, and only then: it is deleted as soon as its preview
shows errors or nothing to change (its summary once shown), when the import ends however it ends
(its summary when the import starts), and, if the officer never imports it, by the sweep of
expired uploads with its summary (``REOFFKIT_UPLOAD_HOURS``; docs/case-file.md). The commit reads
nothing: the import job (kind ``import_case_file``) re-reads and re-plans the upload and fails,
linking a fresh preview, when the plan is not what the preview showed (records changed
meanwhile). Jobs' progress is in the database, followed from any web process, and a restart marks
a job failed instead of losing it. Every upload
is read in a process of its own under memory and time limits
(:mod:`reoffkit.web.spreadsheets.uploads`), so a hostile file costs that reading, never the service.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import replace
from pathlib import Path

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from reoffkit.casefile import write_case_file
from reoffkit.engine.schema import empty_frame
from reoffkit.web.jobs.files import UploadTooLarge, store_upload, sweep_uploads, upload_folder
from reoffkit.web.spreadsheets.jobs import IMPORT_JOB, PREVIEW_JOB, own_job, preview_found
from reoffkit.web.tracker.permissions import require
from reoffkit.web.spreadsheets.uploads import read_upload

MAX_UPLOAD_BYTES = 50_000_000
SUFFIXES = (".xlsx", ".zip")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,60}$")
SHOWN_CHANGES = 300
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _folder() -> Path:
    return upload_folder()


def _stored(service, token: str) -> Path | None:
    if not TOKEN.match(token or ""):
        return None
    for suffix in SUFFIXES:
        path = _folder() / f"import-{service.pk}-{token}{suffix}"
        if path.exists():
            return path
    return None


def _mapping(service, wanted: bool) -> dict | None:
    from reoffkit.web.tracker.models import ColumnMapping

    record = ColumnMapping.objects.filter(service=service).first() if wanted else None
    return record.mapping if record else None


def read_as_uploaded(service, path: Path, original: str, use_mapping: bool):
    """The upload read (in a process of its own under the limits), named as the officer knows it:
    a full re-import gives that name as the reason for each removal."""
    return replace(read_upload(path, _mapping(service, use_mapping), name=original), source=original)


def _previewing(request, service, job_id: str):
    """The preview of an upload, as the import page shows it: refreshing itself while its job waits
    or runs, the reason when it failed (an interrupted one says so), the preview when it is done.
    Only the officer who uploaded the file sees it."""
    from reoffkit.web.jobs.models import Job

    job = own_job(request, service, job_id, PREVIEW_JOB)
    if job is None:
        messages.error(request, "That file is no longer being checked. Upload it again.")
        return redirect("import", service_id=service.pk)
    page = _upload_page(service)
    if job.state == Job.State.FAILED:
        return render(request, "spreadsheets/upload.html", {**page, "problem": job.message}, status=400)
    if job.state != Job.State.SUCCEEDED:
        return render(request, "spreadsheets/upload.html", {**page, "checking": job})
    token = (job.result or {}).get("token", "")
    found = preview_found(service, token) if TOKEN.match(token) else None
    if found is None or not found.exists():
        messages.error(request, "That upload is no longer here (it was imported or abandoned). Upload the file again.")
        return redirect("import", service_id=service.pk)
    summary = json.loads(found.read_text(encoding="utf-8"))
    params = job.params
    response = render(
        request,
        "spreadsheets/preview.html",
        {
            **summary,
            "service": service,
            "section": "import",
            "full": params.get("full", False),
            "token": token if summary["importable"] else "",
            "original": params["original"],
            "use_mapping": params.get("use_mapping", False),
        },
        status=200 if summary["ok"] else 400,
    )
    if not summary["importable"]:  # the upload went with the job: what was found of it goes once shown
        found.unlink(missing_ok=True)
    return response


def _upload_page(service) -> dict:
    from reoffkit.web.tracker.models import ColumnMapping

    return {"service": service, "section": "import", "max_mb": MAX_UPLOAD_BYTES // 1_000_000, "has_mapping": ColumnMapping.objects.filter(service=service).exists()}


@require("import")
@require_http_methods(["GET", "POST"])
def import_case_file(request, service):
    """Upload a case file; a job reads and plans it (kind ``preview_case_file``) and the page follows
    the job (``?job=``). A worker quick enough to have finished already (or one running jobs at once)
    shows the preview straight away."""
    from reoffkit.web.jobs.runner import start

    page = _upload_page(service)
    if request.method == "GET":
        if request.GET.get("job"):
            return _previewing(request, service, request.GET["job"])
        return render(request, "spreadsheets/upload.html", page)
    upload = request.FILES.get("case_file")
    problem = None
    if upload is None:
        problem = "Choose a case file to import: an .xlsx workbook or a .zip of the CSV files"
    elif upload.size > MAX_UPLOAD_BYTES:
        problem = f"{upload.name} is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB"
    elif Path(upload.name).suffix.lower() not in SUFFIXES:
        problem = f"{upload.name} is not an .xlsx workbook or a .zip of CSV files; save the workbook as an Excel Workbook (.xlsx)"
    if problem:
        return render(request, "spreadsheets/upload.html", {**page, "problem": problem}, status=400)
    sweep_uploads()
    prefix = f"preview-{service.pk}-"
    try:
        path = store_upload(upload, suffix=Path(upload.name).suffix.lower(), max_bytes=MAX_UPLOAD_BYTES, prefix=prefix)
    except UploadTooLarge as error:
        return render(request, "spreadsheets/upload.html", {**page, "problem": f"{upload.name} is {error}"}, status=400)
    token = path.name[len(prefix) : -len(path.suffix)]
    params = {"token": token, "original": upload.name[:200], "use_mapping": bool(request.POST.get("use_mapping")), "full": request.POST.get("full") == "1"}
    job = start(kind=PREVIEW_JOB, by=request.user, service=service, upload=path, params=params)
    if job.finished:
        return _previewing(request, service, str(job.pk))
    return redirect(f"{reverse('import', args=[service.pk])}?job={job.pk}")


@require("import")
@require_http_methods(["POST"])
def commit_case_file(request, service):
    """Import the previewed upload as a job (the page follows the job), without reading or planning
    it here: the job re-plans it and fails, linking a fresh preview, when the plan is not the one
    previewed (the records changed meanwhile, or the form asks for other than what was checked)."""
    from reoffkit.web.jobs.models import Job
    from reoffkit.web.jobs.runner import start

    token = request.POST.get("token", "")
    path = _stored(service, token)
    running = Job.objects.filter(kind=IMPORT_JOB, service=service, params__token=token).exclude(state=Job.State.FAILED).first() if token else None
    if running is not None:  # a second click
        return redirect("job", job_id=running.pk)
    if path is None:
        messages.error(request, "That upload is no longer here (it was imported or abandoned). Upload the file again.")
        return redirect("import", service_id=service.pk)
    preview_found(service, token).unlink(missing_ok=True)  # the upload is the import job's now; the preview is done
    params = {
        "token": token, "original": request.POST.get("original", path.name)[:200], "use_mapping": bool(request.POST.get("use_mapping")),
        "full": request.POST.get("full") == "1", "fingerprint": request.POST.get("fingerprint", "")[:64],
    }
    job = start(kind=IMPORT_JOB, by=request.user, service=service, upload=path, params=params)
    return redirect("job", job_id=job.pk)




@require("import")
def import_template(request, service):
    """A blank case-file workbook: every sheet with its headings."""
    folder = _folder()
    path = folder / f"template-{secrets.token_hex(8)}.xlsx"
    try:
        write_case_file({name: empty_frame(name) for name in ("people", "outcomes", "assessments", "actions", "resettlement")}, path)
        content = path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{slugify(service.name)}-case-file-template-{dt.date.today().isoformat()}.xlsx"'
    return response




@require("export_case_file")
@require_http_methods(["POST"])
def export_case_file(request, service):
    """Every record of the service as a case file (names included: for the service's own use, such
    as moving to another installation). Asks why; audited."""
    from reoffkit.web.tracker import actions, queries
    from reoffkit.web.tracker.forms import PurposeForm

    form = PurposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter why you are exporting the service's records (at least 5 characters)")
        return redirect("import", service_id=service.pk)
    frames = case_file_frames(service)
    path = _folder() / f"export-{secrets.token_hex(8)}.xlsx"
    try:
        write_case_file(frames, path)
        content = path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
    actions.record_export(
        by=request.user, service=service, purpose=form.cleaned_data["purpose"], object_type="case file",
        object_ids=[], summary=f"Exported {frames['people'].height} children's records as a case file",
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{slugify(service.name)}-case-file-{dt.date.today().isoformat()}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


def case_file_frames(service) -> dict:
    """Every record of ``service`` as case-file frames: the tracker's own copy, with each review
    action's notes and its owner by user name, so that importing it into an empty service gives the
    same records."""
    import polars as pl

    from reoffkit.engine.schema import conform
    from reoffkit.web.tracker import queries
    from reoffkit.web.tracker.models import ReviewAction

    frames = queries.service_case_file_frames(service)
    rows = ReviewAction.objects.filter(person__service=service).order_by("person__local_id", "raised_on", "pk").values(
        "person__local_id", "raised_on", "trigger", "action", "status", "owner__username", "due_on", "completed_on", "notes"
    )
    rows = list(rows)
    columns = {
        "person_id": [r["person__local_id"] for r in rows],
        **{name: [r[name] for r in rows] for name in ("raised_on", "trigger", "action", "status")},
        "owner": [r["owner__username"] for r in rows],
        **{name: [r[name] for r in rows] for name in ("due_on", "completed_on")},
        "notes": [r["notes"] or None for r in rows],
    }
    schema = empty_frame("actions").schema
    frames["actions"] = conform(pl.DataFrame(columns, schema={name: schema[name] for name in columns}), "actions")
    return frames
