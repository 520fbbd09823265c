"""SQLite (the embedded default): refuse UPDATE and DELETE on audit events at the database too."""

from django.db import migrations

TRIGGERS = {
    "audit_event_no_update": "BEFORE UPDATE ON audit_auditevent BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    "audit_event_no_delete": "BEFORE DELETE ON audit_auditevent BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
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
