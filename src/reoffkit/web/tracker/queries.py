"""Reads. ``*_frame`` functions turn querysets into engine frames (``reoffkit.engine.schema``);
every number the application shows is computed by the engine from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

import polars as pl

from reoffkit.engine import Period, alerts, codes, entry_table, measures
from reoffkit.engine.rules import add_months, quarter_of
from reoffkit.engine.schema import conform
from reoffkit.web.tracker.models import Assessment, Outcome, ReviewAction, Service, YoungPerson


def _frame(rows: Iterable[dict], name: str) -> pl.DataFrame:
    rows = list(rows)
    if not rows:
        return conform(pl.DataFrame(), name)
    return conform(pl.DataFrame(rows, infer_schema_length=None), name)


def _only(queryset, person_field: str, person: YoungPerson | None):
    return queryset.filter(**{person_field: person}) if person is not None else queryset


def people_frame(services: Iterable[Service], person: YoungPerson | None = None) -> pl.DataFrame:
    rows = _only(YoungPerson.objects.filter(service__in=list(services)), "pk", person and person.pk).values(
        "pk", "pnc_id", "service__name", "date_of_birth", "sex", "ethnicity", "looked_after", "district__name", "yot_caseload"
    )
    return _frame(
        (
            {
                "person_id": str(r["pk"]),
                "pnc_id": r["pnc_id"] or None,
                "service": r["service__name"],
                "date_of_birth": r["date_of_birth"],
                "sex": r["sex"],
                "ethnicity": r["ethnicity"],
                "looked_after": r["looked_after"],
                "district": r["district__name"],
                "yot_caseload": r["yot_caseload"],
            }
            for r in rows
        ),
        "people",
    )


def outcomes_frame(services: Iterable[Service], person: YoungPerson | None = None) -> pl.DataFrame:
    rows = _only(Outcome.objects.filter(person__service__in=list(services)), "person", person).values(
        "pk", "person_id", "offence_date", "outcome_date", "outcome_type", "release_date", "offence_type", "gravity", "breach", "recorded_on"
    )
    return _frame(({**r, "outcome_id": r.pop("pk"), "person_id": str(r["person_id"])} for r in rows), "outcomes")


def assessments_frame(services: Iterable[Service], person: YoungPerson | None = None) -> pl.DataFrame:
    rows = _only(Assessment.objects.filter(person__service__in=list(services)), "person", person).values(
        "person_id", "assessment_date", "tool", "score", "likelihood_band", "intervention_level"
    )
    return _frame(({**r, "person_id": str(r["person_id"]), "score": None if r["score"] is None else float(r["score"])} for r in rows), "assessments")


def actions_frame(services: Iterable[Service], person: YoungPerson | None = None) -> pl.DataFrame:
    rows = _only(ReviewAction.objects.filter(person__service__in=list(services)), "person", person).values(
        "person_id", "raised_on", "trigger", "action", "status", "owner__username", "due_on", "completed_on"
    )
    return _frame(({**r, "person_id": str(r["person_id"]), "owner": r.pop("owner__username")} for r in rows), "actions")


@dataclass(frozen=True)
class ServiceFrames:
    people: pl.DataFrame
    outcomes: pl.DataFrame
    assessments: pl.DataFrame
    actions: pl.DataFrame


def service_frames(services: Iterable[Service], person: YoungPerson | None = None) -> ServiceFrames:
    services = list(services)
    return ServiceFrames(
        people_frame(services, person), outcomes_frame(services, person), assessments_frame(services, person), actions_frame(services, person)
    )


def in_follow_up_period(as_at: dt.date, rules) -> Period:
    """The quarters whose entries can still be in follow-up on ``as_at`` (the 'everyone in follow-up' view)."""
    first = quarter_of(add_months(as_at, -rules.follow_up_months))
    last = quarter_of(as_at)
    return Period(first, last - first + 1)


def tracker_entries(service: Service, *, as_at: dt.date, period: Period | None = None, frames: ServiceFrames | None = None) -> pl.DataFrame:
    """The engine's entry table for a service: a chosen period, or everyone in follow-up on ``as_at``."""
    rules = service.counting_rules()
    frames = frames or service_frames([service])
    if period is None:
        entries = entry_table(frames.people, frames.outcomes, frames.assessments, period=in_follow_up_period(as_at, rules), rules=rules, as_at=as_at)
        return entries.filter(pl.col("follow_up_end") >= as_at)
    return entry_table(frames.people, frames.outcomes, frames.assessments, period=period, rules=rules, as_at=as_at)


def tracker_alerts(service: Service, entries: pl.DataFrame, *, as_at: dt.date, frames: ServiceFrames | None = None) -> pl.DataFrame:
    frames = frames or service_frames([service])
    return alerts(entries, frames.actions, rules=service.counting_rules(), settings=service.alert_settings(), as_at=as_at)


def cohort_measures(service: Service, period: Period, *, as_at: dt.date, frames: ServiceFrames | None = None):
    entries = tracker_entries(service, as_at=as_at, period=period, frames=frames)
    return measures(entries, period=period, rules=service.counting_rules(), as_at=as_at)


@dataclass
class CohortRow:
    """One cohort entry as the tracker pages show it: the engine's entry, the child, their
    alerts and their latest review action."""

    entry: dict
    person: YoungPerson
    alerts: list[dict]
    latest_action: ReviewAction | None
    months_since_entry: int

    @property
    def disposal_label(self) -> str:
        return codes.outcome_type_table()[self.entry["index_disposal"]].label

    @property
    def action_status(self) -> str:
        return self.latest_action.status if self.latest_action else "none"


def months_between(start: dt.date, end: dt.date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day))


def cohort_rows(service: Service, *, as_at: dt.date, period: Period | None = None) -> list[CohortRow]:
    """Every entry of ``period`` (or everyone in follow-up on ``as_at``), newest first."""
    frames = service_frames([service])
    entries = tracker_entries(service, as_at=as_at, period=period, frames=frames)
    if entries.is_empty():
        return []
    fired = tracker_alerts(service, entries, as_at=as_at, frames=frames)
    alerts_by_entry: dict[tuple[str, int], list[dict]] = {}
    for alert in fired.iter_rows(named=True):
        alerts_by_entry.setdefault((alert["person_id"], alert["entry_quarter"]), []).append(alert)
    person_ids = {int(p) for p in entries["person_id"].unique()}
    people = YoungPerson.objects.select_related("district").in_bulk(person_ids)
    latest: dict[int, ReviewAction] = {}
    for action in ReviewAction.objects.filter(person_id__in=person_ids).order_by("person_id", "-raised_on", "-id"):
        latest.setdefault(action.person_id, action)
    rows = [
        CohortRow(
            entry=entry,
            person=people[int(entry["person_id"])],
            alerts=alerts_by_entry.get((entry["person_id"], entry["entry_quarter"]), []),
            latest_action=latest.get(int(entry["person_id"])),
            months_since_entry=months_between(entry["index_date"], as_at),
        )
        for entry in entries.sort("index_date", descending=True).iter_rows(named=True)
    ]
    return rows


def person_frames(person: YoungPerson) -> ServiceFrames:
    """One child's records as engine frames (their entries depend on nothing else)."""
    return service_frames([person.service], person)


@dataclass
class PersonRecord:
    entries: list[dict]
    counted_outcome_ids: set[int]
    alerts: list[dict]


def person_record(person: YoungPerson, *, as_at: dt.date) -> PersonRecord:
    """A child's cohort entries (every quarter they entered), the offences counted against them and
    their current alerts — all from the engine with the service's rules."""
    from reoffkit.engine import further_offences

    service = person.service
    rules = service.counting_rules()
    frames = person_frames(person)
    if frames.outcomes.is_empty():
        return PersonRecord([], set(), [])
    first = quarter_of(frames.outcomes.select(pl.min_horizontal("offence_date", "outcome_date", "release_date").min()).item())
    period = Period(first, quarter_of(as_at) - first + 1)
    entries = entry_table(frames.people, frames.outcomes, frames.assessments, period=period, rules=rules, as_at=as_at)
    counted = further_offences(entries, frames.outcomes, rules=rules, as_at=as_at)
    fired = alerts(entries, frames.actions, rules=rules, settings=service.alert_settings(), as_at=as_at)
    return PersonRecord(
        entries=list(entries.sort("index_date").iter_rows(named=True)),
        counted_outcome_ids=set(counted["outcome_id"].to_list()),
        alerts=list(fired.iter_rows(named=True)),
    )


def case_staff(service: Service):
    """Active users of ``service`` with a case role: who may own a review action."""
    from django.contrib.auth import get_user_model

    from reoffkit.web.tracker.permissions import CASE_ROLES

    return (
        get_user_model()
        .objects.filter(is_active=True, profile__services=service, profile__role__in=list(CASE_ROLES))
        .order_by("last_name", "first_name", "username")
        .distinct()
    )
