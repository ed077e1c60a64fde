"""Make the audit log append-only in the database itself, not only in the model."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS tracker_auditevent_no_update BEFORE UPDATE ON tracker_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS tracker_auditevent_no_delete BEFORE DELETE ON tracker_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION tracker_auditevent_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER tracker_auditevent_no_change BEFORE UPDATE OR DELETE ON tracker_auditevent
       FOR EACH ROW EXECUTE FUNCTION tracker_auditevent_append_only()""",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS tracker_auditevent_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS tracker_auditevent_no_delete")
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS tracker_auditevent_no_change ON tracker_auditevent")
        schema_editor.execute("DROP FUNCTION IF EXISTS tracker_auditevent_append_only()")


class Migration(migrations.Migration):
    dependencies = [("tracker", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
