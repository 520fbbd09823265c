"""Writing the candidate index: the keys of marks (MarkKey) and how many marks have each key (MarkKeyStat).

- replace_keys(marks): what tm_import calls for each batch it upserts: the batch's old keys go, the new ones come,
  and the key counts move by the difference (one upsert statement).
- reindex_all(): what tm_reindex runs: the whole index rebuilt in one transaction (so a failure leaves the old
  one), streaming the register by primary key; the counts are recounted from the index at the end. On
  PostgreSQL the rows are written with COPY and the lookup index is dropped during the load and built once after
  it, which is several times faster than keeping it current row by row; readers wait for the rebuild there
  (TRUNCATE takes the table's lock) rather than seeing half an index.

Counts are exact after tm_reindex. Between reindexes, deleting marks leaves their keys' counts a little high
(keys go with the mark by CASCADE, counts stay): screening only uses them to prefer rare keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

from django.db import connection, models, transaction

from weiyuan.marks.index import STAT_MARKS, Key, mark_keys
from weiyuan.marks.models import Mark, MarkKey, MarkKeyStat

STAT_BATCH = 2000


def _rows_of(marks: Sequence[Any]) -> Iterator[tuple[int, str, str]]:
    for mark in marks:
        for kind, key in sorted(mark_keys(mark.normalised)):
            yield mark.pk, kind, key


def _insert(model: Any, rows: Sequence[tuple[int, str, str]]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} (mark_id, kind, key) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    model.objects.bulk_create([model(mark_id=m, kind=k, key=v) for m, k, v in rows], batch_size=5000)


def bump_stats(model: type[models.Model], delta: Counter[Key]) -> None:
    """Add `delta` to the count of each key: INSERT ... ON CONFLICT DO UPDATE, on PostgreSQL from a temporary
    table filled by COPY (one statement however many keys), on SQLite row by row (executemany)."""
    items = [(kind, key, n) for (kind, key), n in sorted(delta.items()) if n]
    if not items:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    upsert = f"ON CONFLICT (kind, key) DO UPDATE SET marks = {table}.marks + excluded.marks"
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            sql = f"INSERT INTO {table} (kind, key, marks) VALUES (%s, %s, %s) {upsert}"  # noqa: S608 - model table
            cursor.executemany(sql, items)
            return
        cursor.execute("DROP TABLE IF EXISTS marks_stat_delta")
        cursor.execute("CREATE TEMPORARY TABLE marks_stat_delta (kind varchar(2), key varchar(64), marks integer)")
        with cursor.copy("COPY marks_stat_delta (kind, key, marks) FROM STDIN") as copy:
            for item in items:
                copy.write_row(item)
        cursor.execute(
            f"INSERT INTO {table} (kind, key, marks) SELECT kind, key, marks FROM marks_stat_delta {upsert}"  # noqa: S608
        )
        cursor.execute("DROP TABLE marks_stat_delta")


class StatsBuffer:
    """Key-count changes gathered over many batches and written together (an import of a million rows changes
    millions of counts: one upsert per batch of 2,000 marks would cost more than the rows themselves)."""

    FLUSH_AT = 500_000  # distinct keys held before writing

    def __init__(self) -> None:
        self.delta: Counter[Key] = Counter()

    def add(self, delta: Counter[Key]) -> None:
        self.delta.update(delta)
        if len(self.delta) >= self.FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        bump_stats(MarkKeyStat, self.delta)
        self.delta = Counter()


def replace_keys(marks: Sequence[Mark], *, stats: StatsBuffer | None = None, new: Collection[int] = frozenset()) -> int:
    """Replace the keys of these (saved) marks and move the key counts (now, or into `stats`, which the caller
    flushes before its transaction ends); `new` names marks just created, whose old keys need no look-up.
    Returns the number of keys written."""
    if not marks:
        return 0
    ids = [m.pk for m in marks]
    old = MarkKey.objects.filter(mark_id__in=[i for i in ids if i not in new])
    delta: Counter[Key] = Counter()
    had_keys = set()
    for mark_id, kind, key in old.values_list("mark_id", "kind", "key").iterator(chunk_size=10_000):
        delta[(kind, key)] -= 1
        had_keys.add(mark_id)
    if had_keys:
        old.delete()
    rows = list(_rows_of(marks))
    _insert(MarkKey, rows)
    for _mark_id, kind, key in rows:
        delta[(kind, key)] += 1
    delta[STAT_MARKS] += len(set(ids) - had_keys)
    if stats is None:
        bump_stats(MarkKeyStat, delta)
    else:
        stats.add(delta)
    return len(rows)


def reindex_with(
    mark_model: Any,
    key_model: Any,
    stat_model: Any,
    *,
    batch_size: int = 2000,
    progress: Callable[[int], object] | None = None,
    rebuild_lookup: bool = True,
) -> tuple[int, int]:
    """Rebuild the whole index with these models (the migration passes its historical ones, and rebuild_lookup
    False: its schema editor creates the lookup index at its end). Returns (marks, keys). Runs in the caller's
    transaction or its own."""
    lookup = next(i for i in key_model._meta.indexes if i.name == "marks_key_kind_key_mark")
    postgres = connection.vendor == "postgresql"
    rebuild_lookup = rebuild_lookup and postgres
    with transaction.atomic():
        if postgres:
            with connection.cursor() as cursor:
                tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (key_model, stat_model))
                # Rows written earlier in this transaction leave deferred foreign-key checks pending, which TRUNCATE
                # refuses: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"TRUNCATE {tables}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        foreign_keys: list[str] = []
        if rebuild_lookup:
            with connection.schema_editor(atomic=False) as editor:
                editor.remove_index(key_model, lookup)
            # As pg_restore does: no row-by-row foreign-key checks during the load, one validating scan after it.
            keys_table = connection.ops.quote_name(key_model._meta.db_table)
            with connection.cursor() as cursor:
                constraints = connection.introspection.get_constraints(cursor, key_model._meta.db_table)
                foreign_keys = sorted(name for name, c in constraints.items() if c["foreign_key"])
                for name in foreign_keys:
                    cursor.execute(f"ALTER TABLE {keys_table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        else:
            key_model.objects.all().delete()
            stat_model.objects.all().delete()
        marks = keys = 0
        last = 0
        while True:
            batch = list(mark_model.objects.filter(pk__gt=last).order_by("pk").only("id", "normalised")[:batch_size])
            if not batch:
                break
            rows = list(_rows_of(batch))
            _insert(key_model, rows)
            marks += len(batch)
            keys += len(rows)
            last = batch[-1].pk
            if progress is not None:
                progress(len(batch))
        if rebuild_lookup:
            with connection.schema_editor(atomic=False) as editor:
                editor.add_index(key_model, lookup)
            marks_table = connection.ops.quote_name(mark_model._meta.db_table)
            with connection.cursor() as cursor:
                for name in foreign_keys:
                    cursor.execute(
                        f"ALTER TABLE {keys_table} ADD CONSTRAINT {connection.ops.quote_name(name)} "
                        f"FOREIGN KEY (mark_id) REFERENCES {marks_table} (id) DEFERRABLE INITIALLY DEFERRED"
                    )
        keys_table = connection.ops.quote_name(key_model._meta.db_table)
        stats_table = connection.ops.quote_name(stat_model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {stats_table} (kind, key, marks) "  # noqa: S608 - table names from the models
                f"SELECT kind, key, COUNT(*) FROM {keys_table} GROUP BY kind, key"
            )
        stat_model.objects.create(kind=STAT_MARKS[0], key=STAT_MARKS[1], marks=marks)
    return marks, keys


def reindex_all(*, batch_size: int = 2000, progress: Callable[[int], object] | None = None) -> tuple[int, int]:
    return reindex_with(Mark, MarkKey, MarkKeyStat, batch_size=batch_size, progress=progress)
