"""Administration: the audit log (managers for their services, administrators for all), users and
services (administrators only). Every change goes through an action and is itself audited."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from reoffkit.web.accounts import passwords
from reoffkit.web.accounts import queries as account_queries
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.forms import DateField, GovukForm
from reoffkit.web.tracker.models import AuditEvent, Role, Service, StaffProfile
from reoffkit.web.tracker.permissions import require, services_of

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


def event_row(event: AuditEvent) -> EventRow:
    ids = [str(i) for i in event.object_ids or []]
    return EventRow(
        event=event,
        role_label=Role(event.role).label if event.role in Role.values else "",
        object_type_label=object_type_label(event.object_type) if event.object_type else "",
        ids_shown=ids[:IDS_SHOWN],
        ids_more=max(0, len(ids) - IDS_SHOWN),
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
    return render(
        request,
        "accounts/audit.html",
        {
            "section": "audit",
            "form": form,
            "page": page,
            "rows": [event_row(e) for e in page.object_list],
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
