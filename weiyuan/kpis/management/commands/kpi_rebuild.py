"""Recompute every KPI aggregate from the cases and the other sources: `manage.py kpi_rebuild [--no-progress]`.
Runs nightly from Celery beat; safe to run at any time (one transaction; readers see the old figures until it
commits)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from weiyuan.kpis.services import kpi_rebuild, source_rows_estimate


class Command(BaseCommand):
    help = "Recompute every KPI aggregate (own and subtree rows per centre and month, and the 'now' snapshot)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        bar = tqdm(total=source_rows_estimate(), unit=" rows", disable=opts["no_progress"], file=sys.stderr)
        try:
            report = kpi_rebuild(progress=bar.update)
        finally:
            bar.close()
        self.stdout.write(
            f"{report.months} months, {report.own_rows} centre rows, {report.subtree_rows} subtree rows "
            f"in {report.seconds:.1f} s"
        )
