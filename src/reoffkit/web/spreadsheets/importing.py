"""Importing a case file into a service: plan every change first, then make them all or none.

A plan compares the file (read and validated by :mod:`reoffkit.casefile`) with the service's
records:

- a child is the same child when the local ID matches the file's ``person_id``, else when a non-empty
  PNC ID matches (then the local ID is corrected to the file's); otherwise the child is new;
- an outcome is the same outcome when its child, offence date, outcome type, outcome date and
  release date match; then only its offence type, gravity and breach can change;
- an assessment is the same when its date and tool match (score, band and level can change);
- a review action is the same when its date raised, trigger and action match (nothing changes
  through an import: the status is changed on the record, where it is versioned); a new one keeps
  its notes, and its owner when the file names (by user name) an active user of the service —
  any other name is a warning and the action has no owner;
- a resettlement record is matched to its release as in the case file.

Nothing is deleted unless the import is a **full** re-import (``full=True``: the file holds every
record of the service): then an outcome or assessment of the service that no row of the file
matches is planned as removed, listed in the preview like every other change, and deleted through
the audited actions with the file named as the reason (ADR 13). Otherwise records in the service
that the file does not hold are counted in the plan and left alone. Committing applies the plan
through the actions (each change validated, every new record before the first write, and each
audited), plus one "import" audit event with the counts: in one transaction when it is small
(up to :data:`BATCH` changes), in transactions of at most :data:`BATCH_SECONDS` when it is large,
so that the service goes on working meanwhile (:func:`commit_import`); re-importing the same file
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

import polars as pl
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from reoffkit.casefile import Problem
from reoffkit.engine import codes
from reoffkit.engine.schema import RESETTLEMENT_FACTORS
from reoffkit.web.tracker import actions
from reoffkit.web.tracker.models import AuditEvent, Service, YoungPerson

PERSON_FIELDS = (
    "pnc_id", "date_of_birth", "sex", "ethnicity", "ethnicity_scheme", "ethnicity_detail", "looked_after", "district", "yot_caseload", "adult_offending_checked",
)
OUTCOME_CHANGEABLE = ("offence_type", "gravity", "breach")
NAME_NOT_GIVEN = "(not in file)"


@dataclass
class Change:
    """One change of a plan. ``new(by)`` makes and validates the records it creates (nothing is
    written: :func:`commit_import` calls it for every change before the first write); ``apply(by)``
    makes any other change, once those records are written."""

    kind: str  # new child | changed child | new outcome | changed outcome | new assessment | changed assessment | new action | resettlement
    person_id: str
    detail: str
    apply: Callable[[object], None] | None = field(repr=False, default=None)
    new: Callable[[object], list] | None = field(repr=False, default=None)


@dataclass
class ImportPlan:
    service: Service
    source: str
    problems: tuple = ()
    changes: list[Change] = field(default_factory=list)
    unchanged: dict[str, int] = field(default_factory=dict)
    not_in_file: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for change in self.changes:
            found[change.kind] = found.get(change.kind, 0) + 1
        return found

    def fingerprint(self) -> str:
        """What this plan would change, as a short digest: a commit whose re-plan gives another
        fingerprint than the preview showed is refused (the records changed meanwhile)."""
        import hashlib

        digest = hashlib.sha256()
        for change in self.changes:
            digest.update(f"{change.kind}\x1f{change.person_id}\x1f{change.detail}\x1e".encode())
        return digest.hexdigest()[:32]

    def summary(self) -> str:
        made = ", ".join(describe(self.counts())) or "no changes"
        same = ", ".join(f"{n} {kind}" for kind, n in self.unchanged.items() if n)
        return made + (f"; unchanged: {same}" if same else "")


def describe(counts: dict[str, int]) -> list[str]:
    """["3 new children", "1 changed outcome", …] in a stable order."""

    def words(kind: str, n: int) -> str:
        if n == 1:
            return kind
        return kind[: -len("child")] + "children" if kind.endswith("child") else kind + "s"

    return [f"{n:,} {words(kind, n)}" for kind, n in sorted(counts.items())]


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def plan_import(service: Service, case_file, *, full: bool = False) -> ImportPlan:
    """Every change importing ``case_file`` into ``service`` would make (nothing is written);
    ``full``: the file is the service's whole case file, so records it lacks are to be removed."""
    plan = ImportPlan(service=service, source=case_file.source, problems=case_file.problems)
    if not plan.ok:
        return plan
    people_frame = case_file.people
    if "service" in people_frame.columns and people_frame["service"].drop_nulls().n_unique() > 1:
        names = sorted(people_frame["service"].drop_nulls().unique().to_list())
        if service.name in names:
            people_frame = people_frame.filter(pl.col("service").is_null() | (pl.col("service") == service.name))
    existing = list(YoungPerson.objects.filter(service=service).select_related("district"))
    by_local = {p.local_id: p for p in existing}
    by_pnc = {p.pnc_id: p for p in existing if p.pnc_id}
    districts = {d.name: d for d in service.districts.all()}
    matched: dict[str, YoungPerson | None] = {}
    made: dict[str, YoungPerson] = {}
    unchanged = {"children": 0, "outcomes": 0, "assessments": 0, "review actions": 0, "resettlement records": 0}

    def district_for(name: str | None) -> tuple[object, list]:
        """The district called ``name``, and the record to create when it is new (the first
        change that names it, in plan order, creates it)."""
        if not name:
            return None, []
        if name not in districts:
            made_district = actions.new_district(service=service, name=name)
            districts[name] = made_district.instance
            return made_district.instance, [made_district]
        return districts[name], []

    for row in people_frame.iter_rows(named=True):
        pid = row["person_id"]
        person = by_local.get(pid) or (by_pnc.get(row["pnc_id"]) if row["pnc_id"] else None)
        matched[pid] = person
        values = {
            "pnc_id": row["pnc_id"] or "",
            "date_of_birth": row["date_of_birth"],
            "sex": row["sex"] or "not known",
            "ethnicity": row["ethnicity"] or "Not known",
            "ethnicity_scheme": row.get("ethnicity_scheme") or codes.DEFAULT_ETHNICITY_SCHEME,
            "ethnicity_detail": row.get("ethnicity_detail") or "",
            "looked_after": bool(row["looked_after"]),
            "district": row["district"],
            "yot_caseload": row["yot_caseload"] is not False,
            "adult_offending_checked": bool(row.get("adult_offending_checked")),
        }
        if person is None:
            first, last = row.get("first_name") or NAME_NOT_GIVEN, row.get("last_name") or pid

            def create(by, pid=pid, values=values, first=first, last=last):
                district, records = district_for(values["district"])
                child = actions.new_young_person(service=service, local_id=pid, first_name=first, last_name=last, **{**values, "district": district})
                made[pid] = child.instance
                return [*records, child]

            plan.changes.append(Change("new child", pid, f"born {values['date_of_birth']:%-d %b %Y}", new=create))
            continue
        before = {name: getattr(person, name) for name in PERSON_FIELDS}
        before["district"] = person.district.name if person.district else None
        if person.local_id != pid:
            before["local_id"], values["local_id"] = person.local_id, pid
        differences = {name: (before[name], values[name]) for name in values if before.get(name) != values[name]}
        if not differences:
            unchanged["children"] += 1
            continue

        wanted = {name: after for name, (_, after) in differences.items()}
        chosen: dict = {}

        def new_district(by, wanted=wanted, chosen=chosen):
            if "district" not in wanted:
                return []
            chosen["district"], records = district_for(wanted["district"])
            return records

        def update(by, person=person, wanted=wanted, chosen=chosen):
            actions.update_young_person(by=by, person=person, **{**wanted, **chosen})

        words = _changed_words(differences)
        plan.changes.append(Change("changed child", pid, words, update, new_district))

    def person_of(pid: str) -> YoungPerson | None:
        return made.get(pid) or matched.get(pid)

    # a full re-import compares with every child of the service, so that records of a child
    # missing from the file are removed too
    pool = {**{f"\0{p.pk}": p for p in existing}, **matched} if full else matched
    releases: dict[tuple, object] = {}  # (child, release date) → the first new outcome of a new child with that release
    left = _plan_outcomes(plan, case_file.outcomes, matched, person_of, unchanged, pool, releases)
    left_assessments = _plan_assessments(plan, case_file.assessments, matched, person_of, unchanged, pool)
    if full:
        _plan_removals(plan, left, left_assessments)
    _plan_actions(plan, case_file.actions, matched, person_of, unchanged, _owners(service, case_file.actions, plan))
    _plan_resettlement(plan, case_file.resettlement, matched, person_of, unchanged, releases)
    plan.unchanged = unchanged
    in_file = {p.pk for p in matched.values() if p is not None}
    plan.not_in_file = {"children": sum(1 for p in existing if p.pk not in in_file)}
    return plan


def _changed_words(differences: dict) -> str:
    """"sex: male → female; gravity: 3 → 8" for the preview."""
    return "; ".join(f"{name.replace('_', ' ')}: {_shown(before)} → {_shown(after)}" for name, (before, after) in differences.items())


def _shown(value) -> str:
    if value is None or value == "":
        return "blank"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return f"{value:%-d %b %Y}"
    return str(value)


def _existing(matched, related: str, key: Callable) -> dict[tuple, list]:
    """Existing records of the matched children, by (person pk, natural key): a list, since three
    offences dealt with at one hearing can share every date and type."""
    found: dict[tuple, list] = {}
    for person in {p.pk: p for p in matched.values() if p is not None}.values():
        for record in getattr(person, related).order_by("pk"):
            found.setdefault((person.pk, key(record)), []).append(record)
    return found


def _take(existing: dict[tuple, list], person, key):
    """The next unmatched existing record with this key (each matches one row of the file)."""
    if person is None:
        return None
    records = existing.get((person.pk, key))
    return records.pop(0) if records else None


def _plan_outcomes(plan, outcomes: pl.DataFrame, matched, person_of, unchanged, pool, releases: dict) -> dict:
    def key(o):
        return (o.offence_date, o.outcome_type, o.outcome_date, o.release_date)

    existing = _existing(pool, "outcomes", key)
    for row in outcomes.sort("offence_date", "outcome_id").iter_rows(named=True):
        pid = row["person_id"]
        person = matched.get(pid)
        values = {"offence_type": row["offence_type"] or "", "gravity": row["gravity"], "breach": bool(row["breach"])}
        record = _take(existing, person, (row["offence_date"], row["outcome_type"], row["outcome_date"], row["release_date"]))
        if record is None:

            def create(by, row=row, pid=pid, values=values, new_child=person is None):
                outcome = actions.new_outcome(
                    person=person_of(pid), offence_date=row["offence_date"], outcome_date=row["outcome_date"],
                    outcome_type=row["outcome_type"], release_date=row["release_date"],
                    recorded_on=row["recorded_on"] or row["outcome_date"] or row["offence_date"], **values,
                )
                if new_child and row["release_date"]:
                    releases.setdefault((pid, row["release_date"]), outcome.instance)
                return [outcome]

            plan.changes.append(Change("new outcome", pid, f"{row['outcome_type'].replace('_', ' ')}, offence on {row['offence_date']:%-d %b %Y}", new=create))
            continue
        _plan_correction(plan, unchanged, "outcome", pid, record, values, lambda by, record, **new: actions.update_outcome(by=by, outcome=record, **new))
    return existing


def _plan_correction(plan, unchanged, kind: str, pid: str, record, values: dict, update) -> None:
    """A matched record: count it unchanged, or plan the fields that differ (``update(by, record, **new)``)."""
    differences = {name: (_plain(getattr(record, name)), value) for name, value in values.items() if _plain(getattr(record, name)) != value}
    if not differences:
        unchanged[f"{kind}s"] += 1
        return

    def apply(by, record=record, differences=differences):
        update(by, record, **{name: after for name, (_, after) in differences.items()})

    plan.changes.append(Change(f"changed {kind}", pid, _changed_words(differences), apply))


def _plan_assessments(plan, assessments: pl.DataFrame, matched, person_of, unchanged, pool) -> dict:
    existing = _existing(pool, "assessments", lambda a: (a.assessment_date, a.tool))
    for row in assessments.iter_rows(named=True):
        pid = row["person_id"]
        person = matched.get(pid)
        score = None if row["score"] is None else round(float(row["score"]), 1)
        values = {"score": score, "likelihood_band": row["likelihood_band"], "intervention_level": row["intervention_level"]}
        record = _take(existing, person, (row["assessment_date"], row["tool"]))
        if record is None:

            def create(by, row=row, pid=pid, values=values):
                return [actions.new_assessment(person=person_of(pid), assessment_date=row["assessment_date"], tool=row["tool"], **values)]

            plan.changes.append(Change("new assessment", pid, f"{row['tool']} on {row['assessment_date']:%-d %b %Y}", new=create))
            continue
        _plan_correction(
            plan, unchanged, "assessment", pid, record, values, lambda by, record, **new: actions.update_assessment(by=by, assessment=record, **new)
        )
    return existing


def _plan_removals(plan, outcomes: dict, assessments: dict) -> None:
    """Records of the service that no row of a full re-import matched: each planned as removed."""
    reason = f"Not in the full re-import of {plan.source.rsplit('/', 1)[-1][:120]}"
    for records in outcomes.values():
        for outcome in records:
            detail = f"{outcome.outcome_type_label.lower()}, offence on {outcome.offence_date:%-d %b %Y}"
            plan.changes.append(
                Change("removed outcome", outcome.person.local_id, detail, lambda by, o=outcome: actions.delete_outcome(by=by, outcome=o, reason=reason))
            )
    for records in assessments.values():
        for assessment in records:
            detail = f"{assessment.tool} on {assessment.assessment_date:%-d %b %Y}"
            plan.changes.append(
                Change("removed assessment", assessment.person.local_id, detail, lambda by, a=assessment: actions.delete_assessment(by=by, assessment=a, reason=reason))
            )


def _owners(service: Service, review_actions: pl.DataFrame, plan: ImportPlan) -> dict[str, object]:
    """User name → user, for the owners the file names who are active users of ``service``; each
    other name is a warning (the action is imported without an owner)."""
    from django.contrib.auth import get_user_model

    from reoffkit.web.tracker.permissions import services_of

    names = sorted(review_actions["owner"].drop_nulls().unique().to_list())
    users = get_user_model().objects.filter(username__in=names, is_active=True)
    found = {user.username: user for user in users if services_of(user).filter(pk=service.pk).exists()}
    plan.problems = tuple(plan.problems) + tuple(
        Problem(
            "actions", None, "owner", name,
            f"the user name of a user of {service.name} (there is none called this: its actions are imported without an owner)", "warning",
        )
        for name in names
        if name not in found
    )
    return found


def _plan_actions(plan, review_actions: pl.DataFrame, matched, person_of, unchanged, owners: dict | None = None) -> None:
    owners = owners or {}
    existing = _existing(matched, "review_actions", lambda a: (a.raised_on, a.trigger, a.action))
    for row in review_actions.iter_rows(named=True):
        pid = row["person_id"]
        person = matched.get(pid)
        if _take(existing, person, (row["raised_on"], row["trigger"], row["action"])) is not None:
            unchanged["review actions"] += 1
            continue

        def create(by, row=row, pid=pid):
            return [
                actions.new_review_action(
                    by=by, person=person_of(pid), raised_on=row["raised_on"], trigger=row["trigger"], action=row["action"], status=row["status"],
                    owner=owners.get(row["owner"]), due_on=row["due_on"], completed_on=row["completed_on"] if row["status"] == "completed" else None,
                    notes=row["notes"] or "",
                )
            ]

        plan.changes.append(Change("new review action", pid, f"{row['action'].replace('_', ' ')} raised {row['raised_on']:%-d %b %Y}", new=create))


def _plan_resettlement(plan, resettlement: pl.DataFrame, matched, person_of, unchanged, releases: dict) -> None:
    """``releases``: filled as the new outcomes are made (before the resettlement records, in plan
    order), the release each new child's resettlement record belongs to, so that it is created
    with the other new records rather than looked up and saved on its own."""
    for row in resettlement.iter_rows(named=True):
        pid = row["person_id"]
        person = matched.get(pid)
        values = {f: row[f] or "not known" for f in RESETTLEMENT_FACTORS}
        words = f"release on {row['release_date']:%-d %b %Y}"
        if person is None:

            def create(by, pid=pid, release_date=row["release_date"], values=values):
                release = releases.get((pid, release_date))
                if release is None:
                    raise ValidationError(f"{pid} has no release from custody on {release_date:%-d %b %Y} for a resettlement record")
                return [actions.new_resettlement(outcome=release, **values)]

            plan.changes.append(Change("resettlement record", pid, words, new=create))
            continue
        release = person.outcomes.filter(release_date=row["release_date"]).select_related("resettlement").order_by("pk").first()
        record = getattr(release, "resettlement", None) if release else None
        if record is not None and all(getattr(record, f) == v for f, v in values.items()):
            unchanged["resettlement records"] += 1
            continue

        def apply(by, row=row, pid=pid, values=values):
            release = person_of(pid).outcomes.filter(release_date=row["release_date"]).order_by("pk").first()
            actions.record_resettlement(by=by, outcome=release, **values)

        plan.changes.append(Change("resettlement record", pid, words, apply))


#: An import of up to this many changes is written in one transaction: all or nothing.
BATCH = 200

#: The longest a batch of a larger import holds the lock every audited write needs, in seconds: a
#: batch ends at the first chunk of changes (records inserted :data:`actions.INSERT_ROWS` at a
#: time) that brings it to this long. On SQLite that is the database's one write lock; on
#: PostgreSQL the audit chain's lock (every audited action, viewing a child's record too, waits
#: for it). A writer that arrives while a batch is written waits for the rest of it.
BATCH_SECONDS = 0.25

#: On SQLite, the least time between two batches of a large import, in seconds. SQLite has one
#: write lock and no queue for it: a writer kept waiting by the busy timeout tries again after 1,
#: 2, 5, … ms and then every 100 ms. An import that began its next batch the moment it committed
#: one would win every time and lock the others out until it ended; a gap longer than that 100 ms
#: lets every waiting writer in first (PostgreSQL queues its lock waits, so it needs none). What
#: the import does between batches (reporting progress) counts towards the gap.
GAP_SQLITE = 0.11


class ImportStopped(Exception):
    """An import stopped by a failure after ``done`` of ``total`` changes were made and kept;
    importing the same file again makes the rest (changes already made are matched, not repeated)."""

    def __init__(self, done: int, total: int, cause: BaseException):
        super().__init__(f"stopped after {done} of {total} changes ({type(cause).__name__})")
        self.done, self.total, self.cause = done, total, cause


def commit_import(
    plan: ImportPlan, *, by, progress: Callable[[int, int], None] | None = None, via: str = "", batch: int | None = None
) -> dict[str, int]:
    """Apply every change of ``plan`` and audit the import.

    First every record the plan creates is made and validated (``full_clean``), before anything is
    written: a record that fails stops the import with nothing written. Then they are written with
    one ``INSERT`` for up to :data:`actions.INSERT_ROWS` records and their audit events chained in
    one go at the end of each transaction (:func:`actions.audit_many`); changes to existing records
    go through their actions one at a time.

    An import of up to :data:`BATCH` changes (or ``batch``, when given) is one transaction: all or
    nothing. A larger one is written in transactions of at most :data:`BATCH_SECONDS` (and at most
    ``batch`` changes, when given) — on SQLite at least :data:`GAP_SQLITE` apart — so that the
    service goes on working while it runs (signing in, reading and recording wait for the rest of
    one batch at most); while it runs, the service's pages say so (:mod:`reoffkit.web.jobs.imports`).
    Each batch is all or nothing, its records with their audit events; a failure stops the import,
    keeps the batches already made, audits how far it got and raises :class:`ImportStopped` —
    importing the same file again makes only the rest.

    ``via`` says how it was made when not through the signed-in web pages (the command line names
    the operating-system account that ran it beside the user it was run as)."""
    from reoffkit.web.jobs.imports import running_import

    if not plan.ok:
        raise ValueError("a case file with errors cannot be imported")
    total = len(plan.changes)
    counts = plan.counts()
    name = plan.source.rsplit("/", 1)[-1][:100]
    by_whom = f" by {by.username} via {via}" if via else ""
    extra = {"via": via} if via else {}
    # every record is made and validated, in plan order, before the first write
    try:
        records = [change.new(by) if change.new else [] for change in plan.changes]
    except ValidationError as error:  # the case file's checks passed a value the records refuse: nothing was written
        raise ImportStopped(0, total, error) from error
    if total <= (batch or BATCH):
        with transaction.atomic():
            _write(plan.changes, records, 0, total, by)
            _audit_import(plan, by, f"Imported {name}{by_whom}: {plan.summary()}", {**counts, **extra})
        if progress:
            progress(total, total)
        return counts
    done = 0
    # a caller's own transaction keeps the lock across batches anyway: then neither can help
    own = not connection.in_atomic_block
    seconds = BATCH_SECONDS if own else 0.0
    gap = GAP_SQLITE if own and connection.vendor == "sqlite" else 0.0
    audit_share = 1.5  # the audit events' time as a share of the rest of a batch's: about 1.5, measured as it goes
    with running_import(plan.service, by, total) as marker:
        try:
            while done < total:
                with transaction.atomic():
                    end, audit_share = _write(
                        plan.changes, records, done, min(total, done + batch) if batch else total, by, seconds=seconds, audit_share=audit_share
                    )
                    marker.advance(end)  # with the batch: one turn of the write lock
                committed = time.perf_counter()
                done = end
                if progress:
                    progress(done, total)
                if gap and done < total:
                    time.sleep(max(0.0, gap - (time.perf_counter() - committed)))  # other writers' turn
        except Exception as error:
            made = {}
            for change in plan.changes[:done]:
                made[change.kind] = made.get(change.kind, 0) + 1
            _audit_import(
                plan, by,
                f"Import of {name}{by_whom} stopped after {done:,} of {total:,} changes ({type(error).__name__}): "
                f"{', '.join(describe(made)) or 'no changes'} kept; importing the file again makes the rest",
                {**made, **extra, "stopped_after": done, "of": total},
            )
            raise ImportStopped(done, total, error) from error
        _audit_import(plan, by, f"Imported {name}{by_whom}: {plan.summary()}", {**counts, **extra})
    return counts


def _write(changes: list[Change], records: list[list], start: int, stop: int, by, *, seconds: float = 0.0, audit_share: float = 1.0) -> tuple[int, float]:
    """Inside a transaction, make ``changes[start:stop]`` — ending early, after a whole chunk, once
    ``seconds`` (when not 0) would have passed with the audit events written — and audit the
    records created; return where it ended and what the audit took as a share of the rest.

    Records are inserted in chunks of up to :data:`actions.INSERT_ROWS`, in plan order (a child
    before its outcomes, so they take its id); a change that is not a creation is made after the
    records before it are written. The created records' audit events are written last, in one go:
    they take about ``audit_share`` of the time the rest took (as much again, or more), so the
    batch ends when the rest has taken ``seconds / (1 + audit_share)``."""
    began = time.perf_counter()
    seconds = seconds / (1 + audit_share)
    waiting: list = []
    written: list = []

    def flush() -> None:
        if waiting:
            actions.insert_records(waiting)
            written.extend(waiting)
            waiting.clear()

    end = start
    while end < stop:
        change = changes[end]
        waiting.extend(records[end])
        end += 1
        if change.apply is not None:
            flush()
            change.apply(by)
        if len(waiting) >= actions.INSERT_ROWS:
            flush()
            if seconds and time.perf_counter() - began >= seconds:
                break  # the lock is held briefly, however busy the machine
        elif seconds and not waiting and time.perf_counter() - began >= seconds:
            break
    flush()
    rest = time.perf_counter() - began
    if written:
        actions.audit_many(by=by, events=actions.creation_events(written))
        if len(written) >= actions.INSERT_ROWS:  # too few records say little
            audit_share = (time.perf_counter() - began - rest) / rest
    return end, audit_share


def _audit_import(plan: ImportPlan, by, summary: str, changes: dict) -> None:
    with transaction.atomic():
        actions.audit(by=by, verb=AuditEvent.Verb.IMPORT, service=plan.service, object_type="case file", summary=summary[:300], changes=changes)
