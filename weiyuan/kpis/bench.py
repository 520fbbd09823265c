"""`make bench-kpis`: the dashboards, the ranking and the drill-down at national scale, the aggregate refresh and
rebuild, and the Excel/CSV export of 100,000 cases, on the data set of `make bench-cases` (1,000,000 cases over
2,000 centres). The figures go to docs/benchmarks.md between the markers below."""

from __future__ import annotations

import datetime as dt
import random
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from weiyuan.core.bench import (
    BenchError,
    Measurement,
    machine,
    machine_line,
    render_table,
    splice_report,
    timed,
)
from weiyuan.core.choices import Role

BEGIN = "<!-- bench-kpis:begin -->"
END = "<!-- bench-kpis:end -->"
DASHBOARD_TARGET_MS = 300.0
EXPORT_ROWS = 100_000


@dataclass
class ExportFigures:
    fmt: str
    rows: int
    seconds: float
    bytes: int
    python_peak_mb: float


def _supervisor() -> Any:
    """The national supervisor of the generated network (the generator creates one at the root)."""
    from weiyuan.accounts.models import Membership
    from weiyuan.network.models import Centre

    root = Centre.objects.filter(parent=None).order_by("id").first()
    if root is None:
        raise BenchError("no centres: run make bench-cases first")
    membership = Membership.objects.filter(centre=root, role=Role.SUPERVISOR, active=True).select_related("user")
    first = membership.first()
    if first is None:
        raise BenchError("no supervisor at the root centre of the generated network")
    return first.user, root


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise BenchError(f"GET {url} answered {response.status_code}")
    return response


def measure_reads(*, runs: int, warmup: int) -> tuple[list[Measurement], dict[str, Any]]:
    from weiyuan.network.models import Centre

    user, root = _supervisor()
    client = _client(user)
    year = timezone.localdate().year
    provinces = list(Centre.objects.filter(parent=root).values_list("code", flat=True))
    leaves = list(Centre.objects.filter(depth=3).order_by("?").values_list("code", flat=True)[:200])
    rng = random.Random(11)
    province_sample = [rng.choice(provinces) for _ in range(runs + warmup + 1)]
    leaf_sample = [rng.choice(leaves) for _ in range(runs + warmup + 1)]
    dash = lambda code: reverse("kpis:dashboard", args=[code])  # noqa: E731
    ranking = reverse("kpis:ranking")
    pages: list[tuple[str, Callable[[int], str]]] = [
        ("national dashboard, year", lambda k: f"{dash(root.code)}?period={year}"),
        ("national dashboard, quarter", lambda k: f"{dash(root.code)}?period={year}-Q{1 + k % 4}"),
        ("provincial dashboard, year", lambda k: f"{dash(province_sample[k])}?period={year}"),
        ("centre dashboard, year", lambda k: f"{dash(leaf_sample[k])}?period={year}"),
        ("ranking of centres, year", lambda k: f"{ranking}?period={year}&metric=acceptance_rate"),
        (
            "cases behind a figure, province, first page",
            lambda k: f"{reverse('kpis:cases', args=[province_sample[k]])}?period={year}&set=concluded",
        ),
    ]

    def page_reader(url: Callable[[int], str]) -> Callable[[int], Any]:
        return lambda k: _get(client, url(k))

    reads = [timed(name, page_reader(url), runs=runs, warmup=warmup) for name, url in pages]
    context = {"provinces": len(provinces), "root": root.display_name, "year": year}
    return reads, context


def measure_refresh(*, runs: int, partitions: int) -> Measurement:
    """Each run marks `partitions` random centres' current month (and a tenth of them last month) and refreshes."""
    from weiyuan.kpis.aggregate import month_start
    from weiyuan.kpis.services import kpi_refresh
    from weiyuan.kpis.signals import mark
    from weiyuan.network.models import Centre

    ids = list(Centre.objects.values_list("id", flat=True))
    this_month = month_start(timezone.localdate())
    last_month = month_start(this_month - dt.timedelta(days=1))
    rng = random.Random(5)
    samples = []
    for _ in range(runs):
        chosen = rng.sample(ids, partitions)
        mark({(c, this_month) for c in chosen} | {(c, last_month) for c in chosen[: partitions // 10]})
        t0 = time.perf_counter()
        kpi_refresh()
        samples.append((time.perf_counter() - t0) * 1000)
    return Measurement(f"refresh of {partitions} + {partitions // 10} dirty partitions", samples, 0)


def measure_export(fmt: str, *, rows: int = EXPORT_ROWS) -> ExportFigures:
    """Export the first `rows` cases of the national drill-down (this year and the last) through the page's path."""
    from weiyuan.core.tabular import export_response
    from weiyuan.kpis.exports import case_headers, case_rows
    from weiyuan.kpis.periods import Period
    from weiyuan.kpis.selectors import drill_cases

    user, root = _supervisor()
    year = timezone.localdate().year
    cases = drill_cases(user, root, Period("year", year), subtree=True, which="applications")
    if cases.count() < rows:
        cases = drill_cases(user, root, Period("year", year - 1), subtree=True, which="applications")
    sliced = cases[:rows]

    def run() -> tuple[int, float]:
        t0 = time.perf_counter()
        response = export_response("bench", fmt, case_headers(), case_rows(sliced), sheet="bench")
        size = sum(len(chunk) for chunk in response.streaming_content)  # type: ignore[attr-defined,misc]
        return size, time.perf_counter() - t0

    size, seconds = run()  # timed without tracemalloc, which slows allocation
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return ExportFigures(fmt, rows, seconds, size, peak / 1024 / 1024)


def measure_rebuild(progress: Callable[[int], object] | None = None) -> dict[str, Any]:
    from weiyuan.kpis.models import KpiMonth
    from weiyuan.kpis.services import kpi_rebuild

    report = kpi_rebuild(progress=progress)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('kpis_kpimonth'))")
        size = cursor.fetchone()[0]
    return {
        "seconds": report.seconds,
        "months": report.months,
        "own_rows": report.own_rows,
        "subtree_rows": report.subtree_rows,
        "rows": KpiMonth.objects.count(),
        "size": size,
    }


def report_text(
    *,
    command: str,
    reads: list[Measurement],
    refresh: Measurement,
    exports: list[ExportFigures],
    rebuild: dict[str, Any] | None,
    context: dict[str, Any],
    runs: int,
    warmup: int,
) -> str:
    from weiyuan.cases.models import Case
    from weiyuan.network.models import Centre

    info = machine()
    parts = [
        BEGIN,
        "## KPIs and dashboards (issue #7)",
        "",
        f"`{command}`, {timezone.localtime():%Y-%m-%d %H:%M} (Asia/Shanghai). {machine_line(info)}",
        "",
        f"Data: {Case.objects_unscoped.count():,} cases over {Centre.objects.count():,} centres "
        f"({context['provinces']} provincial level), from `make bench-cases`; the generator makes no surveys, "
        "return visits or referrals, so those figures are empty here. Requests through Django's test client as the "
        f"supervisor of {context['root']}, year {context['year']}; {warmup} warm-up runs, then {runs} timed runs.",
        "",
        render_table(reads, target_ms=DASHBOARD_TARGET_MS, label="page"),
        "",
    ]
    if rebuild is not None:
        parts += [
            f"Full rebuild (`manage.py kpi_rebuild`, the nightly job): {rebuild['seconds']:.0f} s for "
            f"{rebuild['months']} months — {rebuild['own_rows']:,} centre rows and {rebuild['subtree_rows']:,} "
            f"subtree rows ({rebuild['size']} with indexes, the previous rebuild's dead rows included until reused).",
            "",
        ]
    parts += [
        f"Incremental refresh ({len(refresh.samples_ms)} runs): p50 {refresh.p50:,.0f} ms, p95 {refresh.p95:,.0f} ms "
        f"for {refresh.name}.",
        "",
        "| export of the cases behind a figure | rows | seconds | file | Python peak memory (tracemalloc) |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {e.fmt} | {e.rows:,} | {e.seconds:.1f} | {e.bytes / 1024 / 1024:.1f} MB | {e.python_peak_mb:.1f} MB |"
            for e in exports
        ],
        "",
        END,
    ]
    return "\n".join(parts)


def write_report(path: Path, text: str) -> None:
    splice_report(path, BEGIN, END, text)
