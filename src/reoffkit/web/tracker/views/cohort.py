"""The cohort list with its filters, its Excel export, and adding a cohort member.

The rows are the engine's cohort entries (``queries.cohort_rows``) under the service's counting
rules. Filtering and sorting run here in Python over those rows (:func:`filter_rows`,
:func:`sort_rows`): one service's cohort is tens to a few hundred entries. Every filter and the sort
order live in the URL, so a filtered list can be bookmarked, shared and exported as shown.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from reoffkit.engine import ALERT_LABELS, codes
from reoffkit.engine.rules import Period
from reoffkit.web.spreadsheets import workbook
from reoffkit.web.tracker import actions, queries
from reoffkit.web.tracker.forms import DateField, GovukForm, add_errors_of
from reoffkit.web.tracker.params import parse_quarter
from reoffkit.web.tracker.models import ETHNICITY_CHOICES, SEX_CHOICES, YoungPerson
from reoffkit.web.tracker.permissions import has_permission, require
from reoffkit.web.tracker.queries import CohortRow
from reoffkit.web.tracker.forms import PurposeForm
from reoffkit.web.tracker.views.summary import QUARTERS_SHOWN

ANY = [("", "Any")]
YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]
TIERS = [(tier, codes.TIER_LABELS[tier]) for tier in codes.TIER_RANK][::-1]
QUALIFYING = [(t.code, t.label) for t in codes.OUTCOME_TYPES if t.qualifies]
NOT_ASSESSED = "not assessed"
BANDS = [(band, band.capitalize()) for band in codes.LIKELIHOOD_BANDS] + [(NOT_ASSESSED, "Not assessed")]
LEVELS = [(level, level.capitalize()) for level in codes.INTERVENTION_LEVELS] + [(NOT_ASSESSED, "Not assessed")]
STATUSES = [(code, words) for code, (_, words) in codes.ACTION_STATUS_RAG.items()] + [("none", "No action recorded")]
ALERTS = [("", "Any"), ("any", "Has an alert"), ("none", "No alert"), *ALERT_LABELS.items()]
RAGS = [("", "Any"), ("red", "Red: action required"), ("amber", "Amber: pending"), ("green", "Green: completed"), ("none", "No action recorded")]
UNALLOCATED = "none"
#: Rows on one page of the cohort list (the export takes every matching row).
PAGE_SIZE = 50
QUARTER_LABEL = re.compile(r"^\d{4}Q[1-4]$")

#: Sortable columns: the name in the URL and how to sort a row by it.
SORTS: dict[str, Callable[[CohortRow], object]] = {
    "name": lambda r: (r.person.last_name.lower(), r.person.first_name.lower()),
    "local_id": lambda r: r.person.local_id.lower(),
    "quarter": lambda r: (r.entry["quarter"], r.entry["index_date"]),
    "index_date": lambda r: r.entry["index_date"],
    "months": lambda r: r.months_since_entry,
    "follow_up_end": lambda r: r.entry["follow_up_end"],
    "further": lambda r: r.entry["further_offences"],
    "status": lambda r: ["completed", "none", "pending", "required"].index(r.action_status),
    "alerts": lambda r: len(r.alerts),
}
DEFAULT_SORT, DEFAULT_DIR = "index_date", "desc"
#: The first click on a column's heading: A to Z for words, biggest or latest first for the rest.
FIRST_DIR = {"name": "asc", "local_id": "asc"}


class CohortFilterForm(forms.Form):
    """The filter panel. Every field is optional; a blank one matches every row."""

    quarter = forms.ChoiceField(required=False, label="Cohort")
    age = forms.ChoiceField(required=False, label="Age at entry")
    sex = forms.ChoiceField(required=False, choices=ANY + SEX_CHOICES)
    ethnicity = forms.ChoiceField(required=False, choices=ANY + ETHNICITY_CHOICES)
    looked_after = forms.ChoiceField(required=False, choices=YES_NO, label="Looked after")
    district = forms.ChoiceField(required=False)
    tier = forms.ChoiceField(required=False, choices=ANY + TIERS, label="Disposal tier")
    index_disposal = forms.ChoiceField(required=False, choices=ANY + QUALIFYING, label="Index disposal")
    intervention_level = forms.ChoiceField(required=False, choices=ANY + LEVELS, label="Intervention level at entry")
    likelihood_band = forms.ChoiceField(required=False, choices=ANY + BANDS, label="Likelihood of reoffending at entry")
    yot_caseload = forms.ChoiceField(required=False, choices=YES_NO, label="On the YOT caseload")
    alert = forms.ChoiceField(required=False, choices=ALERTS)
    status = forms.ChoiceField(required=False, choices=ANY + STATUSES, label="Latest action")
    caseworker = forms.ChoiceField(required=False, label="Caseworker")
    rag = forms.ChoiceField(required=False, choices=RAGS, label="RAG of the latest action")

    def __init__(self, *args, service, quarters: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        asked = (self.data.get("quarter") or "") if self.is_bound else ""
        if QUARTER_LABEL.match(asked) and parse_quarter(asked) and asked not in quarters:
            quarters = sorted([*quarters, asked], reverse=True)  # a bookmarked older quarter still works
        self.fields["quarter"].choices = [("", "Everyone in follow-up")] + [(q, q) for q in quarters]
        self.fields["age"].choices = ANY + [(str(age), str(age)) for age in range(service.min_age, service.max_age + 1)]
        self.fields["district"].choices = ANY + [(d.name, d.name) for d in service.districts.all()]
        self.fields["caseworker"].choices = ANY + [(UNALLOCATED, "Not allocated")] + [
            (str(u.pk), u.get_full_name() or u.get_username()) for u in queries.case_staff(service)
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "govuk-select"
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = "govuk-select govuk-select--error"

    #: Shown first; the rest sit in a "More filters" details element (open when one is in use).
    MAIN = ("quarter", "caseworker", "district", "alert", "rag", "age")

    def main_fields(self):
        return [self[name] for name in self.MAIN]

    def more_fields(self):
        return [self[name] for name in self.fields if name not in self.MAIN]

    def more_in_use(self) -> bool:
        return any(value for name, value in self.criteria().items() if name not in self.MAIN)

    def criteria(self) -> dict[str, str]:
        """The valid, non-blank filters (a value the form does not know is ignored and flagged)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def chosen(self, criteria: dict[str, str]) -> list[tuple[str, str, str]]:
        """(field name, label, chosen words) of each filter in use, for the 'selected filters' tags."""
        return [(name, self.fields[name].label or name.capitalize(), dict(self.fields[name].choices)[value]) for name, value in criteria.items()]


def filter_rows(rows: list[CohortRow], criteria: dict[str, str]) -> list[CohortRow]:
    """The rows matching every criterion (field name → chosen value; blanks and unknown names match
    everything). ``quarter`` is not a row filter: the quarter chooses which rows are read."""

    def alert_matches(row: CohortRow, wanted: str) -> bool:
        if wanted == "any":
            return bool(row.alerts)
        if wanted == "none":
            return not row.alerts
        return any(alert["alert"] == wanted for alert in row.alerts)

    checks: dict[str, Callable[[CohortRow, str], bool]] = {
        "age": lambda row, v: str(row.entry["age_at_index"]) == v,
        "sex": lambda row, v: row.entry["sex"] == v,
        "ethnicity": lambda row, v: row.entry["ethnicity"] == v,
        "looked_after": lambda row, v: bool(row.entry["looked_after"]) == (v == "yes"),
        "district": lambda row, v: row.entry["district"] == v,
        "tier": lambda row, v: row.entry["tier"] == v,
        "index_disposal": lambda row, v: row.entry["index_disposal"] == v,
        "intervention_level": lambda row, v: (row.entry["intervention_level"] or NOT_ASSESSED) == v,
        "likelihood_band": lambda row, v: (row.entry["likelihood_band"] or NOT_ASSESSED) == v,
        "yot_caseload": lambda row, v: bool(row.entry["yot_caseload"]) == (v == "yes"),
        "alert": alert_matches,
        "status": lambda row, v: row.action_status == v,
        "caseworker": lambda row, v: (str(row.person.caseworker_id) if row.person.caseworker_id else UNALLOCATED) == v,
        "rag": lambda row, v: (codes.ACTION_STATUS_RAG[row.action_status][0] if row.latest_action else "none") == v,
    }
    wanted = [(checks[name], value) for name, value in criteria.items() if value and name in checks]
    return [row for row in rows if all(check(row, value) for check, value in wanted)]


def sort_order(params: QueryDict) -> tuple[str, str]:
    sort = params.get("sort") if params.get("sort") in SORTS else DEFAULT_SORT
    direction = params.get("dir") if params.get("dir") in ("asc", "desc") else DEFAULT_DIR
    return sort, direction


def sort_rows(rows: list[CohortRow], sort: str, direction: str) -> list[CohortRow]:
    """Rows sorted by a column of :data:`SORTS` (ties keep their order: newest entry first)."""
    return sorted(rows, key=SORTS.get(sort, SORTS[DEFAULT_SORT]), reverse=direction == "desc")


@dataclass
class Listing:
    """``rows``: every matching row, sorted (what the export takes); ``page``: the rows of the
    page asked for (``?page=N``, :data:`PAGE_SIZE` a page)."""

    form: CohortFilterForm
    rows: list[CohortRow]
    total: int
    period: Period | None
    criteria: dict[str, str]
    sort: str
    direction: str
    page: object = None

    @property
    def children(self) -> int:
        """Children among the rows shown: alert counts are by child (the alerts page's count)."""
        return len({row.person.pk for row in self.rows})


def cohort_listing(service, params: QueryDict, *, today: dt.date) -> Listing:
    """The rows the cohort page shows for the filters, sort order and page in ``params``."""
    form = CohortFilterForm(params, service=service, quarters=queries.cohort_quarters(service, as_at=today))
    criteria = form.criteria()
    period = Period.parse(criteria["quarter"]) if criteria.get("quarter") else None
    rows = queries.cohort_rows(service, as_at=today, period=period)
    sort, direction = sort_order(params)
    shown = sort_rows(filter_rows(rows, criteria), sort, direction)
    page = Paginator(shown, PAGE_SIZE).get_page(params.get("page"))
    with_caseworkers(page.object_list)
    return Listing(form, shown, len(rows), period, criteria, sort, direction, page)


def with_caseworkers(rows) -> None:
    """Attach each row's caseworker (one query for the page, not one a row)."""
    from django.contrib.auth import get_user_model

    wanted = {row.person.caseworker_id for row in rows if row.person.caseworker_id}
    users = get_user_model().objects.in_bulk(wanted) if wanted else {}
    for row in rows:
        if row.person.caseworker_id:
            row.person.caseworker = users[row.person.caseworker_id]


def page_links(params: QueryDict, page) -> list[dict]:
    """GOV.UK pagination items: each page number (with ellipses past the neighbours) and its link."""
    items = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == Paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append({"number": number, "url": "?" + _query(params, page=str(number)), "current": number == page.number})
    return items


def _query(params: QueryDict, **changes: str | None) -> str:
    query = params.copy()
    for key in ("csrfmiddlewaretoken", "purpose", "page", "audience"):
        query.pop(key, None)
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


def sort_links(params: QueryDict, listing: Listing) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it (or reverses it) and its aria-sort."""
    links = {}
    for name in SORTS:
        current = listing.sort == name
        if current:
            direction = "asc" if listing.direction == "desc" else "desc"
        else:
            direction = FIRST_DIR.get(name, "desc")
        aria = ("ascending" if listing.direction == "asc" else "descending") if current else "none"
        links[name] = {"url": "?" + _query(params, sort=name, dir=direction), "aria": aria}
    return links


def filter_params(params: QueryDict) -> list[tuple[str, str]]:
    """The filters and sort order in ``params`` as (name, value) pairs, to carry in hidden fields."""
    keep = set(CohortFilterForm.base_fields) | {"sort", "dir"}
    return [(key, value) for key, value in params.items() if key in keep and value]


@require("view_records")
@require_http_methods(["GET"])
def cohort_list(request, service):
    today = dt.date.today()
    listing = cohort_listing(service, request.GET, today=today)
    selected = [
        {"label": label, "value": words, "remove_url": "?" + _query(request.GET, **{name: None})}
        for name, label, words in listing.form.chosen(listing.criteria)
    ]
    actions.record_list_view(
        by=request.user, service=service, object_ids=[row.person.pk for row in listing.page.object_list], summary="Viewed the cohort list"
    )
    page = listing.page
    return render(
        request,
        "tracker/cohort/list.html",
        {
            "service": service,
            "section": "cohort",
            "listing": listing,
            "page": page,
            "page_links": page_links(request.GET, page) if page.paginator.num_pages > 1 else [],
            "previous_url": "?" + _query(request.GET, page=str(page.previous_page_number())) if page.has_previous() else "",
            "next_url": "?" + _query(request.GET, page=str(page.next_page_number())) if page.has_next() else "",
            "selected": selected,
            "sort_links": sort_links(request.GET, listing),
            "export_query": _query(request.GET),
            "can_record": has_permission(request.user, "record"),
            "can_export": has_permission(request.user, "export"),
            "today": today,
        },
    )


# Export ---------------------------------------------------------------------------------------
# The workbook itself is built in ``reoffkit.web.spreadsheets.workbook``.


class Radios(forms.RadioSelect):
    """Radios whose label target (the error summary's link) is the first radio, as GOV.UK does it."""

    def id_for_label(self, id_, index=None):
        return id_


class ExportPurposeForm(GovukForm, PurposeForm):
    """Why the cohort is exported, and who will see it: outside the service (the default) gets the
    pseudonymised workbook; no answer is taken as outside, an unknown one is an error."""

    audience = forms.ChoiceField(
        choices=workbook.AUDIENCES,
        required=False,
        initial=workbook.OUTSIDE,
        widget=Radios,
        label="Who will see it?",
        error_messages={"invalid_choice": "Choose who will see the workbook"},
    )
    AUDIENCE_HINTS = {
        workbook.OUTSIDE: "For example the board, the police or a partner. Pseudonymised: no names, local or PNC IDs; an ID that "
        "stays the same for a child in every export; age at index instead of date of birth; counts from 1 to 4 suppressed.",
        workbook.WITHIN: "Names, local and PNC IDs and dates of birth, for the service's own secure systems.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].error_messages["required"] = "Enter why you are exporting the cohort"
        self.fields["audience"].widget.attrs["class"] = "govuk-radios__input"

    def clean_audience(self) -> str:
        return self.cleaned_data.get("audience") or workbook.OUTSIDE

    def audience_options(self) -> list[dict]:
        """The radios for the template: value, words, hint and whether it is chosen."""
        chosen = self["audience"].value() or workbook.OUTSIDE
        return [
            {"value": value, "label": label, "hint": self.AUDIENCE_HINTS[value], "checked": value == chosen, "id": "id_audience" if first else f"id_audience_{value}"}
            for first, (value, label) in zip([True, False], workbook.AUDIENCES)
        ]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require("export")
@require_http_methods(["GET", "POST"])
def cohort_export(request, service):
    """GET: ask why (the filters ride along in hidden fields). POST: the workbook, audited."""
    today = dt.date.today()
    params = request.POST if request.method == "POST" else request.GET
    listing = cohort_listing(service, params, today=today)
    form = ExportPurposeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        audience = form.cleaned_data["audience"]
        content = workbook.cohort_workbook(
            listing.rows,
            service=service,
            audience=audience,
            quarters=queries.summary_quarters(service, as_at=today, count=QUARTERS_SHOWN),
            as_at=today,
            title=f"{service.name} cohort {today.isoformat()}",
        )
        actions.record_export(
            by=request.user,
            service=service,
            purpose=form.cleaned_data["purpose"],
            object_type="young_person",
            object_ids=sorted({row.person.pk for row in listing.rows}),
            summary=f"Exported {len(listing.rows)} cohort entr{'y' if len(listing.rows) == 1 else 'ies'} ({workbook.AUDIENCE_WORDS[audience]})",
        )
        kind = "-pseudonymised" if audience == workbook.OUTSIDE else ""
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{slugify(service.name)}-cohort{kind}-{today.isoformat()}.xlsx"'
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "tracker/cohort/export.html",
        {
            "service": service,
            "section": "cohort",
            "form": form,
            "listing": listing,
            "selected": listing.form.chosen(listing.criteria),
            "hidden": filter_params(params),
            "back_query": _query(params),
            "quarters_shown": QUARTERS_SHOWN,
        },
    )


# Adding a cohort member ------------------------------------------------------------------------

FUTURE = "The date cannot be in the future."


class MemberForm(GovukForm):
    """A young person (new, or one the user picks from the possible duplicates) and the outcome
    that puts them in the cohort."""

    local_id = forms.CharField(max_length=40, label="Local ID", help_text="The service's own identifier for the child: unique in the service.")
    pnc_id = forms.CharField(max_length=20, required=False, label="PNC ID")
    first_name = forms.CharField(max_length=80, label="First name")
    last_name = forms.CharField(max_length=80, label="Last name")
    date_of_birth = DateField(label="Date of birth")
    sex = forms.ChoiceField(choices=[("", "Choose")] + SEX_CHOICES, label="Sex")
    ethnicity = forms.ChoiceField(choices=[("", "Choose")] + ETHNICITY_CHOICES, label="Ethnicity", help_text="As the child identifies.")
    district = forms.ChoiceField(required=False, label="District")
    looked_after = forms.BooleanField(required=False, label="Looked after")
    yot_caseload = forms.BooleanField(required=False, initial=True, label="On the YOT caseload")
    caseworker = forms.ModelChoiceField(queryset=None, required=False, empty_label="No caseworker yet", label="Caseworker", help_text="Who holds the child's case.")
    outcome_type = forms.ChoiceField(
        choices=[("", "Choose the outcome")] + QUALIFYING,
        label="Index outcome",
        help_text="A caution, a court sentence or a custodial sentence. Community resolutions and no further action do not enter the cohort.",
        error_messages={"invalid_choice": "Choose an outcome that puts a child in the cohort: a caution, a court sentence or a custodial sentence."},
    )
    offence_date = DateField(label="Offence date")
    outcome_date = DateField(label="Outcome date", help_text="The date of the caution or sentence.")
    release_date = DateField(required=False, label="Release date", help_text="Custodial sentences only: the child enters the cohort on release.")
    offence_type = forms.CharField(max_length=120, required=False, label="Offence type")
    gravity = forms.IntegerField(min_value=1, max_value=8, required=False, label="Gravity (1 to 8)", help_text="YJB offence seriousness: 8 is the most serious.")
    use_existing = forms.IntegerField(required=False, widget=forms.HiddenInput)
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    REQUIRED = {
        "local_id": "Enter the local ID",
        "first_name": "Enter the first name",
        "last_name": "Enter the last name",
        "date_of_birth": "Enter the date of birth",
        "sex": "Choose the sex",
        "ethnicity": "Choose the ethnicity",
        "outcome_type": "Choose the index outcome",
        "offence_date": "Enter the offence date",
        "outcome_date": "Enter the outcome date",
    }
    PERSON_FIELDS = ("local_id", "pnc_id", "first_name", "last_name", "date_of_birth", "sex", "ethnicity", "looked_after", "yot_caseload", "caseworker")
    OUTCOME_FIELDS = ("outcome_type", "offence_date", "outcome_date", "release_date", "offence_type", "gravity")

    def __init__(self, *args, service, today: dt.date, **kwargs):
        self.service = service
        self.today = today
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", "Not known")] + [(str(d.pk), d.name) for d in service.districts.all()]
        self.fields["caseworker"].queryset = queries.case_staff(service)
        self.fields["caseworker"].label_from_instance = lambda user: user.get_full_name() or user.get_username()
        self.fields["caseworker"].widget.attrs["class"] = "govuk-select"
        for name, message in self.REQUIRED.items():
            self.fields[name].error_messages["required"] = message

    def clean(self):
        data = super().clean()
        for name in ("date_of_birth", "offence_date", "outcome_date", "release_date"):
            if data.get(name) and data[name] > self.today:
                self.add_error(name, FUTURE)
        for later, earlier, message in (
            ("outcome_date", "offence_date", "The outcome date must be on or after the offence date."),
            ("release_date", "outcome_date", "The release date must be on or after the outcome date."),
        ):
            if data.get(later) and data.get(earlier) and data[later] < data[earlier] and later not in self.errors:
                self.add_error(later, message)
        # The action's own checks (a qualifying outcome, the age on the index date), now, so that
        # every error shows at once rather than after the others are put right.
        if not data.get("use_existing"):
            add_errors_of(self, actions.cohort_member_errors(self.service, data, born=data.get("date_of_birth"), new=True))
        return data

    def new_person(self) -> dict:
        data = self.cleaned_data
        person = {name: data[name] for name in self.PERSON_FIELDS}
        person["district"] = self.service.districts.filter(pk=data["district"]).first() if data.get("district") else None
        return person

    def index_outcome(self) -> dict:
        data = self.cleaned_data
        outcome = {name: data[name] for name in self.OUTCOME_FIELDS if data.get(name) is not None}
        outcome["offence_type"] = data.get("offence_type", "")
        return outcome


@dataclass
class PossibleDuplicate:
    person: YoungPerson
    matched_on: list[str]

    @property
    def same_identifier(self) -> bool:
        """A local ID or PNC ID match: the same child, never to be added again as new."""
        return any(reason != "name and date of birth" for reason in self.matched_on)


def possible_duplicates(service, data: dict) -> list[PossibleDuplicate]:
    """Young people of ``service`` with the same local ID, the same PNC ID, or the same first name,
    last name and date of birth as ``data`` (names and IDs compared ignoring case)."""
    local_id, pnc_id = data.get("local_id", ""), data.get("pnc_id", "")
    first, last, born = data.get("first_name"), data.get("last_name"), data.get("date_of_birth")
    match = Q(local_id__iexact=local_id)
    if pnc_id:
        match |= Q(pnc_id__iexact=pnc_id)
    if first and last and born:
        match |= Q(first_name__iexact=first, last_name__iexact=last, date_of_birth=born)
    found = []
    for person in YoungPerson.objects.filter(service=service).filter(match).select_related("district"):
        reasons = []
        if person.local_id.lower() == local_id.lower():
            reasons.append("local ID")
        if pnc_id and person.pnc_id.lower() == pnc_id.lower():
            reasons.append("PNC ID")
        if born and person.date_of_birth == born and (person.first_name.lower(), person.last_name.lower()) == ((first or "").lower(), (last or "").lower()):
            reasons.append("name and date of birth")
        found.append(PossibleDuplicate(person, reasons))
    return found


@require("record")
@require_http_methods(["GET", "POST"])
def add_member(request, service):
    today = dt.date.today()
    form = MemberForm(request.POST or None, service=service, today=today)
    duplicates: list[PossibleDuplicate] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = YoungPerson.objects.filter(service=service, pk=data["use_existing"]).first() if data.get("use_existing") else None
        if existing is None:
            duplicates = possible_duplicates(service, data)
            # "A different child" is accepted only for a name and date of birth match, never for a
            # local ID or PNC ID already held.
            if data.get("confirm_new") and not any(d.same_identifier for d in duplicates):
                duplicates = []
        if not duplicates:
            try:
                person, _ = actions.add_cohort_member(
                    by=request.user,
                    service=service,
                    person=existing,
                    new_person=None if existing else form.new_person(),
                    index_outcome=form.index_outcome(),
                )
            except ValidationError as error:
                form.add_model_errors(error)
            else:
                if existing:
                    messages.success(request, "The index outcome was added to this young person's record.")
                else:
                    messages.success(request, "The young person was added to the cohort.")
                return redirect("person", service_id=service.pk, person_id=person.pk)
    return render(
        request,
        "tracker/cohort/add_member.html",
        {
            "service": service,
            "section": "cohort",
            "form": form,
            "duplicates": duplicates,
            "may_confirm_new": bool(duplicates) and not any(d.same_identifier for d in duplicates),
            "carried": [f for f in form if f.name not in ("use_existing", "confirm_new")],
        },
    )


# My work: a practitioner's own cases and actions -------------------------------------------------


@dataclass
class MyCase:
    person: YoungPerson
    rows: list[CohortRow]

    @property
    def alerts(self) -> list[dict]:
        seen, alerts = set(), []
        for row in self.rows:
            for alert in row.alerts:
                if (alert["alert"], alert["reason"]) not in seen:
                    seen.add((alert["alert"], alert["reason"]))
                    alerts.append(alert)
        return alerts


@require("view_records")
@require_http_methods(["GET"])
def my_work(request, service):
    """The children whose caseworker is the user, with their entries in follow-up and alerts, and
    the review actions the user owns that are not completed (overdue first)."""
    today = dt.date.today()
    mine = list(YoungPerson.objects.filter(service=service, caseworker=request.user).select_related("district"))
    rows_by_person: dict[int, list[CohortRow]] = {}
    if mine:
        for row in queries.cohort_rows(service, as_at=today):
            rows_by_person.setdefault(row.person.pk, []).append(row)
    cases = [MyCase(person, rows_by_person.get(person.pk, [])) for person in mine]
    cases.sort(key=lambda c: (-len(c.alerts), not c.rows, c.person.last_name.lower(), c.person.first_name.lower()))
    my_actions = [item for item in queries.open_actions(service, as_at=today) if item.action.owner_id == request.user.pk]
    my_actions.sort(key=lambda o: (not o.overdue, o.action.due_on is None, o.action.due_on or today))
    actions.record_list_view(
        by=request.user,
        service=service,
        object_ids=[c.person.pk for c in cases] + [o.action.person_id for o in my_actions],
        summary="Viewed my cases and my actions",
    )
    return render(
        request,
        "tracker/cohort/my_work.html",
        {"service": service, "section": "my-work", "cases": cases, "my_actions": my_actions, "today": today, "can_record": has_permission(request.user, "record")},
    )
