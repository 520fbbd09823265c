"""Rebuild the whole knowledge-base search index from what is published, with a progress bar."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from weiyuan.search import sources
from weiyuan.search.indexing import reindex


class Command(BaseCommand):
    help = "Rebuild the knowledge-base search index (laws per article, guides, Q&A, case studies, training)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs, cron)")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        expected = sources.expected_count()
        with tqdm(total=expected, unit="entry", disable=options["no_progress"], file=self.stderr) as bar:
            count = reindex(progress=bar.update)
        self.stdout.write(f"Indexed {count} entries in {time.monotonic() - started:.1f} s.")
