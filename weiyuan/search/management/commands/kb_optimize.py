"""Compact the search index and refresh what the ranking knows about it (run nightly, and after bulk loads)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from weiyuan.search.indexing import index_optimize
from weiyuan.search.models import CommonWord


class Command(BaseCommand):
    help = (
        "SQLite: merge the FTS5 segments and refresh the list of common words; PostgreSQL: refresh the statistics "
        "of the word index. Safe to run at any time; nightly from cron is enough."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        index_optimize()
        self.stdout.write(
            f"Index optimized in {time.monotonic() - started:.1f} s; {CommonWord.objects.count()} common words."
        )
