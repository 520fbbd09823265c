"""Send due webhook deliveries: once (cron, tests) or in a loop (the embedded default). Celery beat runs the same
sweep in production (`weiyuan.webhooks.tasks.deliver_webhooks_task`)."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from weiyuan.webhooks.delivery import webhooks_deliver


class Command(BaseCommand):
    help = "Send due webhook deliveries to cooperating organisations (retries with back-off)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", action="store_true", help="keep polling until stopped (SIGTERM / Ctrl-C)")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between polls with --loop")
        parser.add_argument("--batch", type=int, default=100)

    def handle(self, *args: Any, **opts: Any) -> None:
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        if opts["loop"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while not stopping:
            if opts["loop"]:
                close_old_connections()  # a long-running loop must not keep a dead or stale connection
            counts = webhooks_deliver(limit=opts["batch"])
            if any(counts.values()) or not opts["loop"]:
                self.stdout.write(
                    f"webhooks: delivered {counts['delivered']}, retry {counts['retry']}, failed {counts['failed']}"
                )
            if not opts["loop"]:
                break
            if sum(counts.values()) < opts["batch"]:
                time.sleep(opts["interval"])
