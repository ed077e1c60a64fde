"""Importing a case file into a service (performance officers): upload → preview of every problem
and every change → import all of it in one transaction, or nothing.

The uploaded file is kept between the preview and the import in the data folder's uploads
(owner-only permissions) under a random name, and only then: it is deleted as soon as its preview
shows errors or nothing to change, when the import ends however it ends, and, if the officer never
imports it, by the sweep of expired uploads (``REOFFKIT_UPLOAD_HOURS``; docs/case-file.md). The
import re-reads and re-plans it: when the plan is not what the preview showed (records changed
meanwhile), the import is refused and the preview shown again. The import itself is a background
job (kind ``import_case_file``): its progress is in the database, followed from any web process,
and a restart marks it failed instead of losing it. Every upload
is read in a process of its own under memory and time limits
(:mod:`reoffkit.web.spreadsheets.uploads`), so a hostile file costs that reading, never the service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
import re
import secrets
from pathlib import Path

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from reoffkit.casefile import write_case_file
from reoffkit.engine.schema import empty_frame
from reoffkit.web.jobs.files import UploadTooLarge, store_upload, sweep_uploads, upload_folder
from reoffkit.web.spreadsheets.importing import describe, plan_import
from reoffkit.web.spreadsheets.jobs import IMPORT_JOB
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


def _preview(request, service, path: Path, token: str, original: str, status: int = 200, use_mapping: bool = False, full: bool = False):
    """The preview; the upload is kept only when the page offers to import it."""
    kept = False
    try:
        response, kept = _plan_page(request, service, path, token, original, status, use_mapping, full=full)
        return response
    finally:
        if not kept:
            path.unlink(missing_ok=True)


def _plan_page(request, service, path: Path, token: str, original: str, status: int, use_mapping: bool, changed_since: bool = False, full: bool = False):
    plan = plan_import(service, read_as_uploaded(service, path, original, use_mapping), full=full)
    # a problem with the whole file names the file as the officer knows it, not as it is stored
    problems = [replace(p, sheet=original) if p.sheet in (path.name, str(path)) else p for p in plan.problems]
    removals = [c for c in plan.changes if c.kind.startswith("removed")]
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    return render(
        request,
        "spreadsheets/preview.html",
        {
            "service": service,
            "section": "import",
            "plan": plan,
            "errors": errors,
            "warnings": warnings,
            "changes": [c for c in plan.changes if not c.kind.startswith("removed")][:SHOWN_CHANGES],
            "more": max(0, len(plan.changes) - len(removals) - SHOWN_CHANGES),
            "removals": removals,  # every one is listed, as on the command line
            "full": full,
            "counts": describe(plan.counts()),
            "token": token if plan.ok and plan.changes else "",
            "fingerprint": plan.fingerprint(),
            "original": original,
            "use_mapping": use_mapping,
            "changed_since": changed_since,
        },
        status=status if plan.ok else 400,
    ), bool(plan.ok and plan.changes)


@require("import")
@require_http_methods(["GET", "POST"])
def import_case_file(request, service):
    from reoffkit.web.tracker.models import ColumnMapping

    page = {"service": service, "section": "import", "max_mb": MAX_UPLOAD_BYTES // 1_000_000, "has_mapping": ColumnMapping.objects.filter(service=service).exists()}
    if request.method == "GET":
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
    prefix = f"import-{service.pk}-"
    try:
        path = store_upload(upload, suffix=Path(upload.name).suffix.lower(), max_bytes=MAX_UPLOAD_BYTES, prefix=prefix)
    except UploadTooLarge as error:
        return render(request, "spreadsheets/upload.html", {**page, "problem": f"{upload.name} is {error}"}, status=400)
    token = path.name[len(prefix) : -len(path.suffix)]
    full = request.POST.get("full") == "1"
    return _preview(request, service, path, token, upload.name, use_mapping=bool(request.POST.get("use_mapping")), full=full)


@require("import")
@require_http_methods(["POST"])
def commit_case_file(request, service):
    """Re-plan the upload; when the plan is still the one previewed, import it as a job (the page
    follows the job); when the records changed meanwhile, show the preview again."""
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
    original = request.POST.get("original", path.name)[:200]
    use_mapping = bool(request.POST.get("use_mapping"))
    full = request.POST.get("full") == "1"
    plan = plan_import(service, read_as_uploaded(service, path, original, use_mapping), full=full)
    if not plan.ok or plan.fingerprint() != request.POST.get("fingerprint", ""):
        response, kept = _plan_page(request, service, path, token, original, 409, use_mapping, changed_since=True, full=full)
        if not kept:
            path.unlink(missing_ok=True)
        return response
    job = start(
        kind=IMPORT_JOB, by=request.user, service=service, upload=path,
        params={"token": token, "original": original, "use_mapping": use_mapping, "full": full, "fingerprint": plan.fingerprint()},
    )
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
