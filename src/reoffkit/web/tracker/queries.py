"""Reads. ``*_frame`` functions turn querysets into engine frames (``reoffkit.engine.schema``);
every number the application shows is computed by the engine from them."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterable

import polars as pl

from reoffkit.engine import Period, alerts, codes, entry_table, measures
from reoffkit.engine.rules import add_months, quarter_of
from reoffkit.engine.schema import conform
from reoffkit.web.tracker.models import Assessment, AuditEvent, Outcome, ReviewAction, Service, YoungPerson


def _frame(rows: Iterable[dict], name: str) -> pl.DataFrame:
    rows = list(rows)
    if not rows:
        return conform(pl.DataFrame(), name)
    return conform(pl.DataFrame(rows, infer_schema_length=None), name)


def _only(queryset, person_field: str, person: YoungPerson | None):
    return queryset.filter(**{person_field: person}) if person is not None else queryset


def people_frame(services: Iterable[Service], person: YoungPerson | None = None) -> pl.DataFrame:
    rows = _only(YoungPerson.objects.filter(service__in=list(services)), "pk", person and person.pk).values(
        "pk", "pnc_id", "service__name", "date_of_birth", "sex", "ethnicity", "ethnicity_scheme", "ethnicity_detail", "looked_after", "district__name", "yot_caseload",
        "adult_offending_checked",
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
                "ethnicity_scheme": r["ethnicity_scheme"],
                "ethnicity_detail": r["ethnicity_detail"] or None,
                "looked_after": r["looked_after"],
                "district": r["district__name"],
                "yot_caseload": r["yot_caseload"],
                "adult_offending_checked": r["adult_offending_checked"],
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



# Review meeting, service summary and administration reads ----------------------------------------


@dataclass
class KnownFurtherOffence:
    """A further offence that counts (under the service's rules) against one or more of a child's
    cohort entries, with the day the service learnt of it."""

    outcome: Outcome
    person: YoungPerson
    entry_quarters: list[str]
    known_on: dt.date
    proven: bool


def further_offences_known_since(service: Service, *, since: dt.date, as_at: dt.date) -> list[KnownFurtherOffence]:
    """Further offences the engine counts against any cohort entry, known (recorded, else proven,
    else committed) on or after ``since`` and by ``as_at``; newest first, each offence once."""
    from reoffkit.engine import further_offences
    from reoffkit.engine.rules import quarter_label

    rules = service.counting_rules()
    frames = service_frames([service])
    # An entry can gain a counted offence until its proven-by date, 18 months after the index date.
    first = quarter_of(add_months(min(since, as_at), -(rules.follow_up_months + rules.waiting_months)))
    period = Period(first, quarter_of(as_at) - first + 1)
    entries = entry_table(frames.people, frames.outcomes, frames.assessments, period=period, rules=rules, as_at=as_at)
    counted = further_offences(entries, frames.outcomes, rules=rules, as_at=as_at).filter(pl.col("known_on") >= since)
    if counted.is_empty():
        return []
    by_outcome: dict[int, dict] = {}
    for row in counted.sort("entry_quarter").iter_rows(named=True):
        found = by_outcome.setdefault(row["outcome_id"], {"known_on": row["known_on"], "proven": row["proven"], "quarters": []})
        found["quarters"].append(quarter_label(row["entry_quarter"]))
    outcomes = Outcome.objects.select_related("person").in_bulk(list(by_outcome))
    known = [
        KnownFurtherOffence(outcome=outcomes[pk], person=outcomes[pk].person, entry_quarters=found["quarters"], known_on=found["known_on"], proven=found["proven"])
        for pk, found in by_outcome.items()
    ]
    return sorted(known, key=lambda k: (k.known_on, k.outcome.offence_date, k.outcome.pk), reverse=True)


@dataclass
class OpenAction:
    """A review action still to be done: red (required – not completed) or amber (pending)."""

    action: ReviewAction
    overdue: bool


def open_actions(service: Service, *, as_at: dt.date) -> list[OpenAction]:
    """The service's red and amber review actions, red first, then by due date (none last).
    Overdue: due before ``as_at`` and not completed."""
    found = ReviewAction.objects.filter(person__service=service, status__in=["required", "pending"]).select_related("person", "owner")
    rank = {"required": 0, "pending": 1}
    ordered = sorted(found, key=lambda a: (rank[a.status], a.due_on is None, a.due_on or as_at, a.raised_on, a.pk))
    return [OpenAction(action=a, overdue=a.due_on is not None and a.due_on < as_at) for a in ordered]


def summary_quarters(service: Service, *, as_at: dt.date, count: int = 6):
    """The engine's measures (``CohortMeasures``) for the last ``count`` calendar quarters with
    cohort entries by ``as_at``, oldest first."""
    frames = service_frames([service])
    if frames.outcomes.is_empty():
        return []
    rules = service.counting_rules()
    first = quarter_of(frames.outcomes.select(pl.min_horizontal("offence_date", "outcome_date", "release_date").min()).item())
    last = quarter_of(as_at)
    if first > last:
        return []
    entries = entry_table(frames.people, frames.outcomes, frames.assessments, period=Period(first, last - first + 1), rules=rules, as_at=as_at)
    keys = sorted(set(entries["entry_quarter"].to_list()))[-count:]
    return [cohort_measures(service, Period(key), as_at=as_at, frames=frames) for key in keys]


def cohort_quarters(service: Service, *, as_at: dt.date, count: int = 8) -> list[str]:
    """Labels ("2025Q3") of the last ``count`` calendar quarters with at least one cohort entry by
    ``as_at`` under the service's rules, newest first: the cohort page's choice of quarter.
    Kept until the next write to the service (in the shared cache with a copy in this process,
    :func:`reoffkit.web.tracker.fragments.kept_value`: the key names the data version): the pages
    that offer the choice read it on every request, and counting it reads all the service's
    records. Counted outside any lock; :func:`cached`'s lock is taken only to store the list, so,
    like :func:`cached`, it is not called from a cached build."""
    from reoffkit.engine import cohort_entries
    from reoffkit.web.tracker import fragments

    def counted() -> list[str]:
        frames = service_frames([service])
        if frames.outcomes.is_empty():
            return []
        first = quarter_of(add_months(as_at, -3 * count))
        last = quarter_of(as_at)
        entries = cohort_entries(frames.people, frames.outcomes, period=Period(first, last - first + 1), rules=service.counting_rules(), as_at=as_at)
        return sorted(set(entries["quarter"].to_list()), reverse=True)[:count]

    key = cache_key("cohort-quarters", [service], as_at, count)
    return list(fragments.kept_value(key, lambda quarters: quarters, prepare=counted))


#: Audit verbs that change what a report counts (views, sign-ins and exports do not).
DATA_VERBS = ("create", "update", "delete", "import")
#: Loads of national figures every service's reports may use: each changes every service's data version.
NATIONAL_LOADS = ("reference figures", "area figures", "stratum rates")
_LOCKS = [threading.RLock() for _ in range(32)]


#: The data versions read in this request, by services (:func:`one_data_version`).
_VERSIONS: ContextVar[dict | None] = ContextVar("reoffkit_data_versions", default=None)


def data_version(services: list[Service]) -> int:
    """Changes with every write that could change these services' reports (each write is audited):
    the id of the newest such audit event — theirs, or a load of national figures
    (:data:`NATIONAL_LOADS`). Read once per request for the same services (:func:`one_data_version`)."""
    from django.db.models import Max, Q

    known = _VERSIONS.get()
    services_key = tuple(sorted(s.pk for s in services))
    if known is not None and services_key in known:
        return known[services_key]
    newest = AuditEvent.objects.filter(Q(service__in=services) | Q(object_type__in=NATIONAL_LOADS), verb__in=DATA_VERBS).aggregate(Max("id"))
    version = newest["id__max"] or 0
    if known is not None:
        known[services_key] = version
    return version


@contextmanager
def one_data_version():
    """Within the block (a request: ``middleware.OneDataVersionMiddleware``), :func:`data_version`
    reads each set of services' version once, so every key a page makes names the same data; an
    audited write that changes data (:func:`data_changed`) makes the next call read it again."""
    token = _VERSIONS.set({})
    try:
        yield
    finally:
        _VERSIONS.reset(token)


def data_changed() -> None:
    """A data-changing audit event was written: the versions read in this block are out of date."""
    known = _VERSIONS.get()
    if known:
        known.clear()


def cached(key: str, build):
    """``build()``, cached under ``key``; one thread builds while the others wait. ``build`` must
    not call :func:`cached` itself: the locks are shared by keys, so two threads nesting in opposite
    orders could wait for each other; read what it needs from the cache before."""
    from django.core.cache import cache

    value = cache.get(key)
    if value is None:
        with _LOCKS[hash(key) % len(_LOCKS)]:
            value = cache.get(key)
            if value is None:
                value = build()
                cache.set(key, value)
    return value


def migration_names() -> tuple[str, ...]:
    """Every migration of the web application, as ``app/name``."""
    from pathlib import Path

    web = Path(__file__).resolve().parent.parent
    return tuple(sorted(f"{path.parent.parent.name}/{path.stem}" for path in web.glob("*/migrations/0*.py")))


def release_root():
    """The folder of the installed package: every file of this release."""
    from pathlib import Path

    import reoffkit

    return Path(reoffkit.__file__).resolve().parent


@functools.cache
def release_digest() -> str:
    """A digest of this release: its migrations' names and every file of the package (code,
    templates, static assets), read once a process (about 2 MB, 12 ms). A migration may add data
    without an audit event (the national figures shipped with a release), and a release may change
    what a page withholds or how it is drawn with no migration at all, so the data version alone
    would not tell a value the previous release kept in the shared cache from one of this release."""
    digest = hashlib.sha256("\n".join(migration_names()).encode())
    root = release_root()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(f"\0{path.relative_to(root).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_key(kind: str, services: list[Service], *parts) -> str:
    """The key of a value made from ``services``' data: names the release's migrations and the data version."""
    return ":".join([kind, ",".join(str(s.pk) for s in services), *map(str, parts), release_digest(), str(data_version(services))])


def resettlement_frame(services: Iterable[Service]) -> pl.DataFrame:
    from reoffkit.engine.schema import RESETTLEMENT_FACTORS
    from reoffkit.web.tracker.models import ResettlementRecord

    rows = ResettlementRecord.objects.filter(outcome__person__service__in=list(services)).values(
        "outcome__person_id", "outcome__release_date", *RESETTLEMENT_FACTORS
    )
    return _frame(
        ({**r, "person_id": str(r.pop("outcome__person_id")), "release_date": r.pop("outcome__release_date")} for r in rows), "resettlement"
    )


def service_case_file_frames(service: Service) -> dict[str, pl.DataFrame]:
    """All of a service's records as case-file frames, keyed by local ID and with names: the
    service's own full copy (importing it into an empty service gives the same records)."""
    frames = service_frames([service])
    people = YoungPerson.objects.filter(service=service).values("pk", "local_id", "first_name", "last_name")
    local = {str(p["pk"]): p["local_id"] for p in people}
    names = pl.DataFrame(
        {
            "person_id": [str(p["pk"]) for p in people],
            "first_name": [p["first_name"] for p in people],
            "last_name": [p["last_name"] for p in people],
        },
        schema={"person_id": pl.String, "first_name": pl.String, "last_name": pl.String},
    )

    def relabel(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(pl.col("person_id").replace_strict(local, default=None))

    owners = frames.actions.with_columns(pl.col("owner").cast(pl.String))
    return {
        "people": relabel(frames.people.drop("first_name", "last_name").join(names, on="person_id", how="left")).drop("service"),
        "outcomes": relabel(frames.outcomes),
        "assessments": relabel(frames.assessments),
        "actions": relabel(owners),
        "resettlement": relabel(resettlement_frame([service])),
    }
