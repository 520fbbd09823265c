"""Deliver outbox messages in a loop (the embedded default's worker; Celery does this in production)."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from weiyuan.clocks.services import sweep_clocks
from weiyuan.kpis.services import kpi_refresh
from weiyuan.notifications.services import outbox_deliver, worker_heartbeat


class Command(BaseCommand):
    help = "Deliver queued notices (in-app, e-mail); periodically run the clock sweep and the KPI refresh."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls")
        parser.add_argument("--sweep-every", type=float, default=0, help="also sweep clocks every N seconds (0: never)")
        parser.add_argument("--batch", type=int, default=100)
        parser.add_argument("--name", default="embedded")

    def handle(self, *args: Any, **opts: Any) -> None:
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        last_sweep = 0.0
        while not stopping:
            close_old_connections()
            if opts["sweep_every"] and time.monotonic() - last_sweep >= opts["sweep_every"]:
                counts = sweep_clocks()
                last_sweep = time.monotonic()
                if any(counts.values()):
                    self.stdout.write(f"sweep: {counts}")
                # Development has no Celery beat: the KPI aggregates follow the changes here (docs/kpis.md).
                refreshed = kpi_refresh()
                if refreshed.partitions:
                    self.stdout.write(f"kpi refresh: {refreshed.partitions} partitions")
            sent = outbox_deliver(limit=opts["batch"])
            worker_heartbeat(name=opts["name"], delivered=sent)
            if sent:
                self.stdout.write(f"delivered {sent}")
            if opts["once"]:
                break
            if sent < opts["batch"]:
                time.sleep(opts["interval"])
