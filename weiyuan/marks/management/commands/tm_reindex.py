"""Rebuild the candidate index: `manage.py tm_reindex [--batch-size N] [--no-progress]`."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from weiyuan.marks.keystore import reindex_all
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
        bar = tqdm(total=Mark.objects.count(), unit=" marks", disable=opts["no_progress"], file=sys.stderr)
        try:
            marks, keys = reindex_all(batch_size=size, progress=bar.update)
        finally:
            bar.close()
        self.stdout.write(f"{marks} marks indexed, {keys} keys ({MarkKey.objects.count()} in the index)")
