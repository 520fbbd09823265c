"""`manage.py experts_bench`: 50,000 generated experts in the bench database, then p50/p95 of matching."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from weiyuan.core import bench as core_bench
from weiyuan.experts import bench


class Command(BaseCommand):
    help = (
        "Generate N experts in PostgreSQL (skipped when already there) and print p50/p95 of matching experts for "
        "cases (the selector, and GET /api/v1/cases/{n}/expert-candidates). Run after `make bench` (its cases)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--experts", type=int, default=50_000)
        parser.add_argument("--runs", type=int, default=100, help="timed runs per read (after the warm-up)")
        parser.add_argument("--warmup", type=int, default=10)
        parser.add_argument("--reset", action="store_true", help="delete the generated experts first")
        parser.add_argument("--skip-generate", action="store_true", help="measure whatever is in the database")
        parser.add_argument(
            "--allow-any-database",
            action="store_true",
            help="allow generating into a database whose name does not contain 'bench'",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        log = self.stdout.write
        try:
            core_bench.check_database(allow_any=opts["allow_any_database"])
            if opts["reset"]:
                log("deleting the generated experts…")
                bench.reset()
            if not opts["skip_generate"]:
                present = bench.bench_count()
                if present >= opts["experts"]:
                    log(f"{present:,} generated experts present: generation skipped")
                elif present:
                    raise CommandError(
                        f"{present:,} generated experts present, fewer than {opts['experts']:,}: run with --reset"
                    )
                else:
                    log(f"generating {opts['experts']:,} experts…")
                    seconds = bench.generate(experts=opts["experts"], log=log)
                    log(f"generated in {seconds:.1f} s")
            results = bench.measure(runs=opts["runs"], warmup=opts["warmup"], log=log)
        except core_bench.BenchError as exc:
            raise CommandError(str(exc)) from exc
        log("")
        log(core_bench.render_table(results))
