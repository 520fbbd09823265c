"""Recompute the KPI partitions marked dirty since the last refresh: `manage.py kpi_refresh`. Celery beat runs it
every few minutes; run it by hand after loading data without the worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from weiyuan.kpis.services import kpi_refresh


class Command(BaseCommand):
    help = "Recompute the KPI partitions (centre, month) changed since the last refresh, and the 'now' snapshot."

    def handle(self, *args: Any, **opts: Any) -> None:
        report = kpi_refresh()
        if report.skipped:
            self.stdout.write("another refresh holds the lock; nothing done")
            return
        self.stdout.write(
            f"{report.partitions} partitions over {report.months} months: {report.own_rows} centre rows, "
            f"{report.subtree_rows} subtree rows in {report.seconds:.2f} s"
        )
