"""The audit log as a hash chain, and append-only against REPLACE and TRUNCATE too.

- Each event gets its position (``seq``), the previous event's hash and its own hash
  (:mod:`reoffkit.web.tracker.auditchain`); the events already there are chained in id order.
- SQLite: ``REPLACE INTO`` (and ``INSERT OR REPLACE``) over an existing event deletes it without
  firing delete triggers (unless ``recursive_triggers`` is on), so a BEFORE INSERT trigger refuses
  any insert whose id is already taken. PostgreSQL: a BEFORE TRUNCATE trigger, beside the UPDATE and
  DELETE one. The triggers of migration 0002 are installed again here: SQLite drops a table's
  triggers when a migration rebuilds the table, as adding these columns does.

Tests whose teardown must empty every table lift the guards with :func:`lift_guards` and put them
back with :func:`install_guards` (``tests/audit_triggers.py``).
"""

from django.db import migrations, models
from django.utils import timezone

ABORT = "audit events are append-only"
SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS tracker_auditevent_no_update BEFORE UPDATE ON tracker_auditevent
       BEGIN SELECT RAISE(ABORT, '{ABORT}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS tracker_auditevent_no_delete BEFORE DELETE ON tracker_auditevent
       BEGIN SELECT RAISE(ABORT, '{ABORT}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS tracker_auditevent_no_replace BEFORE INSERT ON tracker_auditevent
       WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM tracker_auditevent WHERE id = NEW.id)
       BEGIN SELECT RAISE(ABORT, '{ABORT}'); END""",
]
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION tracker_auditevent_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '{ABORT}'; END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER tracker_auditevent_no_change BEFORE UPDATE OR DELETE ON tracker_auditevent
       FOR EACH ROW EXECUTE FUNCTION tracker_auditevent_append_only()""",
    """CREATE OR REPLACE TRIGGER tracker_auditevent_no_truncate BEFORE TRUNCATE ON tracker_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION tracker_auditevent_append_only()""",
]
LIFT = {
    "sqlite": [f"DROP TRIGGER IF EXISTS tracker_auditevent_no_{what}" for what in ("update", "delete", "replace")],
    "postgresql": [
        f"DROP TRIGGER IF EXISTS tracker_auditevent_no_{what} ON tracker_auditevent" for what in ("change", "truncate")
    ],
}


def _run(schema_editor, statements) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def install_guards(schema_editor) -> None:
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRESQL})


def lift_guards(schema_editor) -> None:
    _run(schema_editor, LIFT)


def chain_existing(apps, schema_editor):
    from reoffkit.web.tracker.auditchain import CONTENT, GENESIS, event_hash

    AuditEvent = apps.get_model("tracker", "AuditEvent")
    lift_guards(schema_editor)
    previous, seq, batch = GENESIS, 0, []
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        seq += 1
        event.seq, event.prev_hash = seq, previous
        event.hash = previous = event_hash(previous, {name: getattr(event, name) for name in CONTENT})
        batch.append(event)
        if len(batch) >= 1000:
            AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
    install_guards(schema_editor)


def unchain(apps, schema_editor):
    lift_guards(schema_editor)


def guards_of_0002(apps, schema_editor):
    """Going back past this migration: the fields' removal rebuilds the table on SQLite, so 0002's
    triggers are installed again last (without the guards this migration added)."""
    _run(schema_editor, {"sqlite": SQLITE[:2], "postgresql": POSTGRESQL[:2]})


class Migration(migrations.Migration):
    dependencies = [("tracker", "0009_ethnicity_scheme")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, guards_of_0002),
        migrations.AlterField(model_name="auditevent", name="at", field=models.DateTimeField(db_index=True, default=timezone.now)),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(db_index=True, editable=False, help_text="Position in the hash chain (1 is the first event).", null=True),
        ),
        migrations.AddField(model_name="auditevent", name="prev_hash", field=models.CharField(blank=True, editable=False, max_length=64)),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, editable=False, help_text="SHA-256 of the previous hash and this event's content.", max_length=64),
        ),
        migrations.RunPython(chain_existing, unchain),
    ]
