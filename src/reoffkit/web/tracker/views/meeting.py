"""The alert list, the printable monthly review meeting page, and the service's settings.

Who is in follow-up, which further offences count and which alerts fire all come from the engine
(``queries.cohort_rows`` and friends) under the service's counting rules; the views only group and
show them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from reoffkit.engine import ALERT_LABELS
from reoffkit.web.tracker import actions, queries
from reoffkit.web.tracker.forms import DateField, GovukForm, show_stale
from reoffkit.web.tracker.params import FIRST_YEAR, in_range
from reoffkit.web.tracker.permissions import has_permission, require
from reoffkit.web.tracker.queries import CohortRow

#: How far ahead the meeting looks for follow-ups ending, and how far back for further offences
#: when no meeting date has been recorded.
ENDING_WITHIN_DAYS = 30
DEFAULT_LOOKBACK_DAYS = 30
FUTURE = "The date cannot be in the future."


# Alerts --------------------------------------------------------------------------------------


@dataclass
class AlertItem:
    """One child with one type of alert: the entries it fired on (newest first) and why, each reason once."""

    row: CohortRow
    alert: dict
    rows: list[CohortRow] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass
class AlertGroup:
    code: str
    label: str
    items: list[AlertItem] = field(default_factory=list)


#: How every alert count is made, on every page that shows one (docs/rules.md §8).
COUNTED_BY = "Alerts are counted by child: a child with the same alert on two cohort entries in follow-up counts once."


def _by_name(row: CohortRow):
    return (row.person.last_name.lower(), row.person.first_name.lower(), row.person.pk, row.entry["index_date"])


def group_alerts(rows: list[CohortRow], only: str = "") -> list[AlertGroup]:
    """The fired alerts of ``rows`` by alert type, in the engine's order of alert types (every
    type listed, empty ones too, so a meeting sees what did *not* fire); ``only`` keeps one type.

    Counted by child (:data:`COUNTED_BY`): a child with two entries in follow-up (two quarters)
    can have the same alert on both; they are one item, shown at the newer entry with both reasons.
    """
    groups = {code: AlertGroup(code, label) for code, label in ALERT_LABELS.items() if not only or code == only}
    items: dict[tuple[int, str], AlertItem] = {}
    for row in sorted(rows, key=lambda r: r.entry["index_date"], reverse=True):
        for alert in row.alerts:
            if alert["alert"] not in groups:
                continue
            key = (row.person.pk, alert["alert"])
            item = items.get(key)
            if item is None:
                item = items[key] = AlertItem(row, alert)
                groups[alert["alert"]].items.append(item)
            item.rows.append(row)
            if alert["reason"] not in item.reasons:
                item.reasons.append(alert["reason"])
    for group in groups.values():
        group.items.sort(key=lambda item: _by_name(item.row))
    return list(groups.values())


def children_alerted(rows: list[CohortRow]) -> int:
    """Children with at least one alert (each once, whatever their entries)."""
    return len({row.person.pk for row in rows if row.alerts})


@dataclass
class ChildAlerts:
    """One child at the meeting: their entries in follow-up and every alert on them, once each."""

    rows: list[CohortRow]
    alerts: list[dict]

    @property
    def person(self):
        return self.rows[0].person

    @property
    def latest_action(self):
        return self.rows[0].latest_action

    @property
    def action_status(self) -> str:
        return self.rows[0].action_status


def children_with_alerts(rows: list[CohortRow]) -> list[ChildAlerts]:
    """Children with at least one alert, most alerts first, then by name."""
    children: dict[int, ChildAlerts] = {}
    for row in sorted(rows, key=lambda r: r.entry["index_date"], reverse=True):
        if not row.alerts:
            continue
        child = children.setdefault(row.person.pk, ChildAlerts([], []))
        child.rows.append(row)
        known = {(a["alert"], a["reason"]) for a in child.alerts}
        child.alerts.extend({**a, "quarter": row.entry["quarter"]} for a in row.alerts if (a["alert"], a["reason"]) not in known)
    return sorted(children.values(), key=lambda c: (-len(c.alerts), _by_name(c.rows[0])))


class AlertFilterForm(forms.Form):
    alert = forms.ChoiceField(required=False, choices=[("", "All alert types"), *ALERT_LABELS.items()], label="Alert type")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alert"].widget.attrs["class"] = "govuk-select"


@require("view_records")
def alert_list(request, service):
    today = dt.date.today()
    form = AlertFilterForm(request.GET or None)
    only = form.cleaned_data["alert"] if form.is_valid() else ""
    rows = queries.cohort_rows(service, as_at=today)
    groups = group_alerts(rows, only)
    actions.record_list_view(
        by=request.user, service=service, object_ids=[item.row.person.pk for group in groups for item in group.items], summary="Viewed the alert list"
    )
    return render(
        request,
        "tracker/meeting/alerts.html",
        {
            "service": service,
            "section": "alerts",
            "form": form,
            "groups": groups,
            "only": only,
            "fired": [g for g in groups if g.items],
            "children_alerted": children_alerted(rows),
            "counted_by": COUNTED_BY,
            "today": today,
        },
    )


# The review meeting --------------------------------------------------------------------------


SECTIONS = [("alerts", "Children with alerts"), ("actions", "Actions not completed"), ("further", "Further offences known since"), ("ending", "Follow-ups ending")]
MEETING_RAGS = [("", "Any"), ("red", "Red: action required"), ("amber", "Amber: pending"), ("green", "Green: completed"), ("none", "No action recorded")]


class SinceForm(GovukForm):
    """What the meeting page shows: further offences known since a date, and only the children
    (and actions) of a caseworker, with an alert, or whose latest action has a RAG; and which of
    the four sections (all when none is chosen). What is not chosen is not on the page, so not
    in the printout."""

    since = DateField(required=False, label="Show further offences known since")
    caseworker = forms.ChoiceField(required=False, label="Caseworker")
    alert = forms.ChoiceField(required=False, choices=[("", "Any"), ("any", "Has an alert"), *ALERT_LABELS.items()], label="Alert")
    rag = forms.ChoiceField(required=False, choices=MEETING_RAGS, label="RAG of the latest action")
    show = forms.MultipleChoiceField(required=False, choices=SECTIONS, widget=forms.CheckboxSelectMultiple, label="Sections to show and print")

    def __init__(self, *args, today: dt.date, service=None, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)
        if service is not None:
            self.fields["caseworker"].choices = [("", "Any"), ("none", "Not allocated")] + [
                (str(u.pk), u.get_full_name() or u.get_username()) for u in queries.case_staff(service)
            ]
        for name in ("caseworker", "alert", "rag"):
            self.fields[name].widget.attrs["class"] = "govuk-select govuk-!-width-full"

    def chosen(self) -> list[tuple[str, str]]:
        """(label, words) of each filter in use, printed with the page."""
        data = self.cleaned_data if self.is_valid() else {}
        return [(str(self.fields[name].label), dict(self.fields[name].choices)[data[name]]) for name in ("caseworker", "alert", "rag") if data.get(name)]

    def clean_since(self):
        since = in_range(self.cleaned_data.get("since"), name="since", typed=self.data.get("since"))
        if since and since > self.today:
            raise ValidationError(FUTURE)
        return since


class MeetingDateForm(GovukForm):
    held_on = DateField(label="Date of the meeting", help_text="Further offences known since this date are shown at the next meeting.")

    def __init__(self, *args, today: dt.date, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > self.today:
            raise ValidationError(FUTURE)
        if held_on.year < FIRST_YEAR:
            raise ValidationError(f"Enter a date after {FIRST_YEAR}.")
        return held_on


@dataclass
class MeetingFilter:
    """The meeting page's choice of children: ``caseworker`` (a user id, or "none"), ``alert`` (a
    type, or "any") and ``rag`` (red, amber, green, or "none"); blank matches everyone."""

    caseworker: str = ""
    alert: str = ""
    rag: str = ""
    alerts_of: dict = field(default_factory=dict)
    rag_of: dict = field(default_factory=dict)

    def child(self, person) -> bool:
        if self.caseworker and (str(person.caseworker_id) if person.caseworker_id else "none") != self.caseworker:
            return False
        fired = self.alerts_of.get(person.pk, set())
        if self.alert and not (fired if self.alert == "any" else self.alert in fired):
            return False
        return not self.rag or self.rag_of.get(person.pk, "none") == self.rag

    def action(self, action) -> bool:
        """An action: of the caseworker (owner, or the child's caseworker), its child with the alert, its own RAG."""
        if self.caseworker and self.caseworker not in (str(action.owner_id), str(action.person.caseworker_id) if action.person.caseworker_id else "none"):
            return False
        fired = self.alerts_of.get(action.person_id, set())
        if self.alert and not (fired if self.alert == "any" else self.alert in fired):
            return False
        return not self.rag or action.rag == self.rag


def meeting_filter(rows: list[CohortRow], data: dict, people_ids) -> MeetingFilter:
    from reoffkit.web.tracker.models import ReviewAction

    alerts_of: dict[int, set] = {}
    for row in rows:
        alerts_of.setdefault(row.person.pk, set()).update(a["alert"] for a in row.alerts)
    rag_of = {}
    for action in ReviewAction.objects.filter(person_id__in=set(people_ids)).order_by("person_id", "-raised_on", "-id"):
        rag_of.setdefault(action.person_id, action.rag)
    return MeetingFilter(data.get("caseworker", ""), data.get("alert", ""), data.get("rag", ""), alerts_of, rag_of)


def follow_ups_ending(rows: list[CohortRow], *, today: dt.date, days: int = ENDING_WITHIN_DAYS) -> list[CohortRow]:
    """Entries whose 12-month follow-up ends from today to ``days`` days ahead, soonest first."""
    until = today + dt.timedelta(days=days)
    return sorted((r for r in rows if today <= r.entry["follow_up_end"] <= until), key=lambda r: r.entry["follow_up_end"])


@require("view_records")
def review_meeting(request, service):
    today = dt.date.today()
    can_record_meeting = has_permission(request.user, "change_settings")
    meeting_form = MeetingDateForm(initial={"held_on": today}, today=today)
    if request.method == "POST":
        if not can_record_meeting:
            raise PermissionDenied
        meeting_form = MeetingDateForm(request.POST, today=today)
        if meeting_form.is_valid():
            held_on = meeting_form.cleaned_data["held_on"]
            actions.record_meeting_date(by=request.user, service=service, held_on=held_on)
            messages.success(request, f"Meeting of {held_on:%-d %B %Y} recorded.")
            return redirect("meeting", service_id=service.pk)

    if service.last_meeting_on:
        default_since, default_source = service.last_meeting_on, "last_meeting"
    else:
        default_since, default_source = today - dt.timedelta(days=DEFAULT_LOOKBACK_DAYS), "default"
    since_form = SinceForm(request.GET or None, initial={"since": default_since}, today=today, service=service)
    valid = since_form.is_valid()
    data = since_form.cleaned_data if valid else {}
    chosen = data.get("since")
    since, since_source = (chosen, "chosen") if chosen else (default_since, default_source)
    show = set(data.get("show") or [code for code, _ in SECTIONS])

    rows = queries.cohort_rows(service, as_at=today)
    open_actions = queries.open_actions(service, as_at=today)
    further = queries.further_offences_known_since(service, since=since, as_at=today)
    wanted = meeting_filter(rows, data, [r.person.pk for r in rows] + [k.person.pk for k in further])
    with_alerts = [c for c in children_with_alerts(rows) if wanted.child(c.person)] if "alerts" in show else []
    open_actions = [o for o in open_actions if wanted.action(o.action)] if "actions" in show else []
    further = [k for k in further if wanted.child(k.person)] if "further" in show else []
    ending = [r for r in follow_ups_ending(rows, today=today) if wanted.child(r.person)] if "ending" in show else []
    actions.record_list_view(
        by=request.user,
        service=service,
        object_ids=[c.person.pk for c in with_alerts] + [o.action.person_id for o in open_actions] + [k.person.pk for k in further] + [r.person.pk for r in ending],
        summary="Viewed the review meeting page",
    )
    return render(
        request,
        "tracker/meeting/meeting.html",
        {
            "service": service,
            "section": "meeting",
            "today": today,
            "with_alerts": with_alerts,
            "open_actions": open_actions,
            "further_offences": further,
            "show": show,
            # sections ticked: the page (and its printout) holds those, not the action plan too
            "sections_chosen": bool(data.get("show")),
            "filters_chosen": since_form.chosen(),
            "since": since,
            "since_source": since_source,
            "since_form": since_form,
            "ending": ending,
            "ending_days": ENDING_WITHIN_DAYS,
            "can_record_meeting": can_record_meeting,
            "form": meeting_form,
        },
        status=400 if meeting_form.errors else 200,
    )


# Settings ------------------------------------------------------------------------------------


class SettingsForm(GovukForm):
    include_unproven = forms.BooleanField(
        required=False,
        label="Count charged and admitted offences in live figures",
        help_text="Lets the tracker act on an offence a child has admitted or been charged with, before it is proven. "
        "Official figures always count proven offences only (cautions and convictions).",
    )
    include_breaches = forms.BooleanField(
        required=False,
        label="Count breaches as further offences",
        help_text="A breach of an order or licence is not a new offence in the official measure, which always excludes breaches.",
    )
    min_age = forms.IntegerField(
        min_value=10, max_value=25, label="Youngest age in the cohort", help_text="Age on the index date. The official measure for children is 10 to 17."
    )
    max_age = forms.IntegerField(min_value=10, max_value=25, label="Oldest age in the cohort", help_text="An adult service could use 18 or over.")
    early_months = forms.IntegerField(
        min_value=1,
        max_value=12,
        label="Early reoffending window (months)",
        help_text="A first further offence within this many months of entering the cohort is early reoffending. The default is 3.",
    )
    early_count = forms.IntegerField(
        min_value=1,
        max_value=20,
        label="Potentially prolific: further offences within the early window",
        help_text="This many further offences inside the early window mark a child as potentially prolific. The default is 2.",
    )
    any_time_count = forms.IntegerField(
        min_value=1,
        max_value=20,
        label="Potentially prolific: further offences at any time",
        help_text="This many further offences at any point of the 12-month follow-up also mark a child as potentially prolific. The default is 3.",
    )
    prolific_threshold = forms.IntegerField(
        min_value=2,
        max_value=50,
        label="Prolific: further offences",
        help_text="This many further offences in follow-up mark a child as prolific. The default is 5.",
    )
    action_days = forms.IntegerField(
        min_value=1,
        max_value=90,
        label="Days to record a review action after reoffending",
        help_text="If no review action is raised within this many days of a further offence becoming known, an alert fires. The default is 14.",
    )

    police_check_green = forms.IntegerField(
        min_value=1,
        max_value=100,
        label="Police checks: green at (%)",
        help_text="Of the children who turn 18 during follow-up, the percentage whose adult offending was checked with the police "
        "for the data-quality rating to be green. The default is 95.",
    )
    police_check_amber = forms.IntegerField(
        min_value=0, max_value=100, label="Police checks: amber at (%)", help_text="Below this it is red. The default is 80."
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        green, amber = data.get("police_check_green"), data.get("police_check_amber")
        if green is not None and amber is not None and amber > green:
            self.add_error("police_check_amber", f"The amber level must be the same as or less than the green level ({green}%).")
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            self.add_error("max_age", "The oldest age must be the same as or more than the youngest age.")
        prolific = data.get("prolific_threshold")
        for name, words in (("early_count", "within the early window"), ("any_time_count", "at any time")):
            if data.get(name) is not None and prolific is not None and data[name] >= prolific:
                self.add_error(name, f"The potentially prolific count {words} must be less than the prolific count ({prolific}).")
        early, any_time = data.get("early_count"), data.get("any_time_count")
        if early is not None and any_time is not None and early > any_time and "early_count" not in self.errors:
            self.add_error("early_count", f"The count within the early window cannot be more than the count at any time ({any_time}).")
        return data


@require("change_settings")
def service_settings(request, service):
    initial = {name: getattr(service, name) for name in actions.SETTINGS_FIELDS}
    form = SettingsForm(request.POST or None, initial={**initial, "version": service.version})
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_service_settings(
                by=request.user,
                service=service,
                expected_version=form.cleaned_data["version"],
                **{name: form.cleaned_data[name] for name in actions.SETTINGS_FIELDS},
            )
        except actions.StaleEdit as stale:
            show_stale(form, stale)
        except ValidationError as error:
            form.add_model_errors(error)
        else:
            messages.success(request, "Settings saved. Live figures and alerts now follow them.")
            return redirect("settings", service_id=service.pk)
    return render(
        request,
        "tracker/meeting/settings.html",
        {"service": service, "section": "settings", "form": form},
        status=400 if form.errors else 200,
    )
