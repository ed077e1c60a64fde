"""The only place that creates, changes or deletes records. Each action is atomic, validates with
``full_clean()``, takes the acting user as keyword-only ``by=`` and writes an audit event.

A record is created in two steps, so that many can be written at once: a ``new_…`` function
validates it and says how it will be audited, writing nothing (:class:`NewRecord`), and
:func:`create_records` writes any number of them with their audit events. The one-record actions
(``add_outcome`` and the rest) are the two steps for one record; an import validates every record
first, then writes them in batches (``reoffkit.web.spreadsheets.importing``).

Views, the CLI, imports, the demo loader and test fixtures all call these functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Any, Callable, Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db import models
from django.db.models import F

from reoffkit.web.tracker import auditchain
from reoffkit.web.tracker.words import value_words
from reoffkit.web.tracker.models import (
    Assessment,
    AuditEvent,
    ColumnMapping,
    District,
    Outcome,
    ReferenceFigure,
    ResettlementRecord,
    ReviewAction,
    Role,
    Service,
    StaffProfile,
    YoungPerson,
)

User = get_user_model()

#: Service fields a manager may change on the settings page.
SETTINGS_FIELDS: tuple[str, ...] = (
    "include_unproven",
    "include_breaches",
    "early_months",
    "prolific_threshold",
    "early_count",
    "any_time_count",
    "action_days",
    "min_age",
    "max_age",
    "police_check_green",
    "police_check_amber",
)


class StaleEdit(Exception):
    """Someone else changed the record after this user loaded it; nothing was saved.

    ``conflicts`` lists each field this save would change whose value is no longer what the user
    saw, as (field name, label, yours, current) with the values in words; ``version`` is the
    record's current version (a second save with it is then a deliberate choice)."""

    def __init__(self, message: str, conflicts: Iterable[tuple[str, str, str, str]] = (), version: int | None = None):
        super().__init__(message)
        self.conflicts = list(conflicts)
        self.version = version


def check_version(instance, expected_version: int | None, values: dict) -> None:
    """Refuse (``StaleEdit``) a save based on ``expected_version`` when the record has moved on."""
    if expected_version is None or instance.version == expected_version:
        return
    conflicts = []
    for field, value in values.items():
        current = getattr(instance, field)
        if _plain(current) != _plain(value):
            label = str(instance._meta.get_field(field).verbose_name)
            conflicts.append((field, label[:1].upper() + label[1:], value_words(type(instance), field, value), value_words(type(instance), field, current)))
    raise StaleEdit(stale_message(conflicts), conflicts, instance.version)


def stale_message(conflicts, labels: dict | None = None) -> str:
    """What a refused stale save says: each changed field with the user's value and the current one."""
    labels = labels or {}
    detail = "; ".join(f"{labels.get(field, label)}: yours {yours}, now {current}" for field, label, yours, current in conflicts)
    return (
        "Someone else changed this record after you opened it, so nothing was saved. "
        + (f"{detail}. " if detail else "")
        + "Your values are still in the form: save again to keep them, or cancel."
    )


def _role(user) -> str:
    profile = getattr(user, "profile", None)
    return profile.role if profile else ""


def _event(
    by,
    *,
    verb: str,
    summary: str,
    service: Service | None = None,
    object_type: str = "",
    object_ids: Iterable[Any] = (),
    purpose: str = "",
    changes: dict | None = None,
) -> AuditEvent:
    user = by if getattr(by, "pk", None) else None
    return AuditEvent(
        user_id=user.pk if user else None,  # ids, not records: one less lookup an event, thousands in an import
        username=by.get_username() if user else str(by or "system"),
        role=_role(by) if user else "",
        service_id=service.pk if service else None,
        verb=verb,
        object_type=object_type,
        object_ids=[str(i) for i in object_ids],
        summary=summary[:300],
        purpose=purpose[:300],
        changes=changes or {},
    )


def audit(*, by, verb: str, summary: str, **details: Any) -> AuditEvent:
    """Record an audit event, chained to the one before it in the same transaction (details:
    ``service``, ``object_type``, ``object_ids``, ``purpose``, ``changes``). Summaries name record
    types and ids, never a child's name."""
    event = _event(by, verb=verb, summary=summary, **details)
    with transaction.atomic(savepoint=False):
        auditchain.lock()
        auditchain.link([event], auditchain.head())
        event.save(force_insert=True)
    _written([event])
    return event


def audit_many(*, by, events: Iterable[dict]) -> list[AuditEvent]:
    """Record many audit events by ``by`` at once (each a dict of :func:`audit`'s keywords other
    than ``by``): one lock, one read of the chain's head and batched inserts, for bulk work such as
    imports. The chain's lock is held until the transaction ends (other audited actions wait for
    it on PostgreSQL), so a long transaction should write its events last, in one call."""
    made = [_event(by, **event) for event in events]
    if not made:
        return []
    with transaction.atomic(savepoint=False):
        auditchain.lock()
        auditchain.link(made, auditchain.head())
        insert_new(AuditEvent, made)
    _written(made)
    return made


def _written(events: list[AuditEvent]) -> None:
    """After audit events are written: one that changes data makes the data version read anew."""
    from reoffkit.web.tracker.queries import DATA_VERBS, data_changed

    if any(event.verb in DATA_VERBS for event in events):
        data_changed()


def _changes(instance, fields: Iterable[str], values: dict) -> dict:
    diff = {}
    for field in fields:
        if field in values and getattr(instance, field) != values[field]:
            diff[field] = [_plain(getattr(instance, field)), _plain(values[field])]
    return diff


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


# Services, districts and staff -------------------------------------------------------------


@transaction.atomic
def create_service(*, by, name: str, districts: Iterable[str] = (), **settings: Any) -> Service:
    service = Service(name=name, **settings)
    service.full_clean()
    service.save()
    audit(by=by, verb="create", service=service, object_type="service", object_ids=[service.pk], summary=f"Created service {name}")
    for district in districts:
        add_district(by=by, service=service, name=district)
    return service


def new_district(*, service: Service, name: str) -> NewRecord:
    return _new(District(service=service, name=name), service=service, object_type="district", summary=f"Added district {name}")


@transaction.atomic
def add_district(*, by, service: Service, name: str) -> District:
    return create_records(by=by, records=[new_district(service=service, name=name)])[0]


@dataclass
class NewRecord:
    """A validated record not yet written, with what its audit event will say: made by a ``new_…``
    function, written (with others) by :func:`create_records`. ``summary`` may be a function of the
    saved record (its id is known only then)."""

    instance: Any
    service: Service
    object_type: str
    summary: str | Callable[[Any], str]
    changes: dict | None = None


def _new(instance, *, service: Service, object_type: str, summary, changes: dict | None = None) -> NewRecord:
    """Validate a new record (nothing is written).

    A link to a record the caller already holds (the child of an outcome, perhaps itself not yet
    saved) is not looked up again; the database's foreign keys still guard it."""
    instance.full_clean(exclude=[f.name for f in instance._meta.concrete_fields if (f.many_to_one or f.one_to_one) and f.is_cached(instance)])
    return NewRecord(instance, service, object_type, summary, changes)


#: Rows in one INSERT of :func:`insert_records` (SQLite's backend splits further where its limit
#: on values per statement needs it).
INSERT_ROWS = 100


def insert_records(records: Iterable[NewRecord]) -> None:
    """Insert validated records in order, each run of one model in statements of up to
    :data:`INSERT_ROWS` rows; a record linked to one inserted before it (an outcome to its new
    child) takes its id. No audit: only :func:`create_records` and an import's batch call this,
    and they audit every record (:func:`creation_events`) in the same transaction."""
    for model, run in groupby(records, key=lambda record: type(record.instance)):
        insert_new(model, [record.instance for record in run])


#: Django's fields that pass a value of this exact type to the database unchanged
#: (``get_db_prep_save`` is ``str(value)``, ``int(value)`` or ``bool(value)``); subclasses may not.
_PLAIN_TYPES = {
    models.CharField: str, models.TextField: str, models.BooleanField: bool, models.AutoField: int, models.BigAutoField: int,
    models.IntegerField: int, models.BigIntegerField: int, models.SmallIntegerField: int, models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
}


def _plain_type(field) -> type | None:
    """The type whose values ``field`` passes to the database unchanged (a link: its target's), or
    ``None`` when every value must be prepared."""
    if type(field) in (models.ForeignKey, models.OneToOneField):
        field = field.target_field
    return _PLAIN_TYPES.get(type(field))


def insert_new(model, instances: list) -> None:
    """``INSERT`` new, already validated ``instances`` of ``model`` (none with an id) as
    ``bulk_create`` would — each field's ``pre_save`` and ``get_db_prep_save``, ids read back with
    ``RETURNING`` — in statements of up to :data:`INSERT_ROWS` rows, without the query compiler's
    work for every value (most of the time of a large import's writes)."""
    if not instances:
        return
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: every use of the proxy looks it up again
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    steps = [(f.attname, _plain_type(f), f) for f in fields]
    quote = db.ops.quote_name
    returning, _ = db.ops.return_insert_columns([model._meta.pk])
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    rows = min(INSERT_ROWS, max(1, db.features.max_query_params // len(fields))) if db.features.max_query_params else INSERT_ROWS
    with db.cursor() as cursor:
        for start in range(0, len(instances), rows):
            chunk = instances[start : start + rows]
            params = []
            for instance in chunk:
                if instance.pk is not None:
                    raise ValueError(f"{model._meta.verbose_name} {instance.pk} is not new")
                instance._prepare_related_fields_for_save(operation_name="insert_new")
                for attname, plain, field in steps:
                    value = getattr(instance, attname) if plain else field.pre_save(instance, True)
                    params.append(value if value is None or type(value) is plain else field.get_db_prep_save(value, db))
            cursor.execute(head + "VALUES " + ", ".join([row] * len(chunk)) + " " + returning, params)
            for instance, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                instance.pk = pk
                instance._state.adding = False
                instance._state.db = db.alias


def creation_events(records: Iterable[NewRecord]) -> list[dict]:
    """The audit events of inserted records, for :func:`audit_many`."""
    return [
        dict(
            verb="create",
            service=record.service,
            object_type=record.object_type,
            object_ids=[record.instance.pk],
            summary=record.summary(record.instance) if callable(record.summary) else record.summary,
            changes=record.changes,
        )
        for record in records
    ]


@transaction.atomic
def create_records(*, by, records: list[NewRecord]) -> list:
    """Write records made by the ``new_…`` functions, in order, and audit each (one event a
    record, chained in one go): all or nothing. Returns the saved instances."""
    insert_records(records)
    audit_many(by=by, events=creation_events(records))
    return [record.instance for record in records]


def _update(model, pk, allowed: tuple[str, ...], values: dict, expected_version: int | None = None):
    """Lock the row, refuse a stale save (``expected_version``, when given, must still be the
    record's version), apply ``values`` (only ``allowed`` fields), validate, raise the version and
    save; return the instance and the changes as {field: [before, after]}."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} of a {model._meta.verbose_name}")
    instance = model.objects.select_for_update().get(pk=pk)
    check_version(instance, expected_version, values)
    changes = _changes(instance, allowed, values)
    for field, value in values.items():
        setattr(instance, field, value)
    instance.full_clean()
    if changes:
        instance.version += 1
    instance.save()
    return instance, changes


@transaction.atomic
def update_service_settings(*, by, service: Service, expected_version: int | None = None, **values: Any) -> Service:
    service, changes = _update(Service, service.pk, SETTINGS_FIELDS, values, expected_version)
    audit(
        by=by,
        verb="update",
        service=service,
        object_type="service_settings",
        object_ids=[service.pk],
        # the values are in ``changes`` (the audit page puts them in words); the summary names the settings
        summary=f"Changed settings: {', '.join(Service._meta.get_field(k).verbose_name.capitalize() for k in changes) or 'no change'}"[:300],
        changes=changes,
    )
    return service


@transaction.atomic
def record_meeting_date(*, by, service: Service, held_on: dt.date) -> Service:
    service = Service.objects.select_for_update().get(pk=service.pk)
    changes = _changes(service, ["last_meeting_on"], {"last_meeting_on": held_on})
    service.last_meeting_on = held_on
    service.save(update_fields=["last_meeting_on"])
    audit(by=by, verb="update", service=service, object_type="service", object_ids=[service.pk], summary="Recorded review meeting date", changes=changes)
    return service


def audit_account(*, by, user, verb: str, summary: str, services: Iterable[Service] | None = None, changes: dict | None = None) -> list[AuditEvent]:
    """Audit a change to ``user``'s account once in each affected service (``services``, by default
    the user's own), so that each service's managers see who was given, or lost, access to their
    records; an account of no service is audited once, without one."""
    affected = sorted({s.pk: s for s in (services if services is not None else Service.objects.filter(staff__user=user))}.values(), key=lambda s: s.pk)
    common = dict(verb=verb, object_type="user", object_ids=[user.pk], summary=summary, changes=changes or {})
    return audit_many(by=by, events=[{**common, "service": service} for service in affected] or [common])


@transaction.atomic
def create_staff_user(
    *,
    by,
    username: str,
    role: str,
    services: Iterable[Service] = (),
    password: str | None = None,
    must_change_password: bool = False,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
):
    """A new account. Without ``password`` it cannot sign in until its user sets one through a
    set-password link (``accounts.passwords.issue_link``); with one that someone else knows, pass
    ``must_change_password`` so the first sign-in asks for a new one."""
    from reoffkit.web.accounts.models import PasswordState

    if role not in Role.values:
        raise ValidationError({"role": f"{role!r} is not a role"})
    services = list(services)
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    profile = StaffProfile.objects.create(user=user, role=role)
    profile.services.set(services)
    PasswordState.objects.create(user=user, must_change=password is not None and must_change_password)
    audit_account(
        by=by,
        user=user,
        verb="create",
        services=services,
        summary=f"Created user {username} as {Role(role).label}",
        changes={"services": [s.pk for s in services]},
    )
    return user


@transaction.atomic
def update_staff_user(*, by, user, role: str, services: Iterable[Service], is_active: bool = True):
    profile = StaffProfile.objects.select_for_update().get(user=user)
    services = list(services)
    before_services = list(profile.services.all())
    before = {"role": profile.role, "services": sorted(s.pk for s in before_services), "is_active": user.is_active}
    profile.role = role
    profile.full_clean()
    profile.save()
    profile.services.set(services)
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    after = {"role": role, "services": sorted(s.pk for s in services), "is_active": is_active}
    audit_account(
        by=by,
        user=user,
        verb="update",
        services=[*before_services, *services],
        summary=f"Changed user {user.get_username()}",
        changes={key: [before[key], after[key]] for key in before if before[key] != after[key]},
    )
    return user


# Young people and their records -------------------------------------------------------------

PERSON_FIELDS: tuple[str, ...] = (
    "local_id",
    "pnc_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "ethnicity_scheme",
    "ethnicity_detail",
    "looked_after",
    "district",
    "yot_caseload",
    "adult_offending_checked",
    "caseworker",
)
#: A child's names are never written to the audit log (its readers include administrators, who
#: see no child's record): a change to them is logged as a change, without the values.
NAME_FIELDS = ("first_name", "last_name")
OUTCOME_FIELDS: tuple[str, ...] = (
    "offence_date",
    "outcome_date",
    "outcome_type",
    "release_date",
    "offence_type",
    "gravity",
    "breach",
    "recorded_on",
)


def new_young_person(*, service: Service, **values: Any) -> NewRecord:
    return _new(YoungPerson(service=service, **values), service=service, object_type="young_person", summary=lambda p: f"Added young person {p.pk}")


@transaction.atomic
def create_young_person(*, by, service: Service, **values: Any) -> YoungPerson:
    return create_records(by=by, records=[new_young_person(service=service, **values)])[0]


@transaction.atomic
def update_young_person(*, by, person: YoungPerson, expected_version: int | None = None, **values: Any) -> YoungPerson:
    person, changes = _update(YoungPerson, person.pk, PERSON_FIELDS, values, expected_version)
    audit(
        by=by,
        verb="update",
        service=person.service,
        object_type="young_person",
        object_ids=[person.pk],
        summary=f"Changed young person {person.pk}: {', '.join(changes) or 'no change'}",
        changes={k: (["(not logged)", "(not logged)"] if k in NAME_FIELDS else v) for k, v in changes.items()},
    )
    return person


def new_outcome(*, person: YoungPerson, recorded_on: dt.date | None = None, **values: Any) -> NewRecord:
    return _new(
        Outcome(person=person, recorded_on=recorded_on or dt.date.today(), **values),
        service=person.service,
        object_type="outcome",
        summary=lambda o: f"Recorded {o.outcome_type_label.lower()} for young person {o.person.pk}",
    )


@transaction.atomic
def add_outcome(*, by, person: YoungPerson, recorded_on: dt.date | None = None, **values: Any) -> Outcome:
    return create_records(by=by, records=[new_outcome(person=person, recorded_on=recorded_on, **values)])[0]


def cohort_member_errors(service: Service, index_outcome: dict[str, Any], *, born: dt.date | None, new: bool) -> dict[str, str]:
    """Why an index outcome cannot put a child in ``service``'s cohort, by field (empty when it
    can): forms call it too, so that every error is shown at once."""
    from reoffkit.engine import codes

    outcome_type = codes.outcome_type_table().get(index_outcome.get("outcome_type") or "")
    errors: dict[str, str] = {}
    if outcome_type is None or not outcome_type.qualifies:
        errors["outcome_type"] = "Choose an outcome that puts a child in the cohort: a caution, a court sentence or a custodial sentence."
    today = dt.date.today()
    for field in ("offence_date", "outcome_date", "release_date"):
        value = index_outcome.get(field)
        if value and value > today:
            errors[field] = "The date cannot be in the future."
    if outcome_type and outcome_type.tier == "custody" and not index_outcome.get("release_date"):
        errors["release_date"] = "A custodial sentence enters the cohort on release: enter the release date."
    index_date = index_outcome.get("release_date") if outcome_type and outcome_type.tier == "custody" else index_outcome.get("outcome_date")
    if index_date and born:
        age = index_date.year - born.year - ((index_date.month, index_date.day) < (born.month, born.day))
        if not service.min_age <= age <= service.max_age:
            errors["date_of_birth" if new else "outcome_date"] = (
                f"The child was {age} on the index date; this service's cohort is aged {service.min_age} to {service.max_age}."
            )
    return errors


@transaction.atomic
def add_cohort_member(
    *, by, service: Service, index_outcome: dict[str, Any], person: YoungPerson | None = None, new_person: dict[str, Any] | None = None
) -> tuple[YoungPerson, Outcome]:
    """Add a child's index outcome, creating the young person first when they are new.

    The outcome must be one that puts a child in the cohort, dated no later than today, with the
    child's age on the index date inside the service's age range; otherwise nothing is saved.
    """
    if (person is None) == (new_person is None):
        raise ValueError("give either an existing young person or the details of a new one")
    born = person.date_of_birth if person else (new_person or {}).get("date_of_birth")
    errors = cohort_member_errors(service, index_outcome, born=born, new=person is None)
    if errors:
        raise ValidationError(errors)
    if person is None:
        person = create_young_person(by=by, service=service, **new_person)
    elif person.service_id != service.pk:
        raise ValidationError("This young person belongs to another service.")
    outcome = add_outcome(by=by, person=person, **index_outcome)
    return person, outcome


def new_assessment(*, person: YoungPerson, **values: Any) -> NewRecord:
    return _new(
        Assessment(person=person, **values), service=person.service, object_type="assessment", summary=lambda a: f"Recorded assessment for young person {a.person.pk}"
    )


@transaction.atomic
def add_assessment(*, by, person: YoungPerson, **values: Any) -> Assessment:
    return create_records(by=by, records=[new_assessment(person=person, **values)])[0]


def new_review_action(*, by, person: YoungPerson, **values: Any) -> NewRecord:
    """``by`` raises the action (it is also who :func:`create_records` must be called by)."""
    return _new(
        ReviewAction(person=person, raised_by=by, **values),
        service=person.service,
        object_type="review_action",
        summary=lambda a: f"Raised {a.get_action_display().lower()} action ({a.get_status_display()}) for young person {a.person.pk}",
    )


@transaction.atomic
def add_review_action(*, by, person: YoungPerson, **values: Any) -> ReviewAction:
    return create_records(by=by, records=[new_review_action(by=by, person=person, **values)])[0]


@transaction.atomic
def change_action_status(
    *, by, action: ReviewAction, status: str, expected_version: int, completed_on: dt.date | None = None, notes: str | None = None
) -> ReviewAction:
    """Change an action's status, unless someone changed it since ``expected_version`` was read."""
    current = ReviewAction.objects.select_for_update().get(pk=action.pk)
    if current.version != expected_version:
        raise StaleEdit(
            f"This action was changed by someone else (now: {current.get_status_display()}). "
            "Check the current status and try again."
        )
    values = {"status": status, "completed_on": completed_on if status == "completed" else None}
    if notes is not None:
        values["notes"] = notes
    changes = _changes(current, ["status", "completed_on", "notes"], values)
    for field, value in values.items():
        setattr(current, field, value)
    current.full_clean()
    updated = ReviewAction.objects.filter(pk=current.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if updated != 1:  # pragma: no cover — guarded by the row lock above
        raise StaleEdit("This action was changed by someone else. Check it and try again.")
    current.refresh_from_db()
    audit(
        by=by,
        verb="update",
        service=current.person.service,
        object_type="review_action",
        object_ids=[current.pk],
        summary=f"Changed action {current.pk} to {current.get_status_display()}",
        changes=changes,
    )
    return current


def record_view(*, by, person: YoungPerson) -> None:
    audit(by=by, verb="view", service=person.service, object_type="young_person", object_ids=[person.pk], summary=f"Viewed young person {person.pk}")


def record_list_view(*, by, service: Service, object_ids: Iterable[Any], summary: str) -> None:
    """Audit a page that lists named children: which ones it showed (ids, never names)."""
    ids = sorted({int(pk) for pk in object_ids})
    audit(by=by, verb="view", service=service, object_type="young_person", object_ids=ids, summary=f"{summary} ({len(ids)} children shown)")


def record_export(*, by, service: Service, purpose: str, object_type: str, object_ids: Iterable[Any], summary: str) -> None:
    audit(by=by, verb="export", service=service, object_type=object_type, object_ids=object_ids, summary=summary, purpose=purpose)


# Reference figures ---------------------------------------------------------------------------


@transaction.atomic
def load_reference_figures(*, by, figures, file_name: str) -> dict[str, int]:
    """Save figures read by :func:`reoffkit.reference.parse_reference_csv`: new ones are added and
    one for the same area, cohort basis and period is replaced. All or nothing; audited."""
    added = replaced = unchanged = 0
    loaded_ids = []
    for figure in figures:
        values = figure.as_dict()
        existing = ReferenceFigure.objects.filter(
            area_key=figure.area.casefold(), cohort_basis=figure.cohort_basis, period_start=figure.period_start, period_end=figure.period_end
        ).first()
        if existing is None:
            record = ReferenceFigure(**values, loaded_by=by.get_username())
            added += 1
        elif all(getattr(existing, name) == value for name, value in values.items()):
            unchanged += 1
            continue
        else:
            record = existing
            for name, value in values.items():
                setattr(record, name, value)
            record.loaded_by = by.get_username()
            replaced += 1
        record.full_clean(exclude=["area_key"])
        record.save()
        loaded_ids.append(record.pk)
    counts = {"added": added, "replaced": replaced, "unchanged": unchanged}
    audit(
        by=by,
        verb=AuditEvent.Verb.IMPORT,
        object_type="reference figures",
        object_ids=loaded_ids,
        summary=f"Loaded reference figures from {file_name[:120]}: {added} added, {replaced} replaced, {unchanged} unchanged",
    )
    return counts


# Resettlement --------------------------------------------------------------------------------

RESETTLEMENT_FIELDS: tuple[str, ...] = (
    "accommodation_in_place", "accommodation_sustained", "ete_in_place", "ete_sustained", "health_in_place", "health_sustained",
)


def _resettlement_fields(values: dict) -> None:
    unknown = set(values) - set(RESETTLEMENT_FIELDS)
    if unknown:
        raise ValidationError(f"not resettlement fields: {', '.join(sorted(unknown))}")


@transaction.atomic
def record_resettlement(*, by, outcome: Outcome, expected_version: int | None = None, **values: Any) -> ResettlementRecord:
    """Create or change the resettlement record of a release from custody; audited with the changes.
    ``expected_version``: the version the user saw (0 for none yet); a save from a stale form is refused."""
    _resettlement_fields(values)
    record = ResettlementRecord.objects.select_for_update().filter(outcome=outcome).first()
    if expected_version is not None:
        check_version(record or ResettlementRecord(outcome=outcome, version=0), expected_version, values)
    if record is None:
        return create_records(by=by, records=[new_resettlement(outcome=outcome, **values)])[0]
    changes = _changes(record, RESETTLEMENT_FIELDS, values)
    if changes:
        record.version += 1
    for name, value in values.items():
        setattr(record, name, value)
    record.full_clean()
    record.save()
    audit(
        by=by,
        verb="update",
        service=outcome.person.service,
        object_type="resettlement",
        object_ids=[record.pk],
        summary=f"Changed resettlement {record.pk} for outcome {outcome.pk} of young person {outcome.person_id}",
        changes=changes,
    )
    return record


def new_resettlement(*, outcome: Outcome, **values: Any) -> NewRecord:
    """The resettlement record of a release from custody (the outcome may itself be new), audited
    with its values."""
    _resettlement_fields(values)
    return _new(
        ResettlementRecord(outcome=outcome, **values),
        service=outcome.person.service,
        object_type="resettlement",
        summary=lambda r: f"Recorded resettlement {r.pk} for outcome {r.outcome.pk} of young person {r.outcome.person.pk}",
        changes={k: [None, v] for k, v in values.items()},
    )


# Corrections from an import ------------------------------------------------------------------


def _audited_update(model, record, allowed: tuple[str, ...], values: dict, *, by, object_type: str, words: str, expected_version: int | None = None):
    record, changes = _update(model, record.pk, allowed, values, expected_version)
    person = record.person
    audit(
        by=by, verb="update", service=person.service, object_type=object_type, object_ids=[record.pk],
        summary=f"Changed {words} {record.pk} of young person {person.pk}: {', '.join(changes) or 'no change'}", changes=changes,
    )
    return record


@transaction.atomic
def update_outcome(*, by, outcome: Outcome, expected_version: int | None = None, **values: Any) -> Outcome:
    """Correct an offence and its outcome: any of :data:`OUTCOME_FIELDS` (an import corrects only
    the offence type, gravity and breach, as its dates and type identify the record)."""
    return _audited_update(Outcome, outcome, OUTCOME_FIELDS, values, by=by, object_type="outcome", words="outcome", expected_version=expected_version)


ASSESSMENT_FIELDS: tuple[str, ...] = ("assessment_date", "tool", "score", "likelihood_band", "intervention_level")


@transaction.atomic
def update_assessment(*, by, assessment: Assessment, expected_version: int | None = None, **values: Any) -> Assessment:
    """Correct an assessment (an import corrects only its score, band and level: its date and tool identify it)."""
    return _audited_update(
        Assessment, assessment, ASSESSMENT_FIELDS, values, by=by, object_type="assessment", words="assessment", expected_version=expected_version
    )


ACTION_FIELDS: tuple[str, ...] = ("raised_on", "trigger", "action", "status", "owner", "due_on", "completed_on", "notes")


@transaction.atomic
def update_review_action(*, by, review_action: ReviewAction, expected_version: int | None = None, **values: Any) -> ReviewAction:
    """Correct a review action: any of :data:`ACTION_FIELDS`."""
    return _audited_update(
        ReviewAction, review_action, ACTION_FIELDS, values, by=by, object_type="review_action", words="action", expected_version=expected_version
    )


def _delete(model, record, fields: tuple[str, ...], *, by, reason: str, expected_version: int | None, object_type: str, words: str, extra=None):
    """Delete a record entered in error: the audit event keeps every value it had and the reason."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": "Enter why this record is being deleted (at least 5 characters)."})
    current = model.objects.select_for_update().select_related("person__service").get(pk=record.pk)
    check_version(current, expected_version, {})
    kept = {field: [_plain(getattr(current, field)), None] for field in fields}
    kept.update(extra(current) if extra else {})
    person = current.person
    pk = current.pk
    current.delete()
    audit(
        by=by, verb="delete", service=person.service, object_type=object_type, object_ids=[pk],
        summary=f"Deleted {words} {pk} of young person {person.pk}", purpose=reason[:300], changes=kept,
    )


def _resettlement_kept(outcome: Outcome) -> dict:
    record = ResettlementRecord.objects.filter(outcome=outcome).first()
    return {f"resettlement.{name}": [getattr(record, name), None] for name in RESETTLEMENT_FIELDS} if record else {}


@transaction.atomic
def delete_outcome(*, by, outcome: Outcome, reason: str, expected_version: int | None = None) -> None:
    """Delete an offence and its outcome (and its resettlement record) entered in error; it stops
    counting at once. The audit event keeps what was there and why it went."""
    _delete(Outcome, outcome, OUTCOME_FIELDS, by=by, reason=reason, expected_version=expected_version, object_type="outcome", words="outcome", extra=_resettlement_kept)


@transaction.atomic
def delete_assessment(*, by, assessment: Assessment, reason: str, expected_version: int | None = None) -> None:
    _delete(Assessment, assessment, ASSESSMENT_FIELDS, by=by, reason=reason, expected_version=expected_version, object_type="assessment", words="assessment")


@transaction.atomic
def save_column_mapping(*, by, service: Service, mapping: dict) -> ColumnMapping:
    """Save the service's column mapping (replacing any before); audited with what it maps."""
    record, created = ColumnMapping.objects.select_for_update().get_or_create(service=service)
    before = record.mapping
    record.mapping = mapping
    record.full_clean()
    record.save()
    audit(
        by=by, verb="create" if created else "update", service=service, object_type="column mapping", object_ids=[record.pk],
        summary=f"Saved the column mapping of {service.name}", changes={"before": before, "after": mapping} if not created else {"after": mapping},
    )
    return record
