"""`manage.py opinions_bench`: p50/p95 of generating one opinion letter PDF (a 3-claim chart of about 20 features)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from weiyuan.opinions import bench


class Command(BaseCommand):
    help = (
        "Generate the letter PDF of a signed opinion with a 3-claim chart of about 20 features N times and print "
        "p50/p95. The records it needs are created in a transaction that is rolled back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=30, help="timed runs (after the warm-up)")
        parser.add_argument("--warmup", type=int, default=1)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["runs"] < 1 or opts["warmup"] < 0:
            raise CommandError("--runs must be at least 1 and --warmup at least 0")
        self.stdout.write(f"generating the letter {opts['warmup']} + {opts['runs']} times…")
        t = bench.measure(runs=opts["runs"], warmup=opts["warmup"], log=self.stdout.write)
        self.stdout.write(
            f"opinion letter PDF ({t.features} features in 3 claims, {t.size_bytes / 1024:.0f} KiB): "
            f"p50 {t.p50:.0f} ms, p95 {t.p95:.0f} ms over {len(t.samples_ms)} runs"
        )
