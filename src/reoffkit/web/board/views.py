"""The improvement action plan (list, add — also from a finding —, change, progress notes, export
and import) and the board papers (make one as a job, see it, download it again).

Who: managers and performance officers edit the plan; board viewers read it; practitioners see the
items assigned to them (docs/rules.md §16). Board papers are made and downloaded by managers,
performance officers and board viewers. Every change and every download is audited.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from reoffkit.engine import Period
from reoffkit.engine.rules import quarter_label
from reoffkit.web.board import actions
from reoffkit.web.board.models import BoardPaper, PlanItem
from reoffkit.web.board.queries import can_edit, can_make_papers, can_own, owners, papers_for, plan_rows, visible_items
from reoffkit.web.tracker.actions import StaleEdit
from reoffkit.web.tracker.forms import DateField
from reoffkit.web.tracker.permissions import require
from reoffkit.web.tracker.report_pages import file_stem

MAX_UPLOAD_BYTES = 5_000_000
TEXT = {"class": "govuk-textarea", "rows": 3}


class ItemForm(forms.ModelForm):
    due_on = DateField(label="By when", help_text="For example, 31 3 2027.")

    class Meta:
        model = PlanItem
        fields = ["issue", "source_kind", "source_ref", "actions", "owner", "partner_agency", "partner_person", "due_on", "status", "dropped_reason", "partnership"]
        labels = {
            "issue": "Issue affecting reoffending performance",
            "source_kind": "From a finding",
            "source_ref": "Which finding",
            "actions": "Actions to address it",
            "owner": "By whom: a named user",
            "partner_agency": "Or a partner agency",
            "partner_person": "and a person there",
            "dropped_reason": "Why it was dropped",
            "partnership": "The partnership's item",
        }
        help_texts = {"actions": "One action a line."}
        widgets = {
            "issue": forms.Textarea(attrs=TEXT),
            "actions": forms.Textarea(attrs={**TEXT, "rows": 4}),
            "dropped_reason": forms.Textarea(attrs={**TEXT, "rows": 2}),
            "source_kind": forms.Select(attrs={"class": "govuk-select"}),
            "status": forms.Select(attrs={"class": "govuk-select"}),
            "owner": forms.Select(attrs={"class": "govuk-select"}),
            "source_ref": forms.TextInput(attrs={"class": "govuk-input"}),
            "partner_agency": forms.TextInput(attrs={"class": "govuk-input govuk-!-width-two-thirds"}),
            "partner_person": forms.TextInput(attrs={"class": "govuk-input govuk-!-width-two-thirds"}),
        }

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners(service)
        self.fields["owner"].label_from_instance = lambda user: user.get_full_name() or user.get_username()

    def _post_clean(self):  # the model's own checks run in the action, with the service and author set
        pass


class NoteForm(forms.Form):
    text = forms.CharField(label="Progress made", widget=forms.Textarea(attrs=TEXT))


def _require_editor(request) -> None:
    if not can_edit(request.user):
        raise PermissionDenied


def _item(request, service, item_id: int) -> PlanItem:
    item = visible_items(request.user, service).filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item


def _values(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


def _errors_to_form(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@require("view_aggregates")
@require_safe
def plan(request, service):
    today = dt.date.today()
    items = list(visible_items(request.user, service))
    return render(
        request,
        "board/plan.html",
        {
            "service": service, "section": "plan", "today": today, "editor": can_edit(request.user),
            "items": [(item, item.rating(today)) for item in items], "papers": can_make_papers(request.user),
            "mine_only": not can_make_papers(request.user),
        },
    )


@require("view_aggregates")
@require_http_methods(["GET", "POST"])
def add_item(request, service):
    _require_editor(request)
    if request.method == "POST":
        form = ItemForm(request.POST, service=service)
        if form.is_valid():
            try:
                item = actions.add_item(by=request.user, service=service, **_values(form))
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, f"Action plan item {item.pk} added.")
                return redirect("plan-item", service.pk, item.pk)
    else:
        initial = {"status": "not_started", "due_on": dt.date.today() + dt.timedelta(days=90)}
        source = request.GET.get("source", "")
        if source in PlanItem.Source.values:
            initial["source_kind"] = source
        for name in ("issue", "source_ref"):
            if request.GET.get(name):
                initial[name] = request.GET[name][:1000 if name == "issue" else 300]
        form = ItemForm(initial=initial, service=service)
    return render(request, "board/item_form.html", {"service": service, "section": "plan", "form": form, "item": None})


@require("view_aggregates")
@require_http_methods(["GET", "POST"])
def item(request, service, item_id: int):
    current = _item(request, service, item_id)
    editor = can_edit(request.user)
    form = ItemForm(instance=current, service=service) if editor else None
    note_form = NoteForm() if editor or (current.owner_id == request.user.pk and can_own(request.user)) else None
    if request.method == "POST":
        if request.POST.get("form") == "note":
            if note_form is None:
                raise PermissionDenied
            note_form = NoteForm(request.POST)
            if note_form.is_valid():
                actions.add_note(by=request.user, item=current, text=note_form.cleaned_data["text"])
                messages.success(request, "Progress note added.")
                return redirect("plan-item", service.pk, current.pk)
        else:
            _require_editor(request)
            form = ItemForm(request.POST, instance=PlanItem.objects.get(pk=current.pk), service=service)
            if form.is_valid():
                try:
                    version = int(request.POST.get("version", "0"))
                    actions.update_item(by=request.user, item=current, expected_version=version, **_values(form))
                except StaleEdit as error:
                    form.add_error(None, str(error))
                except ValidationError as error:
                    _errors_to_form(form, error)
                else:
                    messages.success(request, f"Action plan item {current.pk} saved.")
                    return redirect("plan-item", service.pk, current.pk)
    return render(
        request,
        "board/item.html",
        {"service": service, "section": "plan", "item": current, "rating": current.rating(dt.date.today()), "form": form, "note_form": note_form,
         "editor": editor},
    )


@require("view_aggregates")
@require_safe
def export_plan(request, service):
    from reoffkit.reports.board import plan_workbook

    if not can_make_papers(request.user):  # practitioners see their own items, not the register
        raise PermissionDenied
    items = list(visible_items(request.user, service))
    book = plan_workbook(plan_rows(items), as_at=dt.date.today(), title=f"{service.name}: improvement action plan")
    out = io.BytesIO()
    book.save(out)
    actions.record_plan_export(by=request.user, service=service, count=len(items))
    response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{file_stem([service], "action-plan")}.xlsx"'
    return response


@require("view_aggregates")
@require_http_methods(["GET", "POST"])
def import_plan(request, service):
    from reoffkit.reports.board import TEMPLATE_COLUMNS
    from reoffkit.web.spreadsheets.uploads import read_plan_upload, stored_upload

    _require_editor(request)
    problems: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("workbook")
        if upload is None:
            problems = ["Choose an .xlsx workbook with the columns Issue, Actions, By whom and By when."]
        elif upload.size > MAX_UPLOAD_BYTES:
            problems = [f"{upload.name} is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB."]
        else:
            with tempfile.TemporaryDirectory() as folder:
                items, problems = read_plan_upload(stored_upload(folder, upload), name=upload.name)
            if not problems:
                try:
                    made = actions.import_items(by=request.user, service=service, items=items, file_name=upload.name)
                except ValidationError as error:
                    problems = list(error.messages)
                else:
                    messages.success(request, f"Imported {len(made)} action plan items from {upload.name}.")
                    return redirect("plan", service.pk)
    return render(
        request, "board/import.html",
        {"service": service, "section": "plan", "problems": problems, "columns": TEMPLATE_COLUMNS},
        status=400 if problems else 200,
    )


# ---- Board papers ------------------------------------------------------------------------------


def _require_papers(request) -> None:
    if not can_make_papers(request.user):
        raise PermissionDenied


def _completed_quarters(service, today):
    from reoffkit.web.analysis.queries import completed_quarters

    return completed_quarters(service, as_at=today)


@require("view_aggregates")
@require_http_methods(["GET", "POST"])
def papers(request, service):
    from reoffkit.web.jobs.runner import start

    from reoffkit.web.tracker.permissions import services_of

    _require_papers(request)
    today = dt.date.today()
    completed = _completed_quarters(service, today)
    if request.method == "POST":
        first = request.POST.get("period", "")
        partners = [service]
        for value in request.POST.getlist("with"):  # a partnership: other services of the user's
            other = services_of(request.user).filter(pk=int(value)).first() if value.isdigit() else None
            if other is None:
                raise Http404
            if other not in partners:
                partners.append(other)
        params = {"services": [s.pk for s in partners], "as_at": today.isoformat(), "by": request.user.pk, "quarters": 4}
        if first:
            try:
                chosen = Period.parse(first, 4)
            except ValueError:
                raise Http404 from None
            params["first_quarter"] = chosen.first_quarter
        elif completed:
            params["first_quarter"] = completed[-1] - 3
        job = start(kind="board_paper", by=request.user, service=service, params=params)
        return redirect("job", job.pk)
    return render(
        request, "board/papers.html",
        {"service": service, "section": "plan", "papers": papers_for(request.user, service)[:50],
         "periods": [quarter_label(key - 3) for key in reversed(completed)], "completed": completed,
         "others": [s for s in services_of(request.user) if s.pk != service.pk]},
    )


def _paper(request, service, paper_id: int) -> BoardPaper:
    _require_papers(request)
    paper = papers_for(request.user, service).filter(pk=paper_id).first()
    if paper is None:
        raise Http404
    return paper


@require("view_aggregates")
@require_safe
def paper(request, service, paper_id: int):
    current = _paper(request, service, paper_id)
    return render(request, "board/paper.html", {"service": service, "section": "plan", "paper": current})


@require("view_aggregates")
@require_safe
def paper_file(request, service, paper_id: int, fmt: str):
    current = _paper(request, service, paper_id)
    if fmt not in ("docx", "html"):
        raise Http404
    path = Path(current.file).with_suffix(f".{fmt}")
    if not path.is_file():
        raise Http404
    actions.record_download(by=request.user, paper=current, fmt=fmt)
    stem = file_stem([service], "board-paper", current.period.replace("–", "-"), current.as_at.isoformat())
    if fmt == "html":
        response = HttpResponse(path.read_bytes(), content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{stem}.html"'
        # the page is the paper itself: its own styles and embedded images only
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        return response
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{stem}.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
