"""Rebuild weiyuan/search/data/word_df.txt (how many entries hold each word) from what is indexed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from weiyuan.search import text, weights
from weiyuan.search.models import SearchEntry


def _documents() -> Iterator[str]:
    rows = SearchEntry.objects.order_by("pk").values_list("title_normalised", "law_title", "body")
    for title, law_title, body in rows.iterator(chunk_size=1000):
        yield f"{title} {text.normalise(law_title)} {text.normalise(body)}"


class Command(BaseCommand):
    help = "Count in how many indexed entries each word occurs (the weights of the coordination re-rank)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", type=Path, default=weights.WORD_DF_FILE, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        if not SearchEntry.objects.exists():
            raise CommandError("The index is empty: import the laws (kb_import_laws) or run kb_reindex first.")
        kept = weights.write(options["output"], _documents())
        self.stdout.write(f"Wrote {kept} words to {options['output']}.")
