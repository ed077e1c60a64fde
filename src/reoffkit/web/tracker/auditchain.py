"""The audit log's hash chain: each event's hash covers its content, its position and the hash of
the event before it, so a rewrite, a deletion or an insertion anywhere but at the very end breaks
the chain at that place, and :func:`verify` says where.

- **Writing** (``reoffkit.web.tracker.actions.audit`` and ``audit_many``, the only writers): inside
  the transaction that writes the events, :func:`lock` serialises writers (PostgreSQL: a
  transaction-level advisory lock; SQLite: the database's single write lock, which the
  ``IMMEDIATE`` transaction mode of the settings takes at the start of every transaction), then
  :func:`head` reads the last event and :func:`link` chains the new ones onto it. Concurrent
  writers therefore queue for the head; none can fork the chain.
- **Checking**: :func:`verify` (``reoffkit audit verify``) recomputes every hash in order.
- **The end of the log**: deleting the newest events leaves a shorter chain that is still whole,
  and someone able to rewrite the table could recompute every hash after a change. Both are caught
  by comparing the head with one recorded outside the database: ``reoffkit audit verify`` prints the
  head (position and hash); given earlier heads with ``--anchor``, it checks that each is still
  there unchanged. The hash is plain SHA-256 (no key), so anyone can check the chain without a
  secret, and rotating ``SECRET_KEY`` never orphans the history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Iterable

from django.db import connection

GENESIS = "0" * 64
#: The PostgreSQL advisory lock the writers of the chain queue on (an arbitrary constant).
LOCK_KEY = int.from_bytes(hashlib.sha256(b"reoffkit.audit-chain").digest()[:8], "big", signed=True)
#: What the hash covers, besides the previous hash: every column of the event but its id.
CONTENT = ("seq", "at", "user_id", "username", "role", "service_id", "verb", "object_type", "object_ids", "summary", "purpose", "changes")


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def event_hash(prev_hash: str, values: dict) -> str:
    """SHA-256 of the previous hash and the event's content (``values`` holds every name of
    :data:`CONTENT`), as canonical JSON."""
    content = {name: values[name] for name in CONTENT}
    content["at"] = _iso(content["at"])
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{text}".encode("utf-8")).hexdigest()


def as_stored(value):
    """A JSON value as the database gives it back (tuples become lists, keys strings), so the hash
    written is the hash recomputed from what is read."""
    if not value or (type(value) is list and all(type(item) is str for item in value)):  # most events' ids and changes: as they are
        return value
    return json.loads(json.dumps(value))


def lock() -> None:
    """Queue for the head of the chain until the current transaction ends (call inside one)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    # SQLite: the transaction already holds the database's only write lock (BEGIN IMMEDIATE).


def head() -> tuple[int, str]:
    """The position and hash of the last event (``(0, GENESIS)`` for an empty log). One indexed
    read, in SQL: it runs for every event written, and the ORM would take ten times as long."""
    from reoffkit.web.tracker.models import AuditEvent

    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {table} WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1")
        last = cursor.fetchone()
    return tuple(last) if last else (0, GENESIS)


def link(events: Iterable, start: tuple[int, str]) -> None:
    """Give ``events`` (unsaved, in order) their positions and hashes, after ``start``."""
    seq, previous = start
    for event in events:
        seq += 1
        event.seq = seq
        event.prev_hash = previous
        event.object_ids = as_stored(event.object_ids)
        event.changes = as_stored(event.changes)
        event.hash = previous = event_hash(previous, {name: getattr(event, name) for name in CONTENT})


# Checking -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    event_id: int | None
    seq: int | None
    words: str

    def __str__(self) -> str:
        return self.words


@dataclass
class Verification:
    events: int = 0
    head_id: int | None = None
    head_seq: int = 0
    head_hash: str = GENESIS
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def _range(first: int, last: int) -> str:
    return f"position {first}" if first == last else f"positions {first}–{last}"


def verify(anchors: dict[int, str] | None = None) -> Verification:
    """Recompute the chain from the first event to the last and list every place it is broken;
    ``anchors`` (position → hash, heads recorded earlier outside the database) must still be there."""
    from reoffkit.web.tracker.models import AuditEvent

    result = Verification()
    previous = None  # (id, seq, hash) of the last event in its place
    rows = AuditEvent.objects.order_by("id").values_list("id", "prev_hash", "hash", *CONTENT)
    for row in rows.iterator(chunk_size=2000):
        event_id, prev_hash, stored, values = row[0], row[1], row[2], dict(zip(CONTENT, row[3:]))
        seq = values["seq"]
        result.events += 1
        where = f"event {event_id} ({_iso(values['at'])[:19].replace('T', ' ')} UTC, {values['verb']} by {values['username']})"
        if seq is None or not stored:
            result.findings.append(Finding(event_id, None, f"{where} has no place in the chain: it was inserted outside reoffkit"))
            continue
        if event_hash(prev_hash, values) != stored:
            result.findings.append(Finding(event_id, seq, f"{where} at position {seq} was changed after it was written: its content no longer matches its hash"))
        expected_seq, expected_hash = (previous[1] + 1, previous[2]) if previous else (1, GENESIS)
        before = f"event {previous[0]}" if previous else "the start of the log"
        if previous and seq <= previous[1]:
            holder = AuditEvent.objects.filter(seq=seq).exclude(pk=event_id).order_by("id").values_list("id", flat=True).first()
            held = f"which event {holder} holds" if holder else f"out of order after event {previous[0]} at position {previous[1]}"
            result.findings.append(Finding(event_id, seq, f"{where} claims position {seq}, {held}: it was inserted"))
            continue
        if seq > expected_seq:
            result.findings.append(Finding(event_id, seq, f"{_range(expected_seq, seq - 1)} missing after {before}, before {where}: deleted"))
        elif prev_hash != expected_hash:
            result.findings.append(
                Finding(event_id, seq, f"{where} at position {seq} does not follow on from {before}: an event there was inserted, deleted or rewritten")
            )
        previous = (event_id, seq, stored)
    if previous:
        result.head_id, result.head_seq, result.head_hash = previous
    for seq, recorded in sorted((anchors or {}).items()):
        found = AuditEvent.objects.filter(seq=seq).values_list("id", "hash")
        if not found:
            words = "deleted" if seq > result.head_seq else "deleted or renumbered"
            result.findings.append(Finding(None, seq, f"position {seq}, recorded earlier as {recorded[:16]}…, is no longer in the log: {words}"))
        elif all(stored != recorded for _, stored in found):
            result.findings.append(
                Finding(found[0][0], seq, f"position {seq} (event {found[0][0]}) no longer has the hash recorded earlier ({recorded[:16]}…): the log up to there was rewritten")
            )
    return result
