"""PostgreSQL only: prefix search on names and right numbers needs pattern_ops indexes (non-C collation)."""

from django.db import migrations

INDEXES = [
    ("case_applicant_name_prefix", "cases_case", "applicant_name varchar_pattern_ops"),
    ("case_respondent_name_prefix", "cases_case", "respondent_name varchar_pattern_ops"),
    ("caseright_number_prefix", "cases_caseright", "number varchar_pattern_ops"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_service_types")]

    operations = [migrations.RunPython(create, drop)]
