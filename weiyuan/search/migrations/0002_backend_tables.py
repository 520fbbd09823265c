"""The word index beside `search_searchentry`, in the form each database searches best.

SQLite: an FTS5 table whose rowid is the entry id (columns: title, keyword and body words; tokens are pre-segmented and
space-separated, so the unicode61 tokenizer only splits on the spaces). PostgreSQL: a GIN index on the tsvector table
(`SearchVector`), plus pg_trgm on the normalised title for the typo-tolerant fallback.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, keywords, body, tokenize = 'unicode61 remove_diacritics 0')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS search_fts"]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX search_vector_gin ON search_vector USING gin (vector)",
    "CREATE INDEX search_entry_title_trgm ON search_searchentry USING gin (title_normalised gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_vector_gin",
    "DROP INDEX IF EXISTS search_entry_title_trgm",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
