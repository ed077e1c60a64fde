"""The column-mapping screen: map a service's own workbook (sheets, headings, words for codes)
onto the case file once, save it, and reuse it for every import.

Step 1: upload a sample of the workbook; choose, for each of its sheets, which case-file sheet it
is, and for each heading which column. Step 2: for the code columns, map each word the sample uses
that the case file does not already accept ("Caution - Youth" → youth_caution). Each save is
audited; the sample is kept only while mapping (owner-only): deleted when mapping is done, at
once when it cannot be read, and by the sweep of expired uploads when it is abandoned. It is read
in a process of its own under memory and time limits (:mod:`reoffkit.web.spreadsheets.uploads`).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from reoffkit.casefile.columns import SPECS
from reoffkit.casefile.mapping import CODE_COLUMNS, codes_for, recognised, suggest_from
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import ColumnMapping
from reoffkit.web.tracker.permissions import require
from reoffkit.casefile.sources import TooLarge
from reoffkit.web.jobs.files import UploadTooLarge, store_upload, sweep_uploads, upload_folder
from reoffkit.web.spreadsheets.uploads import sample_headings
from reoffkit.web.spreadsheets.views import MAX_UPLOAD_BYTES, TOKEN

IGNORE = ""


def _sample(service, token: str) -> Path | None:
    if not TOKEN.match(token or ""):
        return None
    path = upload_folder() / f"mapping-{service.pk}-{token}.xlsx"
    return path if path.exists() else None


def _sample_name(token: str) -> str:
    return "the sample workbook"



def _current(service) -> dict:
    record = ColumnMapping.objects.filter(service=service).first()
    return record.mapping if record else {}


def _screen(request, service, *, token: str = "", problem: str = "", status: int = 200):
    mapping = _current(service)
    sample = _sample(service, token)
    sheets = []
    code_values = []
    if sample is not None:
        found = sample_headings(sample, name=_sample_name(token))
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
        },
        status=status,
    )


@require("import")
@require_http_methods(["GET", "POST"])
def column_mapping(request, service):
    if request.method == "GET":
        return _screen(request, service)
    if "sample" in request.FILES:
        upload = request.FILES["sample"]
        if upload.size > MAX_UPLOAD_BYTES or not upload.name.lower().endswith(".xlsx"):
            return _screen(request, service, problem=f"{upload.name}: choose an .xlsx workbook of up to {MAX_UPLOAD_BYTES // 1_000_000} MB", status=400)
        sweep_uploads()
        try:
            stored = store_upload(upload, suffix=".xlsx", max_bytes=MAX_UPLOAD_BYTES, prefix=f"mapping-{service.pk}-")
        except UploadTooLarge as error:
            return _screen(request, service, problem=f"{upload.name} is {error}", status=400)
        token = stored.name[len(f"mapping-{service.pk}-") : -len(".xlsx")]
        try:
            sample_headings(stored, name=upload.name)
        except TooLarge as refused:
            stored.unlink(missing_ok=True)
            return _screen(request, service, problem=str(refused.problem), status=400)
        except Exception:
            stored.unlink(missing_ok=True)
            return _screen(request, service, problem=f"{upload.name} could not be read as a workbook: save it from Excel or LibreOffice as .xlsx", status=400)
        return _screen(request, service, token=token)
    token = request.POST.get("token", "")
    sample = _sample(service, token)
    if sample is None:
        messages.error(request, "Upload a sample of the workbook first.")
        return redirect("import-mapping", service_id=service.pk)
    found = sample_headings(sample, name=_sample_name(token))
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
