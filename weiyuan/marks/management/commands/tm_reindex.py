"""Rebuild the candidate index: `manage.py tm_reindex [--batch-size N] [--no-progress]`."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from weiyuan.marks.index import replace_keys
from weiyuan.marks.models import Mark, MarkKey


class Command(BaseCommand):
    help = (
        "Rebuild the candidate index (MarkKey) of the whole register: streams the marks in batches of primary "
        "keys, replacing each batch's keys in one transaction. Safe to run again (same keys, nothing doubled)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000, help="marks per batch (default 2000)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        size: int = opts["batch_size"]
        if size < 1:
            raise CommandError("--batch-size: must be at least 1")
        # Keys of marks deleted from the register go with them (CASCADE); orphans cannot exist.
        bar = tqdm(total=Mark.objects.count(), unit=" marks", disable=opts["no_progress"], file=sys.stderr)
        marks = keys = 0
        last = 0
        try:
            while True:
                batch = list(Mark.objects.filter(pk__gt=last).order_by("pk").only("id", "normalised", "classes")[:size])
                if not batch:
                    break
                with transaction.atomic():
                    keys += replace_keys(batch)
                marks += len(batch)
                last = batch[-1].pk
                bar.update(len(batch))
        finally:
            bar.close()
        self.stdout.write(f"{marks} marks indexed, {keys} keys ({MarkKey.objects.count()} in the index)")
