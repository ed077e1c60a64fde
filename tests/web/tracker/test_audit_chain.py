"""The audit log cannot be rewritten unnoticed: REPLACE (SQLite) and TRUNCATE (PostgreSQL) are
refused like UPDATE and DELETE; every event is chained to the one before by a hash; `reoffkit audit
verify` finds a rewrite, a deletion or an insertion and says where; concurrent writers never fork
the chain; the bulk path writes a chained batch in a few statements; a database role with only
INSERT and SELECT on the audit table runs the application (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import threading
from pathlib import Path

import pytest
from audit_triggers import ensure_append_only, lift_append_only
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from reoffkit.cli import main
from reoffkit.web.tracker import actions, auditchain
from reoffkit.web.tracker.models import AuditEvent

DOCS = Path(__file__).resolve().parents[3] / "docs"
postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only")
sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite only")


def events() -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("id"))


def forged(after: AuditEvent, like: AuditEvent, **changes) -> AuditEvent:
    """``like`` with ``changes``, hashed as the event after ``after`` (as someone who knows how the
    chain is made and writes straight to the table would make it)."""
    values = {name: getattr(like, name) for name in auditchain.CONTENT if name != "seq"}
    event = AuditEvent(**{**values, **changes})
    auditchain.link([event], (after.seq, after.hash))
    return event


# Chaining -------------------------------------------------------------------------------------


def test_each_event_hashes_its_content_and_the_hash_before(world):
    first, second, *rest = events()
    assert [e.seq for e in events()] == list(range(1, len(rest) + 3))
    # The first event, worked by hand: SHA-256 of 64 zeros, a newline and its content as sorted,
    # compact JSON (time in UTC to the microsecond).
    content = {
        "at": first.at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
        "changes": {},
        "object_ids": [str(world.northmoor.pk)],
        "object_type": "service",
        "purpose": "",
        "role": "",
        "seq": 1,
        "service_id": world.northmoor.pk,
        "summary": "Created service Northmoor",
        "user_id": None,
        "username": "test-setup",
        "verb": "create",
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert first.prev_hash == "0" * 64
    assert first.hash == hashlib.sha256(("0" * 64 + "\n" + text).encode()).hexdigest()
    assert second.prev_hash == first.hash and second.seq == 2
    result = auditchain.verify()
    assert result.ok and result.events == len(rest) + 2 and (result.head_seq, result.head_hash) == (rest[-1].seq, rest[-1].hash)


def test_the_bulk_path_chains_a_batch_in_a_few_statements(world):
    before = auditchain.head()
    with CaptureQueriesContext(connection) as queries:
        made = actions.audit_many(
            by=world.users["percy"],
            events=[dict(verb="create", service=world.northmoor, object_type="outcome", object_ids=[n], summary=f"Created outcome {n}") for n in range(1200)],
        )
    # One lock (PostgreSQL), one read of the head, and inserts of many events each (at most 500;
    # SQLite's limit of 999 values per statement allows 71 events of 14 columns).
    statements = [q["sql"].split(None, 1)[0].upper() for q in queries]
    assert statements.count("SELECT") == 1 + (connection.vendor == "postgresql"), statements
    assert set(statements) <= {"SELECT", "INSERT"} and statements.count("INSERT") <= 1200 // 70, statements
    assert [e.seq for e in made] == list(range(before[0] + 1, before[0] + 1201)) and made[0].prev_hash == before[1]
    stored = AuditEvent.objects.filter(seq__gt=before[0]).order_by("seq")
    assert [e.hash for e in stored] == [e.hash for e in made] and stored.last().role == "performance"
    assert auditchain.verify().ok


# The database refuses ---------------------------------------------------------------------------


@sqlite_only
def test_sqlite_refuses_replace_into_over_an_event(world):
    ensure_append_only()
    event = AuditEvent.objects.order_by("id").first()
    for verb in ("REPLACE", "INSERT OR REPLACE"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"{verb} INTO tracker_auditevent (id, at, username, role, verb, object_type, object_ids, summary, purpose, changes, prev_hash, hash)"
                " VALUES (%s, %s, 'intruder', '', 'view', '', '[]', 'nothing to see', '', '{}', '', '')",
                [event.pk, event.at.isoformat()],
            )
    event.refresh_from_db()
    assert event.summary == "Created service Northmoor"


@postgresql_only
def test_postgresql_refuses_truncate(world):
    ensure_append_only()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own transaction has checks pending
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE tracker_auditevent")
    assert AuditEvent.objects.exists()


# Verification finds and places every change -----------------------------------------------------


def test_verify_finds_a_rewrite_a_deletion_and_insertions_and_says_where(world):
    chain = events()
    assert len(chain) >= 8
    lift_append_only()  # as someone with the table owner's rights would (rolled back with the test)
    AuditEvent.objects.filter(pk=chain[2].pk).update(summary="Viewed nothing")
    AuditEvent.objects.filter(pk=chain[4].pk).delete()
    AuditEvent.objects.bulk_create([forged(chain[5], like=chain[6], summary="Viewed young person 1")])  # a second position 7
    AuditEvent.objects.bulk_create([AuditEvent(username="intruder", verb="view", summary="Viewed young person 1")])  # outside the chain
    ensure_append_only()
    findings = auditchain.verify().findings
    words = [str(f) for f in findings]
    assert [(f.event_id, f.seq) for f in findings] == [
        (chain[2].pk, 3),  # rewritten
        (chain[5].pk, 6),  # the event after the deleted one: position 5 is missing
        (findings[2].event_id, 7),  # the forged copy of position 7
        (findings[3].event_id, None),  # the unchained row
    ], words
    assert "changed after it was written" in words[0]
    assert f"position 5 missing after event {chain[3].pk}, before event {chain[5].pk}" in words[1] and "deleted" in words[1]
    assert f"claims position 7, which event {chain[6].pk} holds" in words[2] and "inserted" in words[2]
    assert "inserted outside reoffkit" in words[3]


def test_a_rewrite_with_its_own_hash_recomputed_breaks_the_link_after_it(world):
    chain = events()
    lift_append_only()
    rewritten = forged(chain[1], like=chain[2], summary="Viewed nothing")  # position 3, its hash recomputed
    AuditEvent.objects.filter(pk=chain[2].pk).update(summary=rewritten.summary, hash=rewritten.hash)
    ensure_append_only()
    findings = auditchain.verify().findings
    assert [(f.event_id, f.seq) for f in findings] == [(chain[3].pk, 4)]
    assert f"does not follow on from event {chain[2].pk}" in str(findings[0])


def test_deleting_the_newest_events_is_caught_by_a_recorded_head(world, capsys):
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    position, digest = re.search(r"Head: (\d+):([0-9a-f]{64})", out).groups()
    assert "whole" in out and int(position) == AuditEvent.objects.count()
    actions.audit(by=world.users["mandy"], verb="view", summary="Viewed young person 1")
    assert main(["audit", "verify", "--anchor", f"{position}:{digest}"]) == 0
    lift_append_only()
    AuditEvent.objects.filter(seq__gte=int(position)).delete()  # the newest two go; the rest is a whole chain
    ensure_append_only()
    assert auditchain.verify().ok
    assert main(["audit", "verify", "--anchor", f"{position}:{digest}"]) == 1
    err = capsys.readouterr().err
    assert f"position {position}, recorded earlier as {digest[:16]}…, is no longer in the log: deleted" in err
    with pytest.raises(SystemExit) as refused:
        main(["audit", "verify", "--anchor", "12:nothex"])
    assert refused.value.code == 2 and "is not a head printed by" in capsys.readouterr().err


# Concurrent writers --------------------------------------------------------------------------


@postgresql_only
def test_concurrent_writers_never_fork_the_chain(transactional_db):
    """Four threads, each with its own connection, write 25 events each in transactions of their
    own (some one at a time, some as a batch) at once: 100 events, positions 1–100, one chain."""
    from django.db import connections

    start = threading.Barrier(4)
    failures = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for n in range(20):
                actions.audit(by=f"writer-{number}", verb="view", summary=f"Viewed young person {n}")
            actions.audit_many(by=f"writer-{number}", events=[dict(verb="view", summary=f"Viewed young person {n}") for n in range(5)])
        except Exception as error:  # reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failures, failures
        assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 101))
        assert auditchain.verify().ok
    finally:
        lift_append_only()  # the test database is emptied after a transactional test


# Least privilege (PostgreSQL) ------------------------------------------------------------------


def documented_grants() -> list[str]:
    """The grants of docs/threat-model.md, statement by statement."""
    text = (DOCS / "threat-model.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- grants -->\s*```sql\n(.*?)```", text, re.S).group(1)
    return [s.strip() for s in block.split(";") if s.strip() and not s.strip().startswith("--")]


@postgresql_only
def test_a_role_with_only_insert_and_select_on_the_audit_table_runs_the_application(world):
    """The documented grants, to a role made for this test (rolled back with it): the application's
    writes, audits and checks work as that role; changing the audit log in any way is refused."""
    role = f"reoffkit_app_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        for statement in documented_grants():
            cursor.execute(statement.replace("reoffkit_app", role))
        cursor.execute(f"SET ROLE {role}")
    try:
        actions.add_outcome(by=world.users["pat"], person=world.ned, outcome_type="fine", offence_date=world.ned.outcomes.first().offence_date, outcome_date=dt.date.today())
        actions.audit_many(by=world.users["pat"], events=[dict(verb="view", summary="Viewed young person 1")] * 3)
        assert auditchain.verify().ok
        refused = {
            "UPDATE tracker_auditevent SET summary = 'x'": "permission denied",
            "DELETE FROM tracker_auditevent": "permission denied",
            "TRUNCATE tracker_auditevent": "permission denied",
            "ALTER TABLE tracker_auditevent DISABLE TRIGGER ALL": "must be owner",
            "DROP TRIGGER tracker_auditevent_no_change ON tracker_auditevent": "must be owner",
        }
        for statement, words in refused.items():
            with pytest.raises(DatabaseError, match=words), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


# The migration ------------------------------------------------------------------------------


def test_the_migration_chains_the_events_already_there_and_keeps_the_guards(transactional_db):
    """Events written before the chain existed get their positions and hashes in id order, and
    the append-only triggers are in place afterwards (SQLite drops them when it rebuilds a table)."""
    from django.db.migrations.executor import MigrationExecutor

    before_chain = [("tracker", "0008_shipped_reference_sources")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before_chain)
        old = MigrationExecutor(connection).loader.project_state(before_chain).apps.get_model("tracker", "AuditEvent")
        for n in range(3):
            old.objects.create(username=f"user{n}", verb="view", summary=f"Viewed young person {n}", object_ids=[str(n)], changes={"seen": [n]})
        MigrationExecutor(connection).migrate(latest)
        chained = list(AuditEvent.objects.order_by("id"))
        assert [(e.username, e.seq) for e in chained] == [("user0", 1), ("user1", 2), ("user2", 3)]
        assert chained[0].prev_hash == auditchain.GENESIS and chained[2].prev_hash == chained[1].hash
        assert auditchain.verify().ok
        actions.audit(by="after-the-migration", verb="view", summary="Viewed young person 9")
        assert AuditEvent.objects.order_by("id").last().seq == 4 and auditchain.verify().ok
        for change in (lambda: AuditEvent.objects.filter(pk=chained[0].pk).update(summary="x"), lambda: AuditEvent.objects.all().delete()):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                change()
    finally:
        MigrationExecutor(connection).migrate(latest)
        lift_append_only()  # the test database is emptied after a transactional test
