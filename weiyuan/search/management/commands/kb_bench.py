"""`make bench` for the knowledge-base search: build a corpus of N entries (once) and print p50/p95 of searches."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from tqdm import tqdm

from weiyuan.knowledge.services import laws_import
from weiyuan.search import bench


class Command(BaseCommand):
    help = "Build a search corpus of N entries (real law articles + composed items) and time the searches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entries", type=int, default=1_000_000, help="corpus size, real articles included")
        parser.add_argument("--runs", type=int, default=50, help="timed runs per query category")
        parser.add_argument("--warmup", type=int, default=5)
        parser.add_argument(
            "--laws",
            type=Path,
            default=Path(settings.BASE_DIR).parent / "shared" / "data" / "laws",
            help="law texts imported first when the database has none",
        )
        parser.add_argument("--reset", action="store_true", help="remove the composed entries first and rebuild")
        parser.add_argument("--skip-generate", action="store_true", help="measure whatever is in the index")
        parser.add_argument("--no-measure", action="store_true", help="only build the corpus")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "docs" / "benchmarks.md"),
            help="where to write the figures ('-' for nowhere)",
        )
        parser.add_argument("--allow-any-database", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        log = self.stdout.write
        try:
            bench.check_database(allow_any=opts["allow_any_database"])
            report = None if opts["skip_generate"] else self._build(opts, log)
            if opts["no_measure"]:
                return
            started = time.monotonic()
            categories = bench.measure(runs=opts["runs"], warmup=opts["warmup"])
        except bench.BenchError as exc:
            raise CommandError(str(exc)) from exc
        log(f"{connection.vendor}: measured in {time.monotonic() - started:.0f} s\n")
        log(bench.render(categories))
        if opts["output"] != "-":
            bench.write_report(
                path=Path(opts["output"]),
                command=self._command(opts),
                report=report,
                categories=categories,
                runs=opts["runs"],
                warmup=opts["warmup"],
            )
            log(f"\nwrote {opts['output']}")

    def _build(self, opts: dict[str, Any], log: Any) -> bench.BuildReport:
        if opts["reset"]:
            log("removing the composed entries…")
            bench.reset()
        if not bench.counts()["articles"]:
            if not opts["laws"].is_dir():
                raise bench.BenchError(f"no law articles indexed and {opts['laws']} is not a directory (--laws)")
            log(f"importing the laws of {opts['laws']}…")
            laws_import(directory=opts["laws"])
        wanted = max(0, opts["entries"] - bench.counts()["entries"])
        with tqdm(total=wanted, unit="entry", disable=opts["no_progress"], file=self.stderr) as bar:
            report = bench.build(entries=opts["entries"], log=log, progress=bar.update)
        if report.skipped:
            log(f"corpus present ({report.entries:,} entries): build skipped")
        else:
            phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in report.phases)
            log(f"built {report.entries:,} entries in {report.seconds:.0f} s ({phases})")
        return report

    def _command(self, opts: dict[str, Any]) -> str:
        args = []
        if opts["entries"] != 1_000_000:
            args.append(f"--entries {opts['entries']}")
        if opts["runs"] != 50:
            args.append(f"--runs {opts['runs']}")
        return "make bench" + (f" KB_BENCH_ARGS='{' '.join(args)}'" if args else "")
