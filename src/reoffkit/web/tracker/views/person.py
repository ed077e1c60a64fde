"""A child's record: details, cohort entries, alerts and a timeline; recording further offences,
assessments and review actions; changing a review action's status.

Every view of the page is audited. The entries, the further offences counted and the alerts come
from the engine (``queries.person_record``) under the service's counting rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from reoffkit.engine import codes
from reoffkit.web.tracker import actions, queries
from reoffkit.web.tracker.forms import DateField, GovukForm, add_errors_of, show_stale
from reoffkit.web.tracker.models import (
    ACTION_CHOICES,
    BAND_CHOICES,
    LEVEL_CHOICES,
    STATUS_CHOICES,
    TOOL_CHOICES,
    TRIGGER_CHOICES,
    RESETTLEMENT_CHOICES,
    ETHNICITY_CHOICES,
    ETHNICITY_DETAIL_CHOICES,
    ETHNICITY_SCHEME_CHOICES,
    SEX_CHOICES,
    Assessment,
    Outcome,
    ReviewAction,
)
from reoffkit.web.tracker.permissions import can_change_action, has_permission, person_in, require

FUTURE = "The date cannot be in the future."
#: forms.DateField's own "invalid" message is lost when a form passes other error messages.
REAL_DATE = "Enter a real date, like 15/10/2016."

#: Outcome types in the order a practitioner meets them: not yet proven first.
TIER_ORDER = ("unproven", "pre_court", "first_tier", "community", "custody", "informal")

#: "Action marked as …" after a status change.
STATUS_DONE_WORDS = {"required": "action required – not completed", "pending": "pending", "completed": "completed"}


def outcome_type_choices() -> list:
    """Every outcome type, grouped by tier (a new tier in the code list gets its own group)."""
    tiers = [*TIER_ORDER, *sorted({t.tier for t in codes.OUTCOME_TYPES} - set(TIER_ORDER))]
    groups = [(codes.TIER_LABELS.get(tier, tier), [(t.code, t.label) for t in codes.OUTCOME_TYPES if t.tier == tier]) for tier in tiers]
    return [("", "Choose the outcome"), *[group for group in groups if group[1]]]


def _with_blank(choices) -> list:
    return [("", "Choose"), *choices]


# Forms ----------------------------------------------------------------------------------------


class RecordForm(GovukForm):
    """A form about a child's record: ``today`` is the service's today (no date after it)."""

    not_future: tuple[str, ...] = ()

    def __init__(self, *args, today: dt.date, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        for name in self.not_future:
            if data.get(name) and data[name] > self.today:
                self.add_error(name, FUTURE)
        return data

    def _not_before(self, later: str, earlier: str, message: str) -> None:
        data = self.cleaned_data
        if data.get(later) and data.get(earlier) and data[later] < data[earlier] and later not in self.errors:
            self.add_error(later, message)


class OffenceForm(RecordForm):
    not_future = ("offence_date", "outcome_date", "release_date", "recorded_on")

    outcome_type = forms.ChoiceField(
        label="Outcome",
        choices=outcome_type_choices,
        help_text="Charged or admitted while not yet proven; the caution or sentence once proven.",
        error_messages={"required": "Choose the outcome."},
    )
    offence_date = DateField(label="Offence date", help_text="The day the offence was committed.", error_messages={"required": "Enter the offence date.", "invalid": REAL_DATE})
    outcome_date = DateField(
        label="Outcome date", required=False, help_text="The caution or conviction date. Leave blank while charged or admitted."
    )
    release_date = DateField(label="Release date", required=False, help_text="Custodial sentences only. Leave blank while the child is in custody.")
    offence_type = forms.CharField(label="Offence type", max_length=120, required=False, help_text="For example: theft, criminal damage.")
    gravity = forms.IntegerField(
        label="Gravity",
        required=False,
        min_value=1,
        max_value=8,
        help_text="YJB offence seriousness, 1 to 8 (8 most serious).",
        error_messages={key: "Enter a gravity from 1 to 8." for key in ("min_value", "max_value", "invalid")},
    )
    breach = forms.BooleanField(
        label="Breach of an order or licence", required=False, help_text="Not counted as a further offence unless the service's settings count breaches."
    )
    recorded_on = DateField(label="Date the service learnt of it", required=False, help_text="Leave blank for today.")

    def clean(self):
        data = super().clean()
        self._not_before("outcome_date", "offence_date", "The outcome date must be the same as or after the offence date.")
        self._not_before("release_date", "outcome_date", "The release date must be the same as or after the outcome date.")
        record = Outcome(**{name: data.get(name) for name in ("outcome_type", "offence_date", "outcome_date", "release_date")})
        try:
            record.clean()
        except ValidationError as error:
            add_errors_of(self, error)
        return data


class AssessmentForm(RecordForm):
    not_future = ("assessment_date",)

    assessment_date = DateField(label="Assessment date", error_messages={"required": "Enter the assessment date.", "invalid": REAL_DATE})
    tool = forms.ChoiceField(label="Assessment tool", choices=_with_blank(TOOL_CHOICES), error_messages={"required": "Choose the assessment tool."})
    score = forms.DecimalField(
        label="Score",
        required=False,
        max_digits=5,
        decimal_places=1,
        help_text="Asset: the Asset score. AssetPlus: the YOGRS percentage.",
        error_messages={"invalid": "Enter the score as a number, like 24 or 61.5."},
    )
    likelihood_band = forms.ChoiceField(
        label="Likelihood of reoffending", choices=_with_blank(BAND_CHOICES), help_text="As recorded in the assessment.", error_messages={"required": "Choose the likelihood band."}
    )
    intervention_level = forms.ChoiceField(
        label="Intervention level", choices=_with_blank(LEVEL_CHOICES), error_messages={"required": "Choose the intervention level."}
    )

    def clean(self):
        data = super().clean()
        try:
            Assessment(tool=data.get("tool"), score=data.get("score")).clean()
        except ValidationError as error:
            add_errors_of(self, error)
        return data


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.get_username()


class ActionForm(RecordForm):
    not_future = ("raised_on", "completed_on")

    raised_on = DateField(label="Raised on", error_messages={"required": "Enter the date the action was agreed.", "invalid": REAL_DATE})
    trigger = forms.ChoiceField(label="Trigger", choices=_with_blank(TRIGGER_CHOICES), error_messages={"required": "Choose what triggered the action."})
    action = forms.ChoiceField(label="Action", choices=_with_blank(ACTION_CHOICES), error_messages={"required": "Choose the action."})
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES)
    completed_on = DateField(label="Completed on", required=False, help_text="Only for a completed action.")
    owner = OwnerField(label="Owner", queryset=None, required=False, empty_label="No owner yet", help_text="Who is to do it.")
    due_on = DateField(label="Due by", required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners

    def clean(self):
        data = super().clean()
        if data.get("status") == "completed" and not data.get("completed_on") and "completed_on" not in self.errors:
            self.add_error("completed_on", "Enter the date the action was completed.")
        if data.get("status") not in (None, "completed") and data.get("completed_on"):
            self.add_error("completed_on", "Leave this blank unless the action is completed.")
        self._not_before("due_on", "raised_on", "The due date must be the same as or after the date raised.")
        self._not_before("completed_on", "raised_on", "The completion date must be the same as or after the date raised.")
        return data


class StatusForm(RecordForm):
    not_future = ("completed_on",)

    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES)
    completed_on = DateField(label="Completed on", required=False, help_text="Needed when the action is completed.")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, action: ReviewAction, **kwargs):
        self.action = action
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("status") == "completed" and "completed_on" not in self.errors:
            if not data.get("completed_on"):
                self.add_error("completed_on", "Enter the date the action was completed.")
            elif data["completed_on"] < self.action.raised_on:
                self.add_error("completed_on", "The completion date must be the same as or after the date the action was raised.")
        return data


class Versioned(forms.Form):
    """A form that changes a record: carries the version the user saw (see ``actions.StaleEdit``)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class EditOffenceForm(OffenceForm, Versioned):
    pass


class EditAssessmentForm(AssessmentForm, Versioned):
    pass


class EditActionForm(ActionForm, Versioned):
    pass


class PersonForm(RecordForm, Versioned):
    """A child's details, as the add-member form takes them, plus their caseworker."""

    not_future = ("date_of_birth",)

    local_id = forms.CharField(max_length=40, label="Local ID", help_text="The service's own identifier for the child: unique in the service.")
    pnc_id = forms.CharField(max_length=20, required=False, label="PNC ID")
    first_name = forms.CharField(max_length=80, label="First name", error_messages={"required": "Enter the first name."})
    last_name = forms.CharField(max_length=80, label="Last name", error_messages={"required": "Enter the last name."})
    date_of_birth = DateField(label="Date of birth", error_messages={"required": "Enter the date of birth."})
    sex = forms.ChoiceField(choices=_with_blank(SEX_CHOICES), label="Sex", error_messages={"required": "Choose the sex."})
    ethnicity = forms.ChoiceField(choices=_with_blank(ETHNICITY_CHOICES), label="Ethnicity", error_messages={"required": "Choose the ethnicity."})
    ethnicity_scheme = forms.ChoiceField(choices=ETHNICITY_SCHEME_CHOICES, label="How ethnicity was recorded")
    ethnicity_detail = forms.ChoiceField(choices=[("", "Not recorded"), *ETHNICITY_DETAIL_CHOICES], required=False, label="Detailed ethnic category")
    district = forms.ModelChoiceField(queryset=None, required=False, empty_label="Not known", label="District")
    caseworker = OwnerField(queryset=None, required=False, empty_label="No caseworker yet", label="Caseworker", help_text="Who holds the child's case.")
    looked_after = forms.BooleanField(required=False, label="Looked after")
    yot_caseload = forms.BooleanField(required=False, label="On the YOT caseload")
    adult_offending_checked = forms.BooleanField(required=False, label="Adult offending checked with the police", help_text="For a child who turns 18 in follow-up.")

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = service.districts.all()
        self.fields["caseworker"].queryset = queries.case_staff(service)
        self.fields["district"].widget.attrs["class"] = self.fields["caseworker"].widget.attrs["class"] = "govuk-select"


class DeleteForm(GovukForm, Versioned):
    reason = forms.CharField(
        label="Reason for deleting",
        min_length=5,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: entered for the wrong child, or entered twice. Kept in the audit log with what was deleted.",
        error_messages={"required": "Enter why it is being deleted.", "min_length": "Enter why it is being deleted (at least 5 characters)."},
    )


def status_form(action: ReviewAction, today: dt.date, **kwargs) -> StatusForm:
    """The status form for ``action`` as it is now (completed on: today unless already set)."""
    initial = {"status": action.status, "completed_on": action.completed_on or today, "notes": action.notes, "version": action.version}
    return StatusForm(action=action, today=today, initial=initial, **kwargs)


# What the child's page shows ------------------------------------------------------------------


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    """Age in whole years on ``day`` (as the engine: a 29 February birthday is 1 March)."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def outcome_label(code: str) -> str:
    known = codes.outcome_type_table().get(code)
    return known.label if known else code


@dataclass
class EntryView:
    """One cohort entry as the engine counted it, with its alerts and the follow-up left."""

    entry: dict
    alerts: list[dict]
    today: dt.date

    @property
    def disposal_label(self) -> str:
        return outcome_label(self.entry["index_disposal"])

    @property
    def follow_up_from(self) -> dt.date:
        """Offences count if committed from the day after the index date."""
        return self.entry["index_date"] + dt.timedelta(days=1)

    @property
    def follow_up_days_left(self) -> int | None:
        """Days to the last day of follow-up (0 on that day); None once it has ended."""
        left = (self.entry["follow_up_end"] - self.today).days
        return left if left >= 0 else None

    @property
    def turned_18(self) -> bool:
        return self.entry["eighteenth_birthday"] <= self.today


@dataclass
class TimelineItem:
    """One dated event of the child's record: ``kind`` is outcome, assessment or action."""

    kind: str
    on: dt.date
    record: object
    counted: bool = False
    entry_quarter: str | None = None
    can_change: bool = False

    @property
    def tier_label(self) -> str:
        return codes.TIER_LABELS.get(self.record.tier, self.record.tier) if self.kind == "outcome" else ""


def timeline(person, record, *, user) -> list[TimelineItem]:
    """Outcomes, assessments and review actions, newest first; on one day an action is shown
    above the offence that prompted it."""
    entry_of = {entry["index_outcome_id"]: entry["quarter"] for entry in record.entries}
    items = [
        TimelineItem("outcome", o.outcome_date or o.offence_date, o, o.pk in record.counted_outcome_ids, entry_of.get(o.pk))
        for o in person.outcomes.select_related("resettlement")
    ]
    items += [TimelineItem("assessment", a.assessment_date, a) for a in person.assessments.all()]
    items += [
        TimelineItem("action", a.raised_on, a, can_change=can_change_action(user, a))
        for a in person.review_actions.select_related("owner", "raised_by")
    ]
    order = {"outcome": 0, "assessment": 1, "action": 2}
    return sorted(items, key=lambda item: (item.on, order[item.kind], item.record.pk), reverse=True)


# Views ----------------------------------------------------------------------------------------


@require("view_records")
def person_detail(request, service, person_id):
    person = person_in(service, person_id)
    actions.record_view(by=request.user, person=person)
    today = timezone.localdate()
    record = queries.person_record(person, as_at=today)
    entries = [
        EntryView(entry, [a for a in record.alerts if a["entry_quarter"] == entry["entry_quarter"]], today)
        for entry in sorted(record.entries, key=lambda e: e["index_date"], reverse=True)
    ]
    # A child with two live entries can have the same alert on both: show it once, for the newest.
    alerts: dict[str, dict] = {}
    for view in entries:
        for alert in view.alerts:
            alerts.setdefault(alert["alert"], {**alert, "quarter": view.entry["quarter"]})
    return render(
        request,
        "tracker/person/detail.html",
        {
            "service": service,
            "section": "cohort",
            "person": person,
            "age": age_on(person.date_of_birth, today),
            "entries": entries,
            "alerts": list(alerts.values()),
            "timeline": timeline(person, record, user=request.user),
            "can_record": has_permission(request.user, "record"),
        },
    )


def _record_page(request, service, person, form, *, save, page: dict, success: str, template: str = "tracker/person/form.html"):
    """GET: the form. POST: validate, save through the action, back to the child's page; on bad
    input the same page again with the errors (and nothing saved). A save from a stale form (someone
    changed the record meanwhile) comes back with both values and the current version."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except actions.StaleEdit as stale:
            show_stale(form, stale)
        except ValidationError as error:
            form.add_model_errors(error)
        else:
            messages.success(request, success)
            return redirect("person", service.pk, person.pk)
    return render(request, template, {"service": service, "section": "cohort", "person": person, "form": form, **page})


def _versioned(data: dict) -> tuple[dict, int]:
    data = dict(data)
    return data, data.pop("version")


@require("record")
@require_http_methods(["GET", "POST"])
def add_offence(request, service, person_id):
    person = person_in(service, person_id)
    today = timezone.localdate()
    form = OffenceForm(request.POST or None, today=today)

    def save(data):
        values = {**data, "offence_type": data["offence_type"].strip(), "recorded_on": data["recorded_on"] or today}
        actions.add_outcome(by=request.user, person=person, **values)

    page = {
        "heading": "Add a further offence",
        "intro": "Record an offence as soon as it is known: charged or admitted before it is proven, then record the outcome once it is.",
        "submit": "Save offence",
    }
    return _record_page(request, service, person, form, save=save, page=page, success="Offence recorded")


@require("record")
@require_http_methods(["GET", "POST"])
def add_assessment(request, service, person_id):
    person = person_in(service, person_id)
    form = AssessmentForm(request.POST or None, today=timezone.localdate())

    def save(data):
        actions.add_assessment(by=request.user, person=person, **data)

    page = {
        "heading": "Add an assessment",
        "intro": "Asset or AssetPlus: the score, the likelihood of reoffending band as recorded, and the intervention level.",
        "submit": "Save assessment",
    }
    return _record_page(request, service, person, form, save=save, page=page, success="Assessment recorded")


@require("record")
@require_http_methods(["GET", "POST"])
def add_action(request, service, person_id):
    person = person_in(service, person_id)
    today = timezone.localdate()
    form = ActionForm(request.POST or None, today=today, owners=queries.case_staff(service), initial={"raised_on": today, "status": "required"})

    def save(data):
        actions.add_review_action(by=request.user, person=person, **data)

    page = {
        "heading": "Add a review action",
        "intro": "An action agreed at review: what triggered it, what is to be done, by whom and by when.",
        "submit": "Save action",
    }
    return _record_page(request, service, person, form, save=save, page=page, success="Action added")


@require("record")
@require_http_methods(["GET", "POST"])
def change_status(request, service, person_id, action_id):
    person = person_in(service, person_id)
    action = get_object_or_404(ReviewAction.objects.select_related("owner", "raised_by"), pk=action_id, person=person)
    if not can_change_action(request.user, action):
        raise PermissionDenied
    today = timezone.localdate()
    if request.method != "POST":
        form = status_form(action, today)
    else:
        submitted = request.POST.copy()
        # A form without a notes box (e.g. a quick status change) keeps the notes as they are, and
        # shows them if this page comes back with an error.
        keep_notes = "notes" not in submitted
        if keep_notes:
            submitted["notes"] = action.notes
        form = StatusForm(submitted, action=action, today=today)
        if form.is_valid():
            data = form.cleaned_data
            try:
                changed = actions.change_action_status(
                    by=request.user,
                    action=action,
                    status=data["status"],
                    completed_on=data["completed_on"],
                    notes=None if keep_notes else data["notes"],
                    expected_version=data["version"],
                )
            except actions.StaleEdit as stale:
                # Show what it is now; saving again is then a deliberate choice, never a silent overwrite.
                action.refresh_from_db()
                submitted["version"] = str(action.version)
                if keep_notes:
                    submitted["notes"] = action.notes
                form = StatusForm(submitted, action=action, today=today)
                form.is_valid()
                form.add_error(None, str(stale))
            except ValidationError as error:
                form.add_model_errors(error)
            else:
                messages.success(request, f"Action marked as {STATUS_DONE_WORDS.get(changed.status, changed.status)}")
                return redirect("person", service.pk, person.pk)
    return render(
        request, "tracker/person/change_status.html", {"service": service, "section": "cohort", "person": person, "action": action, "form": form}
    )


class ResettlementForm(GovukForm, Versioned):
    accommodation_in_place = forms.ChoiceField(label="Accommodation in place on release", choices=RESETTLEMENT_CHOICES)
    accommodation_sustained = forms.ChoiceField(label="Accommodation sustained", choices=RESETTLEMENT_CHOICES)
    ete_in_place = forms.ChoiceField(label="Education, training or employment in place on release", choices=RESETTLEMENT_CHOICES)
    ete_sustained = forms.ChoiceField(label="Education, training or employment sustained", choices=RESETTLEMENT_CHOICES)
    health_in_place = forms.ChoiceField(label="Health arrangements in place on release", choices=RESETTLEMENT_CHOICES)
    health_sustained = forms.ChoiceField(label="Health arrangements sustained", choices=RESETTLEMENT_CHOICES)


@require("record")
@require_http_methods(["GET", "POST"])
def resettlement(request, service, person_id, outcome_id):
    """The resettlement record of one release from custody: created on first save, then changed."""
    person = person_in(service, person_id)
    outcome = get_object_or_404(Outcome, person=person, pk=outcome_id)
    if outcome.tier != "custody" or not outcome.release_date:
        raise Http404
    existing = getattr(outcome, "resettlement", None)
    initial = {name: getattr(existing, name) for name in actions.RESETTLEMENT_FIELDS} if existing else {}
    form = ResettlementForm(request.POST or None, initial={**initial, "version": existing.version if existing else 0})

    def save(data):
        values, version = _versioned(data)
        actions.record_resettlement(by=request.user, outcome=outcome, expected_version=version, **values)

    page = {
        "heading": f"Resettlement on release, {outcome.release_date:%-d %B %Y}",
        "intro": "Were the child's accommodation, education, training or employment, and health arrangements in place on "
        "release from custody, and did they last? The analysis of completed cohorts sets reoffending against each.",
        "submit": "Save resettlement",
    }
    return _record_page(request, service, person, form, save=save, page=page, success="Resettlement recorded")


@require("record")
@require_http_methods(["POST"])
def record_police_check(request, service, person_id):
    """Record that the child's adult offending was checked with the police (18 during follow-up)."""
    person = person_in(service, person_id)
    actions.update_young_person(by=request.user, person=person, adult_offending_checked=True)
    messages.success(request, "Adult offending recorded as checked with the police")
    return redirect("person", service.pk, person.pk)


# Corrections ------------------------------------------------------------------------------------


def _initial(record, fields) -> dict:
    return {**{name: getattr(record, name) for name in fields}, "version": record.version}


@require("record")
@require_http_methods(["GET", "POST"])
def edit_person(request, service, person_id):
    person = person_in(service, person_id)
    form = PersonForm(request.POST or None, service=service, today=timezone.localdate(), initial=_initial(person, actions.PERSON_FIELDS))

    def save(data):
        values, version = _versioned(data)
        values["pnc_id"] = values["pnc_id"].strip()
        actions.update_young_person(by=request.user, person=person, expected_version=version, **values)

    page = {"heading": "Change the child's details", "intro": "Correct what was recorded. Every change is kept in the audit log with the values before and after.", "submit": "Save details"}
    return _record_page(request, service, person, form, save=save, page=page, success="Details saved")


@require("record")
@require_http_methods(["GET", "POST"])
def edit_offence(request, service, person_id, outcome_id):
    person = person_in(service, person_id)
    outcome = get_object_or_404(Outcome, person=person, pk=outcome_id)
    today = timezone.localdate()
    form = EditOffenceForm(request.POST or None, today=today, initial=_initial(outcome, actions.OUTCOME_FIELDS))

    def save(data):
        values, version = _versioned(data)
        values = {**values, "offence_type": values["offence_type"].strip(), "recorded_on": values["recorded_on"] or outcome.recorded_on}
        actions.update_outcome(by=request.user, outcome=outcome, expected_version=version, **values)

    page = {"heading": "Change an offence", "intro": "Correct the offence or record its outcome. Every figure, alert and export follows at once.", "submit": "Save offence"}
    return _record_page(request, service, person, form, save=save, page=page, success="Offence changed")


@require("record")
@require_http_methods(["GET", "POST"])
def edit_assessment(request, service, person_id, assessment_id):
    person = person_in(service, person_id)
    assessment = get_object_or_404(Assessment, person=person, pk=assessment_id)
    form = EditAssessmentForm(request.POST or None, today=timezone.localdate(), initial=_initial(assessment, actions.ASSESSMENT_FIELDS))

    def save(data):
        values, version = _versioned(data)
        actions.update_assessment(by=request.user, assessment=assessment, expected_version=version, **values)

    page = {"heading": "Change an assessment", "intro": "Correct what was recorded from the assessment.", "submit": "Save assessment"}
    return _record_page(request, service, person, form, save=save, page=page, success="Assessment changed")


@require("record")
@require_http_methods(["GET", "POST"])
def edit_action(request, service, person_id, action_id):
    person = person_in(service, person_id)
    action = get_object_or_404(ReviewAction.objects.select_related("owner", "raised_by"), pk=action_id, person=person)
    if not can_change_action(request.user, action):
        raise PermissionDenied
    form = EditActionForm(request.POST or None, today=timezone.localdate(), owners=queries.case_staff(service), initial=_initial(action, actions.ACTION_FIELDS))

    def save(data):
        values, version = _versioned(data)
        actions.update_review_action(by=request.user, review_action=action, expected_version=version, **values)

    page = {"heading": "Change a review action", "intro": "Correct the action: what triggered it, what is to be done, by whom and by when.", "submit": "Save action"}
    return _record_page(request, service, person, form, save=save, page=page, success="Action changed")


def _delete_page(request, service, person, record, *, delete, words: str, shown: list[tuple[str, str]]):
    form = DeleteForm(request.POST or None, initial={"version": record.version})

    def save(data):
        delete(reason=data["reason"], expected_version=data["version"])

    page = {
        "heading": f"Delete {words}",
        "intro": f"Delete {words} only if it was entered in error: it stops counting at once. The audit log keeps what it was, and your reason.",
        "submit": f"Delete {words}",
        "shown": shown,
    }
    return _record_page(request, service, person, form, save=save, page=page, success=f"{words[:1].upper()}{words[1:]} deleted", template="tracker/person/delete.html")


@require("record")
@require_http_methods(["GET", "POST"])
def delete_offence(request, service, person_id, outcome_id):
    person = person_in(service, person_id)
    outcome = get_object_or_404(Outcome, person=person, pk=outcome_id)
    shown = [
        ("Outcome", outcome.outcome_type_label),
        ("Offence date", f"{outcome.offence_date:%-d %B %Y}"),
        ("Outcome date", f"{outcome.outcome_date:%-d %B %Y}" if outcome.outcome_date else "Not yet proven"),
        ("Offence type", outcome.offence_type or "Not recorded"),
    ]

    def delete(**kwargs):
        actions.delete_outcome(by=request.user, outcome=outcome, **kwargs)

    return _delete_page(request, service, person, outcome, delete=delete, words="this offence", shown=shown)


@require("record")
@require_http_methods(["GET", "POST"])
def delete_assessment(request, service, person_id, assessment_id):
    person = person_in(service, person_id)
    assessment = get_object_or_404(Assessment, person=person, pk=assessment_id)
    shown = [
        ("Assessment", assessment.get_tool_display()),
        ("Date", f"{assessment.assessment_date:%-d %B %Y}"),
        ("Likelihood of reoffending", assessment.get_likelihood_band_display()),
        ("Intervention level", assessment.get_intervention_level_display()),
    ]

    def delete(**kwargs):
        actions.delete_assessment(by=request.user, assessment=assessment, **kwargs)

    return _delete_page(request, service, person, assessment, delete=delete, words="this assessment", shown=shown)
