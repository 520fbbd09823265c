"""`make bench-kpis`: time the KPI pages, the refresh, the rebuild and the 100,000-row exports on the bench data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from weiyuan.core import bench as core_bench
from weiyuan.kpis import bench
from weiyuan.kpis.models import KpiMonth
from weiyuan.kpis.services import source_rows_estimate


class Command(BaseCommand):
    help = "Print p50/p95 of the KPI dashboards at national scale, the refresh and rebuild, and the export figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument("--refresh-runs", type=int, default=10)
        parser.add_argument("--partitions", type=int, default=200, help="dirty partitions per refresh run")
        parser.add_argument("--skip-rebuild", action="store_true", help="keep the aggregates (rebuilt if empty)")
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "docs" / "benchmarks.md"),
            help="where to write the figures ('-' for nowhere)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        log = self.stdout.write
        try:
            core_bench.check_database(allow_any=False)
            rebuild = None
            if not opts["skip_rebuild"] or not KpiMonth.objects.exists():
                log("rebuilding the aggregates…")
                bar = tqdm(total=source_rows_estimate(), unit=" rows", file=sys.stderr)
                try:
                    rebuild = bench.measure_rebuild(progress=bar.update)
                finally:
                    bar.close()
                log(f"rebuilt in {rebuild['seconds']:.0f} s: {rebuild['rows']:,} rows ({rebuild['size']})")
            reads, context = bench.measure_reads(runs=opts["runs"], warmup=opts["warmup"])
            log(core_bench.render_table(reads, target_ms=bench.DASHBOARD_TARGET_MS, label="page"))
            refresh = bench.measure_refresh(runs=opts["refresh_runs"], partitions=opts["partitions"])
            log(f"{refresh.name}: p50 {refresh.p50:.0f} ms, p95 {refresh.p95:.0f} ms")
            exports = [bench.measure_export("xlsx"), bench.measure_export("csv")]
            for e in exports:
                log(
                    f"export {e.fmt}: {e.rows:,} rows in {e.seconds:.1f} s, {e.bytes / 1024 / 1024:.1f} MB, "
                    f"Python peak {e.python_peak_mb:.1f} MB"
                )
        except core_bench.BenchError as exc:
            raise CommandError(str(exc)) from exc
        if opts["output"] != "-":
            text = bench.report_text(
                command="make bench-kpis",
                reads=reads,
                refresh=refresh,
                exports=exports,
                rebuild=rebuild,
                context=context,
                runs=opts["runs"],
                warmup=opts["warmup"],
            )
            bench.write_report(Path(opts["output"]), text)
            log(f"wrote {opts['output']}")
