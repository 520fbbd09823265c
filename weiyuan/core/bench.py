"""The benchmark toolkit shared by `make bench` (cases, knowledge base, experts, opinions): loading rows fast into
PostgreSQL (COPY, INSERT ... SELECT), timing a read through the real code with its query count and slowest SQL, and
writing the figures between markers into docs/benchmarks.md. What each benchmark generates and measures lives with
its app (weiyuan/cases/bench/, weiyuan/search/bench.py, weiyuan/experts/bench.py).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, models

TARGET_P95_MS = 50.0


class BenchError(Exception):
    pass


# --- generation ----------------------------------------------------------------------------------------------


@dataclass
class GenerationReport:
    skipped: bool
    seconds: float = 0.0
    phases: list[tuple[str, float]] = field(default_factory=list)


def database_name() -> str:
    return str(connection.settings_dict.get("NAME") or "")


def check_database(*, allow_any: bool) -> None:
    if connection.vendor != "postgresql":
        raise BenchError("the benchmark needs PostgreSQL (DATABASE_URL=postgres://.../weiyuan_bench)")
    if "bench" not in database_name() and not allow_any:
        raise BenchError(
            f"refusing to generate into database {database_name()!r}: its name should contain 'bench' "
            "(make bench uses weiyuan_bench); pass --allow-any-database to override"
        )


def _literal_default(f: models.Field[Any, Any]) -> Any:
    value = f.get_default()
    if isinstance(f, models.JSONField):
        return json.dumps(value if value is not None else None)
    return value


def copy_rows(cursor: Any, model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """COPY rows (dicts by attname; missing fields take their default) into the model's table."""
    fields = list(model._meta.concrete_fields)
    defaults = {f.attname: f.get_default() for f in fields}
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    columns = ", ".join(str(f.column) for f in fields)
    n = 0
    with cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = []
            for f in fields:
                value = row.get(f.attname, defaults[f.attname])
                if f.attname in json_fields:
                    value = json.dumps(value)
                values.append(value)
            copy.write_row(values)
            n += 1
    return n


def set_identity(cursor: Any, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT max(id) FROM {table}), 1))",  # noqa: S608
        [table],
    )


def next_id(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(max(id), 0) + 1 FROM {table}")  # noqa: S608 - table names are constants
    return int(cursor.fetchone()[0])


def insert_select(
    cursor: Any, model: type[models.Model], exprs: dict[str, str], from_sql: str, params: dict[str, Any]
) -> int:
    """insert_select with named parameters: defaults are passed as named parameters too."""
    columns: list[str] = []
    selects: list[str] = []
    values = dict(params)
    for f in model._meta.concrete_fields:
        if f.primary_key and f.column not in exprs:
            continue
        columns.append(str(f.column))
        if f.column in exprs:
            selects.append(exprs[f.column])
            continue
        if not (f.has_default() or f.null or isinstance(f, models.CharField | models.TextField)):
            raise BenchError(f"{model.__name__}.{f.name} has no default; the benchmark must set it")
        key = f"default_{f.column}"
        values[key] = _literal_default(f) if (f.has_default() or f.null) else ""
        selects.append(f"%({key})s" + ("::jsonb" if isinstance(f, models.JSONField) else ""))
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(selects)} {from_sql}"
    cursor.execute(sql, values)
    return int(cursor.rowcount)


# --- measurement ---------------------------------------------------------------------------------------------


@dataclass
class Measurement:
    name: str
    samples_ms: list[float]
    queries: int
    note: str = ""
    slowest_sql: str = ""

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[max(0, round(0.95 * len(ordered)) - 1)]


class _QueryRecorder:
    """Counts the queries of one run and keeps the slowest (as SQL with its parameters bound, for EXPLAIN).

    An execute wrapper rather than CaptureQueriesContext: a request through django.test.Client resets the
    connection's query log when it starts, which would hide the API's queries."""

    def __init__(self) -> None:
        self.count = 0
        self.slowest: tuple[float, str, Any] = (-1.0, "", None)

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - t0
            self.count += 1
            if elapsed > self.slowest[0] and not many:
                self.slowest = (elapsed, sql, params)

    def slowest_sql(self) -> str:
        _elapsed, sql, params = self.slowest
        if not sql:
            return ""
        compose = getattr(connection.ops, "compose_sql", None)  # PostgreSQL: the SQL with its parameters bound
        return str(compose(sql, params)) if params and compose else sql


def timed(name: str, fn: Callable[[int], Any], *, runs: int, warmup: int, note: str = "") -> Measurement:
    for k in range(warmup):
        fn(k)
    recorder = _QueryRecorder()
    with connection.execute_wrapper(recorder):
        fn(warmup)
    samples = []
    for k in range(runs):
        t0 = time.perf_counter()
        fn(warmup + 1 + k)
        samples.append((time.perf_counter() - t0) * 1000)
    return Measurement(name, samples, recorder.count, note, recorder.slowest_sql())


def sample_rows(sql: str, params: Sequence[Any], n: int) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [r[0] if len(r) == 1 else r for r in cursor.fetchall()]
    if not rows:
        raise BenchError(f"no sample rows for: {sql}")
    return [rows[i % len(rows)] for i in range(n)]


def explain(sql: str) -> str:
    if not sql:
        return ""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(r[0] for r in cursor.fetchall())


def machine() -> dict[str, str]:
    info = {"nproc": str(os.cpu_count() or "?"), "python": platform.python_version()}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            info["postgresql"] = cursor.fetchone()[0].split(" on ")[0]
            cursor.execute("SHOW shared_buffers")
            info["shared_buffers"] = cursor.fetchone()[0]
            cursor.execute("SHOW work_mem")
            info["work_mem"] = cursor.fetchone()[0]
            info["database"] = (
                f"{info['postgresql']} with shared_buffers={info['shared_buffers']}, work_mem={info['work_mem']}"
                " (server defaults)"
            )
        else:
            cursor.execute("SELECT sqlite_version()")
            info["database"] = f"SQLite {cursor.fetchone()[0]}"
    return info


def machine_line(info: dict[str, str]) -> str:
    return (
        f"Machine: {info.get('nproc')} CPUs ({info.get('cpu', '?')}), {info.get('memory', '?')} RAM; "
        f"{info.get('database')}; Python {info.get('python')}, Django {_django_version()}."
    )


def render_table(results: list[Measurement], *, target_ms: float = TARGET_P95_MS, label: str = "read") -> str:
    lines = [f"| {label} | p50 ms | p95 ms | SQL statements | p95 ≤ {target_ms:.0f} ms |", "|---|---:|---:|---:|:---:|"]
    for m in results:
        if m.queries == 0 and m.samples_ms == [0.0]:
            lines.append(f"| {m.name} | – | – | – | not measured: {m.note} |")
            continue
        ok = "yes" if m.p95 <= target_ms else "**no**"
        name = m.name + (f" ({m.note})" if m.note and m.note != "extra" else "")
        lines.append(f"| {name} | {m.p50:.1f} | {m.p95:.1f} | {m.queries} | {ok} |")
    return "\n".join(lines)


def splice_report(path: Path, begin: str, end: str, generated: str) -> None:
    """Replace what lies between the markers `begin` and `end` of the page at `path` (or add it at the end)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if begin in text and end in text:
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        content = head + generated + tail
    elif text:
        # Keep what is there; the figures go at the end, between markers, and are replaced by the next run.
        content = text.rstrip("\n") + "\n\n## Last run\n\n" + generated + "\n"
    else:
        content = "# Benchmarks\n\n`make bench`: the figures of the last run.\n\n" + generated + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")


def _django_version() -> str:
    import django

    return django.get_version()
