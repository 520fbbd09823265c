"""Common words of the index (SQLite): the table the optimizer fills, and an fts5vocab view of the FTS5 index that
counts the entries holding each word."""

from django.db import migrations, models


def _vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, row)")


def _drop_vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts_vocab")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_backend_tables"),
    ]

    operations = [
        migrations.CreateModel(
            name="CommonWord",
            fields=[
                ("token", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("documents", models.PositiveIntegerField()),
            ],
            options={
                "db_table": "search_common_word",
            },
        ),
        migrations.RunPython(_vocabulary, _drop_vocabulary),
    ]
