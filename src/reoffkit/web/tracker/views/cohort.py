"""The cohort list with its filters, its Excel export, and adding a cohort member."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from reoffkit.engine import ALERT_LABELS, codes
from reoffkit.engine.rules import Period, quarter_label, quarter_of
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.forms import DateField, GovukForm
from reoffkit.web.tracker.models import ETHNICITY_CHOICES, SEX_CHOICES, YoungPerson
from reoffkit.web.tracker.permissions import has_permission, require
from reoffkit.web.tracker.queries import CohortRow, cohort_rows
from reoffkit.web.tracker.views.account import PurposeForm

ANY = [("", "Any")]
YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]
TIERS = [("pre_court", "Pre-court"), ("first_tier", "First-tier"), ("community", "Community"), ("custody", "Custody")]
QUALIFYING = [(t.code, t.label) for t in codes.OUTCOME_TYPES if t.qualifies]
BANDS = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("not assessed", "Not assessed")]
LEVELS = [("standard", "Standard"), ("enhanced", "Enhanced"), ("intensive", "Intensive"), ("not assessed", "Not assessed")]
STATUSES = [("required", "Action required – not completed"), ("pending", "Pending"), ("completed", "Completed"), ("none", "No action recorded")]

#: Sortable columns: the URL name and how to sort a row by it.
SORTS = {
    "name": lambda r: (r.person.last_name.lower(), r.person.first_name.lower()),
    "quarter": lambda r: (r.entry["quarter"], r.entry["index_date"]),
    "index_date": lambda r: r.entry["index_date"],
    "months": lambda r: r.months_since_entry,
    "follow_up_end": lambda r: r.entry["follow_up_end"],
    "further": lambda r: r.entry["further_offences"],
    "alerts": lambda r: len(r.alerts),
    "status": lambda r: ["required", "pending", "none", "completed"].index(r.action_status),
}


class CohortFilterForm(forms.Form):
    quarter = forms.ChoiceField(required=False, label="Cohort")
    age = forms.ChoiceField(required=False, choices=ANY + [(str(a), str(a)) for a in range(10, 18)], label="Age at entry")
    sex = forms.ChoiceField(required=False, choices=ANY + SEX_CHOICES)
    ethnicity = forms.ChoiceField(required=False, choices=ANY + ETHNICITY_CHOICES)
    looked_after = forms.ChoiceField(required=False, choices=YES_NO, label="Looked after")
    district = forms.ChoiceField(required=False)
    tier = forms.ChoiceField(required=False, choices=ANY + TIERS)
    index_disposal = forms.ChoiceField(required=False, choices=ANY + QUALIFYING, label="Index disposal")
    intervention_level = forms.ChoiceField(required=False, choices=ANY + LEVELS, label="Intervention level")
    likelihood_band = forms.ChoiceField(required=False, choices=ANY + BANDS, label="Likelihood band")
    yot_caseload = forms.ChoiceField(required=False, choices=YES_NO, label="On YOT caseload")
    alert = forms.ChoiceField(required=False, choices=[("", "Any"), ("any", "Has an alert"), ("none", "No alert")] + list(ALERT_LABELS.items()), label="Alert")
    status = forms.ChoiceField(required=False, choices=ANY + STATUSES, label="Action status")

    def __init__(self, *args, service, quarters: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [("", "Everyone in follow-up")] + [(q, q) for q in quarters]
        self.fields["district"].choices = ANY + [(d.name, d.name) for d in service.districts.all()]
        for field in self.fields.values():
            field.widget.attrs["class"] = "govuk-select"


def _label(entry_value, label: str) -> bool:
    return entry_value == label


def filter_rows(rows: list[CohortRow], criteria: dict) -> list[CohortRow]:
    """Keep the rows matching every given criterion (blank criteria match everything)."""

    def matches(row: CohortRow) -> bool:
        entry = row.entry
        checks = {
            "age": lambda v: str(entry["age_at_index"]) == v,
            "sex": lambda v: entry["sex"] == v,
            "ethnicity": lambda v: entry["ethnicity"] == v,
            "looked_after": lambda v: entry["looked_after"] is (v == "yes"),
            "district": lambda v: entry["district"] == v,
            "tier": lambda v: entry["tier"] == v,
            "index_disposal": lambda v: entry["index_disposal"] == v,
            "intervention_level": lambda v: (entry["intervention_level"] or "not assessed") == v,
            "likelihood_band": lambda v: (entry["likelihood_band"] or "not assessed") == v,
            "yot_caseload": lambda v: entry["yot_caseload"] is (v == "yes"),
            "alert": lambda v: bool(row.alerts) if v == "any" else (not row.alerts if v == "none" else any(a["alert"] == v for a in row.alerts)),
            "status": lambda v: row.action_status == v,
        }
        return all(checks[name](value) for name, value in criteria.items() if value and name in checks)

    return [row for row in rows if matches(row)]


def sort_rows(rows: list[CohortRow], sort: str, direction: str) -> list[CohortRow]:
    key = SORTS.get(sort, SORTS["index_date"])
    return sorted(rows, key=key, reverse=direction == "desc")


def recent_quarters(today: dt.date, count: int = 8) -> list[str]:
    current = quarter_of(today)
    return [quarter_label(k) for k in range(current, current - count, -1)]


@dataclass
class Listing:
    form: CohortFilterForm
    rows: list[CohortRow]
    total: int
    period: Period | None
    criteria: dict


def _listing(request, service) -> Listing:
    today = dt.date.today()
    form = CohortFilterForm(request.GET or None, service=service, quarters=recent_quarters(today))
    criteria = form.cleaned_data if form.is_valid() else {}
    period = Period.parse(criteria["quarter"]) if criteria.get("quarter") else None
    rows = cohort_rows(service, as_at=today, period=period)
    shown = filter_rows(rows, criteria)
    shown = sort_rows(shown, request.GET.get("sort", "index_date"), request.GET.get("dir", "desc"))
    return Listing(form, shown, len(rows), period, criteria)


def _sort_links(request) -> dict[str, dict]:
    current, direction = request.GET.get("sort", "index_date"), request.GET.get("dir", "desc")
    links = {}
    for name in SORTS:
        query = request.GET.copy()
        query["sort"] = name
        query["dir"] = "asc" if (current == name and direction == "desc") else "desc"
        aria = ("descending" if direction == "desc" else "ascending") if current == name else "none"
        links[name] = {"url": "?" + query.urlencode(), "aria": aria}
    return links


@require("view_records")
def cohort_list(request, service):
    listing = _listing(request, service)
    filters = {k: v for k, v in request.GET.items() if k not in ("sort", "dir") and v}
    return render(
        request,
        "tracker/cohort/list.html",
        {
            "service": service,
            "section": "cohort",
            "listing": listing,
            "sort_links": _sort_links(request),
            "export_query": urlencode(request.GET),
            "filtered": bool(filters),
            "can_record": has_permission(request.user, "record"),
            "can_export": has_permission(request.user, "export"),
            "today": dt.date.today(),
        },
    )


EXPORT_COLUMNS = [
    ("Local ID", lambda r: r.person.local_id),
    ("First name", lambda r: r.person.first_name),
    ("Last name", lambda r: r.person.last_name),
    ("Cohort", lambda r: r.entry["quarter"]),
    ("Index date", lambda r: r.entry["index_date"]),
    ("Index disposal", lambda r: codes.outcome_type_table()[r.entry["index_disposal"]].label),
    ("Tier", lambda r: codes.TIER_LABELS[r.entry["tier"]]),
    ("Age at entry", lambda r: r.entry["age_at_index"]),
    ("Months since entry", lambda r: r.months_since_entry),
    ("Follow-up ends", lambda r: r.entry["follow_up_end"]),
    ("Further offences", lambda r: r.entry["further_offences"]),
    ("Latest action", lambda r: r.latest_action.get_action_display() if r.latest_action else ""),
    ("Action status", lambda r: r.latest_action.get_status_display() if r.latest_action else "No action recorded"),
    ("Alerts", lambda r: "; ".join(a["label"] for a in r.alerts)),
]


def cohort_workbook(rows: list[CohortRow], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "cohort"
    sheet.append([name for name, _ in EXPORT_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([value(row) for _, value in EXPORT_COLUMNS])
    for index, (name, _) in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(name) + 4)
        if "date" in name.lower() or name == "Follow-up ends":
            for cell in sheet[get_column_letter(index)][1:]:
                cell.number_format = "dd/mm/yyyy"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.properties.title = title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@require("export")
def cohort_export(request, service):
    listing = _listing(request, service)
    form = PurposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        today = dt.date.today()
        content = cohort_workbook(listing.rows, f"{service.name} cohort {today.isoformat()}")
        actions.record_export(
            by=request.user,
            service=service,
            purpose=form.cleaned_data["purpose"],
            object_type="young_person",
            object_ids=sorted({row.person.pk for row in listing.rows}),
            summary=f"Exported {len(listing.rows)} cohort entries to Excel",
        )
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{slugify(service.name)}-cohort-{today.isoformat()}.xlsx"'
        return response
    return render(
        request,
        "tracker/cohort/export.html",
        {"service": service, "section": "cohort", "form": form, "count": len(listing.rows), "query": request.GET.urlencode()},
    )


class MemberForm(GovukForm):
    local_id = forms.CharField(max_length=40, label="Local ID", help_text="The service's own identifier for the child.")
    pnc_id = forms.CharField(max_length=20, required=False, label="PNC ID")
    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80)
    date_of_birth = DateField(label="Date of birth")
    sex = forms.ChoiceField(choices=SEX_CHOICES)
    ethnicity = forms.ChoiceField(choices=ETHNICITY_CHOICES, help_text="As the child identifies.")
    looked_after = forms.BooleanField(required=False, label="Looked after")
    district = forms.ChoiceField(required=False)
    yot_caseload = forms.BooleanField(required=False, initial=True, label="On the YOT caseload")
    outcome_type = forms.ChoiceField(choices=[("", "Choose an outcome")] + QUALIFYING, label="Index outcome")
    offence_date = DateField(label="Offence date")
    outcome_date = DateField(label="Outcome date", help_text="The date of the caution or sentence.")
    release_date = DateField(required=False, label="Release date", help_text="Custodial sentences only: the child enters the cohort on release.")
    offence_type = forms.CharField(max_length=120, required=False, label="Offence type")
    gravity = forms.IntegerField(min_value=1, max_value=8, required=False, label="Gravity (1–8)")
    use_existing = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", "Not known")] + [(str(d.pk), d.name) for d in service.districts.all()]
        self.fields["district"].widget.attrs["class"] = "govuk-select"


def possible_duplicates(service, data: dict):
    """Young people of this service with the same local ID, PNC ID, or name and date of birth."""
    match = Q(local_id__iexact=data.get("local_id", ""))
    if data.get("pnc_id"):
        match |= Q(pnc_id__iexact=data["pnc_id"])
    if data.get("first_name") and data.get("last_name") and data.get("date_of_birth"):
        match |= Q(first_name__iexact=data["first_name"], last_name__iexact=data["last_name"], date_of_birth=data["date_of_birth"])
    return list(YoungPerson.objects.filter(service=service).filter(match).order_by("last_name"))


@require("record")
def add_member(request, service):
    form = MemberForm(request.POST or None, service=service)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        index_outcome = {
            key: data[key] for key in ("outcome_type", "offence_date", "outcome_date", "release_date", "gravity") if data.get(key) is not None
        }
        index_outcome["offence_type"] = data["offence_type"]
        existing = None
        if data.get("use_existing"):
            existing = YoungPerson.objects.filter(service=service, pk=data["use_existing"]).first()
        if existing is None:
            duplicates = possible_duplicates(service, data)
        if not duplicates:
            district = service.districts.filter(pk=data["district"]).first() if data.get("district") else None
            new_person = None
            if existing is None:
                new_person = {
                    key: data[key] for key in ("local_id", "pnc_id", "first_name", "last_name", "date_of_birth", "sex", "ethnicity", "looked_after", "yot_caseload")
                }
                new_person["district"] = district
            try:
                person, _ = actions.add_cohort_member(
                    by=request.user, service=service, person=existing, new_person=new_person, index_outcome=index_outcome
                )
            except ValidationError as error:
                form.add_model_errors(error)
            else:
                messages.success(request, f"{person} was added to the cohort.")
                return redirect("person", service_id=service.pk, person_id=person.pk)
    return render(
        request,
        "tracker/cohort/add_member.html",
        {"service": service, "section": "cohort", "form": form, "duplicates": duplicates},
    )
