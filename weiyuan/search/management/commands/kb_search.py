"""Search the knowledge base from the command line: `kb_search "商标 抢注" --limit 5 --json`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.html import strip_tags

from weiyuan.search.models import Source
from weiyuan.search.query import QueryError, search


class Command(BaseCommand):
    help = "Search laws, guides, Q&A, case studies and training materials; prints the ranked hits."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("query")
        parser.add_argument("--limit", type=int, default=10, help="number of hits (1-100, default 10)")
        parser.add_argument("--type", action="append", choices=Source.values, dest="types", help="repeatable")
        parser.add_argument("--law", default="", help="only articles of this law (its short title, e.g. 商标法)")
        parser.add_argument("--json", action="store_true", help="a JSON list of hits")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["limit"] <= 100:
            raise CommandError("--limit must be between 1 and 100")
        try:
            results = search(
                options["query"], types=options["types"] or (), law_key=options["law"], limit=options["limit"]
            )
        except QueryError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps([hit.as_json() for hit in results.hits], ensure_ascii=False, indent=2))
            return
        if results.hint:
            self.stdout.write(results.hint)
            return
        note = " (not every word matched)" if results.relaxed else " (similar titles)" if results.fuzzy else ""
        self.stdout.write(f"{results.total} result(s){note}")
        for rank, hit in enumerate(results.hits, start=1):
            self.stdout.write(f"{rank:>3}. [{hit.type}] {hit.title}  score={hit.score:.3f}  {hit.url}")
            self.stdout.write(f"     {strip_tags(hit.snippet)}")
