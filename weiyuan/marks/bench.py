"""The trademark screening benchmark (`manage.py tm_bench`, `make bench-marks`): a synthetic register of
1,000,000 marks (bench_register.py) written as a CSV file and loaded through the real import (`tm_import`'s
mark_import, which builds the candidate index as it goes), the index rebuilt once more as `tm_reindex` does (its
time is the index build time), then p50/p95 of screening over 1,000 queries, a third of them look-alikes of marks
on the register whose original must come back in the top 10.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection

from weiyuan.core.bench import BenchError, Measurement
from weiyuan.marks.bench_register import Lookalike, RegisterGenerator
from weiyuan.marks.importing import mark_import
from weiyuan.marks.keystore import reindex_all
from weiyuan.marks.models import Mark, MarkKey
from weiyuan.marks.score import compare_marks
from weiyuan.marks.screening import screen_mark

BENCH_NUMBER_PREFIX = "B"


@dataclass
class LoadReport:
    marks: int
    phases: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class ScreeningReport:
    measurement: Measurement
    lookalikes: int
    found_top10: int
    # Not in the top 10 because ten register marks score higher than the original (the copycat is closer to them:
    # Yaoqiu -> Yaoqi while Yaoqi itself is registered): ranked right, not missed by the index.
    outranked: int
    missed: list[tuple[Lookalike, list[str]]]
    candidates_mean: float


def bench_count() -> int:
    return Mark.objects.filter(number__startswith=BENCH_NUMBER_PREFIX).count()


def load(*, count: int, workdir: Path, log: Callable[[str], object], progress: Callable[[int, str], Any]) -> LoadReport:
    """Write the register as CSV and import it; then rebuild the index (the `tm_reindex` figure)."""
    report = LoadReport(marks=count)
    path = workdir / f"marks-{count}.csv"
    t0 = time.perf_counter()
    RegisterGenerator().write_csv(path, count, progress=lambda n: progress(n, "csv"))
    report.phases.append(("CSV written", time.perf_counter() - t0))
    log(f"  CSV written: {path} ({path.stat().st_size / 1e6:.0f} MB)")
    t0 = time.perf_counter()
    result = mark_import(path=path, progress=lambda n: progress(n, "import"))
    if result.errors:
        raise BenchError(f"the generated register has {len(result.errors)} bad rows: {result.errors[0]}")
    report.phases.append(("tm_import (rows and their index keys)", time.perf_counter() - t0))
    analyze()
    t0 = time.perf_counter()
    reindex_all(progress=lambda n: progress(n, "reindex"))
    report.phases.append(("tm_reindex (index rebuilt)", time.perf_counter() - t0))
    analyze()
    return report


def analyze() -> None:
    """Statistics for the planner, and on PostgreSQL the visibility map, so the candidate query is answered from
    the index alone (what autovacuum does on a live register some time after an import)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:  # VACUUM refuses a transaction
            cursor.execute("VACUUM ANALYZE marks_mark")
            cursor.execute("VACUUM ANALYZE marks_markkey")
            cursor.execute("VACUUM ANALYZE marks_markkeystat")
        else:
            cursor.execute("ANALYZE")  # PostgreSQL inside a transaction (the tests), or SQLite


def sizes() -> dict[str, str]:
    out = {"marks": f"{Mark.objects.count():,}", "index keys": f"{MarkKey.objects.count():,}"}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("marks_mark", "marks_markkey"):
                cursor.execute(
                    "SELECT pg_size_pretty(pg_table_size(%s)), pg_size_pretty(pg_indexes_size(%s))", [table, table]
                )
                data, indexes = cursor.fetchone()
                out[table] = f"{data} data + {indexes} indexes"
    return out


def queries(n: int, *, seed_offset: int = 1) -> list[tuple[str, Lookalike | None]]:
    """n screening queries: every third a look-alike of a mark drawn from the register, the rest new marks."""
    generator = RegisterGenerator(seed=20261126 + seed_offset)
    top = Mark.objects.order_by("-pk").values_list("pk", flat=True).first()
    if top is None:
        raise BenchError("the register is empty")
    out: list[tuple[str, Lookalike | None]] = []
    while len(out) < n:
        if len(out) % 3 == 0:
            pk = generator.rng.randint(1, top)
            original = Mark.objects.filter(pk__gte=pk).order_by("pk").values_list("text", flat=True).first()
            variant = generator.lookalike(original) if original else None
            if variant is not None:
                out.append((variant.query, variant))
        else:
            out.append((generator.other_query(), None))
    return out


def measure(*, n: int, warmup: int, limit: int = 10) -> ScreeningReport:
    from weiyuan.core.bench import _QueryRecorder
    from weiyuan.marks.normalise import normalise_mark

    plan = queries(n + warmup)
    for text, _variant in plan[:warmup]:
        screen_mark(text, limit=limit)
    recorder = _QueryRecorder()
    with connection.execute_wrapper(recorder):
        screen_mark(plan[warmup][0], limit=limit)
    samples: list[float] = []
    lookalikes = found = outranked = candidates = 0
    missed: list[tuple[Lookalike, list[str]]] = []
    for text, variant in plan[warmup:]:
        t0 = time.perf_counter()
        result = screen_mark(text, limit=limit)
        samples.append((time.perf_counter() - t0) * 1000)
        candidates += result.candidates
        if variant is not None:
            lookalikes += 1
            wanted = normalise_mark(variant.original).text
            if any(hit.mark.normalised == wanted for hit in result.hits):
                found += 1
            elif len(result.hits) == limit and (
                compare_marks(result.query, normalise_mark(variant.original)).score < result.hits[-1].score
            ):
                outranked += 1
            else:
                missed.append((variant, [hit.mark.text for hit in result.hits[:3]]))
    measurement = Measurement(f"tm_screen, limit {limit}", samples, recorder.count, slowest_sql=recorder.slowest_sql())
    return ScreeningReport(measurement, lookalikes, found, outranked, missed, candidates / max(1, len(samples)))
