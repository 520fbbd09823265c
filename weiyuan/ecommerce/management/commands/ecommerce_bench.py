"""`manage.py ecommerce_bench`: one notice with 300 listings end to end, then 10,000 generated notices with
1,000,000 listings and p50/p95 of the platform's inbox and of the clock sweep (docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from weiyuan.core import bench as core_bench
from weiyuan.ecommerce import bench, bench_measure


class Command(BaseCommand):
    help = (
        "Time one notice with 300 listings through its whole life (rolled back), generate N notices with M "
        "listings in PostgreSQL (skipped when already there) and print p50/p95 of the platform inbox and of the "
        "clock sweep; the figures are written into docs/benchmarks.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--notices", type=int, default=10_000)
        parser.add_argument("--listings", type=int, default=1_000_000)
        parser.add_argument("--runs", type=int, default=50, help="timed runs per read (after the warm-up)")
        parser.add_argument("--warmup", type=int, default=5)
        parser.add_argument("--sweep-runs", type=int, default=10, help="timed runs of the sweep (each rolled back)")
        parser.add_argument("--flow-runs", type=int, default=3, help="runs of the end-to-end notice (each rolled back)")
        parser.add_argument("--flow-listings", type=int, default=300)
        parser.add_argument("--reset", action="store_true", help="delete the generated notices first")
        parser.add_argument("--skip-generate", action="store_true", help="measure whatever is in the database")
        parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each read's slowest SQL")
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "docs" / "benchmarks.md"),
            help="the page whose bench-ecommerce section is rewritten ('-': none)",
        )
        parser.add_argument(
            "--allow-any-database",
            action="store_true",
            help="allow generating into a database whose name does not contain 'bench'",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        log = self.stdout.write
        if opts["runs"] < 1 or opts["warmup"] < 0 or opts["sweep_runs"] < 1 or opts["flow_runs"] < 0:
            raise CommandError("--runs and --sweep-runs must be at least 1, --warmup and --flow-runs at least 0")
        if not 1 <= opts["flow_listings"] <= 300:
            raise CommandError("--flow-listings must be between 1 and 300 (the limit per notice)")
        seconds = None
        try:
            core_bench.check_database(allow_any=opts["allow_any_database"])
            if opts["reset"]:
                log("deleting the generated notices…")
                bench.reset()
            flow_report = None
            if opts["flow_runs"]:
                n = opts["flow_listings"]
                counter = max(1, n // 10)
                flow_report = bench_measure.flow(
                    runs=opts["flow_runs"],
                    listings=n,
                    counter_notices=counter,
                    complaints=max(0, counter // 6),
                    log=log,
                )
                log("")
                log(bench_measure.render_flow(flow_report))
                log("")
            if not opts["skip_generate"]:
                notices, listings = bench.bench_counts()
                if notices >= opts["notices"]:
                    log(f"{notices:,} generated notices ({listings:,} listings) present: generation skipped")
                elif notices:
                    raise CommandError(
                        f"{notices:,} generated notices present, fewer than {opts['notices']:,}: run with --reset"
                    )
                else:
                    log(f"generating {opts['notices']:,} notices with {opts['listings']:,} listings…")
                    seconds = bench.generate(notices=opts["notices"], listings=opts["listings"], log=log)
                    log(f"generated in {seconds:.1f} s")
            reads, sweeps, context = bench_measure.measure(
                runs=opts["runs"], warmup=opts["warmup"], sweep_runs=opts["sweep_runs"], log=log
            )
        except core_bench.BenchError as exc:
            raise CommandError(str(exc)) from exc
        log("")
        log(core_bench.render_table(reads))
        if sweeps:
            log("")
            log(core_bench.render_table(sweeps, target_ms=bench_measure.SWEEP_BUDGET_MS, label="sweep run"))
        if opts["explain"]:
            for name, plan in bench_measure.explains(reads).items():
                log(f"\nEXPLAIN ANALYZE of the slowest query of “{name}”:\n{plan}")
        command = "make bench-ecommerce"
        if opts["notices"] != 10_000 or opts["listings"] != 1_000_000:
            command = f"manage.py ecommerce_bench --notices {opts['notices']} --listings {opts['listings']}"
        text = bench_measure.report_text(
            command=command,
            flow_report=flow_report,
            reads=reads,
            sweeps=sweeps,
            context=context,
            generation_seconds=seconds,
            runs=opts["runs"],
            warmup=opts["warmup"],
        )
        if opts["output"] != "-":
            bench_measure.write_report(Path(opts["output"]), text)
            log(f"\nwritten to {opts['output']}")
