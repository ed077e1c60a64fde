"""The audit log's append-only triggers, for tests whose teardown must empty every table."""

import importlib

GUARDS = importlib.import_module("reoffkit.web.tracker.migrations.0010_audit_chain")


class _Statements:
    """What the migration's functions need of a schema editor: a connection and execute()."""

    def __init__(self, connection):
        self.connection = connection

    def execute(self, sql: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)


def _change(step) -> None:
    from django.db import connection

    step(_Statements(connection))


def ensure_append_only() -> None:
    _change(GUARDS.install_guards)


def lift_append_only() -> None:
    _change(GUARDS.lift_guards)
