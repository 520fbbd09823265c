"""`manage.py tm_bench`: the trademark screening benchmark (weiyuan/marks/bench.py)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from weiyuan.core import bench as core_bench
from weiyuan.marks import bench


class Command(BaseCommand):
    help = (
        "Load a synthetic register of N marks through tm_import (skipped when it is there), rebuild the index, "
        "and print the load and index build times, the index size and p50/p95 of screening over 1,000 queries "
        "(a third look-alikes of register marks, which must come back in the top 10)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--marks", type=int, default=1_000_000)
        parser.add_argument("--queries", type=int, default=1000)
        parser.add_argument("--warmup", type=int, default=50)
        parser.add_argument("--skip-load", action="store_true", help="measure whatever register is there")
        parser.add_argument("--workdir", default="", help="where the CSV is written (default: a temporary folder)")
        parser.add_argument("--allow-any-database", action="store_true")
        parser.add_argument("--write-docs", default="", help="splice the figures into this page (docs/benchmarks.md)")

    def handle(self, *args: Any, **opts: Any) -> None:
        log = self.stdout.write
        try:
            core_bench.check_database(allow_any=opts["allow_any_database"])
        except core_bench.BenchError as exc:
            raise CommandError(str(exc)) from exc
        lines = [core_bench.machine_line(core_bench.machine())]
        present = bench.bench_count()
        if opts["skip_load"] or present >= opts["marks"]:
            log(f"{present:,} generated marks present: load skipped")
        elif present:
            raise CommandError(f"{present:,} generated marks present, fewer than {opts['marks']:,}: drop them first")
        else:
            bars: dict[str, tqdm[Any]] = {}

            def progress(n: int, phase: str) -> None:
                if phase not in bars:
                    for bar in bars.values():
                        bar.close()
                    bars[phase] = tqdm(total=opts["marks"], unit=" marks", desc=phase, file=sys.stderr)
                bars[phase].update(n)

            with tempfile.TemporaryDirectory() as tmp:
                report = bench.load(
                    count=opts["marks"], workdir=Path(opts["workdir"] or tmp), log=log, progress=progress
                )
            for bar in bars.values():
                bar.close()
            lines.append(f"Register: {report.marks:,} synthetic marks")
            for name, seconds in report.phases:
                lines.append(f"- {name}: {seconds:.0f} s ({report.marks / max(seconds, 1e-9):,.0f} marks/s)")
        for name, value in bench.sizes().items():
            lines.append(f"- {name}: {value}")
        result = bench.measure(n=opts["queries"], warmup=opts["warmup"])
        lines.append("")
        lines.append(core_bench.render_table([result.measurement]))
        lines.append("")
        lines.append(
            f"Look-alikes: {result.found_top10} of {result.lookalikes} found their original in the top 10 "
            f"({100 * result.found_top10 / max(1, result.lookalikes):.1f}%); {result.outranked} more were outranked "
            f"by ten register marks closer to the copycat than its original (ranked right); {len(result.missed)} "
            f"missed. {result.candidates_mean:.0f} candidates reranked per query on average."
        )
        for variant, top in result.missed[:15]:
            lines.append(f"  missed: {variant.original} -> {variant.query} ({variant.how}); top 3: {', '.join(top)}")
        text = "\n".join(lines)
        log("")
        log(text)
        if opts["write_docs"]:
            core_bench.splice_report(
                Path(opts["write_docs"]),
                "<!-- bench-marks:begin -->",
                "<!-- bench-marks:end -->",
                "<!-- bench-marks:begin -->\n" + text + "\n<!-- bench-marks:end -->",
            )
