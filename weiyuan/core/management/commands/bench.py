"""`make bench`: generate the national-scale data set in PostgreSQL (once) and time the hot reads."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from weiyuan.cases.bench import generate, measure
from weiyuan.core import bench


class Command(BaseCommand):
    help = "Generate N cases over M centres in PostgreSQL (skipped when already there) and print p50/p95 of hot reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--centres", type=int, default=2_000)
        parser.add_argument("--runs", type=int, default=50, help="timed runs per read (after the warm-up)")
        parser.add_argument("--warmup", type=int, default=5)
        parser.add_argument("--reset", action="store_true", help="empty the generated tables first and regenerate")
        parser.add_argument("--skip-generate", action="store_true", help="measure whatever is in the database")
        parser.add_argument("--no-measure", action="store_true", help="only generate")
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "docs" / "benchmarks.md"),
            help="where to write the figures ('-' for nowhere)",
        )
        parser.add_argument(
            "--allow-any-database",
            action="store_true",
            help="allow generating into a database whose name does not contain 'bench'",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        log = self.stdout.write
        try:
            bench.check_database(allow_any=opts["allow_any_database"])
            generation = None if opts["skip_generate"] else self._generate(opts, log)
            if opts["no_measure"]:
                return
            started = time.monotonic()
            results, context = measure.measure(runs=opts["runs"], warmup=opts["warmup"], log=log)
        except bench.BenchError as exc:
            raise CommandError(str(exc)) from exc
        log(f"measured in {time.monotonic() - started:.0f} s\n")
        log(bench.render_table(results))
        explains = {}
        for m in results:
            if m.p95 > bench.TARGET_P95_MS and m.slowest_sql:
                explains[m.name] = bench.explain(m.slowest_sql)
                log(f"\np95 above {bench.TARGET_P95_MS:.0f} ms: {m.name}; EXPLAIN ANALYZE of its slowest query:\n")
                log(explains[m.name])
        if opts["output"] != "-":
            command = "make bench" + (f" BENCH_ARGS='{self._args(opts)}'" if self._args(opts) else "")
            measure.write_report(
                path=Path(opts["output"]),
                command=command,
                results=results,
                generation=generation,
                context=context,
                runs=opts["runs"],
                warmup=opts["warmup"],
                explains=explains,
            )
            log(f"\nwrote {opts['output']}")

    def _generate(self, opts: dict[str, Any], log: Any) -> bench.GenerationReport:
        if opts["reset"]:
            log("emptying the generated tables…")
            generate.reset_database()
        counts = generate.existing_counts()
        if counts["cases"] >= opts["cases"] and counts["bench_centres"] >= opts["centres"]:
            log(
                f"data set present ({counts['cases']:,} cases, {counts['bench_centres']:,} centres): generation skipped"
            )
            return bench.GenerationReport(skipped=True)
        if counts["cases"] or counts["centres"]:
            raise bench.BenchError(
                f"the database holds {counts['cases']:,} cases and {counts['centres']:,} centres, not the requested "
                f"{opts['cases']:,} / {opts['centres']:,}: run with --reset to regenerate"
            )
        log(f"generating {opts['cases']:,} cases over {opts['centres']:,} centres…")
        report = generate.generate(cases=opts["cases"], centres=opts["centres"], log=log)
        log(f"generated in {report.seconds:.0f} s")
        return report

    @staticmethod
    def _args(opts: dict[str, Any]) -> str:
        parts = []
        if opts["cases"] != 1_000_000:
            parts.append(f"--cases {opts['cases']}")
        if opts["centres"] != 2_000:
            parts.append(f"--centres {opts['centres']}")
        if opts["runs"] != 50:
            parts.append(f"--runs {opts['runs']}")
        return " ".join(parts)
