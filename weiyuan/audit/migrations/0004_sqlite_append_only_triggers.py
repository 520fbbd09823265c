"""SQLite (the embedded default): refuse UPDATE of audit events at the database too.

DELETE is not blocked here because Django's `flush` (used by tests and `manage.py flush`) empties tables with DELETE
on SQLite; a deleted event is still caught by `manage.py audit_verify` (sequence gap or chain head mismatch). On
PostgreSQL (0002) both are blocked; flush there uses TRUNCATE, which row triggers do not see.
"""

from django.db import migrations

TRIGGERS = {
    "audit_event_no_update": "BEFORE UPDATE ON audit_auditevent BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, body in TRIGGERS.items():
        schema_editor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_base_manager")]

    operations = [migrations.RunPython(create, drop)]
