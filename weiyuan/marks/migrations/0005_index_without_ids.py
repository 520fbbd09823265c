"""The candidate index without surrogate ids (composite primary key) and with key frequencies (MarkKeyStat).

The index is derived data: the old table is dropped and the new one filled from the register by the same key
builder tm_reindex uses (a large register is better reindexed with `manage.py tm_reindex`, which shows progress).
"""

import django.db.models.deletion
from django.db import migrations, models


def rebuild_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    from weiyuan.marks.keystore import reindex_with

    reindex_with(
        apps.get_model("marks", "Mark"),
        apps.get_model("marks", "MarkKey"),
        apps.get_model("marks", "MarkKeyStat"),
        rebuild_lookup=False,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("marks", "0004_similar_groups"),
    ]

    operations = [
        migrations.DeleteModel(name="MarkKey"),
        migrations.CreateModel(
            name="MarkKey",
            fields=[
                ("pk", models.CompositePrimaryKey("mark", "kind", "key", blank=True, editable=False, primary_key=True, serialize=False)),
                ("kind", models.CharField(max_length=2)),
                ("key", models.CharField(max_length=64)),
                (
                    "mark",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="keys",
                        to="marks.mark",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["kind", "key", "mark"], name="marks_key_kind_key_mark")],
            },
        ),
        migrations.CreateModel(
            name="MarkKeyStat",
            fields=[
                ("pk", models.CompositePrimaryKey("kind", "key", blank=True, editable=False, primary_key=True, serialize=False)),
                ("kind", models.CharField(max_length=2)),
                ("key", models.CharField(max_length=64)),
                ("marks", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(rebuild_index, migrations.RunPython.noop),
    ]
