"""Administration: the audit log (managers for their services, administrators for all), users and
services (administrators only). Every change goes through an action and is itself audited."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from reoffkit.web.accounts import passwords
from reoffkit.web.accounts import queries as account_queries
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.forms import DateField, GovukForm
from reoffkit.web.tracker.models import Assessment, AuditEvent, Outcome, ReviewAction, Role, Service, StaffProfile, YoungPerson
from reoffkit.web.tracker.permissions import has_permission, require, services_of
from reoffkit.web.tracker.words import value_words

User = get_user_model()

EVENTS_PER_PAGE = 50
#: Record ids shown in one audit row before "and N more" (an export can name hundreds).
IDS_SHOWN = 10

OBJECT_TYPE_LABELS = {
    "young_person": "Young person",
    "outcome": "Outcome",
    "assessment": "Assessment",
    "review_action": "Review action",
    "service": "Service",
    "service_settings": "Service settings",
    "district": "District",
    "user": "User",
}


def object_type_label(code: str) -> str:
    return OBJECT_TYPE_LABELS.get(code, code.replace("_", " ").capitalize())


# The audit log -------------------------------------------------------------------------------


class AuditFilterForm(GovukForm):
    user = forms.CharField(required=False, max_length=150, label="User name")
    verb = forms.ChoiceField(required=False, label="What was done")
    object_type = forms.ChoiceField(required=False, label="Record type")
    service = forms.ChoiceField(required=False, label="Service")
    date_from = DateField(required=False, label="From")
    date_to = DateField(required=False, label="To")

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verb"].choices = [("", "Anything"), *AuditEvent.Verb.choices]
        self.fields["object_type"].choices = [("", "Any")] + [(t, object_type_label(t)) for t in account_queries.audit_object_types(viewer)]
        self.services = list(services_of(viewer))
        self.fields["service"].choices = [("", "Any")] + [(str(s.pk), s.name) for s in self.services]
        for name in ("verb", "object_type", "service"):
            self.fields[name].widget.attrs["class"] = "govuk-select"
        self.fields["user"].widget.attrs["class"] = "govuk-input govuk-input--width-10"

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        return data

    def criteria(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        service = next((s for s in self.services if str(s.pk) == data["service"]), None)
        return {
            "username": data["user"].strip(),
            "verb": data["verb"],
            "object_type": data["object_type"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "service": service,
        }


@dataclass
class EventRow:
    event: AuditEvent
    role_label: str
    object_type_label: str
    ids_shown: list[str]
    ids_more: int
    #: the summary with each child it names by id named by name (when the reader may see them)
    summary: str = ""
    #: the children the event is about, by name, for a reader who may see their records
    children: list[YoungPerson] = field(default_factory=list)
    #: each change in words: (field, before, after); after is None for a deleted record's values
    changes: list[tuple[str, str, str | None]] = field(default_factory=list)


#: The records of a child: an event about one of them is about the child (ADR 13: the log holds
#: ids, never names; the page names the child when it is shown, to a reader who may see them).
CHILD_RECORDS = {"young_person": YoungPerson, "outcome": Outcome, "assessment": Assessment, "review_action": ReviewAction}
CHANGED_MODELS = {**CHILD_RECORDS, "service": Service, "service_settings": Service}
#: Every summary of a change to a child's record names the child so ("of young person 12").
CHILD_IN_SUMMARY = re.compile(r"\byoung person (\d+)")


def _field_label(model, name: str) -> str:
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        label = name.replace("_", " ").replace(".", ": ")
    return label[:1].upper() + label[1:]


def change_words(event: AuditEvent, users: dict) -> list[tuple[str, str, str | None]]:
    """The event's ``{field: [before, after]}`` in words, for the records whose fields are known."""
    model = CHANGED_MODELS.get(event.object_type)
    if model is None or not isinstance(event.changes, dict):
        return []
    rows = []
    for name, values in event.changes.items():
        if not (isinstance(values, list) and len(values) == 2):
            continue
        before, after = values
        if event.verb == AuditEvent.Verb.DELETE:
            rows.append((_field_label(model, name), value_words(model, name, before, users), None))
        else:
            rows.append((_field_label(model, name), value_words(model, name, before, users), value_words(model, name, after, users)))
    return rows


def _child_ids(event: AuditEvent, owners: dict[tuple[str, str], int]) -> list[int]:
    if event.object_type == "young_person":
        return [int(i) for i in (event.object_ids or [])[:IDS_SHOWN] if str(i).isdigit()]
    if event.object_type not in CHILD_RECORDS:
        return []
    found = [int(i) for i in CHILD_IN_SUMMARY.findall(event.summary)]
    found += [owners[(event.object_type, str(i))] for i in event.object_ids or [] if (event.object_type, str(i)) in owners]
    return list(dict.fromkeys(found))


def event_rows(events: list[AuditEvent], viewer) -> list[EventRow]:
    """The rows of a page of the audit log; children named only for a reader who may see their
    records (an administrator sees ids)."""
    owners: dict[tuple[str, str], int] = {}
    for object_type, model in CHILD_RECORDS.items():
        if object_type == "young_person":
            continue
        ids = {int(i) for e in events if e.object_type == object_type for i in e.object_ids or [] if str(i).isdigit()}
        if ids:
            owners.update({(object_type, str(pk)): person for pk, person in model.objects.filter(pk__in=ids).values_list("pk", "person_id")})
    wanted = {pk for e in events for pk in _child_ids(e, owners)}
    people = {}
    if wanted and has_permission(viewer, "view_records"):
        people = YoungPerson.objects.filter(pk__in=wanted, service__in=services_of(viewer)).in_bulk()
    user_ids = set()
    for event in events:
        model = CHANGED_MODELS.get(event.object_type)
        if model is not None and isinstance(event.changes, dict):
            for name, values in event.changes.items():
                if name in ("owner", "caseworker", "raised_by") and isinstance(values, list):
                    user_ids.update(v for v in values if isinstance(v, int))
    users = User.objects.in_bulk(user_ids) if user_ids else {}
    rows = []
    for event in events:
        row = event_row(event)
        row.children = [people[pk] for pk in _child_ids(event, owners) if pk in people]

        def named(match, people=people):
            person = people.get(int(match.group(1)))
            return f"{person.first_name} {person.last_name} ({person.local_id})" if person else match.group(0)

        row.summary = CHILD_IN_SUMMARY.sub(named, event.summary)
        row.changes = change_words(event, users)
        if event.object_type == "young_person" and row.children:
            shown = {str(p.pk) for p in row.children}
            row.ids_shown = [i for i in row.ids_shown if i not in shown]
        rows.append(row)
    return rows


#: Events whose record is the service itself: its id says nothing the Service column does not.
SERVICE_ITSELF = {"service", "service_settings"}


def event_row(event: AuditEvent) -> EventRow:
    ids = [] if event.object_type in SERVICE_ITSELF else [str(i) for i in event.object_ids or []]
    return EventRow(
        event=event,
        role_label=Role(event.role).label if event.role in Role.values else "",
        object_type_label=object_type_label(event.object_type) if event.object_type else "",
        ids_shown=ids[:IDS_SHOWN],
        ids_more=max(0, len(ids) - IDS_SHOWN),
        summary=event.summary,
    )


@require("view_audit")
@require_safe
def audit_log(request):
    form = AuditFilterForm(request.GET or None, viewer=request.user)
    events = account_queries.audit_events(request.user, **form.criteria())
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    filtered = any(value for key, value in request.GET.items() if key != "page")
    rows = event_rows(list(page.object_list), request.user)
    # naming children is a view of them, audited like every list of named children
    by_service: dict = {}
    for row in rows:
        for person in row.children:
            by_service.setdefault(person.service_id, set()).add(person.pk)
    for service in Service.objects.filter(pk__in=by_service):
        actions.record_list_view(by=request.user, service=service, object_ids=sorted(by_service[service.pk]), summary="Viewed the audit log")
    return render(
        request,
        "accounts/audit.html",
        {
            "section": "audit",
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "filtered": filtered,
            "all_services": request.user.profile.role == Role.ADMINISTRATOR,
        },
    )


# Users ---------------------------------------------------------------------------------------


class Checkboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose label id is the first box's, so the error summary links to it (GOV.UK)."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class ServicesField(forms.ModelMultipleChoiceField):
    widget = Checkboxes

    def label_from_instance(self, obj) -> str:
        return obj.name


class StaffForm(GovukForm):
    role = forms.ChoiceField(choices=[("", "Choose a role"), *Role.choices])
    services = ServicesField(queryset=Service.objects.all(), required=False, help_text="The services whose records this user may see.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].widget.attrs["class"] = "govuk-checkboxes__input"

    def clean(self):
        data = super().clean()
        if data.get("role") and data["role"] != Role.ADMINISTRATOR and not data.get("services"):
            self.add_error("services", "Choose at least one service (only an administrator has none).")
        return data


class AddUserForm(StaffForm):
    """No password: the new user sets their own through a one-time link shown once after adding."""

    username = forms.CharField(max_length=150, label="User name", help_text="Letters, digits and @ . + - _ only.")
    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")
    email = forms.EmailField(required=False, label="Email address")

    field_order = ["username", "first_name", "last_name", "email", "role", "services"]


class EditUserForm(StaffForm):
    is_active = forms.BooleanField(required=False, label="Account active", help_text="An inactive account cannot sign in. Its audit history is kept.")

    def __init__(self, *args, editing, by, **kwargs):
        self.editing, self.by = editing, by
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.editing.pk == self.by.pk:
            if data.get("role") and data["role"] != Role.ADMINISTRATOR:
                self.add_error("role", "You cannot remove your own administrator role: ask another administrator.")
            if not data.get("is_active"):
                self.add_error("is_active", "You cannot deactivate your own account: ask another administrator.")
        return data


@require("manage_users")
def user_list(request):
    context = {"section": "users", "users": account_queries.staff_users(), "locked_out": passwords.locked_out_usernames()}
    return render(request, "accounts/users.html", context)


@require("manage_users")
def add_user(request):
    form = AddUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.create_staff_user(
                by=request.user,
                username=data["username"],
                role=data["role"],
                services=list(data["services"]),
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
        except ValidationError as error:
            form.add_model_errors(error)
        else:
            return show_link(request, user, added=True)
    return render(request, "accounts/user_form.html", {"section": "users", "form": form, "adding": True}, status=400 if form.errors else 200)


@require("manage_users")
def edit_user(request, user_id: int):
    editing = get_object_or_404(User, pk=user_id)
    profile = get_object_or_404(StaffProfile, user=editing)
    initial = {"role": profile.role, "services": list(profile.services.all()), "is_active": editing.is_active}
    form = EditUserForm(request.POST or None, initial=initial, editing=editing, by=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_staff_user(by=request.user, user=editing, role=data["role"], services=list(data["services"]), is_active=data["is_active"])
        except ValidationError as error:
            form.add_model_errors(error)
        else:
            messages.success(request, f"User {editing.get_username()} changed.")
            return redirect("users")
    return render(
        request,
        "accounts/user_form.html",
        {"section": "users", "form": form, "editing": editing, "locked_out": passwords.is_locked_out(editing)},
        status=400 if form.errors else 200,
    )


def show_link(request, user, *, added: bool = False):
    """The one-time set-password link, on this page only: it is not stored, so it cannot be shown
    again (issuing another voids this one)."""
    link = passwords.issue_link(by=request.user, user=user, base_url=request.build_absolute_uri("/"))
    return render(
        request,
        "accounts/set_password_link.html",
        {"section": "users", "editing": user, "link": link, "added": added, "hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
    )


@require("manage_users")
@require_POST
def issue_link(request, user_id: int):
    editing = get_object_or_404(User, pk=user_id, profile__isnull=False)
    return show_link(request, editing)


@require("manage_users")
@require_POST
def unlock_user(request, user_id: int):
    editing = get_object_or_404(User, pk=user_id, profile__isnull=False)
    passwords.unlock(by=request.user, user=editing)
    messages.success(request, f"User {editing.get_username()} unlocked: they can sign in again.")
    return redirect("edit-user", user_id=editing.pk)


# Services ------------------------------------------------------------------------------------


class ServiceForm(GovukForm):
    name = forms.CharField(max_length=120, label="Name of the service", help_text="For example, Northmoor Youth Justice Service.")
    districts = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Districts",
        help_text="One a line: the areas the service reports on (for hotspots). You can add more later.",
    )

    def clean_districts(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["districts"].splitlines() if line.strip()]
        seen: set[str] = set()
        for name in names:
            if len(name) > 120:
                raise ValidationError(f"“{name[:30]}…” is too long: a district name has at most 120 characters.")
            if name.lower() in seen:
                raise ValidationError(f"“{name}” is listed twice.")
            seen.add(name.lower())
        return names


@require("manage_users")
def service_list(request):
    return render(request, "accounts/services.html", {"section": "services", "services": account_queries.services_with_districts()})


@require("manage_users")
def add_service(request):
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service = actions.create_service(by=request.user, name=form.cleaned_data["name"].strip(), districts=form.cleaned_data["districts"])
        except ValidationError as error:
            form.add_model_errors(error)
        else:
            messages.success(request, f"Service {service.name} added. Add its staff on the users page; its manager sets its counting options.")
            return redirect("services")
    return render(request, "accounts/service_form.html", {"section": "services", "form": form}, status=400 if form.errors else 200)
