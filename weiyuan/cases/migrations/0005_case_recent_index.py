"""Cases newest first across centres: the supervisor's subtree queue walks this index instead of sorting the table.

Measured by `make bench` (docs/benchmarks.md): at 1,000,000 cases the national supervisor's first page took 1.9 s
(a full scan and top-N sort); with this index the rows come in about 5 ms. Built CONCURRENTLY on PostgreSQL so a
live table keeps taking writes.
"""

from django.db import migrations


def create(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {concurrently}IF NOT EXISTS case_recent_idx ON cases_case (submitted_at DESC, id DESC)"
    )


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS case_recent_idx")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("cases", "0004_postgres_search_indexes")]

    operations = [migrations.RunPython(create, drop)]
