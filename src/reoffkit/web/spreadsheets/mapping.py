"""The column-mapping screen: map a service's own workbook (sheets, headings, words for codes)
onto the case file once, save it, and reuse it for every import.

Step 1: upload a sample of the workbook; a job reads it (kind ``read_mapping_sample``: in a process
of its own under memory and time limits, :mod:`reoffkit.web.spreadsheets.uploads`) while this page
refreshes itself, and keeps what it found (sheets, headings, the words each column uses) for the
screen; the sample itself goes when the job ends, however it ends. Then choose, for each of its
sheets, which case-file sheet it is, and for each heading which column. Step 2: for the code
columns, map each word the sample uses that the case file does not already accept ("Caution -
Youth" → youth_caution). Each save is audited. Nothing is read from the workbook in a request:
the screen and every save use what the job kept (owner-only), which is deleted when mapping is
done, and by the sweep of expired uploads when it is abandoned.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from reoffkit.casefile.columns import SPECS
from reoffkit.casefile.mapping import CODE_COLUMNS, codes_for, recognised, suggest_from
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import ColumnMapping
from reoffkit.web.tracker.permissions import require
from reoffkit.web.jobs.files import UploadTooLarge, store_upload, sweep_uploads
from reoffkit.web.jobs.models import Job
from reoffkit.web.spreadsheets.jobs import MAPPING_JOB, own_job, sample_found
from reoffkit.web.spreadsheets.views import MAX_UPLOAD_BYTES, TOKEN

IGNORE = ""


def _sample(service, token: str) -> Path | None:
    """What the reading job found in the sample behind ``token``, kept while mapping."""
    if not TOKEN.match(token or ""):
        return None
    path = sample_found(service, token)
    return path if path.exists() else None


def _found(sample: Path) -> dict[str, dict]:
    return json.loads(sample.read_text(encoding="utf-8"))


def _reading(request, service, job_id: str):
    """The reading of a sample, as this page shows it: refreshing itself while the job waits or
    runs, the problem when it failed (an interrupted one says so), the screen when it is done."""
    job = own_job(request, service, job_id, MAPPING_JOB)
    if job is None:
        messages.error(request, "That sample is no longer being read. Upload it again.")
        return redirect("import-mapping", service_id=service.pk)
    if job.state == Job.State.FAILED:
        return _screen(request, service, problem=job.message, status=400)
    if job.state == Job.State.SUCCEEDED:
        return _screen(request, service, token=(job.result or {}).get("token", ""))
    return _screen(request, service, reading=job)



def _current(service) -> dict:
    record = ColumnMapping.objects.filter(service=service).first()
    return record.mapping if record else {}


def _screen(request, service, *, token: str = "", problem: str = "", status: int = 200, reading: Job | None = None):
    mapping = _current(service)
    sample = _sample(service, token)
    sheets = []
    code_values = []
    if sample is not None:
        found = _found(sample)
        proposal = mapping if mapping.get("sheets") else suggest_from(found)
        for index, (name, details) in enumerate(found.items()):
            target = proposal.get("sheets", {}).get(name, IGNORE)
            columns = proposal.get("columns", {}).get(target, {})
            sheets.append(
                {
                    "index": index,
                    "name": name,
                    "target": target,
                    "headings": [{"index": j, "name": title, "column": columns.get(title, IGNORE)} for j, title in enumerate(details["headings"])],
                }
            )
            for title, column in columns.items():
                if column in CODE_COLUMNS:
                    saved = proposal.get("values", {}).get(column, {})
                    unknown = [v for v in details["values"].get(title, []) if recognised(column, v) is None]
                    if unknown:
                        code_values.append(
                            {"column": column, "heading": title, "choices": codes_for(column),
                             "words": [{"index": k, "word": v, "code": saved.get(v, IGNORE)} for k, v in enumerate(unknown)]}
                        )
    return render(
        request,
        "spreadsheets/mapping.html",
        {
            "service": service,
            "section": "import",
            "mapping": mapping,
            "token": token if sample else "",
            "sheets": sheets,
            "code_values": code_values,
            "targets": list(SPECS),
            "columns": {sheet: [spec.name for spec in specs] for sheet, specs in SPECS.items()},
            "problem": problem,
            "reading": reading,
        },
        status=status,
    )


@require("import")
@require_http_methods(["GET", "POST"])
def column_mapping(request, service):
    if request.method == "GET":
        if request.GET.get("job"):
            return _reading(request, service, request.GET["job"])
        return _screen(request, service)
    if "sample" in request.FILES:
        return _read_sample(request, service, request.FILES["sample"])
    token = request.POST.get("token", "")
    sample = _sample(service, token)
    if sample is None:
        messages.error(request, "Upload a sample of the workbook first.")
        return redirect("import-mapping", service_id=service.pk)
    found = _found(sample)
    mapping = {"sheets": {}, "columns": {}, "values": dict(_current(service).get("values", {}))}
    for index, (name, details) in enumerate(found.items()):
        target = request.POST.get(f"sheet-{index}", IGNORE)
        if target == IGNORE:
            continue
        if target not in SPECS:
            return _screen(request, service, token=token, problem=f"Choose a case-file sheet for {name}", status=400)
        allowed = {spec.name for spec in SPECS[target]}
        chosen = {}
        for j, title in enumerate(details["headings"]):
            column = request.POST.get(f"column-{index}-{j}", IGNORE)
            if column == IGNORE:
                continue
            if column not in allowed:
                return _screen(request, service, token=token, problem=f"{name}, heading {title!r}: {column} is not a column of the {target} sheet", status=400)
            chosen[title] = column
        mapping["sheets"][name] = target
        mapping["columns"][target] = {**mapping["columns"].get(target, {}), **chosen}
    for key, code in request.POST.items():
        if not key.startswith("value-") or code == IGNORE:
            continue
        _, column, position = key.split("-", 2)
        word = request.POST.get(f"word-{column}-{position}")
        if column in CODE_COLUMNS and word and code in codes_for(column):
            mapping["values"].setdefault(column, {})[word] = code
    actions.save_column_mapping(by=request.user, service=service, mapping=mapping)
    messages.success(request, "Column mapping saved. Imports of this service can use it.")
    if request.POST.get("done"):
        sample.unlink(missing_ok=True)
        return redirect("import", service_id=service.pk)
    return _screen(request, service, token=token)


def _read_sample(request, service, upload):
    """Keep the sample (owner-only) and start the job that reads it; the page follows the job. A
    worker quick enough to have finished already (or one running jobs at once) shows its outcome
    straight away."""
    from reoffkit.web.jobs.runner import start

    if upload.size > MAX_UPLOAD_BYTES or not upload.name.lower().endswith(".xlsx"):
        return _screen(request, service, problem=f"{upload.name}: choose an .xlsx workbook of up to {MAX_UPLOAD_BYTES // 1_000_000} MB", status=400)
    sweep_uploads()
    prefix = f"mapping-{service.pk}-"
    try:
        stored = store_upload(upload, suffix=".xlsx", max_bytes=MAX_UPLOAD_BYTES, prefix=prefix)
    except UploadTooLarge as error:
        return _screen(request, service, problem=f"{upload.name} is {error}", status=400)
    token = stored.name[len(prefix) : -len(".xlsx")]
    job = start(kind=MAPPING_JOB, by=request.user, service=service, upload=stored, params={"token": token, "original": upload.name[:200]})
    if job.finished:
        return _reading(request, service, str(job.pk))
    return redirect(f"{reverse('import-mapping', args=[service.pk])}?job={job.pk}")
